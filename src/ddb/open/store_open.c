/*
 * store_open: choosing and opening the store. See store_open.h.
 */
#include "ddb/open/store_open.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/config.h"
#include "ddb/engine/embedded.h"
#include "ddb/remote/remote.h"

#include "base/alloc.h"

bool ddb_store_is_remote(const ddb_open_options *opt)
{
    return opt->aws || aws_config_wants_remote();
}

/* Points the configuration at Amazon's own endpoints for its region. */
static void use_aws_endpoints(aws_config *a)
{
    char buf[256];
    free(a->endpoint_dynamodb);
    free(a->endpoint_streams);
    snprintf(buf, sizeof buf, "https://dynamodb.%s.amazonaws.com", a->region);
    a->endpoint_dynamodb = xstrdup(buf);
    snprintf(buf, sizeof buf, "https://streams.dynamodb.%s.amazonaws.com", a->region);
    a->endpoint_streams = xstrdup(buf);
    a->custom_endpoint = false;
}

ddb_store *ddb_store_open(const ddb_open_options *opt, char **description, ddb_err *err)
{
    char text[512];
    ddb_store *store;
    if (ddb_store_is_remote(opt)) {
        aws_config a;
        aws_config_load(&a, NULL);
        if (opt->aws) use_aws_endpoints(&a);
        ddb_remote_options ro = {.aws = &a};
        store = ddb_remote_open(&ro, err);
        snprintf(text, sizeof text, "remote DynamoDB at %s (region %s)", a.endpoint_dynamodb,
                 a.region);
        aws_config_free(&a);
    } else {
        const char *region = aws_region_env(NULL);
        ddb_embedded_options eo = {
            .dir = opt->data_dir,
            .in_memory = opt->in_memory,
            .region = region,
            .no_background = opt->no_background,
        };
        store = ddb_embedded_open(&eo, err);
        if (opt->in_memory)
            snprintf(text, sizeof text, "embedded store in memory");
        else
            snprintf(text, sizeof text, "embedded store in %s", opt->data_dir);
    }
    if (description) *description = store ? xstrdup(text) : NULL;
    return store;
}
