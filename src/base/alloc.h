/*
 * alloc: the program's one policy for running out of memory. The x*
 * functions allocate like their libc namesakes but never return NULL: on
 * failure they log one line to stderr and abort(), so that callers need no
 * check of their own. cruddur cannot do anything useful without the memory
 * it asked for, and a clean abort beats a NULL dereference far from its
 * cause.
 *
 * Ownership is that of the libc function: the caller free()s the result.
 * Use these for every allocation in src/ (the style.alloc suite checks that
 * nothing calls malloc, calloc, realloc, strdup or strndup directly).
 */
#ifndef CRUDDUR_BASE_ALLOC_H
#define CRUDDUR_BASE_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* xreallocarray: xrealloc of count * size bytes, aborting on overflow. */
void *xreallocarray(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Logs "out of memory (<what>)" and aborts: for allocators that are not
   libc's (a library's constructor that returns NULL only when out of memory). */
_Noreturn void xalloc_fail(const char *what);

#endif
