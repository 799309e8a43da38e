/*
 * server: libmicrohttpd behind a small request/response API. See server.h.
 *
 * Each connection's request is accumulated (headers, then the body in
 * chunks) and the handler runs once the whole request has arrived: queuing
 * a response before that makes libmicrohttpd close keep-alive connections,
 * which collapses throughput. Bodies over the limit are discarded as they
 * arrive and the handler sees body_too_large; a Content-Length over the
 * limit is answered 413 at once.
 */
#include "http/server.h"

#include <stdarg.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/json_out.h"
#include "base/log.h"
#include "base/stop_signal.h"
#include "http/framing.h"
#include "http/listen.h"
#include "http/stream_int.h"

struct http_server {
    struct MHD_Daemon *daemon;
    http_handler handler;
    void *ctx;
    size_t max_body;
    bool quiet;
    uint16_t port;
    char name[32];
    http_stream_set *streams; /* streaming responses in flight */
};

/* Per-request state, from the first callback to the completion notice. */
typedef struct req_state {
    buf_t body;
    bool too_large;
    bool refused; /* answered before its body (bad framing); the body is dropped */
    int status;
    int64_t start_us;
    char method[16];
    char *path;
} req_state;

const char *http_request_header(const http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_request_arg(const http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

void http_response_header(http_response *res, const char *name, const char *value)
{
    if (res->n_headers >= HTTP_MAX_HEADERS) return;
    res->header_names[res->n_headers] = xstrdup(name);
    res->header_values[res->n_headers] = xstrdup(value);
    res->n_headers++;
}

void http_response_body(http_response *res, int status, const char *content_type, const void *data,
                        size_t len)
{
    res->status = status;
    res->content_type = content_type;
    buf_reset(&res->body);
    buf_append(&res->body, data, len);
}

buf_t *http_response_json_text(http_response *res, int status)
{
    res->status = status;
    res->content_type = "application/json";
    buf_reset(&res->body);
    return &res->body;
}

void http_response_json(http_response *res, int status, const json_t *body)
{
    json_out_append(http_response_json_text(res, status), body);
}

static void response_free(http_response *res)
{
    if (res->stream) http_stream_abandon(res->stream);
    buf_free(&res->body);
    for (int i = 0; i < res->n_headers; i++) {
        free(res->header_names[i]);
        free(res->header_values[i]);
    }
}

/* Hands a finished http_response to libmicrohttpd, which takes its body
   (no copy) and frees it once sent. */
static enum MHD_Result send_response(http_server *s, struct MHD_Connection *conn,
                                     http_response *res)
{
    struct MHD_Response *r;
    if (res->stream) {
        r = http_stream_mhd_response(res->stream, conn, s->streams);
        res->stream = NULL; /* the server's reference went with it */
        if (!r) return MHD_NO;
    } else {
        size_t len = res->body.len;
        char *body = buf_detach(&res->body);
        r = MHD_create_response_from_buffer_with_free_callback(len, body, free);
        if (!r) {
            free(body);
            return MHD_NO;
        }
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            res->content_type ? res->content_type : "application/json");
    for (int i = 0; i < res->n_headers; i++)
        MHD_add_response_header(r, res->header_names[i], res->header_values[i]);
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* Collects the framing headers, every occurrence of each. */
static enum MHD_Result collect_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value)
{
    http_framing *f = cls;
    size_t max = sizeof f->content_length / sizeof f->content_length[0];
    if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH)) {
        if (f->n_content_length < max) f->content_length[f->n_content_length] = value ? value : "";
        f->n_content_length++;
    } else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
        if (f->n_transfer_encoding < max)
            f->transfer_encoding[f->n_transfer_encoding] = value ? value : "";
        f->n_transfer_encoding++;
    }
    return MHD_YES;
}

/*
 * Checks the request's framing (framing.h) once its headers are in; a
 * refused request is answered at once, before its body is read, with
 * "Connection: close" so that nothing after it on the connection is taken
 * for a request.
 */
static bool framing_ok(http_server *s, struct MHD_Connection *conn, const char *version,
                       req_state *st)
{
    http_framing f = {.version = version};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_framing, &f);
    const char *why = NULL;
    int status = http_framing_verdict(&f, &why);
    if (!status) return true;
    json_t *body = json_pack("{s:s}", "message", why);
    http_response res = {.status = status};
    http_response_json(&res, status, body);
    json_decref(body);
    http_response_header(&res, MHD_HTTP_HEADER_CONNECTION, "close");
    st->status = status;
    st->refused = true;
    send_response(s, conn, &res);
    response_free(&res);
    return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    http_server *s = cls;
    req_state *st = *con_cls;
    if (!st) {
        st = xcalloc(1, sizeof *st);
        st->start_us = clock_mono_us();
        snprintf(st->method, sizeof st->method, "%s", method);
        st->path = xstrdup(url);
        *con_cls = st;
        if (!framing_ok(s, conn, version, st)) return MHD_YES;
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->max_body) st->too_large = true;
        return MHD_YES;
    }
    if (st->refused) {
        *upload_size = 0; /* the connection closes after the answer */
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!st->too_large && st->body.len + *upload_size > s->max_body) {
            st->too_large = true;
            buf_free(&st->body);
        }
        if (!st->too_large) buf_append(&st->body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    http_request req = {
        .method = method,
        .path = url,
        .body = buf_cstr(&st->body),
        .body_len = st->body.len,
        .body_too_large = st->too_large,
        .conn = conn,
    };
    http_response res = {.status = 500};
    s->handler(s->ctx, &req, &res);
    st->status = res.status;
    enum MHD_Result ok = send_response(s, conn, &res);
    response_free(&res);
    return ok;
}

/* Logs one line per request (quiet servers: only server errors) and frees
   its state. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    http_server *s = cls;
    req_state *st = *con_cls;
    if (!st) return;
    if (!s->quiet || st->status >= 500)
        log_msg(st->status >= 500 ? LOG_WARN : LOG_INFO, "%s %s %s %d %lldus%s", s->name,
                st->method, st->path, st->status, (long long)(clock_mono_us() - st->start_us),
                why == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    buf_free(&st->body);
    free(st->path);
    free(st);
    *con_cls = NULL;
}

/* libmicrohttpd's own messages (malformed requests, resource limits) go
   through the log, which escapes what came from the client. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    log_vmsg(LOG_WARN, fmt, ap);
}

http_server *http_server_start(const http_config *cfg, http_handler handler, void *ctx,
                               char *errbuf, size_t errlen)
{
    http_server *s = xcalloc(1, sizeof *s);
    s->handler = handler;
    s->ctx = ctx;
    s->max_body = cfg->max_body ? cfg->max_body : 64 * 1024;
    s->quiet = cfg->quiet;
    s->streams = http_stream_set_new();
    snprintf(s->name, sizeof s->name, "%s", cfg->name ? cfg->name : "http");

    const char *host = cfg->host ? cfg->host : "127.0.0.1";
    int fd = http_listen_socket(host, cfg->port, &s->port, errbuf, errlen);
    if (fd < 0) {
        http_stream_set_free(s->streams);
        free(s);
        return NULL;
    }
    /* Streams hold their connections open: allow as many as the open-files
       limit leaves room for (libmicrohttpd's default is about 1,000). */
    unsigned max_conn = cfg->max_connections;
    struct rlimit nofile;
    if (!max_conn && getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY)
        max_conn = nofile.rlim_cur > 1088 ? (unsigned)(nofile.rlim_cur - 64) : 1024;
    if (!max_conn) max_conn = 1024;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads ? cfg->threads : (unsigned)(cores > 0 ? cores : 2);
    s->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_CONNECTION_LIMIT, max_conn,
        MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(errbuf, errlen, "cannot serve on %s:%u: libmicrohttpd failed to start", host,
                 s->port);
        close(fd);
        http_stream_set_free(s->streams);
        free(s);
        return NULL;
    }
    return s;
}

uint16_t http_server_port(const http_server *s)
{
    return s->port;
}

void http_server_stop(http_server *s)
{
    if (!s) return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    http_stream_set_end_all(s->streams); /* a suspended connection would stop the stop */
    MHD_stop_daemon(s->daemon);
    http_stream_set_free(s->streams);
    free(s);
}

void http_wait_for_shutdown_signal(void)
{
    int sig = stop_signal_wait(-1);
    log_info("%s received: finishing requests in flight, then exiting", stop_signal_name(sig));
}
