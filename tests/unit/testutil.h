/*
 * testutil: small helpers shared by the cmocka unit tests.
 * Include after <stdarg.h>, <stddef.h>, <setjmp.h>, <stdint.h> and <cmocka.h>.
 */
#ifndef CRUDDUR_TESTS_TESTUTIL_H
#define CRUDDUR_TESTS_TESTUTIL_H

#include <jansson.h>

/* Parses a JSON literal; fails the test on a syntax error. New reference. */
json_t *tu_json(const char *text);
/* Fails the test (showing both) unless the two JSON values are equal. */
void tu_assert_json_eq(const json_t *actual, const char *expected);
/* A fresh empty directory under /tmp, removed by tu_rmdir(); caller frees. */
char *tu_tmpdir(void);
void tu_rmdir(const char *dir);

#endif
