/*
 * dev_identity: links users to dev identities and mints their tokens (see
 * dev_identity.h).
 */
#include "http/dev_identity.h"

#include "base/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Gives `u` its dev identity (its uuid) unless it has one; refreshes u. */
static users_status_t link_user(users_db_t *users, users_user_t *u, users_error_t *err)
{
    if (u->cognito_user_id && u->cognito_user_id[0]) return USERS_OK;
    users_status_t st = users_set_cognito_user_id(users, u->handle, u->uuid, err);
    if (st != USERS_OK) return st == USERS_NOT_FOUND ? USERS_NOT_FOUND : USERS_ERROR;
    free(u->cognito_user_id);
    u->cognito_user_id = xstrdup(u->uuid);
    return u->cognito_user_id ? USERS_OK : USERS_ERROR;
}

users_status_t dev_identity_link_demo_users(users_db_t *users, users_error_t *err)
{
    size_t n;
    const users_new_t *demo = users_demo(&n);
    for (size_t i = 0; i < n; i++) {
        users_user_t *u = NULL;
        users_status_t st = users_find_by_handle(users, demo[i].handle, &u, err);
        if (st == USERS_NOT_FOUND) continue;
        if (st == USERS_OK) st = link_user(users, u, err);
        users_user_free(u);
        if (st != USERS_OK && st != USERS_NOT_FOUND) return USERS_ERROR;
    }
    return USERS_OK;
}

users_status_t dev_identity_token(users_db_t *users, const auth_dev_issuer_t *dev,
                                  const char *handle, char **token, users_error_t *err)
{
    *token = NULL;
    users_user_t *u = NULL;
    users_status_t st = users_find_by_handle(users, handle, &u, err);
    if (st == USERS_OK) st = link_user(users, u, err);
    if (st != USERS_OK) {
        users_user_free(u);
        return st == USERS_NOT_FOUND ? USERS_NOT_FOUND : USERS_ERROR;
    }
    auth_error_t aerr;
    *token = auth_dev_issuer_token(dev, u->cognito_user_id, u->handle, &aerr);
    users_user_free(u);
    if (!*token) {
        if (err) {
            err->code = USERS_ERROR;
            snprintf(err->message, sizeof err->message, "cannot sign a token: %.200s", aerr.reason);
        }
        return USERS_ERROR;
    }
    return USERS_OK;
}
