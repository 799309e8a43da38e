/*
 * events: the event-stream hub (see events.h).
 *
 * Streams are kept in a hash table by user uuid, so that an event costs a
 * walk of one short chain, not of every open stream. One mutex guards the
 * table and the ring; writing to a stream only queues bytes and wakes its
 * connection (stream.h), so holding it while writing is cheap.
 */
#include "http/events.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/clock.h"

#define BUCKETS 4096
#define USER_MAX 64
#define TICK_MS 1000 /* how often expiries are checked */

static const char RETRY[] = "retry: 2000\n\n";
static const char PING[] = ": ping\n\n";
static const char EXPIRED[] = "event: expired\ndata: {}\n\n";
static const char RESYNC[] = "event: resync\ndata: {}\n\n";

typedef struct sub {
    struct sub *next; /* in its bucket */
    http_stream *st;
    int64_t expires_s;
    char user[USER_MAX];
} sub;

typedef struct ring_entry {
    char *id;
    char *text; /* the event as sent */
    char user[USER_MAX];
} ring_entry;

struct events_hub {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool stop;
    int heartbeat_ms;
    sub *buckets[BUCKETS];
    size_t n_subs;
    ring_entry *ring; /* EVENTS_RING entries; event k is at k % EVENTS_RING */
    uint64_t total;   /* events ever recorded */
};

static size_t bucket_of(const char *user)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)user; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return (size_t)(h % BUCKETS);
}

static bool send_text(http_stream *st, const char *text)
{
    return http_stream_write(st, text, strlen(text));
}

/* Unlinks *link (the hub's lock held), ending and releasing its stream. */
static void drop(events_hub *h, sub **link)
{
    sub *s = *link;
    *link = s->next;
    http_stream_end(s->st);
    http_stream_release(s->st);
    free(s);
    h->n_subs--;
}

/* ---- the heartbeat and expiry thread ---- */

static void tick(events_hub *h, bool heartbeat)
{
    int64_t now_s = clock_now_us() / 1000000;
    for (size_t b = 0; b < BUCKETS; b++) {
        for (sub **link = &h->buckets[b]; *link;) {
            sub *s = *link;
            bool keep;
            if (now_s >= s->expires_s) {
                send_text(s->st, EXPIRED);
                keep = false;
            } else {
                keep = heartbeat ? send_text(s->st, PING) : http_stream_is_open(s->st);
            }
            if (keep)
                link = &s->next;
            else
                drop(h, link);
        }
    }
}

static void *hub_thread(void *arg)
{
    events_hub *h = arg;
    int tick_ms = h->heartbeat_ms < TICK_MS ? h->heartbeat_ms : TICK_MS;
    int64_t next_beat = clock_mono_us() + (int64_t)h->heartbeat_ms * 1000;
    pthread_mutex_lock(&h->lock);
    while (!h->stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += (long)(tick_ms % 1000) * 1000000L;
        until.tv_sec += tick_ms / 1000 + until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&h->wake, &h->lock, &until);
        if (h->stop) break;
        int64_t now = clock_mono_us();
        bool beat = now >= next_beat;
        if (beat) next_beat = now + (int64_t)h->heartbeat_ms * 1000;
        tick(h, beat);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

/* ---- lifecycle ---- */

events_hub *events_hub_new(int heartbeat_ms)
{
    events_hub *h = xcalloc(1, sizeof *h);
    h->ring = xcalloc(EVENTS_RING, sizeof *h->ring);
    h->heartbeat_ms = heartbeat_ms > 0 ? heartbeat_ms : EVENTS_HEARTBEAT_MS_DEFAULT;
    pthread_mutex_init(&h->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&h->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&h->thread, NULL, hub_thread, h) != 0) abort();
    return h;
}

void events_hub_free(events_hub *h)
{
    if (!h) return;
    pthread_mutex_lock(&h->lock);
    h->stop = true;
    pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    for (size_t b = 0; b < BUCKETS; b++)
        while (h->buckets[b])
            drop(h, &h->buckets[b]);
    for (size_t i = 0; i < EVENTS_RING; i++) {
        free(h->ring[i].id);
        free(h->ring[i].text);
    }
    free(h->ring);
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

size_t events_hub_count(events_hub *h)
{
    pthread_mutex_lock(&h->lock);
    size_t n = h->n_subs;
    pthread_mutex_unlock(&h->lock);
    return n;
}

/* ---- events ---- */

void events_hub_publish(const msg_event *ev, void *hub)
{
    events_hub *h = hub;
    if (strlen(ev->user) >= USER_MAX) return;
    buf_t text = BUF_INIT;
    buf_printf(&text, "id: %s\nevent: %s\ndata: %s\n\n", ev->id, ev->type, ev->data);
    char *id = xstrdup(ev->id);
    pthread_mutex_lock(&h->lock);
    ring_entry *e = &h->ring[h->total % EVENTS_RING];
    free(e->id);
    free(e->text);
    e->id = id;
    e->text = buf_detach(&text);
    snprintf(e->user, sizeof e->user, "%s", ev->user);
    h->total++;
    for (sub **link = &h->buckets[bucket_of(ev->user)]; *link;) {
        sub *s = *link;
        if (strcmp(s->user, ev->user) != 0 || send_text(s->st, e->text))
            link = &s->next;
        else
            drop(h, link);
    }
    pthread_mutex_unlock(&h->lock);
}

/* Writes what `user` missed after `last_id`, or a resync when the ring no
   longer knows it. The hub's lock is held. */
static void replay(events_hub *h, http_stream *st, const char *user, const char *last_id)
{
    uint64_t first = h->total > EVENTS_RING ? h->total - EVENTS_RING : 0, from = 0;
    bool known = false;
    if (!strcmp(last_id, "0")) {
        known = first == 0;
    } else {
        for (uint64_t k = h->total; k-- > first;) {
            if (!strcmp(h->ring[k % EVENTS_RING].id, last_id)) {
                from = k + 1;
                known = true;
                break;
            }
        }
    }
    if (!known) {
        send_text(st, RESYNC);
        return;
    }
    for (uint64_t k = from; k < h->total; k++) {
        const ring_entry *e = &h->ring[k % EVENTS_RING];
        if (!strcmp(e->user, user)) send_text(st, e->text);
    }
}

void events_hub_subscribe(events_hub *h, http_stream *st, const char *user, int64_t expires_s,
                          const char *last_id)
{
    if (strlen(user) >= USER_MAX) {
        http_stream_end(st);
        http_stream_release(st);
        return;
    }
    sub *s = xcalloc(1, sizeof *s);
    s->st = st;
    s->expires_s = expires_s;
    snprintf(s->user, sizeof s->user, "%s", user);
    pthread_mutex_lock(&h->lock);
    send_text(st, RETRY);
    if (last_id && *last_id) replay(h, st, user, last_id);
    char ready[160];
    const char *newest = h->total ? h->ring[(h->total - 1) % EVENTS_RING].id : "0";
    snprintf(ready, sizeof ready, "id: %.100s\nevent: ready\ndata: {}\n\n", newest);
    send_text(st, ready);
    sub **bucket = &h->buckets[bucket_of(user)];
    s->next = *bucket;
    *bucket = s;
    h->n_subs++;
    pthread_mutex_unlock(&h->lock);
}
