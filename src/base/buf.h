/*
 * buf: a growable byte buffer, always NUL-terminated so it can be used as a
 * C string. A buf_t owns its memory; buf_free() releases it and
 * buf_detach() hands it to the caller (free() it). Allocation failure
 * aborts: the program cannot continue meaningfully without memory.
 */
#ifndef CRUDDUR_BASE_BUF_H
#define CRUDDUR_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
} buf_t;

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void buf_init(buf_t *b);
void buf_free(buf_t *b);
void buf_reset(buf_t *b); /* len = 0, keeps capacity */
void buf_reserve(buf_t *b, size_t extra);
void buf_append(buf_t *b, const void *p, size_t n);
void buf_puts(buf_t *b, const char *s);
void buf_putc(buf_t *b, char c);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf_t *b, const char *fmt, va_list ap);
char *buf_detach(buf_t *b);           /* never NULL; caller frees; b is reset */
const char *buf_cstr(const buf_t *b); /* "" when empty */

#endif
