/*
 * aws_config: where AWS clients find their settings, resolved the way the
 * AWS SDKs and the aws cli do: environment first, then the shared files
 * (~/.aws/credentials and ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE /
 * AWS_CONFIG_FILE) for the profile AWS_PROFILE (default "default").
 *
 * All strings are owned by the struct; aws_config_free releases them.
 */
#ifndef CRUDDUR_DDB_AWS_CONFIG_H
#define CRUDDUR_DDB_AWS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

typedef struct aws_config {
    char *profile;
    char *region;     /* AWS_REGION, AWS_DEFAULT_REGION, profile region, us-east-1 */
    char *access_key; /* NULL when none found */
    char *secret_key;
    char *session_token;     /* NULL unless temporary credentials */
    char *endpoint_dynamodb; /* AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, else AWS's */
    char *endpoint_streams;  /* AWS_ENDPOINT_URL_DYNAMODB_STREAMS, else a custom DynamoDB
                                endpoint (local servers answer both), else AWS's */
    bool custom_endpoint;    /* an endpoint came from the environment */
    char *ca_bundle;         /* AWS_CA_BUNDLE or the profile's ca_bundle: CA file for TLS */
} aws_config;

/*
 * Loads the configuration. `home` NULL means $HOME. Missing files are fine;
 * credentials may be absent (callers that need them say so).
 */
void aws_config_load(aws_config *c, const char *home);
void aws_config_free(aws_config *c);

/*
 * The region the environment names: AWS_REGION, else AWS_DEFAULT_REGION (an
 * empty value counts as unset), or NULL; `*from` (may be NULL) is set to the
 * variable's name. The one reader of these two variables: aws_config_load
 * adds the profile's region and us-east-1 after it, and Cognito sign-in the
 * pool id's region.
 */
const char *aws_region_env(const char **from);

/* True when the environment points DynamoDB at an endpoint (AWS_ENDPOINT_URL
   or AWS_ENDPOINT_URL_DYNAMODB): cruddur then uses the remote driver. */
bool aws_config_wants_remote(void);

#endif
