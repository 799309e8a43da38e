/*
 * dev_identity: the users side of the dev issuer (auth.h). With no Cognito
 * pool configured, cruddur signs its own access tokens; a user's dev
 * identity is the `sub` those tokens carry, and it must be the user's
 * users.cognito_user_id for the API to recognise the bearer. A user with no
 * identity yet is linked to one equal to its uuid (stable, unique, shaped
 * like a Cognito sub). Used by `cruddur serve` (demo users on a fresh data
 * folder, POST /api/dev/signin) and `cruddur token`.
 *
 * Ownership: tokens returned are the caller's to free().
 */
#ifndef CRUDDUR_HTTP_DEV_IDENTITY_H
#define CRUDDUR_HTTP_DEV_IDENTITY_H

#include <stddef.h>

#include "auth/auth.h"
#include "users/users.h"

/*
 * Links every demo user (users_demo) that exists and has no identity yet
 * to its dev identity. USERS_OK or USERS_ERROR (message in err).
 */
users_status_t dev_identity_link_demo_users(users_db_t *users, users_error_t *err);

/*
 * A dev access token for the user with this handle, linking the user
 * first if needed. USERS_OK with *token set, USERS_NOT_FOUND for an
 * unknown handle, USERS_ERROR when the directory or the signing failed
 * (message in err).
 */
users_status_t dev_identity_token(users_db_t *users, const auth_dev_issuer_t *dev,
                                  const char *handle, char **token, users_error_t *err);

#endif
