/*
 * aws_http: signed POSTs to AWS JSON APIs. See aws_http.h.
 */
#include "aws/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/sigv4.h"

char *aws_host_of(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL, *out = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        curl_url_get(u, CURLUPART_PORT, &port, 0); /* only when given explicitly */
        buf_t h = BUF_INIT;
        buf_puts(&h, host);
        if (port) buf_printf(&h, ":%s", port);
        out = buf_detach(&h);
    }
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return out;
}

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
    buf_append(userdata, p, size * n);
    return size * n;
}

static size_t header_crc(char *p, size_t size, size_t n, void *userdata)
{
    size_t len = size * n;
    if (len > 13 && !strncasecmp(p, "x-amz-crc32:", 12)) *(long long *)userdata = atoll(p + 12);
    return len;
}

bool aws_post(CURL *curl, const aws_config *aws, const aws_request *rq, aws_reply *out, char *why,
              size_t why_len)
{
    char amz_date[17];
    sigv4_amz_date(amz_date);
    sigv4_header h[5] = {
        {"content-type", rq->content_type},
        {"host", rq->host},
        {"x-amz-date", amz_date},
        {"x-amz-target", rq->target},
        {"x-amz-security-token", aws->session_token},
    };
    size_t n_signed = aws->session_token ? 5 : 4;
    sigv4_input in = {
        .method = "POST",
        .path = "/",
        .headers = h,
        .n_headers = n_signed,
        .payload = rq->payload,
        .payload_len = strlen(rq->payload),
        .amz_date = amz_date,
        .region = aws->region,
        .service = rq->service,
        .access_key = aws->access_key,
        .secret_key = aws->secret_key,
    };
    char sig[65];
    char *auth = sigv4_authorization(&in, sig);
    struct curl_slist *hdrs = NULL;
    buf_t line = BUF_INIT;
    for (size_t i = 0; i < n_signed; i++) {
        if (!strcmp(h[i].name, "host")) continue; /* curl sends Host itself */
        buf_reset(&line);
        buf_printf(&line, "%s: %s", h[i].name, h[i].value);
        hdrs = curl_slist_append(hdrs, line.data);
    }
    buf_reset(&line);
    buf_printf(&line, "Authorization: %s", auth);
    hdrs = curl_slist_append(hdrs, line.data);
    hdrs = curl_slist_append(hdrs, "Expect:");
    buf_free(&line);
    free(auth);

    buf_init(&out->body);
    out->status = 0;
    out->crc32 = -1;
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, rq->url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, rq->payload);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(rq->payload));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out->body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_crc);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &out->crc32);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, rq->timeout_ms > 0 ? rq->timeout_ms : 10000L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (aws->ca_bundle) curl_easy_setopt(curl, CURLOPT_CAINFO, aws->ca_bundle);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(hdrs);
    if (rc != CURLE_OK) {
        snprintf(why, why_len, "%s", curl_easy_strerror(rc));
        return false;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    return true;
}
