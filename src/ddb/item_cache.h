/*
 * item_cache: memoised decoding of stored items (see item_cache.c). The
 * returned items are shared between callers and threads: never modify one
 * (copy it first, as write.c does before applying an update).
 */
#ifndef CRUDDUR_DDB_ITEM_CACHE_H
#define CRUDDUR_DDB_ITEM_CACHE_H

#include <stdbool.h>

#include <jansson.h>

#include "base/buf.h"

/* The item that stored JSON text decodes to (new reference), or NULL when
   the text is not valid JSON. */
json_t *item_cache_decode(const void *text, int len);

/* When `item` is an object this cache handed out and still holds, appends
   the stored text it was decoded from (byte for byte what json_out writes
   for it, since the engine stores json_out's text) and returns true;
   otherwise appends nothing and returns false. A json_out_verbatim_fn. */
bool item_cache_text(const json_t *item, buf_t *b);

/* Bytes of stored text the memo holds now (tests: it stays near its budget
   of 4 MiB whatever the items' sizes). */
size_t item_cache_kept_bytes(void);

#endif
