/* history.h: the practice history and what --stats makes of it.
 *
 * Each live session appends one line to $XDG_STATE_HOME/breathe/history
 * (~/.local/state/breathe/history), five fields separated by tabs:
 *
 *   2026-11-24T07:30:12+01:00  completed  357  357  box-breathing
 *
 * when it started (local time with its offset from UTC), how it ended
 * ("completed" or "stopped"), the planned and the played length in whole
 * seconds (planned "-" for a session that runs until stopped), and the
 * session as it was given (a name or a path). The file is only ever appended
 * to, each line with a single write() on an O_APPEND descriptor, so
 * concurrent sessions never interleave and nothing already written is
 * touched; each line is synced to disk (fsync) before history_append()
 * returns. Reading skips lines it cannot parse, with a warning naming the
 * line; it never repairs or rewrites the file.
 *
 * A session belongs to the calendar day written in its line: the date where
 * it was played. A day counts towards a streak when it holds a completed
 * session or at least a minute played. Everything here but the file access
 * and history_utc_offset() is pure: "now" and its UTC offset are inputs. */
#ifndef BREATHE_HISTORY_H
#define BREATHE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "base/report.h"

typedef enum { HISTORY_COMPLETED, HISTORY_STOPPED } history_outcome;

enum {
    HISTORY_SESSION_MAX = 512,   /* bytes kept of the session field */
    HISTORY_LINE_MAX = 640,      /* a formatted line, newline included */
    HISTORY_CHART_DAYS = 14,
};

typedef struct {
    int64_t start;               /* seconds since 1970-01-01 UTC */
    int utc_offset;              /* seconds east of UTC where it was played */
    history_outcome outcome;
    int64_t planned_seconds;     /* -1: runs until stopped */
    int64_t played_seconds;
    char session[HISTORY_SESSION_MAX];
} history_record;

/* The file's path from the values of XDG_STATE_HOME and HOME (either may be
 * NULL or empty). A new string, or NULL when neither is set. */
char *history_path(const char *xdg_state_home, const char *home);

/* The local time zone's offset from UTC at t, in seconds east (from TZ). */
int history_utc_offset(time_t t);

/* The record as one line, newline included. Tabs and line breaks in the
 * session become spaces. Returns the line's length, or -1 when it does not
 * fit or a field is out of range. */
int history_format(char *line, size_t size, const history_record *record);

/* Parses one line (without its newline). Returns 0, or -1 with the reason
 * in why. */
int history_parse(const char *line, history_record *record, char *why, size_t why_size);

/* Appends the record to the file, creating it and its folders as needed.
 * Returns 0, or 1 after reporting a warning (with no file: "the session was
 * not recorded in PATH: why") to `report`. */
int history_append(const char *path, const history_record *record, const report_sink *report);

/* Reads every record. A missing file is an empty history. Each line that
 * does not parse is skipped with a warning at PATH:LINE to `report` (the
 * first few; then one for the file saying how many more). Returns 0, or 1
 * when the file exists but cannot be read (an error to `report`). The
 * caller frees *records. */
int history_read(const char *path, history_record **records, size_t *count,
                 const report_sink *report);

typedef struct {
    int64_t total_sessions, total_seconds;
    int64_t week_sessions, week_seconds;      /* Monday to today */
    int current_streak;   /* days up to today, or up to yesterday while today has none */
    int longest_streak;
    int64_t first_day;    /* day number of the first record; -1 when none */
    int64_t today;        /* days since 1970-01-01 in the local calendar */
    int64_t day_seconds[HISTORY_CHART_DAYS];  /* oldest first, today last */
    int day_sessions[HISTORY_CHART_DAYS];
} history_stats;

/* Sums and streaks as of `now`, in a zone `now_utc_offset` seconds east. */
void history_compute(const history_record *records, size_t count, time_t now,
                     int now_utc_offset, history_stats *stats);

/* The report --stats prints. */
void history_print(const history_stats *stats, FILE *out);

/* Day number (days since 1970-01-01) of a calendar date, and back. */
int64_t history_day_number(int year, int month, int day);
void history_civil_date(int64_t day_number, int *year, int *month, int *day);

#endif
