/*
 * item_cache: memoised decoding of stored items (see item_cache.c). The
 * returned items are shared between callers and threads: never modify one
 * (copy it first, as write.c does before applying an update).
 */
#ifndef CRUDDUR_DDB_ITEM_CACHE_H
#define CRUDDUR_DDB_ITEM_CACHE_H

#include <jansson.h>

/* The item that stored JSON text decodes to (new reference), or NULL when
   the text is not valid JSON. */
json_t *item_cache_decode(const void *text, int len);

#endif
