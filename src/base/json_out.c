/*
 * json_out: the compact JSON encoder of json_out.h.
 */
#include "base/alloc.h"
#include "base/json_out.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The escape of each byte that a JSON string cannot hold as it is, in
 * jansson's spelling ("\u" with upper-case hex where JSON has no short
 * form); NULL for the bytes written as they are.
 */
static const char *escape_of(unsigned char c)
{
    static const char *const shortform[0x20] = {
        ['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t"};
    static const char *const longform[0x20] = {
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
        "\\u0008", "\\u0009", "\\u000A", "\\u000B", "\\u000C", "\\u000D", "\\u000E", "\\u000F",
        "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
        "\\u0018", "\\u0019", "\\u001A", "\\u001B", "\\u001C", "\\u001D", "\\u001E", "\\u001F"};
    if (c == '"') return "\\\"";
    if (c == '\\') return "\\\\";
    if (c >= 0x20) return NULL;
    return shortform[c] ? shortform[c] : longform[c];
}

/* Appends n bytes the caller has room for (after buf_reserve). */
static inline void put_raw(buf_t *b, const char *p, size_t n)
{
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

/* A quoted string: runs of plain bytes are copied in one go. Room is
   reserved once for the worst case (every byte a six-byte escape). */
static void put_string(buf_t *b, const char *s, size_t n)
{
    buf_reserve(b, 6 * n + 2);
    put_raw(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *esc = escape_of((unsigned char)s[i]);
        if (!esc) continue;
        put_raw(b, s + run, i - run);
        put_raw(b, esc, strlen(esc));
        run = i + 1;
    }
    put_raw(b, s + run, n - run);
    put_raw(b, "\"", 1);
    b->data[b->len] = '\0';
}

/* A real, formatted by jansson so that its spelling is jansson's. */
static void put_real(buf_t *b, const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text) xalloc_fail("json_dumps"); /* or NaN, which jansson cannot make */
    buf_puts(b, text);
    free(text);
}

void json_out_append_with(buf_t *b, const json_t *v, json_out_verbatim_fn verbatim)
{
    if (!v) { /* what a failed jansson constructor returned */
        buf_append(b, "null", 4);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        if (verbatim && verbatim(v, b)) return;
        buf_putc(b, '{');
        bool first = true;
        for (void *it = json_object_iter((json_t *)v); it;
             it = json_object_iter_next((json_t *)v, it)) {
            if (!first) buf_putc(b, ',');
            first = false;
            put_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
            buf_putc(b, ':');
            json_out_append_with(b, json_object_iter_value(it), verbatim);
        }
        buf_putc(b, '}');
        return;
    }
    case JSON_ARRAY: {
        buf_putc(b, '[');
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n; i++) {
            if (i) buf_putc(b, ',');
            json_out_append_with(b, json_array_get(v, i), verbatim);
        }
        buf_putc(b, ']');
        return;
    }
    case JSON_STRING:
        put_string(b, json_string_value(v), json_string_length(v));
        return;
    case JSON_INTEGER: {
        char num[24];
        int n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        buf_append(b, num, (size_t)n);
        return;
    }
    case JSON_REAL:
        put_real(b, v);
        return;
    case JSON_TRUE:
        buf_append(b, "true", 4);
        return;
    case JSON_FALSE:
        buf_append(b, "false", 5);
        return;
    case JSON_NULL:
        buf_append(b, "null", 4);
        return;
    }
}

void json_out_append(buf_t *b, const json_t *v)
{
    json_out_append_with(b, v, NULL);
}

char *json_out_dumps(const json_t *v, size_t *len)
{
    buf_t b = BUF_INIT;
    json_out_append(&b, v);
    if (len) *len = b.len;
    return buf_detach(&b);
}
