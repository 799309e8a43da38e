/*
 * set_order: the order of the members of SS, NS and BS values.
 *
 * DynamoDB does not promise an order for set members; DynamoDB Local 3.3.1
 * returns them sorted, wherever they are (top level, inside maps and
 * lists, in every answer and stream record), and libraries' tests compare
 * whole sets as lists. cruddur stores sets in that order, so every answer
 * shows it:
 *   - SS: by UTF-16 code units, as Java compares strings (code point order,
 *     except that characters above U+FFFF sort between U+D7FF and U+E000);
 *   - NS: by numeric value;
 *   - BS: by bytes compared as signed (0x80..0xFF before 0x00..0x7F), a
 *     prefix before the longer value.
 */
#include "ddb/model/value.h"

#include <stdlib.h>
#include <string.h>

#include "ddb/model/number.h"

#include "base/alloc.h"

typedef struct member {
    json_t *m;
    const unsigned char *p; /* SS: UTF-8 text; BS: decoded bytes */
    size_t n;
    ddb_num num; /* NS */
    unsigned char *owned;
} member;

/* Decodes one UTF-8 code point (jansson's strings are valid UTF-8). */
static unsigned long next_cp(const unsigned char *p, size_t n, size_t *i)
{
    unsigned long c = p[(*i)++];
    int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (more) c &= 0x3F >> more;
    while (more-- > 0 && *i < n)
        c = (c << 6) | (p[(*i)++] & 0x3F);
    return c;
}

/* The first UTF-16 code unit of a code point. */
static unsigned long utf16_lead(unsigned long cp)
{
    return cp < 0x10000 ? cp : 0xD800 + ((cp - 0x10000) >> 10);
}

int ddb_utf16_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    size_t i = 0, j = 0;
    while (i < an && j < bn) {
        unsigned long x = next_cp(p, an, &i), y = next_cp(q, bn, &j);
        if (x == y) continue;
        unsigned long ux = utf16_lead(x), uy = utf16_lead(y);
        if (ux != uy) return ux < uy ? -1 : 1;
        return x < y ? -1 : 1; /* same lead surrogate: the trail decides */
    }
    return (i < an) - (j < bn);
}

static int cmp_utf16(const member *a, const member *b)
{
    return ddb_utf16_cmp((const char *)a->p, a->n, (const char *)b->p, b->n);
}

static int cmp_signed_bytes(const member *a, const member *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        signed char x = (signed char)a->p[i], y = (signed char)b->p[i];
        if (x != y) return x < y ? -1 : 1;
    }
    return (a->n > n) - (b->n > n);
}

static int cmp_ss(const void *a, const void *b)
{
    return cmp_utf16(a, b);
}

static int cmp_bs(const void *a, const void *b)
{
    return cmp_signed_bytes(a, b);
}

static int cmp_ns(const void *a, const void *b)
{
    return ddb_num_cmp(&((const member *)a)->num, &((const member *)b)->num);
}

void ddb_set_sort(ddb_av_type t, json_t *members)
{
    size_t n = json_array_size(members);
    if (n < 2 || (t != DDB_AV_SS && t != DDB_AV_NS && t != DDB_AV_BS)) return;
    member *v = xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        member *x = &v[i];
        x->m = json_incref(json_array_get(members, i));
        const char *s = json_string_value(x->m);
        if (t == DDB_AV_SS) {
            x->p = (const unsigned char *)s;
            x->n = json_string_length(x->m);
        } else if (t == DDB_AV_BS) {
            x->owned = ddb_b64_decode(s, &x->n);
            x->p = x->owned;
        } else if (!ddb_num_parse(s, &x->num, NULL)) {
            memset(&x->num, 0, sizeof x->num); /* members are valid numbers */
        }
    }
    qsort(v, n, sizeof *v, t == DDB_AV_SS ? cmp_ss : t == DDB_AV_BS ? cmp_bs : cmp_ns);
    json_array_clear(members);
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(members, v[i].m);
        free(v[i].owned);
    }
    free(v);
}
