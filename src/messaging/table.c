/*
 * table: the messages table's keys, items and stream records. See table.h.
 */
#include "messaging/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX_INBOX "GRP#"
#define PREFIX_MESSAGES "MSG#"
#define PREFIX_READS "READ#"
#define PREFIX_PAIR "PAIR#"

const char *msg_table_name(void)
{
    const char *t = getenv("DDB_MESSAGE_TABLE");
    return t && *t ? t : MSG_TABLE_DEFAULT;
}

void msg_key_inbox(char out[MSG_KEY_LEN], const char *user_uuid)
{
    snprintf(out, MSG_KEY_LEN, PREFIX_INBOX "%s", user_uuid);
}

void msg_key_messages(char out[MSG_KEY_LEN], const char *group_uuid)
{
    snprintf(out, MSG_KEY_LEN, PREFIX_MESSAGES "%s", group_uuid);
}

void msg_key_reads(char out[MSG_KEY_LEN], const char *user_uuid)
{
    snprintf(out, MSG_KEY_LEN, PREFIX_READS "%s", user_uuid);
}

void msg_key_pair(char out[MSG_KEY_LEN], const char *a_uuid, const char *b_uuid)
{
    const char *lo = strcmp(a_uuid, b_uuid) < 0 ? a_uuid : b_uuid;
    const char *hi = lo == a_uuid ? b_uuid : a_uuid;
    snprintf(out, MSG_KEY_LEN, PREFIX_PAIR "%s#%s", lo, hi);
}

static const char *after(const char *pk, const char *prefix)
{
    size_t n = strlen(prefix);
    return pk && strncmp(pk, prefix, n) == 0 ? pk + n : NULL;
}

const char *msg_key_inbox_user(const char *pk)
{
    return after(pk, PREFIX_INBOX);
}

const char *msg_key_messages_group(const char *pk)
{
    return after(pk, PREFIX_MESSAGES);
}

const char *msg_key_reads_user(const char *pk)
{
    return after(pk, PREFIX_READS);
}

const json_t *msg_item_sval(const json_t *item, const char *name)
{
    const json_t *v = json_object_get(json_object_get(item, name), "S");
    return json_is_string(v) ? v : NULL;
}

const char *msg_item_str(const json_t *item, const char *name)
{
    return json_string_value(msg_item_sval(item, name));
}

json_t *msg_s(const char *s)
{
    return json_pack("{s:s}", "S", s ? s : "");
}

/* An item of the table: key, then the attributes every item of its kind has. */
static json_t *item(const char *pk, const char *sk, const char *id_name, const char *id,
                    const char *text, const msg_user *user)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "pk", msg_s(pk), "sk", msg_s(sk),
                     id_name, msg_s(id), "message", msg_s(text), "user_uuid", msg_s(user->uuid),
                     "user_display_name", msg_s(user->display_name), "user_handle",
                     msg_s(user->handle));
}

json_t *msg_group_item(const char *owner_uuid, const msg_user *other, const char *group,
                       const char *sk, const char *text)
{
    char pk[MSG_KEY_LEN];
    msg_key_inbox(pk, owner_uuid);
    return item(pk, sk, "message_group_uuid", group, text, other);
}

json_t *msg_message_item(const char *group, const char *sk, const char *message_uuid,
                         const msg_user *sender, const char *text)
{
    char pk[MSG_KEY_LEN];
    msg_key_messages(pk, group);
    return item(pk, sk, "message_uuid", message_uuid, text, sender);
}

void msg_record_read(const json_t *rec, msg_record *r)
{
    const json_t *ddb = json_object_get(rec, "dynamodb");
    r->event = json_string_value(json_object_get(rec, "eventName"));
    r->seq = json_string_value(json_object_get(ddb, "SequenceNumber"));
    r->keys = json_object_get(ddb, "Keys");
    r->image = json_object_get(ddb, "NewImage");
    r->pk = msg_item_str(r->keys, "pk");
    if (!r->pk) r->pk = msg_item_str(r->image, "pk");
}

bool msg_record_new_message(const msg_record *r, msg_new_message *m)
{
    if (!r->event || strcmp(r->event, "INSERT") != 0) return false;
    m->group = msg_key_messages_group(msg_item_str(r->image, "pk"));
    m->sk = msg_item_str(r->image, "sk");
    m->text = msg_item_str(r->image, "message");
    return m->group && *m->group && m->sk && m->text;
}
