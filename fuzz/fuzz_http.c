/*
 * fuzz_http: fake requests for in-process handler fuzzing (see
 * fuzz_http.h), and the stand-in for libmicrohttpd's header and argument
 * lookup that makes server.c's accessors read them.
 */
#include "fuzz_http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

/* Copies n bytes as a NUL-terminated string. */
static char *copy_n(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes %XX and '+' in place, as libmicrohttpd does for query arguments. */
static void unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '+') {
            *o++ = ' ';
        } else if (*p == '%' && hex_digit(p[1]) >= 0 && hex_digit(p[2]) >= 0) {
            *o++ = (char)(hex_digit(p[1]) * 16 + hex_digit(p[2]));
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

/* Splits "a=b&c" into arguments. */
static void parse_query(fuzz_request *fr, const char *q)
{
    while (*q && fr->n_args < FUZZ_HTTP_MAX_FIELDS) {
        size_t n = strcspn(q, "&");
        const char *eq = memchr(q, '=', n);
        size_t name_len = eq ? (size_t)(eq - q) : n;
        char *name = copy_n(q, name_len);
        char *value = eq ? copy_n(eq + 1, n - name_len - 1) : copy_n("", 0);
        unescape(name);
        unescape(value);
        fr->arg_names[fr->n_args] = name;
        fr->arg_values[fr->n_args] = value;
        fr->n_args++;
        q += n;
        if (*q == '&') q++;
    }
}

/* The next line of [*p, end) without its '\n'; advances *p past it. */
static char *next_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    char *line = copy_n(*p, (size_t)(stop - *p));
    *p = nl ? nl + 1 : end;
    return line;
}

void fuzz_request_set_header(fuzz_request *fr, const char *name, const char *value)
{
    for (int i = 0; i < fr->n_headers; i++) {
        if (!strcasecmp(fr->header_names[i], name)) {
            free(fr->header_values[i]);
            fr->header_values[i] = strdup(value);
            return;
        }
    }
    if (fr->n_headers >= FUZZ_HTTP_MAX_FIELDS) return;
    fr->header_names[fr->n_headers] = strdup(name);
    fr->header_values[fr->n_headers] = strdup(value);
    fr->n_headers++;
}

void fuzz_request_parse(fuzz_request *fr, const char *data, size_t size)
{
    memset(fr, 0, sizeof *fr);
    const char *p = data, *end = data + size;
    char *first = next_line(&p, end);
    char *sp = strchr(first, ' ');
    char *target = sp ? sp + 1 : "";
    if (sp) *sp = '\0';
    fr->method = strdup(first);
    char *q = strchr(target, '?');
    fr->path = q ? copy_n(target, (size_t)(q - target)) : strdup(target);
    if (q) parse_query(fr, q + 1);
    free(first);
    while (p < end) {
        char *line = next_line(&p, end);
        if (!*line) {
            free(line);
            break;
        }
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            char *value = colon + 1;
            value += strspn(value, " \t");
            fuzz_request_set_header(fr, line, value);
        }
        free(line);
    }
    /* The body may hold NUL bytes; body_len says how many bytes there are. */
    fr->body = copy_n(p, (size_t)(end - p));
    fr->req = (http_request){.method = fr->method,
                             .path = fr->path,
                             .body = fr->body,
                             .body_len = (size_t)(end - p),
                             .conn = fr};
}

void fuzz_request_free(fuzz_request *fr)
{
    for (int i = 0; i < fr->n_headers; i++) {
        free(fr->header_names[i]);
        free(fr->header_values[i]);
    }
    for (int i = 0; i < fr->n_args; i++) {
        free(fr->arg_names[i]);
        free(fr->arg_values[i]);
    }
    free(fr->method);
    free(fr->path);
    free(fr->body);
    memset(fr, 0, sizeof *fr);
}

char *fuzz_substitute(const char *in, size_t len, const char *const *vars,
                      const char *const *values, size_t n, size_t *out_len)
{
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; i < len;) {
        size_t k = 0;
        while (k < n && (strlen(vars[k]) > len - i || memcmp(in + i, vars[k], strlen(vars[k]))))
            k++;
        if (k < n) {
            buf_puts(&b, values[k]);
            i += strlen(vars[k]);
        } else {
            buf_putc(&b, in[i++]);
        }
    }
    *out_len = b.len;
    return buf_detach(&b);
}

void fuzz_response_init(http_response *res)
{
    memset(res, 0, sizeof *res);
    res->status = 500;
    buf_init(&res->body);
}

void fuzz_response_free(http_response *res)
{
    buf_free(&res->body);
    for (int i = 0; i < res->n_headers; i++) {
        free(res->header_names[i]);
        free(res->header_values[i]);
    }
}

/*
 * Replaces libmicrohttpd's lookup for the fuzz executables: `connection`
 * is always a fuzz_request here (the handlers only pass req->conn).
 */
const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                        const char *key)
{
    const fuzz_request *fr = (const fuzz_request *)(void *)connection;
    if (!fr || !key) return NULL;
    if (kind == MHD_HEADER_KIND) {
        for (int i = 0; i < fr->n_headers; i++)
            if (!strcasecmp(fr->header_names[i], key)) return fr->header_values[i];
    } else if (kind == MHD_GET_ARGUMENT_KIND) {
        for (int i = 0; i < fr->n_args; i++)
            if (!strcmp(fr->arg_names[i], key)) return fr->arg_values[i];
    }
    return NULL;
}
