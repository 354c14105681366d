/* programme.h: a programme file, parsed and checked (breathe-programme(5)).
 *
 * A programme lays out weeks of sessions, each with its dose: on which
 * weekdays, or on how many days of the week, and how many times on such a
 * day. It is a libconfig file like a session, with the same conventions
 * (format = 1, unknown settings are errors with a "did you mean", every
 * value checked, FILE:LINE messages); see docs/session-format.md.
 *
 * programme_load() reads and checks one file. It does not look the sessions
 * up: a programme names installed sessions, and finding them is the
 * playback library's job (the loader only checks that each is a name, not
 * a path). The first problem is handed to the report sink as an error at
 * the file and line it is about, and the load fails with nothing half
 * loaded. The result is plain data. */
#ifndef BREATHE_FORMAT_PROGRAMME_H
#define BREATHE_FORMAT_PROGRAMME_H

#include <stdbool.h>

#include "base/report.h"

enum {
    PROGRAMME_MAX_WEEKS = 52,
    PROGRAMME_MAX_SESSIONS = 12,       /* sessions in one week */
    PROGRAMME_MAX_TIMES_PER_DAY = 12,
    PROGRAMME_MAX_TEXT_BYTES = 64 * 1024,
    PROGRAMME_DEFAULT_MOVE_ON = 100,   /* percent of a week's dose */
    PROGRAMME_MIN_MOVE_ON = 50,
};

/* Monday first, as ISO 8601 counts the week. */
typedef enum {
    WEEKDAY_MON, WEEKDAY_TUE, WEEKDAY_WED, WEEKDAY_THU, WEEKDAY_FRI, WEEKDAY_SAT, WEEKDAY_SUN,
    WEEKDAY_COUNT
} weekday;

/* "mon" ... "sun", as a programme writes them. */
const char *weekday_short_name(weekday day);

/* One session of a week and its dose. Either `days` names the weekdays
 * (days_per_week is then how many it names) or only days_per_week is given
 * and any days of the week will do. */
typedef struct {
    char *session;             /* an installed session's name */
    bool on_day[WEEKDAY_COUNT];
    bool fixed_days;           /* `days` was given */
    int days_per_week;         /* 1..7 */
    int times_per_day;         /* 1..PROGRAMME_MAX_TIMES_PER_DAY */
} programme_dose;

typedef struct {
    char *title;               /* "" when not given */
    char *note;                /* "" when not given */
    programme_dose sessions[PROGRAMME_MAX_SESSIONS];
    int session_count;         /* 1..PROGRAMME_MAX_SESSIONS, each session once */
} programme_week;

typedef struct {
    char *path;
    char *title;
    char *description;
    char *author;
    int move_on;               /* percent of each session's weekly dose needed to move on */
    int step_back_after;       /* weeks in a row with nothing done that take the plan
                                  back a week; 0: never */
    programme_week weeks[PROGRAMME_MAX_WEEKS];
    int week_count;            /* 1..PROGRAMME_MAX_WEEKS */
} programme;

/* Sessions of a dose in a whole week: times_per_day * days_per_week. */
int programme_dose_per_week(const programme_dose *dose);

/* Reads and checks the programme at path. Returns 0 with *out set; 1 when
 * the system failed (out of memory); 2 when the file is wrong or cannot be
 * read, each after one error to `report` (NULL: not reported). */
int programme_load(const char *path, programme **out, const report_sink *report);
void programme_free(programme *p);

#endif
