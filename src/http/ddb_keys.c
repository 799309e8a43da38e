/*
 * ddb_keys: accepted access keys and their secrets. See ddb_keys.h.
 * Errors name the source and the line, never the secret.
 */
#include "http/ddb_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/log.h"

#define KEYS_FILE_MAX (1024 * 1024)

/* True when every byte is a visible, non-space ASCII character. */
static bool printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f) return false;
    return true;
}

bool ddb_keys_add(ddb_keys *k, const char *pair, size_t len, char *errbuf, size_t errlen)
{
    const char *colon = memchr(pair, ':', len);
    if (!colon || colon == pair || colon + 1 == pair + len || !printable(pair, len)) {
        snprintf(errbuf, errlen, "want ACCESS_KEY:SECRET (both non-empty, no spaces)");
        return false;
    }
    size_t key_len = (size_t)(colon - pair);
    char *key = xstrndup(pair, key_len);
    char *secret = xstrndup(colon + 1, len - key_len - 1);
    for (size_t i = 0; i < k->n; i++) {
        if (strcmp(k->access_keys[i], key) != 0) continue;
        explicit_bzero(k->secrets[i], strlen(k->secrets[i]));
        free(k->secrets[i]);
        k->secrets[i] = secret;
        free(key);
        return true;
    }
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 4;
        k->access_keys = xrealloc(k->access_keys, k->cap * sizeof *k->access_keys);
        k->secrets = xrealloc(k->secrets, k->cap * sizeof *k->secrets);
    }
    k->access_keys[k->n] = key;
    k->secrets[k->n] = secret;
    k->n++;
    return true;
}

bool ddb_keys_add_list(ddb_keys *k, const char *list, char *errbuf, size_t errlen)
{
    static const char seps[] = ", \t\r\n";
    size_t added = 0;
    for (const char *p = list + strspn(list, seps); *p; p += strspn(p, seps)) {
        size_t n = strcspn(p, seps);
        if (!ddb_keys_add(k, p, n, errbuf, errlen)) return false;
        added++;
        p += n;
    }
    if (!added) snprintf(errbuf, errlen, "no ACCESS_KEY:SECRET pair");
    return added > 0;
}

/* Reads a whole regular file of at most KEYS_FILE_MAX bytes; NULL with the
   reason in errbuf. */
static char *read_small_file(const char *path, char *errbuf, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(errbuf, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    char *text = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > KEYS_FILE_MAX) {
        snprintf(errbuf, errlen, "%s is not a regular file of at most 1 MiB", path);
    } else {
        if (st.st_mode & 077)
            log_warn("dynamodb: %s may be read by other users (mode %03o); chmod 600 it", path,
                     (unsigned)(st.st_mode & 0777));
        text = xmalloc((size_t)st.st_size + 1);
        ssize_t got = read(fd, text, (size_t)st.st_size);
        if (got != st.st_size) {
            snprintf(errbuf, errlen, "cannot read %s: %s", path,
                     got < 0 ? strerror(errno) : "short read");
            free(text);
            text = NULL;
        } else {
            text[got] = '\0';
        }
    }
    close(fd);
    return text;
}

bool ddb_keys_load_file(ddb_keys *k, const char *path, char *errbuf, size_t errlen)
{
    char *text = read_small_file(path, errbuf, errlen);
    if (!text) return false;
    size_t len = strlen(text), added = 0, line_no = 0;
    bool ok = true;
    for (char *line = text; ok && line < text + len;) {
        size_t n = strcspn(line, "\n");
        line_no++;
        char *s = line;
        size_t m = n;
        while (m && (*s == ' ' || *s == '\t'))
            s++, m--;
        while (m && (s[m - 1] == ' ' || s[m - 1] == '\t' || s[m - 1] == '\r'))
            m--;
        if (m && *s != '#') {
            char why[128];
            ok = ddb_keys_add(k, s, m, why, sizeof why);
            if (ok)
                added++;
            else
                snprintf(errbuf, errlen, "%s line %zu: %s", path, line_no, why);
        }
        line += n + (line[n] == '\n');
    }
    explicit_bzero(text, len);
    free(text);
    if (ok && !added) {
        snprintf(errbuf, errlen, "%s holds no ACCESS_KEY:SECRET line", path);
        ok = false;
    }
    return ok;
}

const char *ddb_keys_secret(const ddb_keys *k, const char *access_key)
{
    for (size_t i = 0; i < k->n; i++)
        if (!strcmp(k->access_keys[i], access_key)) return k->secrets[i];
    return NULL;
}

void ddb_keys_free(ddb_keys *k)
{
    for (size_t i = 0; i < k->n; i++) {
        explicit_bzero(k->secrets[i], strlen(k->secrets[i]));
        free(k->secrets[i]);
        free(k->access_keys[i]);
    }
    free(k->access_keys);
    free(k->secrets);
    *k = (ddb_keys){0};
}
