/* programme.c: --follow, --plan, today's choice for --today, and the
 * programme's lines in --stats and after a session (modes.h). The plan
 * itself is play/plan.c's; this file only words it. */
#include <stdlib.h>
#include <string.h>

#include "cli/modes.h"
#include "format/session.h"
#include "play/library.h"
#include "play/programmes.h"
#include "user/following.h"

enum { EXIT_DONE = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static const char *const weekday_names[WEEKDAY_COUNT] = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
};

static const char *ordinal(int n)
{
    static const char *const words[] = { "first", "second", "third", "fourth", "fifth" };
    return n >= 1 && n <= 5 ? words[n - 1] : "another";
}

/* "mon, wed, fri" or "5 days a week", with "3 times a day" when more than once. */
static void describe_dose(const programme_dose *dose, char *out, size_t size)
{
    size_t used = 0;
    if (dose->fixed_days) {
        for (int d = 0; d < WEEKDAY_COUNT; d++)
            if (dose->on_day[d])
                used += (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "",
                                         weekday_short_name((weekday)d));
    } else {
        used = (size_t)snprintf(out, size, "%d %s a week", dose->days_per_week,
                                dose->days_per_week == 1 ? "day" : "days");
    }
    if (dose->times_per_day > 1 && used < size)
        snprintf(out + used, size - used, ", %d times a day", dose->times_per_day);
}

static void print_date(FILE *out, int64_t day)
{
    char date[16];
    following_format_date(day, date, sizeof date);
    fprintf(out, "%s %s", weekday_names[plan_weekday(day)], date);
}

/* Text in lines of at most `width` columns (a longer word on a line of its
 * own), each indented by `indent` spaces. Columns are counted in bytes:
 * notes are short, and an overlong line only wraps early. */
static void print_wrapped(FILE *out, const char *text, int indent, int width)
{
    int room = width - indent;
    while (*text) {
        while (*text == ' ')
            text++;
        int length = (int)strlen(text), cut = length;
        if (length > room) {
            cut = room;
            while (cut > 0 && text[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = (int)strcspn(text, " ");
        }
        if (cut > 0)
            fprintf(out, "%*s%.*s\n", indent, "", cut, text);
        text += cut;
    }
}

/* The programme followed, or an error saying how to follow one. */
static int load_followed(programme_today *t, const report_sink *sink)
{
    memset(t, 0, sizeof *t);   /* freed by the caller whatever happens */
    int64_t today;
    if (programmes_today_date(&today, sink))
        return EXIT_USAGE;
    int code = programmes_today(t, today, sink);
    if (code)
        return code;
    if (!t->following) {
        report_error(sink, NULL, 0, "no programme is followed; start one with "
                                    "'breathe --follow neck-and-upper-back'");
        return EXIT_USAGE;
    }
    return EXIT_DONE;
}

/* ---- --follow ---- */

/* Every session the programme names is installed and reads as a session
 * (its audio files found and opened, not decoded), or the first problem is
 * reported: a programme is not followed only to fail weeks later. */
static int check_sessions(const programme *p, const report_sink *sink)
{
    for (int w = 0; w < p->week_count; w++) {
        for (int i = 0; i < p->weeks[w].session_count; i++) {
            const char *name = p->weeks[w].sessions[i].session;
            char *path = library_find(name, NULL);
            if (!path) {
                report_error(sink, p->path, 0, "week %d names the session '%s', which is not "
                             "installed; see 'breathe --list'", w + 1, name);
                return EXIT_USAGE;
            }
            session *s = NULL;
            int code = session_read(path, &s, sink);
            session_free(s);
            free(path);
            if (code)
                return code;
        }
    }
    return EXIT_DONE;
}

int cli_follow(const char *name, bool quiet, FILE *out, const report_sink *sink)
{
    int64_t today;
    if (programmes_today_date(&today, sink))
        return EXIT_USAGE;
    char *path = programmes_find(name, sink);
    if (!path)
        return EXIT_USAGE;
    programme *p = NULL;
    int code = programme_load(path, &p, sink);
    if (code == EXIT_DONE)
        code = check_sessions(p, sink);
    /* A path is kept whole, so --today finds it from any folder. */
    following chosen = { .since = today };
    char *real = library_is_path(name) ? realpath(path, NULL) : NULL;
    if (code == EXIT_DONE
        && snprintf(chosen.programme, sizeof chosen.programme, "%s", real ? real : name)
               >= (int)sizeof chosen.programme) {
        report_error(sink, NULL, 0, "the programme's path is too long");
        code = EXIT_USAGE;
    }
    free(real);
    free(path);
    char *state_path = code == EXIT_DONE ? programmes_state_path() : NULL;
    if (code == EXIT_DONE && !state_path) {
        report_error(sink, NULL, 0, "cannot follow a programme: neither XDG_STATE_HOME nor HOME "
                                    "is set");
        code = EXIT_RUNTIME;
    }
    following before;
    bool was_following = false;
    if (code == EXIT_DONE)
        code = following_read(state_path, &before, &was_following, sink);
    if (code == EXIT_DONE && was_following && strcmp(before.programme, chosen.programme) == 0) {
        /* Following it again keeps what was done: nothing is restarted. */
        if (!quiet) {
            fprintf(out, "Already following %s since ", p->title);
            print_date(out, before.since);
            fprintf(out, "; see breathe --plan\n");
        }
    } else if (code == EXIT_DONE) {
        code = following_write(state_path, &chosen, sink);
        if (code == EXIT_DONE && !quiet) {
            fprintf(out, "Following %s (%d %s) from today, ", p->title, p->week_count,
                    p->week_count == 1 ? "week" : "weeks");
            print_date(out, today);
            fprintf(out, ".\n");
            if (was_following) {
                fprintf(out, "It replaces %s, followed since ", before.programme);
                print_date(out, before.since);
                fprintf(out, "; the history keeps every session.\n");
            }
            fprintf(out, "Play today's session with breathe --today; see the weeks with "
                         "breathe --plan.\nResults come with weeks of regular practice: a little "
                         "most days counts more than a lot at once.\n");
        }
    }
    free(state_path);
    programme_free(p);
    return code;
}

/* "Nothing more is due today", and what comes next and when. */
static void print_nothing_due(const programme_today *t, FILE *out)
{
    int64_t day;
    const char *next = programmes_next_due(t, &day);
    fprintf(out, "Nothing more is due today in week %d of %s", t->plan.week + 1,
            t->programme->title);
    if (next) {
        fprintf(out, "; next: %s on ", next);
        print_date(out, day);
    }
    fprintf(out, ".\n");
}

/* ---- --plan ---- */

static void print_week_doses(const programme_week *week, const plan *pl, bool current, FILE *out)
{
    for (int i = 0; i < week->session_count; i++) {
        char dose[128];
        describe_dose(&week->sessions[i], dose, sizeof dose);
        if (!current) {
            fprintf(out, "          %-24s %s\n", week->sessions[i].session, dose);
            continue;
        }
        /* "2 of 3", and whether it is due or done today */
        const plan_dose *s = &pl->doses[i];
        fprintf(out, "          %-24s %-30s %2d of %-2d%s", week->sessions[i].session, dose,
                s->done, s->needed,
                s->due_today ? "  due today" : s->done_today > 0 ? "  done today" : "");
        if (s->missed > 0)
            fprintf(out, " (%d missed)", s->missed);
        fputc('\n', out);
    }
}

int cli_plan(FILE *out, const report_sink *sink)
{
    programme_today t;
    int code = load_followed(&t, sink);
    if (code) {
        programmes_today_free(&t);
        return code;
    }
    const programme *p = t.programme;
    const plan *pl = &t.plan;
    fprintf(out, "%s\nFollowing since ", p->title);
    print_date(out, t.state.since);
    fprintf(out, "; today ");
    print_date(out, pl->today);
    fprintf(out, "%s.\n", pl->clock_behind ? " (the clock is behind a day already seen)" : "");
    if (pl->stepped_back > 0)
        fprintf(out, "After %d or more weeks with nothing done, the plan went back %d %s, "
                     "for a gentler return.\n", p->step_back_after, pl->stepped_back,
                pl->stepped_back == 1 ? "week" : "weeks");
    if (pl->finished)
        fprintf(out, "Every week is complete: well done. Week %d goes on as your routine.\n",
                p->week_count);
    else
        fprintf(out, "Week %d of %d, day %d of 7.\n", pl->week + 1, p->week_count,
                pl->day_in_week + 1);
    for (int w = 0; w < p->week_count; w++) {
        const programme_week *week = &p->weeks[w];
        const plan_week *state = &pl->weeks[w];
        bool current = w == pl->week;
        fprintf(out, "\nWeek %d%s%s  ", w + 1, week->title[0] ? ": " : "", week->title);
        if (current) {
            fprintf(out, "now");
            if (state->periods > 1)
                fprintf(out, ", the %s time", ordinal(state->periods));
            fprintf(out, ", until ");
            print_date(out, pl->week_start + 6);
        } else if (w < pl->week || state->completed >= 0) {
            fprintf(out, "done");
            if (state->completed >= 0) {
                fprintf(out, " ");
                print_date(out, state->completed);
            }
            if (state->periods > 1)
                fprintf(out, ", in %d weeks", state->periods);
        } else {
            fprintf(out, w == pl->week + 1 ? "next" : "ahead");
        }
        fputc('\n', out);
        if (current && week->note[0])
            print_wrapped(out, week->note, 8, 80);
        print_week_doses(week, pl, current, out);
    }
    fputc('\n', out);
    if (pl->next >= 0)
        fprintf(out, "Today: %s (play it with breathe --today).\n",
                p->weeks[pl->week].sessions[pl->next].session);
    else
        print_nothing_due(&t, out);
    bool reachable = true;
    for (int i = 0; i < p->weeks[pl->week].session_count; i++)
        reachable = reachable && pl->doses[i].reachable;
    if (!pl->finished)
        fprintf(out, "%s %d %% of each session's week moves you on; otherwise week %d is "
                     "done again, which is fine.\n",
                reachable ? "Doing" : "This week cannot be completed any more, so it will be "
                                      "done again next week.", p->move_on, pl->week + 1);
    programmes_today_free(&t);
    return EXIT_DONE;
}

/* ---- --today ---- */

int cli_today_choose(char **chosen, bool quiet, FILE *out, const report_sink *sink)
{
    *chosen = NULL;
    programme_today t;
    int code = load_followed(&t, sink);
    if (code) {
        programmes_today_free(&t);
        return code;
    }
    const plan *pl = &t.plan;
    const programme_week *week = &t.programme->weeks[pl->week];
    if (pl->next < 0) {
        if (!quiet)
            print_nothing_due(&t, out);
    } else {
        const plan_dose *s = &pl->doses[pl->next];
        *chosen = strdup(week->sessions[pl->next].session);
        if (!*chosen) {
            report_out_of_memory(sink);
            code = EXIT_RUNTIME;
        } else if (!quiet) {
            fprintf(out, "%s, week %d, day %d: %s (%d of %d this week%s)\n", t.programme->title,
                    pl->week + 1, pl->day_in_week + 1, *chosen, s->done + 1, s->needed,
                    s->missed ? ", catching up" : "");
            fflush(out);   /* seen before the device opens, whatever happens there */
        }
    }
    programmes_today_free(&t);
    return code;
}

/* ---- --stats and the reminder ---- */

int cli_programme_stats(FILE *out, const report_sink *sink)
{
    int64_t today;
    if (programmes_today_date(&today, sink))
        return EXIT_USAGE;
    programme_today t;
    int code = programmes_today(&t, today, sink);
    if (code == EXIT_DONE && t.following) {
        const plan *pl = &t.plan;
        const programme_week *week = &t.programme->weeks[pl->week];
        int done = 0, needed = 0;
        for (int i = 0; i < week->session_count; i++) {
            done += pl->doses[i].done;
            needed += pl->doses[i].needed;
        }
        int complete = pl->finished ? t.programme->week_count : pl->week;
        fprintf(out, "\nProgramme:   %s, since ", t.programme->title);
        print_date(out, t.state.since);
        fprintf(out, "\n             %d of %d weeks complete%s; week %d: %d of %d sessions "
                     "done\n", complete, t.programme->week_count,
                pl->finished ? " (finished)" : "", pl->week + 1, done, needed);
        if (pl->next >= 0)
            fprintf(out, "             due today: %s (breathe --today)\n",
                    week->sessions[pl->next].session);
    }
    programmes_today_free(&t);
    return code;
}

bool cli_programme_due_note(const char *played, FILE *out)
{
    char *due = programmes_due_besides(played);
    if (due && out)
        fprintf(out, "Today's programme session is due: %s (breathe --today).\n", due);
    free(due);
    return due != NULL;
}
