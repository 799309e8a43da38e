/*
 * handler: what the stream Lambda does with one invocation. The event is a
 * batch of the messages table's DynamoDB stream records (Lambda's event
 * shape: {"Records": [{"eventName", "dynamodb": {"SequenceNumber",
 * "Keys", "NewImage", ...}, ...}]}); every record goes to the fanout
 * (msg_fanout_apply), and the answer lists the records that failed as
 * partial batch failures, for an event source mapping with
 * FunctionResponseTypes ReportBatchItemFailures:
 *   {"batchItemFailures": [{"itemIdentifier": "<SequenceNumber>"}]}
 *
 * Ownership: the returned response is a new reference.
 */
#ifndef CRUDDUR_LAMBDA_HANDLER_H
#define CRUDDUR_LAMBDA_HANDLER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "messaging/messaging.h"

/*
 * Handles one event. `deadline_ms` (Unix ms, 0 for none) is the
 * invocation's time limit: records not reached shortly before it are
 * reported as failed, so Lambda retries them instead of the whole batch.
 * Returns the response, or NULL with a reason when the event is not a
 * batch of stream records the handler can answer for record by record (the
 * invocation then fails as a whole).
 */
json_t *lambda_handle_event(msg_service *svc, const json_t *event, int64_t deadline_ms, char *why,
                            size_t why_len);

#endif
