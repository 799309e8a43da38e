/*
 * private_fs: owner-only folders and files. See private_fs.h. The umask
 * can only remove permission bits at creation, so each new folder or file
 * gets its mode set again with chmod/fchmod right after it is created; one
 * that existed before is never changed.
 */
#include "base/alloc.h"
#include "base/private_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Creates one folder; true when it exists afterwards (made here or not). */
static bool mkdir_private(const char *path, int *err)
{
    if (mkdir(path, 0700) == 0) {
        if (chmod(path, 0700) == 0) return true;
        *err = errno;
        return false;
    }
    if (errno == EEXIST) return true;
    *err = errno;
    return false;
}

int private_fs_mkdirs(const char *dir)
{
    if (!dir || !*dir) return EINVAL;
    char *p = xstrdup(dir);
    int err = 0;
    /* Each prefix ending before a '/', then the whole path. */
    for (char *s = p + 1; !err; s++) {
        if (*s != '/' && *s != '\0') continue;
        char saved = *s;
        *s = '\0';
        mkdir_private(p, &err);
        *s = saved;
        if (!saved) break;
    }
    free(p);
    return err;
}

int private_fs_create_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return errno == EEXIST ? 0 : errno;
    int err = fchmod(fd, 0600) == 0 ? 0 : errno;
    close(fd);
    return err;
}
