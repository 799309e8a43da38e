/*
 * alloc: allocation that aborts on failure. See alloc.h.
 */
#include "base/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes with fputs, not the logger: the logger may itself allocate. */
_Noreturn void xalloc_fail(const char *what)
{
    fputs("cruddur: out of memory (", stderr);
    fputs(what, stderr);
    fputs(")\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) xalloc_fail("malloc");
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) xalloc_fail("calloc");
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) xalloc_fail("realloc");
    return q;
}

void *xreallocarray(void *p, size_t count, size_t size)
{
    if (size && count > (size_t)-1 / size) xalloc_fail("array size overflow");
    return xrealloc(p, count * size);
}

char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) xalloc_fail("strdup");
    return d;
}

char *xstrndup(const char *s, size_t n)
{
    char *d = strndup(s, n);
    if (!d) xalloc_fail("strndup");
    return d;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) xalloc_fail("asprintf");
    return s;
}
