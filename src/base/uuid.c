/*
 * uuid: version 4 UUIDs. See uuid.h.
 */
#include "base/uuid.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <pthread.h>

/*
 * Random bytes are drawn from OpenSSL's CSPRNG a block at a time into a
 * per-thread buffer: RAND_bytes costs a getpid() system call and a lock
 * per call (its fork check), which at one request id per DynamoDB answer
 * was 3% of the server's time. A fork (the child must not hand out the
 * parent's bytes again) advances a generation that empties every buffer.
 */
#define UUID_POOL 512

static unsigned fork_generation;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void after_fork_in_child(void)
{
    __atomic_add_fetch(&fork_generation, 1, __ATOMIC_RELAXED);
}

static void register_atfork(void)
{
    pthread_atfork(NULL, NULL, after_fork_in_child);
}

/* Fills b with n (at most UUID_POOL) bytes from this thread's pool. */
static void random_bytes(unsigned char *b, size_t n)
{
    static __thread unsigned char pool[UUID_POOL];
    static __thread size_t left;
    static __thread unsigned generation;
    unsigned now = __atomic_load_n(&fork_generation, __ATOMIC_RELAXED);
    if (left < n || generation != now) {
        pthread_once(&atfork_once, register_atfork);
        if (RAND_bytes(pool, sizeof pool) != 1) abort();
        left = sizeof pool;
        generation = now;
    }
    memcpy(b, pool + sizeof pool - left, n);
    memset(pool + sizeof pool - left, 0, n); /* handed out: not kept */
    left -= n;
}

void uuid_v4(char out[UUID_STR_LEN])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    random_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 0x0f];
    }
    *p = '\0';
}

bool uuid_is_valid(const char *s)
{
    if (!s || strlen(s) != 36) return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i])) return false;
    }
    return true;
}
