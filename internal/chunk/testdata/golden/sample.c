/*
 * ring.c - a fixed-size ring buffer of bytes.
 */
#include <stdlib.h>
#include <string.h>
#include "ring.h"

#define RING_MIN 16
#define RING_MAX (1 << 20)
static const char *ring_errors[] = {"ok", "full", "empty", "bad size"};
static int ring_count = 0;

/* A ring buffer; head == tail means empty. */
typedef struct ring {
    unsigned char *buf;
    size_t cap;
    size_t head;
    size_t tail;
} ring_t;

typedef int (*ring_visit_fn)(unsigned char c, void *arg);

enum ring_status {
    RING_OK,
    RING_FULL,
    RING_EMPTY,
};

struct ring_stats {
    size_t pushed;
    size_t popped;
};

/**
 * ring_new allocates a ring of cap bytes.
 * Returns NULL if cap is out of range.
 */
ring_t *ring_new(size_t cap)
{
    if (cap < RING_MIN || cap > RING_MAX)
        return NULL;
    ring_t *r = calloc(1, sizeof *r);
    r->buf = malloc(cap);
    r->cap = cap;
    ring_count++;
    return r;
}

// ring_push appends c; it fails when the ring is full.
int ring_push(ring_t *r, unsigned char c)
{
    size_t next = (r->tail + 1) % r->cap;
    if (next == r->head)
        return RING_FULL;
    r->buf[r->tail] = c;
    r->tail = next;
    return RING_OK;
}

static int ring_pop(ring_t *r, unsigned char *c)
{
    if (r->head == r->tail)
        return RING_EMPTY;
    *c = r->buf[r->head];
    r->head = (r->head + 1) % r->cap;
    return RING_OK;
}

const char *ring_strerror(int code);

void ring_free(ring_t *r)
{
    free(r->buf);
    free(r);
    ring_count--;
}
