/*
 * uuid: random (version 4) UUIDs in their canonical lower-case text form,
 * from OpenSSL's CSPRNG, and a syntax check for UUIDs that arrive from
 * outside.
 */
#ifndef CRUDDUR_BASE_UUID_H
#define CRUDDUR_BASE_UUID_H

#include <stdbool.h>

#define UUID_STR_LEN 37 /* 36 characters + NUL */

void uuid_v4(char out[UUID_STR_LEN]);
bool uuid_is_valid(const char *s); /* 8-4-4-4-12 hex digits, any version */

#endif
