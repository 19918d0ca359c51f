/* strutil.h - small string helpers for the log shipper agent. */
#ifndef STRUTIL_H
#define STRUTIL_H

#include <stddef.h>

char *str_trim(char *s);
int str_starts_with(const char *s, const char *prefix);
int str_ends_with(const char *s, const char *suffix);
size_t str_split(char *s, char sep, char **fields, size_t max_fields);
char *str_replace_all(const char *s, const char *from, const char *to);
void str_to_lower(char *s);
size_t str_lcpy(char *dst, const char *src, size_t size);

#endif
