/* file_source.c: RR intervals from a file or a named pipe (source.h).
 *
 * A regular file is read and checked whole when opened, so a bad line is
 * FILE:LINE: message before the session starts. A pipe is read as lines
 * come; a bad line there is a warning and is skipped, since the session
 * is already playing. Either way each beat is handed on when it would
 * have ended had it begun as the one before ended: the intervals are
 * paced as if they arrived now (a pipe fed in real time is not slowed,
 * since a beat is never handed on before it has been read). */
#include "hr/source.h"
#include "hr/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "hr/rr_text.h"

typedef struct {
    hr_source base;
    char *path;
    int fd;                      /* a pipe; -1 for a file read whole */
    double *intervals;           /* a file's, read whole */
    size_t count;
    hr_worker worker;            /* its thread, and the eventfd that stops it */
    /* The pipe's reading state. */
    hr_rr_text text;
    char buffer[4096];
    size_t buffered;
    long line;
} file_source;

bool hr_source_is_file(const char *spec)
{
    struct stat st;
    return strchr(spec, '/') != NULL || stat(spec, &st) == 0;
}

/* Waits until `due` (monotonic seconds) or a stop. Returns false on a stop. */
static bool wait_until(file_source *s, double due)
{
    for (;;) {
        double left = due - clock_monotonic_seconds();
        if (left <= 0.0)
            return true;
        struct pollfd wake = { .fd = s->worker.wake, .events = POLLIN };
        int ms = left > 1.0 ? 1000 : (int)(left * 1000.0) + 1;
        if (poll(&wake, 1, ms) > 0)
            return false;
    }
}

/* The pipe's next interval: 1, or 0 at its end, or -1 on a stop. */
static int next_from_pipe(file_source *s, double *interval)
{
    for (;;) {
        char *newline = memchr(s->buffer, '\n', s->buffered);
        if (newline || s->buffered == sizeof s->buffer - 1) {
            size_t length = newline ? (size_t)(newline - s->buffer) : s->buffered;
            s->buffer[length] = '\0';
            s->line++;
            char why[256];
            hr_rr_text_result r = hr_rr_text_line(&s->text, s->buffer, interval, why, sizeof why);
            size_t used = newline ? length + 1 : length;
            memmove(s->buffer, s->buffer + used, s->buffered - used);
            s->buffered -= used;
            if (r == HR_RR_TEXT_INTERVAL)
                return 1;
            if (r == HR_RR_TEXT_BAD)
                report_warning(s->base.to, s->path, (int)s->line, "%s (skipped)", why);
            continue;
        }
        struct pollfd fds[2] = { { .fd = s->fd, .events = POLLIN },
                                 { .fd = s->worker.wake, .events = POLLIN } };
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return 0;
        }
        if (fds[1].revents)
            return -1;
        ssize_t got = read(s->fd, s->buffer + s->buffered, sizeof s->buffer - 1 - s->buffered);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (got <= 0) {
            if (s->buffered == 0)
                return 0;
            s->buffer[s->buffered] = '\n';   /* the last line, unended */
            s->buffered++;
            continue;
        }
        s->buffered += (size_t)got;
    }
}

static void *run(void *context)
{
    file_source *s = context;
    hr_monitor *m = s->base.monitor;
    double due = clock_monotonic_seconds();
    hr_monitor_connection(m, true, due);
    for (size_t i = 0;; i++) {
        double interval;
        if (s->fd < 0) {
            if (i == s->count)
                break;
            interval = s->intervals[i];
        } else {
            int got = next_from_pipe(s, &interval);
            if (got <= 0) {
                if (got < 0)
                    return NULL;
                break;
            }
        }
        due += interval / 1000.0;
        if (!wait_until(s, due))
            return NULL;
        double now = clock_monotonic_seconds();
        if (now > due)
            due = now;   /* a pipe that was late: pace on from now */
        hr_monitor_beats(m, &interval, 1, due);
    }
    hr_monitor_ended(m);
    return NULL;
}

static int start(hr_source *base)
{
    file_source *s = (file_source *)base;
    int error = hr_worker_start(&s->worker, run, s);
    if (error) {
        report_error(base->to, NULL, 0, "cannot start reading '%s': %s", s->path,
                     strerror(error));
        return 1;
    }
    return 0;
}

static void stop(hr_source *base)
{
    hr_worker_stop(&((file_source *)base)->worker);
}

static void free_source(hr_source *base)
{
    file_source *s = (file_source *)base;
    stop(base);
    if (s->fd >= 0)
        close(s->fd);
    hr_worker_free(&s->worker);
    free(s->intervals);
    free(s->path);
    free(s);
}

static const hr_source_kind kind = { start, stop, free_source };

/* Reads a regular file whole. Returns 0, 1 or 2 (reported). */
static int read_whole(file_source *s, FILE *file)
{
    hr_rr_text text;
    hr_rr_text_init(&text);
    size_t capacity = 0;
    char *line = NULL;
    size_t line_size = 0;
    int code = 0;
    for (long number = 1; getline(&line, &line_size, file) >= 0; number++) {
        line[strcspn(line, "\n")] = '\0';
        double interval;
        char why[256];
        hr_rr_text_result r = hr_rr_text_line(&text, line, &interval, why, sizeof why);
        if (r == HR_RR_TEXT_BAD) {
            report_error(s->base.to, s->path, (int)number, "%s", why);
            code = 2;
            break;
        }
        if (r != HR_RR_TEXT_INTERVAL)
            continue;
        if (s->count == capacity) {
            capacity = capacity ? 2 * capacity : 1024;
            double *grown = realloc(s->intervals, capacity * sizeof *grown);
            if (!grown) {
                report_out_of_memory(s->base.to);
                code = 1;
                break;
            }
            s->intervals = grown;
        }
        s->intervals[s->count++] = interval;
    }
    if (code == 0 && ferror(file)) {
        report_error(s->base.to, NULL, 0, "cannot read '%s': %s", s->path, strerror(errno));
        code = 1;
    }
    if (code == 0 && s->count == 0) {
        report_error(s->base.to, s->path, 0,
                     "no RR intervals in it: expected one interval in milliseconds a line, "
                     "or a Polar Sensor Logger RR file");
        code = 2;
    }
    free(line);
    return code;
}

int hr_file_source_open(hr_source **out, const char *path, hr_monitor *m, const report_sink *to)
{
    *out = NULL;
    file_source *s = calloc(1, sizeof *s);
    if (!s) {
        report_out_of_memory(to);
        return 1;
    }
    s->base = (hr_source){ &kind, m, to };
    s->fd = -1;
    int made = hr_worker_init(&s->worker);
    s->path = strdup(path);
    hr_rr_text_init(&s->text);
    if (made != 0 || !s->path) {
        report_out_of_memory(to);
        free_source(&s->base);
        return 1;
    }
    /* Non-blocking, so that opening a pipe no one writes to yet does not
     * hang; the thread polls it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        report_error(to, NULL, 0, "--hr '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        free_source(&s->base);
        return 2;
    }
    int code = 0;
    if (S_ISFIFO(st.st_mode)) {
        s->fd = fd;
    } else if (S_ISREG(st.st_mode)) {
        FILE *file = fdopen(fd, "r");
        if (!file) {
            close(fd);
            report_out_of_memory(to);
            code = 1;
        } else {
            int flags = fcntl(fd, F_GETFL);
            if (flags >= 0)
                fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
            code = read_whole(s, file);
            fclose(file);
        }
    } else {
        close(fd);
        report_error(to, NULL, 0, "--hr '%s': not a file or a named pipe", path);
        code = 2;
    }
    if (code) {
        free_source(&s->base);
        return code;
    }
    char description[HR_DESCRIPTION_MAX];
    snprintf(description, sizeof description, "%s %s", S_ISFIFO(st.st_mode) ? "pipe" : "file",
             path);
    hr_monitor_describe(m, description);
    *out = &s->base;
    return 0;
}
