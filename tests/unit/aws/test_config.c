/*
 * Unit tests for src/aws/config: the region has one reader of the
 * environment (aws_region_env), and aws_config_load puts the profile's
 * region and us-east-1 after it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/config.h"

static void test_region_env_order(void **state)
{
    const char *from = NULL;
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
    assert_null(aws_region_env(&from));
    setenv("AWS_DEFAULT_REGION", "eu-west-1", 1);
    assert_string_equal(aws_region_env(&from), "eu-west-1");
    assert_string_equal(from, "AWS_DEFAULT_REGION");
    setenv("AWS_REGION", "ap-south-1", 1);
    assert_string_equal(aws_region_env(&from), "ap-south-1");
    assert_string_equal(from, "AWS_REGION");
    /* Empty counts as unset. */
    setenv("AWS_REGION", "", 1);
    assert_string_equal(aws_region_env(NULL), "eu-west-1");
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
}

static void test_config_load_falls_back_to_profile_then_default(void **state)
{
    char home[] = "/tmp/cruddur-aws-config-XXXXXX";
    assert_non_null(mkdtemp(home));
    char dir[300], file[400];
    snprintf(dir, sizeof dir, "%s/.aws", home);
    assert_int_equal(mkdir(dir, 0700), 0);
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
    unsetenv("AWS_CONFIG_FILE");
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");
    unsetenv("AWS_PROFILE");

    aws_config c;
    aws_config_load(&c, home);
    assert_string_equal(c.region, "us-east-1");
    aws_config_free(&c);

    snprintf(file, sizeof file, "%s/config", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs("[default]\nregion = sa-east-1\n", f);
    fclose(f);
    aws_config_load(&c, home);
    assert_string_equal(c.region, "sa-east-1");
    aws_config_free(&c);

    setenv("AWS_DEFAULT_REGION", "eu-central-1", 1);
    aws_config_load(&c, home);
    assert_string_equal(c.region, "eu-central-1");
    assert_string_equal(c.endpoint_dynamodb, "https://dynamodb.eu-central-1.amazonaws.com");
    aws_config_free(&c);
    unsetenv("AWS_DEFAULT_REGION");

    unlink(file);
    rmdir(dir);
    rmdir(home);
}

int main(void)
{
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_region_env_order),
        cmocka_unit_test(test_config_load_falls_back_to_profile_then_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
