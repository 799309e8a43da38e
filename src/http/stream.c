/*
 * stream: streaming responses on libmicrohttpd (see stream.h).
 *
 * The response is a callback response of unknown size. libmicrohttpd calls
 * stream_read whenever the socket can take more; when nothing is queued it
 * suspends the connection and returns 0, and a later write or end resumes
 * it. The stream's mutex makes "nothing queued, so suspend" and "queued,
 * so resume" atomic with each other, so no write is left waiting on a
 * suspended connection.
 *
 * The connection pointer is valid from the hand-over until the response's
 * free callback (stream_done), which clears it under the mutex; a
 * suspended connection is never finished by libmicrohttpd without being
 * resumed first, so `suspended` implies a valid connection.
 */
#include "http/stream_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"

struct http_stream {
    pthread_mutex_t lock;
    int refs;
    int status;
    buf_t pending;  /* bytes to send from `sent` on */
    size_t sent;    /* how much of `pending` has been handed to the socket */
    bool ended;     /* no more writes; finish once pending is sent */
    bool suspended; /* the connection waits for a write */
    struct MHD_Connection *conn;
    http_stream_set *set;
    http_stream *prev, *next; /* in set */
};

struct http_stream_set {
    pthread_mutex_t lock;
    http_stream *head;
    bool closing; /* end_all was called: streams handed over later end at once */
};

/* ---- references ---- */

void http_stream_release(http_stream *st)
{
    if (!st) return;
    pthread_mutex_lock(&st->lock);
    int left = --st->refs;
    pthread_mutex_unlock(&st->lock);
    if (left > 0) return;
    buf_free(&st->pending);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

/* ---- the owner's side ---- */

http_stream *http_response_stream(http_response *res, int status, const char *content_type)
{
    http_stream *st = xcalloc(1, sizeof *st);
    pthread_mutex_init(&st->lock, NULL);
    st->refs = 2; /* the caller's and the server's */
    st->status = status;
    http_stream_release(res->stream); /* a second call replaces the first */
    res->stream = st;
    res->status = status;
    res->content_type = content_type;
    return st;
}

/* Wakes a suspended connection; the caller holds st->lock. */
static void resume_locked(http_stream *st)
{
    if (!st->suspended) return;
    st->suspended = false;
    MHD_resume_connection(st->conn);
}

bool http_stream_write(http_stream *st, const void *data, size_t len)
{
    pthread_mutex_lock(&st->lock);
    bool ok = !st->ended;
    if (ok && st->pending.len - st->sent + len > HTTP_STREAM_MAX_PENDING) {
        st->ended = true; /* the client is too far behind: let it reconnect */
        ok = false;
    }
    if (ok) buf_append(&st->pending, data, len);
    resume_locked(st);
    pthread_mutex_unlock(&st->lock);
    return ok;
}

void http_stream_end(http_stream *st)
{
    pthread_mutex_lock(&st->lock);
    st->ended = true;
    resume_locked(st);
    pthread_mutex_unlock(&st->lock);
}

bool http_stream_is_open(http_stream *st)
{
    pthread_mutex_lock(&st->lock);
    bool open = !st->ended;
    pthread_mutex_unlock(&st->lock);
    return open;
}

/* ---- the server's side ---- */

http_stream *http_response_stream_of(const http_response *res)
{
    return res->stream;
}

int http_stream_status(const http_stream *st)
{
    return st->status;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    http_stream *st = cls;
    pthread_mutex_lock(&st->lock);
    size_t avail = st->pending.len - st->sent;
    ssize_t n;
    if (avail > 0) {
        size_t take = avail < max ? avail : max;
        memcpy(out, st->pending.data + st->sent, take);
        st->sent += take;
        if (st->sent == st->pending.len) {
            buf_reset(&st->pending);
            st->sent = 0;
        }
        n = (ssize_t)take;
    } else if (st->ended) {
        n = MHD_CONTENT_READER_END_OF_STREAM;
    } else {
        st->suspended = true;
        MHD_suspend_connection(st->conn);
        n = 0;
    }
    pthread_mutex_unlock(&st->lock);
    return n;
}

static void set_remove(http_stream_set *set, http_stream *st)
{
    pthread_mutex_lock(&set->lock);
    if (st->prev)
        st->prev->next = st->next;
    else if (set->head == st)
        set->head = st->next;
    if (st->next) st->next->prev = st->prev;
    st->prev = st->next = NULL;
    pthread_mutex_unlock(&set->lock);
}

/* The response is freed: its connection is finished. */
static void stream_done(void *cls)
{
    http_stream *st = cls;
    pthread_mutex_lock(&st->lock);
    st->ended = true;
    st->suspended = false;
    st->conn = NULL;
    http_stream_set *set = st->set;
    pthread_mutex_unlock(&st->lock);
    if (set) set_remove(set, st);
    http_stream_release(st);
}

struct MHD_Response *http_stream_mhd_response(http_stream *st, struct MHD_Connection *conn,
                                              http_stream_set *set)
{
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, st, stream_done);
    if (!r) {
        http_stream_abandon(st);
        return NULL;
    }
    pthread_mutex_lock(&st->lock);
    st->conn = conn;
    st->set = set;
    pthread_mutex_unlock(&st->lock);
    pthread_mutex_lock(&set->lock);
    st->next = set->head;
    if (set->head) set->head->prev = st;
    set->head = st;
    if (set->closing) http_stream_end(st);
    pthread_mutex_unlock(&set->lock);
    return r;
}

void http_stream_abandon(http_stream *st)
{
    pthread_mutex_lock(&st->lock);
    st->ended = true;
    pthread_mutex_unlock(&st->lock);
    http_stream_release(st);
}

/* ---- the set ---- */

http_stream_set *http_stream_set_new(void)
{
    http_stream_set *set = xcalloc(1, sizeof *set);
    pthread_mutex_init(&set->lock, NULL);
    return set;
}

void http_stream_set_end_all(http_stream_set *set)
{
    pthread_mutex_lock(&set->lock);
    set->closing = true;
    for (http_stream *st = set->head; st; st = st->next)
        http_stream_end(st);
    pthread_mutex_unlock(&set->lock);
}

void http_stream_set_free(http_stream_set *set)
{
    if (!set) return;
    pthread_mutex_destroy(&set->lock);
    free(set);
}
