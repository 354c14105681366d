/* plan.c: the plan of a programme from the history (plan.h has the rules).
 *
 * The completed sessions from the day following began are sorted by day,
 * then the 7-day periods that have ended are walked in order with a cursor
 * into them: each period is judged against the week it was spent on, which
 * moves the plan on, repeats the week or (after a long gap) takes it back.
 * The current period is then counted session by session for today. */
#include "play/plan.h"

#include <stdlib.h>
#include <string.h>

enum { SECONDS_PER_DAY = 86400 };

typedef struct {
    int64_t day;
    const char *session;
} done_session;

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

weekday plan_weekday(int64_t day)
{
    /* Day 0 was a Thursday: Monday is 3 days before it. */
    return (weekday)(day + 3 - floor_div(day + 3, 7) * 7);
}

bool plan_names_session(const char *recorded, const char *name)
{
    if (strcmp(recorded, name) == 0)
        return true;
    const char *slash = strrchr(recorded, '/');
    const char *file = slash ? slash + 1 : recorded;
    size_t n = strlen(name);
    return strncmp(file, name, n) == 0 && strcmp(file + n, ".cfg") == 0;
}

static int compare_days(const void *a, const void *b)
{
    int64_t x = ((const done_session *)a)->day, y = ((const done_session *)b)->day;
    return (x > y) - (x < y);
}

/* Sessions of `dose` on each day of the period from `first`, among done[0..count). */
static void count_by_day(const programme_dose *dose, const done_session *done, size_t count,
                         int64_t first, int per_day[PLAN_DAYS_PER_WEEK])
{
    memset(per_day, 0, PLAN_DAYS_PER_WEEK * sizeof *per_day);
    for (size_t i = 0; i < count; i++) {
        int64_t d = done[i].day - first;
        if (d >= 0 && d < PLAN_DAYS_PER_WEEK && plan_names_session(done[i].session, dose->session))
            per_day[d]++;
    }
}

/* How many of them count: at most times_per_day on a day, up to `last_day`. */
static int counted(const programme_dose *dose, const int per_day[PLAN_DAYS_PER_WEEK],
                   int last_day)
{
    int sum = 0;
    for (int d = 0; d <= last_day && d < PLAN_DAYS_PER_WEEK; d++)
        sum += per_day[d] < dose->times_per_day ? per_day[d] : dose->times_per_day;
    return sum;
}

/* The share of a week's dose that moves the plan on, in sessions. */
static int needed_to_move_on(const programme *p, const programme_dose *dose)
{
    int whole = programme_dose_per_week(dose);
    return (whole * p->move_on + 99) / 100;
}

/* True when the period of done[0..count) from `first` completes `week`. */
static bool period_completes(const programme *p, const programme_week *week,
                             const done_session *done, size_t count, int64_t first)
{
    for (int i = 0; i < week->session_count; i++) {
        int per_day[PLAN_DAYS_PER_WEEK];
        count_by_day(&week->sessions[i], done, count, first, per_day);
        if (counted(&week->sessions[i], per_day, PLAN_DAYS_PER_WEEK - 1)
            < needed_to_move_on(p, &week->sessions[i]))
            return false;
    }
    return true;
}

/* Named days of the dose among the period's days 0 to last_day, from `first`. */
static int named_days(const programme_dose *dose, int64_t first, int last_day)
{
    int n = 0;
    for (int d = 0; d <= last_day; d++)
        n += dose->on_day[plan_weekday(first + d)];
    return n;
}

/* Today's state of one session of the current week. */
static plan_dose dose_today(const programme *p, const programme_dose *dose,
                            const done_session *done, size_t count, int64_t first, int today)
{
    int per_day[PLAN_DAYS_PER_WEEK];
    count_by_day(dose, done, count, first, per_day);
    plan_dose s = { 0 };
    s.needed = programme_dose_per_week(dose);
    s.done = counted(dose, per_day, today);
    int done_before = counted(dose, per_day, today - 1);
    s.done_today = s.done - done_before;
    bool behind = true;
    if (dose->fixed_days) {
        int expected_before = dose->times_per_day * named_days(dose, first, today - 1);
        s.missed = expected_before > done_before ? expected_before - done_before : 0;
        behind = dose->times_per_day * named_days(dose, first, today) > s.done;
    }
    s.due_today = s.done < s.needed && s.done_today < dose->times_per_day && behind;
    int still_possible = (PLAN_DAYS_PER_WEEK - today) * dose->times_per_day - s.done_today;
    s.reachable = s.done + still_possible >= needed_to_move_on(p, dose);
    return s;
}

static void start_plan(plan *out, int64_t start, int64_t today)
{
    memset(out, 0, sizeof *out);
    out->start = start;
    out->today = today;
    out->week_start = start;
    out->next = -1;
    for (int w = 0; w < PROGRAMME_MAX_WEEKS; w++)
        out->weeks[w].completed = -1;
}

/* Judges the period from `first` (done[0..count) are its sessions). */
static void end_period(const programme *p, plan *out, const done_session *done, size_t count,
                       int64_t first, int *idle_periods)
{
    plan_week *week = &out->weeks[out->week];
    week->periods++;
    if (count == 0) {
        ++*idle_periods;
        if (p->step_back_after > 0 && *idle_periods % p->step_back_after == 0
            && out->week > 0 && !out->finished) {
            out->week--;
            out->stepped_back++;
        }
        return;
    }
    *idle_periods = 0;
    if (!period_completes(p, &p->weeks[out->week], done, count, first))
        return;
    week->completed = first + PLAN_DAYS_PER_WEEK - 1;
    if (out->week + 1 < p->week_count)
        out->week++;
    else
        out->finished = true;
}

int plan_compute(const programme *p, int64_t start, const history_record *records,
                 size_t count, int64_t today, plan *out)
{
    start_plan(out, start, today < start ? start : today);
    out->clock_behind = today < start;
    done_session *done = malloc((count ? count : 1) * sizeof *done);
    if (!done)
        return 1;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        int64_t day = floor_div(records[i].start + records[i].utc_offset, SECONDS_PER_DAY);
        if (records[i].outcome != HISTORY_COMPLETED || day < start)
            continue;
        done[n++] = (done_session){ day, records[i].session };
        if (day > out->today) {
            out->today = day;
            out->clock_behind = true;
        }
    }
    qsort(done, n, sizeof *done, compare_days);

    size_t cursor = 0;
    int idle_periods = 0;
    int64_t first = start;
    while (first + PLAN_DAYS_PER_WEEK <= out->today) {
        size_t end = cursor;
        while (end < n && done[end].day < first + PLAN_DAYS_PER_WEEK)
            end++;
        end_period(p, out, done + cursor, end - cursor, first, &idle_periods);
        cursor = end;
        first += PLAN_DAYS_PER_WEEK;
    }

    out->week_start = first;
    out->day_in_week = (int)(out->today - first);
    out->weeks[out->week].periods++;
    const programme_week *week = &p->weeks[out->week];
    for (int i = 0; i < week->session_count; i++) {
        out->doses[i] = dose_today(p, &week->sessions[i], done + cursor, n - cursor, first,
                                   out->day_in_week);
        if (out->next < 0 && out->doses[i].due_today)
            out->next = i;
    }
    free(done);
    return 0;
}
