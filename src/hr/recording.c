/* recording.c: see recording.h. */
#include "hr/recording.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/savefile.h"

#define MSG_NOT_RECORDED "the heart rate is not recorded in %s: %s"

struct hr_recording {
    int fd;
    bool failed;
    char *path;
    const report_sink *to;
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

char *hr_recording_path(const char *folder, time_t start, const char *session)
{
    struct tm local;
    char when[32] = "unknown";
    if (localtime_r(&start, &local))
        strftime(when, sizeof when, "%Y-%m-%dT%H-%M-%S", &local);
    const char *name = base_name(session);
    size_t length = strlen(name);
    if (length > 4 && strcmp(name + length - 4, ".cfg") == 0)
        length -= 4;
    size_t size = strlen(folder) + strlen(when) + length + 8;
    char *path = malloc(size);
    if (!path)
        return NULL;
    int at = snprintf(path, size, "%s/%s-", folder, when);
    for (size_t i = 0; i < length; i++) {
        char c = name[i];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                     || c == '.' || c == '_' || c == '-';
        path[at++] = plain ? c : '-';
    }
    strcpy(path + at, ".tsv");
    return path;
}

void hr_recording_local_time(char *out, size_t size, time_t t)
{
    struct tm local;
    if (!localtime_r(&t, &local)) {
        snprintf(out, size, "unknown");
        return;
    }
    long offset = local.tm_gmtoff;
    char sign = offset < 0 ? '-' : '+';
    offset = labs(offset);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &local);
    snprintf(out, size, "%s%c%02ld:%02ld", date, sign, offset / 3600, offset % 3600 / 60);
}

/* The breathing rate with up to two decimals: 6, 5.5, 6.67. */
static void format_rate(char *out, size_t size, double rate)
{
    if (isnan(rate)) {
        out[0] = '\0';
        return;
    }
    snprintf(out, size, "%.2f", rate);
    char *dot = strchr(out, '.');
    if (!dot)
        return;
    char *end = out + strlen(out);
    while (end > dot && (end[-1] == '0' || end[-1] == '.')) {
        bool was_dot = end[-1] == '.';
        *--end = '\0';
        if (was_dot)
            break;
    }
}

int hr_recording_format_row(char *line, size_t size, double t, double raw_ms, double rr_ms,
                            double breaths_per_minute, const char *artefact)
{
    char rate[32];
    format_rate(rate, sizeof rate, breaths_per_minute);
    int n;
    if (isnan(raw_ms))
        n = snprintf(line, size, "%.3f\t\t\t%s\t%s\n", t, rate, artefact ? artefact : "");
    else
        n = snprintf(line, size, "%.3f\t%.1f\t%.1f\t%s\t%s\n", t, raw_ms, rr_ms, rate,
                     artefact ? artefact : "");
    return n < 0 || (size_t)n >= size ? -1 : n;
}

/* Opens path, or path with -2 ... -9 before ".tsv", never replacing a
 * file. Returns the descriptor (and the name in *chosen) or -1. */
static int create_new(const char *path, char **chosen)
{
    size_t size = strlen(path) + 3;
    char *name = malloc(size);
    if (!name)
        return -1;
    size_t stem = strlen(path) > 4 ? strlen(path) - 4 : strlen(path);
    for (int attempt = 1; attempt <= 9; attempt++) {
        if (attempt == 1)
            snprintf(name, size, "%s", path);
        else
            snprintf(name, size, "%.*s-%d%s", (int)stem, path, attempt, path + stem);
        int fd = open(name, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            *chosen = name;
            return fd;
        }
        if (errno != EEXIST)
            break;
    }
    int saved = errno;
    free(name);
    errno = saved;
    return -1;
}

static void write_text(hr_recording *r, const char *text, size_t length)
{
    if (r->failed)
        return;
    ssize_t written = write(r->fd, text, length);
    if (written != (ssize_t)length) {
        r->failed = true;
        report_warning(r->to, NULL, 0, MSG_NOT_RECORDED, r->path,
                       written < 0 ? strerror(errno) : "short write");
    }
}

/* One line of the header, line breaks in the value made spaces. */
static void write_comment(hr_recording *r, const char *key, const char *value)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "# %s: %s", key, value);
    if (n < 0)
        return;
    size_t length = (size_t)n < sizeof line - 1 ? (size_t)n : sizeof line - 2;
    for (size_t i = 0; i < length; i++) {
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    }
    line[length++] = '\n';
    write_text(r, line, length);
}

int hr_recording_open(hr_recording **out, const char *path, const char *session, time_t started,
                      const char *source, const report_sink *to)
{
    *out = NULL;
    hr_recording *r = calloc(1, sizeof *r);
    if (!r) {
        report_out_of_memory(to);
        return 1;
    }
    r->to = to;
    r->fd = -1;
    if (savefile_make_parents(path) != 0 || (r->fd = create_new(path, &r->path)) < 0) {
        report_warning(to, NULL, 0, MSG_NOT_RECORDED, path, strerror(errno));
        free(r);
        return 1;
    }
    char when[64];
    hr_recording_local_time(when, sizeof when, started);
    write_text(r, HR_RECORDING_MAGIC "\n", strlen(HR_RECORDING_MAGIC) + 1);
    write_comment(r, "session", session);
    write_comment(r, "started", when);
    write_comment(r, "source", source);
    write_text(r, HR_RECORDING_HEADER "\n", strlen(HR_RECORDING_HEADER) + 1);
    *out = r;
    return 0;
}

const char *hr_recording_file(const hr_recording *r)
{
    return r->path;
}

void hr_recording_row(hr_recording *r, double t, double raw_ms, double rr_ms,
                      double breaths_per_minute, const char *artefact)
{
    char line[HR_RECORDING_ROW_MAX];
    int n = hr_recording_format_row(line, sizeof line, t, raw_ms, rr_ms, breaths_per_minute,
                                    artefact);
    if (n > 0)
        write_text(r, line, (size_t)n);
}

int hr_recording_close(hr_recording *r)
{
    if (!r)
        return 0;
    /* On the disk before breathe says the session is over, as the history
     * line is. EINVAL: a file that cannot be synced has nothing to keep. */
    int failed = r->failed;
    if (fsync(r->fd) != 0 && errno != EINVAL && !r->failed) {
        report_warning(r->to, NULL, 0, MSG_NOT_RECORDED, r->path, strerror(errno));
        failed = 1;
    }
    if (close(r->fd) != 0 && !failed) {
        report_warning(r->to, NULL, 0, MSG_NOT_RECORDED, r->path, strerror(errno));
        failed = 1;
    }
    free(r->path);
    free(r);
    return failed ? 1 : 0;
}
