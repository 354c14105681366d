/* programmes.c: the installed programmes and today's plan (programmes.h). */
#include "play/programmes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/text.h"
#include "play/library.h"
#include "user/history.h"

char *programmes_find(const char *name, const report_sink *report)
{
    return library_find_in("programmes", "programme", "", name, report);
}

int programmes_today_date(int64_t *day, const report_sink *report)
{
    const char *given = getenv("BREATHE_TODAY");
    if (given && *given) {
        if (following_parse_date(given, day) != 0) {
            report_error(report, NULL, 0, "BREATHE_TODAY must be a date like 2026-12-05, not '%s'",
                         given);
            return 2;
        }
        return 0;
    }
    time_t now = time(NULL);
    int64_t local = (int64_t)now + history_utc_offset(now);
    *day = local / 86400 - (local % 86400 < 0);
    return 0;
}

char *programmes_state_path(void)
{
    return following_path(getenv("XDG_STATE_HOME"), getenv("HOME"));
}

int programmes_today(programme_today *out, int64_t today, const report_sink *report)
{
    memset(out, 0, sizeof *out);
    char *state_path = programmes_state_path();
    if (!state_path)
        return 0;   /* nowhere to follow from: nothing followed */
    int status = following_read(state_path, &out->state, &out->following, report);
    free(state_path);
    if (status || !out->following)
        return status;
    out->path = programmes_find(out->state.programme, report);
    if (!out->path)
        return 2;
    status = programme_load(out->path, &out->programme, report);
    if (status)
        return status;
    out->history_path = history_path(getenv("XDG_STATE_HOME"), getenv("HOME"));
    if (out->history_path
        && history_read(out->history_path, &out->records, &out->record_count, report) != 0)
        return 1;
    status = plan_compute(out->programme, out->state.since, out->records, out->record_count,
                          today, &out->plan);
    if (status)
        report_out_of_memory(report);
    return status;
}

const char *programmes_next_due(const programme_today *t, int64_t *day)
{
    for (int64_t d = t->plan.today + 1; d <= t->plan.today + PLAN_DAYS_PER_WEEK; d++) {
        plan later;
        if (plan_compute(t->programme, t->state.since, t->records, t->record_count, d, &later)
            != 0)
            return NULL;
        if (later.next >= 0) {
            *day = d;
            return t->programme->weeks[later.week].sessions[later.next].session;
        }
    }
    return NULL;
}

void programmes_today_free(programme_today *t)
{
    programme_free(t->programme);
    free(t->path);
    free(t->history_path);
    free(t->records);
    memset(t, 0, sizeof *t);
}

char *programmes_due_besides(const char *played)
{
    int64_t today;
    if (programmes_today_date(&today, NULL) != 0)
        return NULL;
    programme_today t;
    char *due = NULL;
    if (programmes_today(&t, today, NULL) == 0 && t.following && t.plan.next >= 0) {
        const char *name = t.programme->weeks[t.plan.week].sessions[t.plan.next].session;
        if (!played || !plan_names_session(played, name))
            due = strdup(name);
    }
    programmes_today_free(&t);
    return due;
}
