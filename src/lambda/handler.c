/*
 * handler: one invocation of the stream Lambda (see handler.h).
 *
 * Records are applied one by one, in order, so that each failure names its
 * own record and the deadline can be watched between records. A record
 * fails when the fanout's writes fail (the store refused them, or kept
 * failing after the driver's retries), or when it cannot be handled at all:
 * an INSERT without a new image (the stream's view type is not
 * NEW_AND_OLD_IMAGES or NEW_IMAGE, so no message could ever be moved) or
 * whose image lacks the table's key. Such records are reported rather than
 * skipped so that they reach the mapping's on-failure destination where an
 * operator can see them.
 *
 * Lambda resumes a shard from the lowest reported sequence number, so the
 * records after a failed one come again; that is harmless because the
 * fanout only moves group items forward.
 */
#include "lambda/handler.h"

#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"

#define DEADLINE_MARGIN_MS 2000 /* stop taking records this long before the deadline */

/* A string attribute {"S": "..."} of an image, or NULL. */
static const char *image_str(const json_t *image, const char *name)
{
    return json_string_value(json_object_get(json_object_get(image, name), "S"));
}

/* Why a record cannot be handled, or NULL when it can. */
static const char *record_problem(const json_t *rec)
{
    if (!json_is_object(rec)) return "the record is not an object";
    const char *event = json_string_value(json_object_get(rec, "eventName"));
    if (!event) return "the record has no eventName";
    if (strcmp(event, "INSERT") != 0) return NULL; /* MODIFY and REMOVE: nothing to do */
    const json_t *image = json_object_get(json_object_get(rec, "dynamodb"), "NewImage");
    if (!json_is_object(image))
        return "INSERT without NewImage: the stream's view type must be NEW_AND_OLD_IMAGES "
               "(or NEW_IMAGE)";
    if (!image_str(image, "pk") || !image_str(image, "sk"))
        return "NewImage lacks the table's key (pk and sk, both strings)";
    return NULL;
}

static void add_failure(json_t *failures, const char *seq)
{
    json_array_append_new(failures, json_pack("{s:s}", "itemIdentifier", seq));
}

json_t *lambda_handle_event(msg_service *svc, const json_t *event, int64_t deadline_ms, char *why,
                            size_t why_len)
{
    const json_t *records = json_object_get(event, "Records");
    if (!json_is_array(records)) {
        snprintf(why, why_len,
                 "the event has no Records array (is the function's trigger the "
                 "messages table's DynamoDB stream?)");
        return NULL;
    }
    /* Every record must be identifiable, or no failure could be reported. */
    size_t i;
    json_t *rec;
    json_array_foreach(records, i, rec)
    {
        const char *seq =
            json_string_value(json_object_get(json_object_get(rec, "dynamodb"), "SequenceNumber"));
        if (!seq || !*seq) {
            snprintf(why, why_len, "record %zu has no dynamodb.SequenceNumber", i);
            return NULL;
        }
    }
    json_t *failures = json_array();
    size_t n_applied = 0;
    json_array_foreach(records, i, rec)
    {
        const char *seq =
            json_string_value(json_object_get(json_object_get(rec, "dynamodb"), "SequenceNumber"));
        if (deadline_ms > 0 && clock_now_us() / 1000 > deadline_ms - DEADLINE_MARGIN_MS) {
            log_warn("record %s: not reached before the invocation's deadline; reported for retry",
                     seq);
            add_failure(failures, seq);
            continue;
        }
        const char *problem = record_problem(rec);
        if (problem) {
            log_error("record %s cannot be handled: %s", seq, problem);
            add_failure(failures, seq);
            continue;
        }
        msg_err err = {0};
        if (!msg_fanout_apply(svc, rec, NULL, NULL, &err)) {
            log_error("record %s: fanout failed: %s", seq, err.message);
            add_failure(failures, seq);
        } else {
            n_applied++;
        }
        msg_err_clear(&err);
    }
    log_info("batch of %zu records: %zu handled, %zu reported as failed", json_array_size(records),
             n_applied, json_array_size(failures));
    return json_pack("{s:o}", "batchItemFailures", failures);
}
