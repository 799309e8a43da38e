/*
 * sigv4: AWS Signature Version 4. See sigv4.h.
 *
 * canonical request = METHOD \n path \n sorted-query \n
 *                     lower(name):trimmed(value) \n ... \n signed-names \n hex(sha256(payload))
 * string to sign    = "AWS4-HMAC-SHA256" \n amz-date \n scope \n hex(sha256(canonical))
 * signing key       = HMAC chain over date, region, service, "aws4_request",
 *                     keyed first with "AWS4" + secret.
 */
#include "aws/sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "base/alloc.h"
#include "base/buf.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(p, n, md);
    hex(md, sizeof md, out);
}

static void hmac(const void *key, size_t key_len, const char *msg, unsigned char out[32])
{
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg, strlen(msg), out, &len);
}

typedef struct canon_header {
    char *name;
    const char *value;
} canon_header;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const canon_header *)a)->name, ((const canon_header *)b)->name);
}

/* Appends a header value with leading/trailing space removed and inner runs
   of spaces folded to one, as the canonical form requires. */
static void put_trimmed(buf_t *b, const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    bool space = false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == ' ' || v[i] == '\t') {
            space = true;
            continue;
        }
        if (space) buf_putc(b, ' ');
        space = false;
        buf_putc(b, v[i]);
    }
}

/* Sorts query parameters by name (then value); they arrive already encoded. */
static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void put_sorted_query(buf_t *b, const char *query)
{
    if (!query || !*query) return;
    char *copy = xstrdup(query);
    size_t n = 1;
    for (const char *p = copy; *p; p++)
        n += *p == '&';
    char **parts = xcalloc(n, sizeof *parts);
    size_t k = 0;
    for (char *save = NULL, *t = strtok_r(copy, "&", &save); t; t = strtok_r(NULL, "&", &save))
        parts[k++] = t;
    qsort(parts, k, sizeof *parts, by_string);
    for (size_t i = 0; i < k; i++) {
        if (i) buf_putc(b, '&');
        buf_puts(b, parts[i]);
        if (!strchr(parts[i], '=')) buf_putc(b, '=');
    }
    free(parts);
    free(copy);
}

char *sigv4_authorization(const sigv4_input *in, char signature[65])
{
    canon_header *hs = xcalloc(in->n_headers ? in->n_headers : 1, sizeof *hs);
    for (size_t i = 0; i < in->n_headers; i++) {
        hs[i].name = xstrdup(in->headers[i].name);
        for (char *p = hs[i].name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        hs[i].value = in->headers[i].value ? in->headers[i].value : "";
    }
    qsort(hs, in->n_headers, sizeof *hs, by_name);

    buf_t canon = BUF_INIT, names = BUF_INIT;
    buf_printf(&canon, "%s\n%s\n", in->method, in->path && *in->path ? in->path : "/");
    put_sorted_query(&canon, in->query);
    buf_putc(&canon, '\n');
    for (size_t i = 0; i < in->n_headers; i++) {
        buf_printf(&canon, "%s:", hs[i].name);
        put_trimmed(&canon, hs[i].value);
        buf_putc(&canon, '\n');
        if (i) buf_putc(&names, ';');
        buf_puts(&names, hs[i].name);
    }
    char payload_hash[65], canon_hash[65];
    sha256_hex(in->payload ? in->payload : "", in->payload_len, payload_hash);
    buf_printf(&canon, "\n%s\n%s", buf_cstr(&names), payload_hash);
    sha256_hex(canon.data, canon.len, canon_hash);

    char date[9];
    snprintf(date, sizeof date, "%.8s", in->amz_date);
    buf_t scope = BUF_INIT, to_sign = BUF_INIT;
    buf_printf(&scope, "%s/%s/%s/aws4_request", date, in->region, in->service);
    buf_printf(&to_sign, "AWS4-HMAC-SHA256\n%s\n%s\n%s", in->amz_date, scope.data, canon_hash);

    buf_t secret = BUF_INIT;
    buf_printf(&secret, "AWS4%s", in->secret_key);
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    hmac(secret.data, secret.len, date, k1);
    hmac(k1, 32, in->region, k2);
    hmac(k2, 32, in->service, k3);
    hmac(k3, 32, "aws4_request", k4);
    hmac(k4, 32, to_sign.data, sig);
    hex(sig, 32, signature);
    OPENSSL_cleanse(secret.data, secret.len);

    buf_t auth = BUF_INIT;
    buf_printf(&auth, "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
               in->access_key, scope.data, buf_cstr(&names), signature);
    for (size_t i = 0; i < in->n_headers; i++)
        free(hs[i].name);
    free(hs);
    buf_free(&canon);
    buf_free(&names);
    buf_free(&scope);
    buf_free(&to_sign);
    buf_free(&secret);
    return buf_detach(&auth);
}

void sigv4_amz_date(char out[17])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* Copies the value of `key=` up to a comma (or the end) from an Authorization header. */
static char *field(const char *s, const char *key)
{
    const char *p = strstr(s, key);
    if (!p) return NULL;
    p += strlen(key);
    size_t n = strcspn(p, ", ");
    return xstrndup(p, n);
}

bool sigv4_parse_authorization(const char *value, sigv4_parsed *out)
{
    memset(out, 0, sizeof *out);
    if (!value || strncmp(value, "AWS4-HMAC-SHA256 ", 17) != 0) return false;
    char *cred = field(value, "Credential=");
    out->signed_headers = field(value, "SignedHeaders=");
    out->signature = field(value, "Signature=");
    bool ok = cred && out->signed_headers && out->signature;
    if (ok) {
        /* AK/date/region/service/aws4_request */
        char *parts[5] = {0};
        int n = 0;
        char *save = NULL;
        for (char *t = strtok_r(cred, "/", &save); t && n < 5; t = strtok_r(NULL, "/", &save))
            parts[n++] = t;
        ok = n == 5 && !strcmp(parts[4], "aws4_request") && strlen(parts[1]) == 8;
        if (ok) {
            out->access_key = xstrdup(parts[0]);
            out->date = xstrdup(parts[1]);
            out->region = xstrdup(parts[2]);
            out->service = xstrdup(parts[3]);
        }
    }
    free(cred);
    if (!ok) sigv4_parsed_free(out);
    return ok;
}

void sigv4_parsed_free(sigv4_parsed *p)
{
    free(p->access_key);
    free(p->date);
    free(p->region);
    free(p->service);
    free(p->signed_headers);
    free(p->signature);
    memset(p, 0, sizeof *p);
}

bool sigv4_signature_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}
