/*
 * listen: the listening socket (see listen.h).
 */
#include "http/listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LISTEN_BACKLOG 1024

/* The reason for a failed bind or listen, in words an operator can act on. */
static const char *listen_reason(int err)
{
    switch (err) {
    case EADDRINUSE:
        return "address already in use";
    case EACCES:
        return "permission denied (ports below 1024 need privileges)";
    case EADDRNOTAVAIL:
        return "address not available on this machine";
    default:
        return strerror(err);
    }
}

int http_listen_socket(const char *host, uint16_t port, uint16_t *bound_port, char *errbuf,
                       size_t errlen)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        snprintf(errbuf, errlen, "invalid listen address '%s' (an IPv4 address is expected)", host);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(errbuf, errlen, "cannot listen on %s:%u: %s", host, port, strerror(errno));
        return -1;
    }
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
        snprintf(errbuf, errlen, "cannot listen on %s:%u: %s", host, port, listen_reason(errno));
        close(fd);
        return -1;
    }
    socklen_t len = sizeof addr;
    if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        snprintf(errbuf, errlen, "cannot listen on %s:%u: %s", host, port, strerror(errno));
        close(fd);
        return -1;
    }
    *bound_port = ntohs(addr.sin_port);
    return fd;
}
