/*
 * static: the web/ folder over HTTP. See static.h for the contract.
 *
 * A request goes: method check, app route (-> index.html), path cleaning
 * (decode once, then a strict whitelist per segment), a walk from the root
 * directory descriptor opening one segment at a time with O_NOFOLLOW, then
 * a conditional check (If-None-Match, If-Modified-Since) and the answer.
 * The root is kept open as a directory descriptor, so renaming or replacing
 * the folder's path later changes nothing, and the walk never resolves a
 * path string against the filesystem as a whole.
 */
#include "http/static.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"

#define STATIC_MAX_FILE (16u * 1024 * 1024) /* larger files are not served */
#define STATIC_MAX_PATH 1024

struct static_site {
    char *root; /* absolute, resolved */
    int dirfd;  /* the root, opened once */
};

/* ------------------------------------------------------------ root lookup */

/* True when dir is a directory holding index.html. */
static bool root_usable(const char *dir)
{
    char path[PATH_MAX];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/index.html", dir) >= (int)sizeof path) return false;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * The web/ folder of the source tree: this file is src/http/static.c, so
 * the tree is three levels up from __FILE__ when the compiler was given an
 * absolute path (CMake does). Empty when it was not.
 */
static void source_tree_web(char *out, size_t len)
{
    const char *file = __FILE__;
    const char *tail = strstr(file, "src/http/static.c");
    out[0] = '\0';
    if (file[0] != '/' || !tail) return;
    snprintf(out, len, "%.*sweb", (int)(tail - file), file);
}

/* web/ beside the binary or one level above it (a build folder). */
static bool exe_relative_web(char *out, size_t len, int up)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return false;
    *slash = '\0';
    return snprintf(out, len, "%s/%sweb", exe, up ? "../" : "") < (int)len;
}

/* Picks the first usable root in the documented order; false when none. */
static bool find_root(const char *root, char *out, size_t len, char *errbuf, size_t errlen)
{
    if (root && *root) {
        snprintf(out, len, "%s", root);
        if (root_usable(out)) return true;
        snprintf(errbuf, errlen, "web root '%s' has no index.html", root);
        return false;
    }
    const char *env = getenv("CRUDDUR_WEB");
    if (env && *env) {
        snprintf(out, len, "%s", env);
        if (root_usable(out)) return true;
        snprintf(errbuf, errlen, "CRUDDUR_WEB='%s' has no index.html", env);
        return false;
    }
    source_tree_web(out, len);
    if (out[0] && root_usable(out)) return true;
    for (int up = 0; up <= 1; up++)
        if (exe_relative_web(out, len, up) && root_usable(out)) return true;
    snprintf(errbuf, errlen,
             "no web folder found (set CRUDDUR_WEB to the folder holding index.html)");
    return false;
}

static_site *static_site_open(const char *root, char *errbuf, size_t errlen)
{
    char found[PATH_MAX];
    if (!find_root(root, found, sizeof found, errbuf, errlen)) return NULL;
    char *resolved = realpath(found, NULL);
    if (!resolved) {
        snprintf(errbuf, errlen, "web root '%s': %s", found, strerror(errno));
        return NULL;
    }
    int fd = open(resolved, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(errbuf, errlen, "web root '%s': %s", resolved, strerror(errno));
        free(resolved);
        return NULL;
    }
    static_site *site = xcalloc(1, sizeof *site);
    site->root = resolved;
    site->dirfd = fd;
    return site;
}

void static_site_close(static_site *site)
{
    if (!site) return;
    close(site->dirfd);
    free(site->root);
    free(site);
}

const char *static_site_root(const static_site *site)
{
    return site->root;
}

/* ------------------------------------------------------------ paths */

/* The route's segment after `prefix`: non-empty, no further '/'. */
static bool one_segment_after(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0) return false;
    const char *rest = path + n;
    return *rest && !strchr(rest, '/');
}

bool static_is_app_route(const char *path)
{
    static const char *const exact[] = {"/", "/signin", "/messages", "/messages/"};
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        if (!strcmp(path, exact[i])) return true;
    return one_segment_after(path, "/messages/new/") || one_segment_after(path, "/messages/");
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool segment_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '~';
}

/*
 * Turns a URL path into a path relative to the root ("css/app.css"), or
 * returns false. Percent escapes are decoded once; anything still
 * suspicious after that (a '%' from double encoding, a backslash, a NUL,
 * an empty segment, a segment starting with '.') is refused rather than
 * repaired.
 */
static bool clean_path(const char *path, char *out, size_t len)
{
    if (path[0] != '/') return false;
    size_t o = 0;
    for (const char *p = path + 1; *p; p++) {
        char c = *p;
        if (c == '%') {
            int hi = hex_value(p[1]), lo = hi < 0 ? -1 : hex_value(p[2]);
            if (lo < 0) return false;
            c = (char)(hi * 16 + lo);
            p += 2;
        }
        if (o + 1 >= len) return false;
        out[o++] = c;
    }
    out[o] = '\0';
    if (o == 0) return false;
    bool segment_start = true;
    for (size_t i = 0; i < o; i++) {
        char c = out[i];
        if (c == '/') {
            if (segment_start) return false; /* empty segment: "//" or a trailing '/' */
            segment_start = true;
            continue;
        }
        if (!segment_char_ok(c)) return false;
        if (segment_start && c == '.') return false; /* ".", "..", hidden files */
        segment_start = false;
    }
    return !segment_start;
}

/*
 * Opens rel (a cleaned path) below the root one segment at a time, never
 * following a symbolic link. Returns a descriptor of a regular file or -1.
 */
static int open_beneath(const static_site *site, const char *rel, struct stat *st)
{
    char copy[STATIC_MAX_PATH];
    snprintf(copy, sizeof copy, "%s", rel);
    int dir = site->dirfd;
    char *save = NULL;
    char *seg = strtok_r(copy, "/", &save);
    int fd = -1;
    while (seg) {
        char *next = strtok_r(NULL, "/", &save);
        int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (next ? O_DIRECTORY : O_NONBLOCK);
        fd = openat(dir, seg, flags);
        if (dir != site->dirfd) close(dir);
        if (fd < 0) return -1;
        dir = fd;
        seg = next;
    }
    if (fd < 0 || fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_size > STATIC_MAX_FILE) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

/* Reads the whole file into b; false on a read error. */
static bool read_all(int fd, buf_t *b, size_t size)
{
    buf_reserve(b, size + 1);
    char chunk[16384];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) return true;
        buf_append(b, chunk, (size_t)n);
    }
}

/* ------------------------------------------------------------ answers */

const char *static_content_type(const char *name)
{
    static const struct {
        const char *ext;
        const char *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof types / sizeof *types; i++)
            if (!strcasecmp(dot, types[i].ext)) return types[i].type;
    return "application/octet-stream";
}

static void http_date(time_t t, char *out, size_t len)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* True when the If-None-Match list names etag (weak or strong) or is "*". */
static bool etag_matches(const char *list, const char *etag)
{
    size_t n = strlen(etag);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (*p == '*') return true;
        if (!strncmp(p, "W/", 2)) p += 2;
        if (!strncmp(p, etag, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' ')) return true;
        while (*p && *p != ',')
            p++;
    }
    return false;
}

/* True when the client's copy (per its conditional headers) is current. */
static bool not_modified(const http_request *req, const char *etag, time_t mtime)
{
    const char *inm = http_request_header(req, "If-None-Match");
    if (inm) return etag_matches(inm, etag);
    const char *ims = http_request_header(req, "If-Modified-Since");
    if (!ims) return false;
    struct tm tm = {0};
    const char *end = strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return end && *end == '\0' && timegm(&tm) >= mtime;
}

/* Headers every answer of this module carries. */
static void common_headers(http_response *res, bool html)
{
    http_response_header(res, "Cache-Control", "no-cache");
    http_response_header(res, "X-Content-Type-Options", "nosniff");
    if (!html) return;
    http_response_header(res, "Content-Security-Policy",
                         "default-src 'self'; connect-src 'self' https:; img-src 'self' data:; "
                         "object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
    http_response_header(res, "Referrer-Policy", "no-referrer");
}

/* Answers the file at rel with `status`; false when it cannot be opened. */
static bool serve_file(const static_site *site, const http_request *req, http_response *res,
                       const char *rel, int status)
{
    struct stat st;
    int fd = open_beneath(site, rel, &st);
    if (fd < 0) return false;
    char etag[64], date[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st.st_mtim.tv_nsec);
    http_date(st.st_mtime, date, sizeof date);
    const char *type = static_content_type(rel);
    bool html = !strncmp(type, "text/html", 9);
    if (status == 200 && not_modified(req, etag, st.st_mtime)) {
        close(fd);
        http_response_body(res, 304, type, "", 0);
    } else {
        buf_t body = BUF_INIT;
        bool ok = read_all(fd, &body, (size_t)st.st_size);
        close(fd);
        if (!ok) {
            buf_free(&body);
            return false;
        }
        http_response_body(res, status, type, body.data ? body.data : "", body.len);
        buf_free(&body);
    }
    if (status == 200) {
        http_response_header(res, "ETag", etag);
        http_response_header(res, "Last-Modified", date);
    }
    common_headers(res, html);
    return true;
}

static void serve_not_found(const static_site *site, const http_request *req, http_response *res)
{
    if (serve_file(site, req, res, "404.html", 404)) return;
    static const char text[] = "not found\n";
    http_response_body(res, 404, "text/plain; charset=utf-8", text, sizeof text - 1);
    common_headers(res, false);
}

void static_site_handle(void *ctx, const http_request *req, http_response *res)
{
    const static_site *site = ctx;
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        static const char text[] = "method not allowed\n";
        http_response_body(res, 405, "text/plain; charset=utf-8", text, sizeof text - 1);
        http_response_header(res, "Allow", "GET, HEAD");
        return;
    }
    if (static_is_app_route(req->path)) {
        if (!serve_file(site, req, res, "index.html", 200)) serve_not_found(site, req, res);
        return;
    }
    char rel[STATIC_MAX_PATH];
    if (clean_path(req->path, rel, sizeof rel) && serve_file(site, req, res, rel, 200)) return;
    serve_not_found(site, req, res);
}
