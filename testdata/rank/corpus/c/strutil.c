/* strutil.c - small string helpers for the log shipper agent. */
#include "strutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/*
 * str_trim removes leading and trailing white space in place and returns
 * a pointer to the first non-space character inside s.
 */
char *str_trim(char *s)
{
    char *end;

    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return s;
    end = s + strlen(s) - 1;
    while (end > s && isspace((unsigned char)*end))
        end--;
    end[1] = '\0';
    return s;
}

/* str_starts_with reports whether s begins with prefix. */
int str_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* str_ends_with reports whether s ends with suffix. */
int str_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return m <= n && memcmp(s + n - m, suffix, m) == 0;
}

/*
 * str_split cuts s in place at every sep, storing up to max_fields
 * pointers in fields, and returns the number of fields found. Empty fields
 * are kept ("a,,b" has three). Fields beyond max_fields stay joined in
 * the last one.
 */
size_t str_split(char *s, char sep, char **fields, size_t max_fields)
{
    size_t n = 0;

    if (max_fields == 0)
        return 0;
    fields[n++] = s;
    for (; *s != '\0'; s++) {
        if (*s == sep && n < max_fields) {
            *s = '\0';
            fields[n++] = s + 1;
        }
    }
    return n;
}

/*
 * str_replace_all returns a newly allocated copy of s with every
 * occurrence of from replaced by to, or NULL if allocation fails. The
 * caller frees the result.
 */
char *str_replace_all(const char *s, const char *from, const char *to)
{
    size_t from_len = strlen(from), to_len = strlen(to), count = 0;
    const char *p;
    char *out, *w;

    if (from_len == 0)
        return strdup(s);
    for (p = s; (p = strstr(p, from)) != NULL; p += from_len)
        count++;
    out = malloc(strlen(s) + count * (to_len - from_len) + 1);
    if (out == NULL)
        return NULL;
    for (w = out; (p = strstr(s, from)) != NULL; s = p + from_len) {
        memcpy(w, s, (size_t)(p - s));
        w += p - s;
        memcpy(w, to, to_len);
        w += to_len;
    }
    strcpy(w, s);
    return out;
}

/* str_to_lower converts ASCII letters of s to lower case in place. */
void str_to_lower(char *s)
{
    for (; *s != '\0'; s++)
        *s = (char)tolower((unsigned char)*s);
}

/*
 * str_lcpy copies src into dst of the given size, always NUL-terminating
 * when size > 0, and returns strlen(src) so the caller can detect
 * truncation (like BSD strlcpy).
 */
size_t str_lcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
