/*
 * cors: allowed web origins. See cors.h. Origins are compared as the
 * browser sends them (RFC 6454 serialisation: lower-case scheme and host,
 * no path); the comparison ignores ASCII case so that a list typed with
 * capitals still matches.
 */
#include "http/cors.h"

#include "base/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* True for "null" and for scheme://host[:port] with a non-empty host and no
   path, query, space or control character. */
static bool origin_valid(const char *o, size_t n)
{
    if (n == 4 && !strncmp(o, "null", 4)) return true;
    if (n == 0 || !isalpha((unsigned char)o[0])) return false;
    size_t i = 0;
    while (i < n && (isalnum((unsigned char)o[i]) || o[i] == '+' || o[i] == '-' || o[i] == '.'))
        i++;
    if (n - i < 4 || strncmp(o + i, "://", 3) != 0) return false; /* and a host after it */
    for (i += 3; i < n; i++) {
        unsigned char ch = (unsigned char)o[i];
        if (ch <= ' ' || ch >= 0x7f || strchr("/?#,\"\\@", ch)) return false;
    }
    return o[n - 1] != ':';
}

bool http_cors_parse(const char *spec, http_cors *out, char *errbuf, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *p = spec ? spec : "";
    while (*p == ' ')
        p++;
    if (!strcmp(p, "*")) {
        out->any = true;
        return true;
    }
    size_t cap = 1;
    for (const char *s = p; *s; s++)
        cap += *s == ',';
    out->origins = xcalloc(cap, sizeof *out->origins);
    for (;;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, ",");
        size_t len = n;
        while (len && p[len - 1] == ' ')
            len--;
        if (len && p[len - 1] == '/') len--;
        if (!origin_valid(p, len)) {
            snprintf(errbuf, errlen,
                     "'%.*s' is not an origin: give scheme://host[:port] (comma-separated), or *",
                     (int)(len > 200 ? 200 : len), p);
            http_cors_free(out);
            return false;
        }
        out->origins[out->n_origins] = xstrndup(p, len);
        out->n_origins++;
        if (!p[n]) break;
        p += n + 1;
    }
    return true;
}

const char *http_cors_allow(const http_cors *c, const char *origin)
{
    if (!c || !origin || !*origin) return NULL;
    if (c->any) return "*";
    for (size_t i = 0; i < c->n_origins; i++)
        if (!strcasecmp(origin, c->origins[i])) return origin;
    return NULL;
}

void http_cors_free(http_cors *c)
{
    for (size_t i = 0; i < c->n_origins; i++)
        free(c->origins[i]);
    free(c->origins);
    memset(c, 0, sizeof *c);
}
