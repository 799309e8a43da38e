/*
 * Unit tests for base/private_fs: folders 0700 and files 0600 exactly
 * under a permissive umask; what exists is left alone; errors come back as
 * errno values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/private_fs.h"

static char root[64];

static int setup(void **state)
{
    umask(0); /* the most permissive: every bit the code asks for is kept */
    snprintf(root, sizeof root, "/tmp/cruddur-private-fs.XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (unsigned)(st.st_mode & 07777);
}

static void test_mkdirs_makes_every_missing_level_0700(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/a/b/c", root);
    assert_int_equal(private_fs_mkdirs(path), 0);
    assert_int_equal(mode_of(path), 0700);
    snprintf(path, sizeof path, "%s/a/b", root);
    assert_int_equal(mode_of(path), 0700);
    snprintf(path, sizeof path, "%s/a", root);
    assert_int_equal(mode_of(path), 0700);
    /* Again: nothing to do, no error. A trailing '/' is fine. */
    snprintf(path, sizeof path, "%s/a/b/c/", root);
    assert_int_equal(private_fs_mkdirs(path), 0);
}

static void test_mkdirs_leaves_existing_folders_alone(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/open", root);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/open/inner", root);
    assert_int_equal(private_fs_mkdirs(path), 0);
    assert_int_equal(mode_of(path), 0700);
    snprintf(path, sizeof path, "%s/open", root);
    assert_int_equal(mode_of(path), 0755);
}

static void test_mkdirs_reports_errors(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/file", root);
    assert_int_equal(private_fs_create_file(path), 0);
    snprintf(path, sizeof path, "%s/file/below", root);
    assert_int_equal(private_fs_mkdirs(path), ENOTDIR);
    assert_int_equal(private_fs_mkdirs(""), EINVAL);
}

static void test_create_file_is_0600_and_keeps_existing_files(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/new.sqlite", root);
    assert_int_equal(private_fs_create_file(path), 0);
    assert_int_equal(mode_of(path), 0600);

    snprintf(path, sizeof path, "%s/old.sqlite", root);
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "data", 4), 4);
    close(fd);
    assert_int_equal(private_fs_create_file(path), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644); /* not changed */
    assert_int_equal(st.st_size, 4);            /* not truncated */

    snprintf(path, sizeof path, "%s/missing/x.sqlite", root);
    assert_int_equal(private_fs_create_file(path), ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mkdirs_makes_every_missing_level_0700),
        cmocka_unit_test(test_mkdirs_leaves_existing_folders_alone),
        cmocka_unit_test(test_mkdirs_reports_errors),
        cmocka_unit_test(test_create_file_is_0600_and_keeps_existing_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
