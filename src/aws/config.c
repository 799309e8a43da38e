/*
 * aws_config: AWS settings from the environment and the shared files.
 * See aws_config.h. The files are INI-like: "[section]" lines and
 * "key = value" lines; comments start with '#' or ';'. In the config file
 * a profile's section is "[profile NAME]" (except "[default]"); in the
 * credentials file it is "[NAME]".
 */
#include "aws/config.h"

#include "base/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *env_dup(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? xstrdup(v) : NULL;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Reads `key` from `section` of an INI file; NULL when absent. */
static char *ini_get(const char *path, const char *section, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char line[1024];
    bool in_section = false;
    char *found = NULL;
    while (!found && fgets(line, sizeof line, f)) {
        char *s = trim(line);
        if (*s == '#' || *s == ';' || !*s) continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (end) *end = '\0';
            in_section = !strcmp(trim(s + 1), section);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!in_section || !eq) continue;
        *eq = '\0';
        if (!strcmp(trim(s), key)) found = xstrdup(trim(eq + 1));
    }
    fclose(f);
    return found;
}

static char *file_path(const char *env, const char *home, const char *name)
{
    const char *v = getenv(env);
    char buf[1024];
    if (v && *v) return xstrdup(v);
    snprintf(buf, sizeof buf, "%s/.aws/%s", home ? home : ".", name);
    return xstrdup(buf);
}

/* A setting of the profile: credentials file first, then config file. */
static char *profile_get(const aws_config *c, const char *creds, const char *config,
                         const char *key)
{
    char *v = ini_get(creds, c->profile, key);
    if (v) return v;
    char section[300];
    if (!strcmp(c->profile, "default"))
        snprintf(section, sizeof section, "default");
    else
        snprintf(section, sizeof section, "profile %s", c->profile);
    return ini_get(config, section, key);
}

void aws_config_load(aws_config *c, const char *home)
{
    memset(c, 0, sizeof *c);
    if (!home) home = getenv("HOME");
    c->profile = env_dup("AWS_PROFILE");
    if (!c->profile) c->profile = xstrdup("default");
    char *creds = file_path("AWS_SHARED_CREDENTIALS_FILE", home, "credentials");
    char *config = file_path("AWS_CONFIG_FILE", home, "config");

    const char *region = aws_region_env(NULL);
    c->region = region ? xstrdup(region) : profile_get(c, creds, config, "region");
    if (!c->region) c->region = xstrdup("us-east-1");

    c->access_key = env_dup("AWS_ACCESS_KEY_ID");
    c->secret_key = env_dup("AWS_SECRET_ACCESS_KEY");
    if (c->access_key && c->secret_key) {
        c->session_token = env_dup("AWS_SESSION_TOKEN");
    } else {
        free(c->access_key);
        free(c->secret_key);
        c->access_key = profile_get(c, creds, config, "aws_access_key_id");
        c->secret_key = profile_get(c, creds, config, "aws_secret_access_key");
        c->session_token = profile_get(c, creds, config, "aws_session_token");
    }

    c->ca_bundle = env_dup("AWS_CA_BUNDLE");
    if (!c->ca_bundle) c->ca_bundle = profile_get(c, creds, config, "ca_bundle");

    c->endpoint_dynamodb = env_dup("AWS_ENDPOINT_URL_DYNAMODB");
    if (!c->endpoint_dynamodb) c->endpoint_dynamodb = env_dup("AWS_ENDPOINT_URL");
    c->custom_endpoint = c->endpoint_dynamodb != NULL;
    c->endpoint_streams = env_dup("AWS_ENDPOINT_URL_DYNAMODB_STREAMS");
    if (!c->endpoint_streams && c->endpoint_dynamodb)
        c->endpoint_streams = xstrdup(c->endpoint_dynamodb);
    char buf[256];
    if (!c->endpoint_dynamodb) {
        snprintf(buf, sizeof buf, "https://dynamodb.%s.amazonaws.com", c->region);
        c->endpoint_dynamodb = xstrdup(buf);
    }
    if (!c->endpoint_streams) {
        snprintf(buf, sizeof buf, "https://streams.dynamodb.%s.amazonaws.com", c->region);
        c->endpoint_streams = xstrdup(buf);
    }
    free(creds);
    free(config);
}

void aws_config_free(aws_config *c)
{
    free(c->profile);
    free(c->region);
    free(c->access_key);
    if (c->secret_key) memset(c->secret_key, 0, strlen(c->secret_key));
    free(c->secret_key);
    free(c->session_token);
    free(c->endpoint_dynamodb);
    free(c->endpoint_streams);
    free(c->ca_bundle);
    memset(c, 0, sizeof *c);
}

const char *aws_region_env(const char **from)
{
    static const char *const names[] = {"AWS_REGION", "AWS_DEFAULT_REGION"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v && *v) {
            if (from) *from = names[i];
            return v;
        }
    }
    if (from) *from = names[0];
    return NULL;
}

bool aws_config_wants_remote(void)
{
    const char *a = getenv("AWS_ENDPOINT_URL_DYNAMODB"), *b = getenv("AWS_ENDPOINT_URL");
    return (a && *a) || (b && *b);
}
