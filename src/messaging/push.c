/*
 * push: stream records -> events for users (see push.h).
 *
 * A conversation's members are looked up once through the GSI and then
 * remembered: nothing in the app takes a member out of a conversation. A
 * lookup that finds fewer than two members (a remote table's GSI is only
 * eventually consistent, so a new conversation may not show there yet) is
 * used but not remembered.
 */
#include "messaging/push.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/json_out.h"
#include "base/log.h"
#include "base/ttl_cache.h"
#include "messaging/consumer.h"
#include "messaging/msg_int.h"

#define MEMBERS_TTL_US (600 * 1000000LL)
#define MEMBERS_CAPACITY 16384
#define UUID_LEN 36

struct msg_push {
    msg_service *svc;
    msg_event_fn fn;
    void *arg;
    msg_consumer *relay;
    ttl_cache *members; /* group uuid -> "<uuid> <uuid>..." */
};

static void *str_copy(const void *v)
{
    char *s = xstrdup(v);
    return s;
}

static const ttl_cache_ops str_ops = {str_copy, free};

static void relay_records(const json_t *records, void *arg)
{
    msg_push_records(arg, records);
}

msg_push *msg_push_new(msg_service *svc, msg_event_fn fn, void *arg)
{
    msg_push *p = xcalloc(1, sizeof *p);
    p->svc = svc;
    p->fn = fn;
    p->arg = arg;
    p->members = ttl_cache_new(MEMBERS_CAPACITY, MEMBERS_TTL_US, &str_ops);
    msg_consumer_options opt = {
        .name = "push", .on_records = relay_records, .on_records_arg = p, .idle_wait_ms = 250};
    p->relay = msg_consumer_new(svc, &opt);
    return p;
}

/* The first read happens before this returns, so that the relay's place
   in the stream (its end) is taken before the server accepts a request:
   a message sent right after start-up is not skipped. */
bool msg_push_start(msg_push *p, msg_err *err)
{
    msg_err first = {0};
    if (msg_consumer_poll(p->relay, &first) < 0)
        log_warn("push: the first read of the stream failed (%s); retrying", first.message);
    msg_err_clear(&first);
    return msg_consumer_start(p->relay, err);
}

void msg_push_free(msg_push *p)
{
    if (!p) return;
    msg_consumer_free(p->relay);
    ttl_cache_free(p->members);
    free(p);
}

static void emit(msg_push *p, const char *id, const char *type, const char *user,
                 const json_t *data)
{
    char *text = json_out_dumps(data, NULL);
    msg_event ev = {.id = id, .type = type, .user = user, .data = text};
    p->fn(&ev, p->arg);
    free(text);
}

/* Appends `uuid` to a space-separated list unless it is there already. */
static void list_add(buf_t *list, const char *uuid)
{
    if (!uuid || strlen(uuid) != UUID_LEN || strstr(buf_cstr(list), uuid)) return;
    if (list->len) buf_putc(list, ' ');
    buf_puts(list, uuid);
}

/* The members of a conversation as "<uuid> <uuid>" (caller frees), or
   NULL when they cannot be read. */
static char *members_of(msg_push *p, const char *group)
{
    void *cached = NULL;
    int64_t now = clock_mono_us();
    if (ttl_cache_get(p->members, group, now, &cached)) return cached;
    msg_err err = {0};
    json_t *items = msg_group_items(p->svc, group, &err);
    if (!items) {
        log_warn("push: the members of %s: %s", group, err.message);
        msg_err_clear(&err);
        return NULL;
    }
    buf_t list = BUF_INIT;
    int n = 0;
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *owner = msg_key_inbox_user(msg_item_str(item, "pk"));
        if (!owner) continue;
        size_t before = list.len;
        list_add(&list, owner);
        n += list.len != before;
    }
    json_decref(items);
    char *out = buf_detach(&list);
    if (n >= 2) ttl_cache_put(p->members, group, out, now);
    return out;
}

/* A new message: to each member of its conversation and to its sender. */
static void on_message(msg_push *p, const char *id, const json_t *img)
{
    const char *group = msg_key_messages_group(msg_item_str(img, "pk"));
    json_t *data =
        json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?}", "message_group_uuid", group, "uuid",
                  msg_item_str(img, "message_uuid"), "handle", msg_item_str(img, "user_handle"),
                  "display_name", msg_item_str(img, "user_display_name"), "message",
                  msg_item_str(img, "message"), "created_at", msg_item_str(img, "sk"));
    if (!data) return; /* not UTF-8: not an item the app wrote */
    char *members = members_of(p, group);
    buf_t to = BUF_INIT;
    buf_puts(&to, members ? members : "");
    list_add(&to, msg_item_str(img, "user_uuid"));
    free(members);
    char *save = NULL;
    for (char *u = to.len ? strtok_r(to.data, " ", &save) : NULL; u; u = strtok_r(NULL, " ", &save))
        emit(p, id, "message", u, data);
    buf_free(&to);
    json_decref(data);
}

/* A conversation list row was written: to its owner. */
static void on_group(msg_push *p, const char *id, const json_t *img)
{
    const char *owner = msg_key_inbox_user(msg_item_str(img, "pk"));
    json_t *data = json_pack(
        "{s:s?, s:s?, s:s?, s:s?, s:s?}", "uuid", msg_item_str(img, "message_group_uuid"), "handle",
        msg_item_str(img, "user_handle"), "display_name", msg_item_str(img, "user_display_name"),
        "message", msg_item_str(img, "message"), "created_at", msg_item_str(img, "sk"));
    if (data) emit(p, id, "group", owner, data);
    json_decref(data);
}

/* A read position moved: to its member (their other tabs clear the count). */
static void on_read(msg_push *p, const char *id, const json_t *img)
{
    const char *member = msg_key_reads_user(msg_item_str(img, "pk"));
    json_t *data = json_pack("{s:s?, s:s?}", "message_group_uuid", msg_item_str(img, "sk"),
                             "read_at", msg_item_str(img, "read_at"));
    if (data) emit(p, id, "read", member, data);
    json_decref(data);
}

void msg_push_records(msg_push *p, const json_t *records)
{
    size_t i;
    json_t *rec;
    json_array_foreach(records, i, rec)
    {
        msg_record r;
        msg_record_read(rec, &r);
        const char *pk = msg_item_str(r.image, "pk");
        msg_new_message m;
        if (!r.event || !r.seq || !pk || !strcmp(r.event, "REMOVE")) continue;
        if (msg_record_new_message(&r, &m))
            on_message(p, r.seq, r.image);
        else if (msg_key_inbox_user(pk))
            on_group(p, r.seq, r.image);
        else if (msg_key_reads_user(pk))
            on_read(p, r.seq, r.image);
    }
}
