/* webflood HOST:PORT COUNT [state|volume]: COUNT requests to the web remote on loopback,
 * from 8 threads at once, well-formed and malformed in turn: readings and
 * a volume that changes nothing, garbage, a request line without a
 * version, a header of 20 KB, a body over 4 KB, a foreign Host, a body
 * cut short and left, a bad chunk, NUL bytes, pipelined requests, a client that
 * leaves before the answer. Every connection is bounded by a 5 s timeout.
 *
 * Exits 0 when every well-formed request was answered 200 and every
 * malformed one was answered with an error status or closed; 1 otherwise,
 * saying which. Prints the counts and the requests a second. With "state"
 * every request is GET /api/state (bench/web counts requests a second);
 * with "volume" every one sets the volume, -1 and -2 dB in turn, so that
 * each is an event for every stream.
 *
 * webflood HOST:PORT stall SECONDS: opens an event stream with a small
 * receive buffer and reads nothing for SECONDS, then reads what came until
 * the server closes it (exit 0: it was dropped) or for 5 s more (exit 1). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum { THREADS = 8, TIMEOUT_SECONDS = 5 };

static struct sockaddr_in server;
static char host[64];
static int total;
static bool only_state, only_volume;
static atomic_int next_index, good_answered, bad_answered, failures;

typedef enum { EXPECT_OK, EXPECT_ERROR, EXPECT_ANYTHING } expectation;

/* The request for index i, written into buf; what it should get. */
static expectation make_request(int i, char *buf, size_t size, size_t *length)
{
    expectation expect = EXPECT_ERROR;
    switch (i % 14) {
    case 0:
        snprintf(buf, size, "GET /api/state HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
                 host);
        expect = EXPECT_OK;
        break;
    case 1:
        snprintf(buf, size, "POST /api/volume HTTP/1.1\r\nHost: %s\r\nContent-Type: "
                 "application/x-www-form-urlencoded\r\nContent-Length: %d\r\nConnection: close"
                 "\r\n\r\n%s", host, only_volume ? 5 : 4, only_volume ? "db=-0" : "db=0");
        expect = EXPECT_OK;
        break;
    case 2:
        snprintf(buf, size, "GET /app.js HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
                 host);
        expect = EXPECT_OK;
        break;
    case 3:
        for (size_t k = 0; k + 1 < size && k < 600; k++)
            buf[k] = (char)(1 + (k * 7919 + (size_t)i) % 255);
        buf[600] = '\0';
        break;
    case 4:
        snprintf(buf, size, "GET /api/state\r\n\r\n");
        break;
    case 5: {
        int used = snprintf(buf, size, "GET /api/state HTTP/1.1\r\nHost: %s\r\nX-Long: ", host);
        for (int k = 0; k < 20000 && (size_t)used + 8 < size; k++)
            buf[used++] = 'a';
        snprintf(buf + used, size - (size_t)used, "\r\n\r\n");
        break;
    }
    case 6: {
        int used = snprintf(buf, size, "POST /api/play HTTP/1.1\r\nHost: %s\r\nContent-Type: "
                            "application/x-www-form-urlencoded\r\nContent-Length: 6000\r\n\r\n",
                            host);
        for (int k = 0; k < 6000 && (size_t)used + 1 < size; k++)
            buf[used++] = 'x';
        buf[used] = '\0';
        break;
    }
    case 7:
        snprintf(buf, size, "POST /api/stop HTTP/1.1\r\nHost: rebind.example\r\n"
                 "Connection: close\r\n\r\n");
        break;
    case 8:
        snprintf(buf, size, "POST /api/play HTTP/1.1\r\nHost: %s\r\nContent-Length: 100\r\n\r\n"
                 "name=web", host);
        expect = EXPECT_ANYTHING;   /* cut short: the server waits for the rest, then times out */
        break;
    case 9:
        snprintf(buf, size, "POST /api/volume HTTP/1.1\r\nHost: %s\r\nTransfer-Encoding: chunked"
                 "\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", host);
        break;
    case 10:
    {
        static const char with_nul[] = "GET /api/\0state HTTP/1.1\r\nHost: \0\r\n\r\n";
        memcpy(buf, with_nul, sizeof with_nul - 1);
        *length = sizeof with_nul - 1;
    }
        return EXPECT_ERROR;
    case 11:
        snprintf(buf, size, "GET /api/state HTTP/1.1\r\nHost: %s\r\n\r\nGET /nothing HTTP/1.1\r\n"
                 "Host: %s\r\nConnection: close\r\n\r\n", host, host);
        expect = EXPECT_OK;
        break;
    case 12:
        snprintf(buf, size, "GET /api/events HTTP/1.1\r\nHost: %s\r\n\r\n", host);
        expect = EXPECT_ANYTHING;   /* a stream, left at once */
        break;
    case 13:
        snprintf(buf, size, "POST /api/play?name=../../etc/passwd HTTP/1.1\r\nHost: %s\r\n"
                 "Connection: close\r\n\r\n", host);
        break;
    }
    *length = strlen(buf);
    return expect;
}

static int status_of(const char *answer)
{
    int status = 0;
    if (sscanf(answer, "HTTP/1.%*d %d", &status) != 1)
        return 0;
    return status;
}

static void one(int i)
{
    static _Thread_local char request[32768];
    char answer[4096];
    size_t length;
    expectation expect = make_request(only_state ? 0 : only_volume ? 1 : i, request,
                                      sizeof request, &length);
    if (only_volume)
        request[length - 1] = i % 2 ? '1' : '2';   /* db=-1, db=-2 */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        atomic_fetch_add(&failures, 1);
        return;
    }
    struct timeval timeout = { TIMEOUT_SECONDS, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (connect(fd, (struct sockaddr *)&server, sizeof server) != 0) {
        fprintf(stderr, "webflood: request %d: cannot connect\n", i);
        atomic_fetch_add(&failures, 1);
        close(fd);
        return;
    }
    size_t sent = 0;
    while (sent < length) {
        ssize_t n = send(fd, request + sent, length - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += (size_t)n;
    }
    if (expect == EXPECT_ANYTHING) {
        close(fd);   /* leaves before the answer, or before the rest of the body */
        return;
    }
    size_t got = 0;
    for (;;) {
        ssize_t n = recv(fd, answer + got, sizeof answer - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        answer[got] = '\0';
        if (strstr(answer, "\r\n\r\n"))
            break;   /* the status and headers: enough to judge by */
        if (got == sizeof answer - 1)
            got = 64;   /* keep the status line; read on */
    }
    answer[got] = '\0';
    close(fd);
    int status = status_of(answer);
    if (expect == EXPECT_OK) {
        if (status == 200) {
            atomic_fetch_add(&good_answered, 1);
        } else {
            fprintf(stderr, "webflood: request %d (kind %d) answered %d\n", i, i % 14, status);
            atomic_fetch_add(&failures, 1);
        }
    } else if (expect == EXPECT_ERROR) {
        if (status == 0 || status >= 400) {
            atomic_fetch_add(&bad_answered, 1);
        } else {
            fprintf(stderr, "webflood: malformed request %d (kind %d) answered %d\n", i, i % 14,
                    status);
            atomic_fetch_add(&failures, 1);
        }
    }
}

static int stall(int seconds)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    if (connect(fd, (struct sockaddr *)&server, sizeof server) != 0) {
        fprintf(stderr, "webflood: stall: cannot connect\n");
        return 1;
    }
    char request[256];
    int length = snprintf(request, sizeof request, "GET /api/events HTTP/1.1\r\nHost: %s\r\n\r\n",
                          host);
    if (send(fd, request, (size_t)length, MSG_NOSIGNAL) != length)
        return 1;
    sleep((unsigned)seconds);
    struct timeval timeout = { TIMEOUT_SECONDS, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char buf[65536];
    long total_read = 0;
    ssize_t n;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
        total_read += n;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= TIMEOUT_SECONDS)
            break;   /* still coming: not dropped */
    }
    close(fd);
    printf("webflood: stalled stream: %ld bytes read after %d s, then %s\n", total_read, seconds,
           n == 0 ? "closed by the server" : "still open");
    return n == 0 ? 0 : 1;
}

static void *worker(void *unused)
{
    (void)unused;
    for (int i; (i = atomic_fetch_add(&next_index, 1)) < total;)
        one(i);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3 && !(argc == 4 && (strcmp(argv[3], "state") == 0
                                     || strcmp(argv[3], "volume") == 0
                                     || strcmp(argv[2], "stall") == 0))) {
        fprintf(stderr, "usage: webflood HOST:PORT COUNT [state|volume]\n"
                        "       webflood HOST:PORT stall SECONDS\n");
        return 2;
    }
    snprintf(host, sizeof host, "%s", argv[1]);
    char *colon = strrchr(argv[1], ':');
    if (!colon)
        return 2;
    *colon = '\0';
    server.sin_family = AF_INET;
    server.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1)
        return 2;
    if (strcmp(argv[2], "stall") == 0)
        return stall(atoi(argv[3]));
    total = atoi(argv[2]);
    only_state = argc == 4 && strcmp(argv[3], "state") == 0;
    only_volume = argc == 4 && strcmp(argv[3], "volume") == 0;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++)
        pthread_create(&threads[t], NULL, worker, NULL);
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("webflood: %d requests in %.2f s (%.0f a second): %d well-formed answered 200, "
           "%d malformed refused, %d failures\n", total, seconds, total / seconds,
           atomic_load(&good_answered), atomic_load(&bad_answered), atomic_load(&failures));
    return atomic_load(&failures) == 0 ? 0 : 1;
}
