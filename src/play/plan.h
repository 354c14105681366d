/* plan.h: where a person stands in a programme, from the history alone.
 *
 * Pure: the programme, the day the person began following it, the history's
 * records and today's date go in; the plan comes out. Nothing is stored
 * but the day following began, so the plan can never disagree with the
 * history, and a history line written by any front end counts.
 *
 * The rules (breathe-programme(5)):
 * - The programme's weeks are lived as 7-day periods from the day following
 *   began (a period starts on that weekday).
 * - A session counts when its history line says "completed" and it names
 *   the dose's session (an installed name, or a path ending in NAME.cfg),
 *   on the local calendar day written in the line. On one day, at most
 *   times_per_day of them count.
 * - When a period ends, its week is complete when each session of the week
 *   reached the programme's move_on percent of its weekly dose: the next
 *   period moves on to the next week. Otherwise the week is repeated: a
 *   missed or partly done week never jumps ahead.
 * - step_back_after (when not 0): that many periods in a row with nothing
 *   done take the plan back one week (not before the first).
 * - After the last week is complete, the programme is finished and its last
 *   week goes on as the maintenance dose.
 * - A clock that went backwards (today before the day following began, or
 *   before a history line) is planned as of the latest day seen, so the plan
 *   never goes back because of it.
 * - Today, a session is due when its weekly dose is not reached, its daily
 *   dose today is not reached, and, for one given on named days, today is
 *   one of them or an earlier one this week was missed (a catch-up). */
#ifndef BREATHE_PLAY_PLAN_H
#define BREATHE_PLAY_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/programme.h"
#include "user/history.h"

enum { PLAN_DAYS_PER_WEEK = 7 };

/* One session of the current week. */
typedef struct {
    int done;          /* counted this week (at most times_per_day on a day) */
    int needed;        /* the week's dose: programme_dose_per_week() */
    int done_today;
    int missed;        /* named days gone by this week without it (times) */
    bool due_today;
    bool reachable;    /* the move_on share can still be reached this week */
} plan_dose;

typedef struct {
    int periods;       /* 7-day periods spent on this week so far, the current one too */
    int64_t completed; /* the last day of the period that completed it; -1: not yet */
} plan_week;

typedef struct {
    int64_t start;            /* the day following began (days since 1970-01-01) */
    int64_t today;            /* the day planned for (see the clock rule above) */
    bool clock_behind;        /* today was earlier than a day already seen */
    bool finished;            /* every week complete: the last week goes on */
    int week;                 /* the current week, 0-based */
    int64_t week_start;       /* the first day of the current period */
    int day_in_week;          /* 0 to 6 */
    int stepped_back;         /* weeks given back after long gaps */
    plan_week weeks[PROGRAMME_MAX_WEEKS];
    plan_dose doses[PROGRAMME_MAX_SESSIONS];   /* the current week's sessions */
    int next;                 /* the dose --today plays: the first due; -1: none */
} plan;

/* The weekday of a day number (1970-01-01 was a Thursday). */
weekday plan_weekday(int64_t day);

/* True when a history line's session names `name`: the name itself, or a
 * path whose file is NAME.cfg. */
bool plan_names_session(const char *recorded, const char *name);

/* The plan of `p` for someone following it since `start`, with these
 * history records, on `today` (day numbers in the local calendar). Records
 * may come in any order. Returns 0, or 1 when out of memory (*out is then
 * the plan of the first day). */
int plan_compute(const programme *p, int64_t start, const history_record *records,
                  size_t count, int64_t today, plan *out);

#endif
