/*
 * private_fs: data folders and files only their owner can read. Messages,
 * users and signing keys live under the data folder, so what cruddur
 * creates there is 0700 (folders) and 0600 (files) exactly, whatever the
 * umask: a permissive umask (000, 002) must not make them readable by
 * other users. What already exists is left as it is.
 *
 * SQLite creates a database's -wal, -shm and -journal files with the mode
 * of the database file itself, so creating the database file first with
 * private_fs_create_file() makes all of them private.
 */
#ifndef CRUDDUR_BASE_PRIVATE_FS_H
#define CRUDDUR_BASE_PRIVATE_FS_H

/* Creates `dir` and every missing parent with mode 0700 (`mkdir -p`).
   0, or an errno value when a level cannot be created. */
int private_fs_mkdirs(const char *dir);

/* Creates `path` as an empty file with mode 0600 unless it exists (a file
   that exists, of any kind, is left alone). 0, or an errno value. */
int private_fs_create_file(const char *path);

#endif
