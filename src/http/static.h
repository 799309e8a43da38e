/*
 * static: serves the browser UI (the files of web/) for every path that is
 * not an API route. The app's own routes (/, /signin, /messages,
 * /messages/<uuid>, /messages/new/<handle>) all answer web/index.html, the
 * single-page app that reads the location itself; other paths name files
 * under the web root. Unknown files get web/404.html with status 404.
 *
 * Safety: a request can only ever read a regular file below the root. The
 * path is decoded once and then must consist of plain segments of
 * [A-Za-z0-9._~-] that do not start with a dot (so no "..", no hidden
 * files, no encoded or double-encoded dots); each segment is opened with
 * O_NOFOLLOW relative to the root, so no symbolic link is followed.
 *
 * Caching: every answer carries an ETag and Last-Modified and
 * "Cache-Control: no-cache" (the modules have no hashed names, so the
 * browser revalidates and gets 304 Not Modified when nothing changed).
 *
 * Ownership: static_site_open() returns a site that static_site_close()
 * frees. A site is immutable once open and static_site_handle() may run on
 * any number of server threads at once.
 */
#ifndef CRUDDUR_HTTP_STATIC_H
#define CRUDDUR_HTTP_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#include "http/server.h"

typedef struct static_site static_site;

/*
 * Opens the web root. `root` is used when not NULL (e.g. a --web flag);
 * otherwise $CRUDDUR_WEB, then the web/ folder of the source tree this
 * file was built from, then web/ beside or above the running binary. The
 * folder must hold index.html. NULL with a message in errbuf when none fits.
 */
static_site *static_site_open(const char *root, char *errbuf, size_t errlen);
void static_site_close(static_site *site);

/* The resolved absolute path of the root (borrowed). */
const char *static_site_root(const static_site *site);

/*
 * An http_handler (ctx is the static_site): answers GET and HEAD for a
 * non-/api path with the file, 304, or the 404 page; other methods get
 * 405. The router calls it for every path it does not own.
 */
void static_site_handle(void *ctx, const http_request *req, http_response *res);

/* True when `path` (URL path, no query) is one of the app's page routes. */
bool static_is_app_route(const char *path);

/* The Content-Type answered for a file name (static string). */
const char *static_content_type(const char *name);

#endif
