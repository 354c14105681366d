/* report.h: the one way errors and warnings leave library code.
 *
 * Library code never prints: it hands each problem to a report sink as an
 * entry (severity, the file and line it is about, the message) and returns
 * a result code. The front end owns the sink and decides how an entry is
 * shown: the command line prints "FILE:LINE: message" (or "breathe: message"
 * for a problem with no file), a service may return it over D-Bus, a test
 * may collect it. Only the front end maps result codes to exit statuses.
 *
 * Result codes shared by every layer (the library's own, not exit statuses): */
#ifndef BREATHE_BASE_REPORT_H
#define BREATHE_BASE_REPORT_H

#include <stdio.h>

typedef enum {
    RESULT_OK = 0,
    RESULT_FAILED = 1,   /* the system failed: out of memory, a device, a disk */
    RESULT_INVALID = 2,  /* the input is wrong: a session, a setting, a name */
} result_code;

typedef enum { REPORT_ERROR, REPORT_WARNING } report_severity;

typedef struct {
    report_severity severity;
    const char *file;     /* the file the entry is about, or NULL */
    int line;             /* its line, or 0 for the whole file (or none) */
    const char *message;  /* one line, no newline at the end; a list that
                             details it (the audio devices) may follow on
                             lines of its own */
} report_entry;

typedef struct {
    void (*emit)(void *context, const report_entry *entry);
    void *context;
} report_sink;

/* Builds the message from a printf format and hands it to the sink; a NULL
 * sink drops it. A message longer than REPORT_MESSAGE_MAX bytes is built in
 * memory allocated for it, and cut to that length when there is none. */
enum { REPORT_MESSAGE_MAX = 2048 };
#if defined(__GNUC__)
#define REPORT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define REPORT_PRINTF(f, a)
#endif
void report_error(const report_sink *sink, const char *file, int line, const char *format, ...)
    REPORT_PRINTF(4, 5);
void report_warning(const report_sink *sink, const char *file, int line, const char *format,
                    ...) REPORT_PRINTF(4, 5);
void report_out_of_memory(const report_sink *sink);

/* The usual front-end sink: each entry as one line on a stream,
 * "FILE:LINE: message", "FILE:LINE: warning: message", or, with no file,
 * "PROGRAM: message" (program as given when the stream was chosen). */
typedef struct {
    FILE *stream;
    const char *program;
} report_stream;
void report_stream_emit(void *context, const report_entry *entry);
/* A sink for that, as an expression: REPORT_TO_STREAM(&(report_stream){ stderr, "breathe" })
 * (variadic: the compound literal's comma is not an argument separator). It
 * lives as long as the block it is written in. */
#define REPORT_TO_STREAM(...) (&(report_sink){ report_stream_emit, (__VA_ARGS__) })

/* Text entries in memory: what a test or a service collects to pass on. */
typedef struct {
    char *text;       /* every entry, as report_stream_emit would print it */
    size_t size;
    int errors, warnings;
    const char *program;  /* set before the first entry: "PROGRAM: message" for
                             entries with no file, as a stream with that
                             program prints them; NULL: the message alone */
} report_buffer;
void report_buffer_emit(void *context, const report_entry *entry);
void report_buffer_free(report_buffer *buffer);

#endif
