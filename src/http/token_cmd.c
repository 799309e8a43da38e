/*
 * token_cmd: `cruddur token HANDLE [--data DIR]` prints a dev access token
 * (valid one hour) for a user of the directory, signed by the dev issuer
 * whose key lives in the data folder, for curl and scripts:
 *
 *     curl -H "Authorization: Bearer $(cruddur token andrewbrown)" \
 *          http://localhost:4567/api/message_groups
 *
 * It refuses when a Cognito pool is configured: then only Cognito's tokens
 * are accepted by the server. The user is linked to its dev identity if it
 * has none yet (see http/dev_identity.h).
 */
#include "http/token_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth/auth.h"
#include "http/dev_identity.h"
#include "users/users.h"
#include "base/opts.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cruddur token HANDLE [--data DIR]\n"
            "\n"
            "Prints a dev access token (valid %d minutes) for the user with this handle,\n"
            "for `Authorization: Bearer <token>`. Only without a Cognito pool\n"
            "(AWS_COGNITO_USER_POOL_ID unset): the dev issuer's key is in the data folder.\n"
            "\n"
            "  --data DIR  data folder of `cruddur serve` (default $CRUDDUR_DATA or ./data)\n"
            "\n"
            "Users come from CONNECTION_URL (PostgreSQL) when set, else from the data folder.\n"
            "The token's issuer is BACKEND_URL (default %s): the server must run with the\n"
            "same value.\n",
            AUTH_DEV_TOKEN_TTL_S / 60, AUTH_DEV_DEFAULT_BACKEND_URL);
}

/* Opens the directory and mints the token; returns the exit code. */
static int print_token(const char *data, const char *handle)
{
    auth_error_t aerr;
    auth_dev_issuer_t *dev = auth_dev_issuer_open(data, NULL, &aerr);
    if (!dev) {
        fprintf(stderr, "cruddur token: cannot open the dev issuer in %s: %s\n", data, aerr.reason);
        return 1;
    }
    users_db_t *users = NULL;
    users_error_t uerr = {0};
    int rc = 1;
    if (users_open(data, &users, &uerr) != USERS_OK) {
        fprintf(stderr, "cruddur token: cannot open the users directory: %s\n", uerr.message);
    } else {
        char *token = NULL;
        users_status_t st = dev_identity_token(users, dev, handle, &token, &uerr);
        if (st == USERS_OK) {
            printf("%s\n", token);
            rc = 0;
        } else if (st == USERS_NOT_FOUND) {
            fprintf(stderr, "cruddur token: no user with handle '%s'\n", handle);
        } else {
            fprintf(stderr,
                    "cruddur token: %s (has `cruddur serve` or `cruddur db setup` run on "
                    "this data folder?)\n",
                    uerr.message);
        }
        free(token);
    }
    users_close(users);
    auth_dev_issuer_close(dev);
    return rc;
}

int token_cmd_main(int argc, char **argv)
{
    const char *data = getenv("CRUDDUR_DATA");
    const char *handle = NULL;
    opts_iter it;
    opts_init(&it, "cruddur token", argc, argv);
    while (opts_next(&it)) {
        if (opts_is_help(&it)) {
            usage(stdout);
            return 0;
        } else if (opts_is(&it, "--data")) {
            if (!(data = opts_value(&it))) return 2;
        } else if (!opts_is_option(&it) && !handle) {
            handle = it.arg;
        } else {
            opts_unknown(&it);
            usage(stderr);
            return 2;
        }
    }
    if (!handle || !*handle) {
        usage(stderr);
        return 2;
    }
    if (!data || !*data) data = "./data";

    auth_cognito_env_t env;
    auth_error_t aerr;
    enum auth_mode mode = auth_cognito_env_load(&env, &aerr);
    auth_cognito_env_free(&env);
    if (mode == AUTH_MODE_ERROR) {
        fprintf(stderr, "cruddur token: %s\n", aerr.reason);
        return 1;
    }
    if (mode == AUTH_MODE_COGNITO) {
        fprintf(stderr, "cruddur token: a Cognito pool is configured (AWS_COGNITO_USER_POOL_ID); "
                        "sign in with Cognito to get a token\n");
        return 1;
    }
    struct stat sb;
    if (stat(data, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr,
                "cruddur token: no data folder at %s (run `cruddur serve --data %s` once)\n", data,
                data);
        return 1;
    }
    return print_token(data, handle);
}
