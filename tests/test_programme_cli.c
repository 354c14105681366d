/* --follow, --plan, --today and the programme in --stats, run as the real
 * program with its own data, state and config folders inside the test's
 * folder, a history written here line by line, and today's date set with
 * BREATHE_TODAY (TZ is UTC). Live playback uses ALSA's null device and is
 * skipped when there is none. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runbreathe.h"
#include "testaudio.h"

typedef runbreathe_result result;

#define RUN(r, ...) RUNBREATHE((r), __VA_ARGS__)

static char *in_dir(const char *name) { return testaudio_path(testaudio_dir, name); }

static void write_at(const char *name, const char *text)
{
    free(testaudio_write_text(testaudio_dir, name, text));
}

static void make_folder(const char *name)
{
    char *path = in_dir(name);
    assert_true(mkdir(path, 0700) == 0);
    free(path);
}

static const char two_weeks[] =
    "title = \"Two weeks\";\n"
    "weeks = (\n"
    "  { title = \"Start\";\n"
    "    note = \"Gently. Start lying down, and stop any movement that hurts; this note is \"\n"
    "           \"long enough to wrap onto a second line.\";\n"
    "    sessions = (\n"
    "      { session = \"tiny-a\"; days = [\"mon\", \"wed\", \"fri\"]; },\n"
    "      { session = \"tiny-b\"; days_per_week = 2; times_per_day = 2; } ); },\n"
    "  { title = \"More\"; sessions = ( { session = \"tiny-b\"; days_per_week = 5; } ); }\n"
    ");\n";

/* A folder of its own with sessions tiny-a, tiny-b and tiny-c and the
 * programme two-weeks installed in it, and no programme followed. */
static int setup(void **state)
{
    if (runbreathe_setup() != 0 || testaudio_dir_setup(state) != 0)
        return -1;
    static const char *const folders[] = {
        "config", "config/breathe", "state", "data", "data/breathe", "data/breathe/sessions",
        "data/breathe/programmes",
    };
    for (size_t i = 0; i < sizeof folders / sizeof folders[0]; i++)
        make_folder(folders[i]);
    static const char *const sessions[] = { "tiny-a", "tiny-b", "tiny-c" };
    for (size_t i = 0; i < 3; i++) {
        char name[128], text[256];
        snprintf(name, sizeof name, "data/breathe/sessions/%s.cfg", sessions[i]);
        snprintf(text, sizeof text, "title = \"%s\";\nsteps = ( { type = \"bell\"; ring = 0.3; } );\n",
                 sessions[i]);
        write_at(name, text);
    }
    write_at("data/breathe/programmes/two-weeks.cfg", two_weeks);
    const char *homes[][2] = { { "XDG_CONFIG_HOME", "config" }, { "XDG_STATE_HOME", "state" },
                               { "XDG_DATA_HOME", "data" } };
    for (size_t i = 0; i < 3; i++) {
        char *path = in_dir(homes[i][1]);
        setenv(homes[i][0], path, 1);
        free(path);
    }
    setenv("TZ", "UTC0", 1);
    setenv("BREATHE_TODAY", "2026-11-30", 1);   /* a Monday */
    return 0;
}

static int teardown(void **state)
{
    unsetenv("BREATHE_TODAY");
    return testaudio_dir_teardown(state);
}

/* Appends history lines: "DATE SESSION" pairs, each completed at 09:00 UTC. */
static void add_history(const char *const *lines)
{
    char *path = in_dir("state/breathe/history");
    FILE *file = fopen(path, "a");
    assert_non_null(file);
    for (int i = 0; lines[i]; i += 2)
        fprintf(file, "%sT09:00:00+00:00\tcompleted\t60\t60\t%s\n", lines[i], lines[i + 1]);
    fclose(file);
    free(path);
}

static void not_following_is_an_error_that_says_how(void **state)
{
    (void)state;
    static const char message[] = "breathe: no programme is followed; start one with "
                                  "'breathe --follow neck-and-upper-back'\n";
    result r;
    RUN(&r, "--plan");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, message);
    RUN(&r, "--today");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, message);
    RUN(&r, "--stats");   /* --stats does without */
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.out, "Programme:"));
}

static void follow_writes_the_state_and_keeps_it_when_followed_again(void **state)
{
    (void)state;
    result r;
    RUN(&r, "--follow", "two-weeks");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    assert_true(strncmp(r.out, "Following Two weeks (2 weeks) from today, Monday 2026-11-30.\n",
                        61) == 0);
    char *path = in_dir("state/breathe/programme");
    char text[1024];
    testaudio_read_into(path, text, sizeof text);
    assert_string_equal(text, "# The programme followed (breathe --follow); see "
                              "breathe-programme(5).\nprogramme = \"two-weeks\";\n"
                              "since = \"2026-11-30\";\n");
    setenv("BREATHE_TODAY", "2026-12-03", 1);
    RUN(&r, "--follow", "two-weeks");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "Already following Two weeks since Monday 2026-11-30; see "
                               "breathe --plan\n");
    testaudio_read_into(path, text, sizeof text);
    assert_non_null(strstr(text, "since = \"2026-11-30\";"));
    RUN(&r, "-q", "--follow", "two-weeks");
    assert_string_equal(r.out, "");
    free(path);
}

static void the_plan_follows_the_history(void **state)
{
    (void)state;
    result r;
    RUN(&r, "-q", "--follow", "two-weeks");
    assert_int_equal(r.status, 0);
    RUN(&r, "--plan");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out,
        "Two weeks\n"
        "Following since Monday 2026-11-30; today Monday 2026-11-30.\n"
        "Week 1 of 2, day 1 of 7.\n"
        "\n"
        "Week 1: Start  now, until Sunday 2026-12-06\n"
        "        Gently. Start lying down, and stop any movement that hurts; this note is\n"
        "        long enough to wrap onto a second line.\n"
        "          tiny-a                   mon, wed, fri                   0 of 3   due today\n"
        "          tiny-b                   2 days a week, 2 times a day    0 of 4   due today\n"
        "\n"
        "Week 2: More  next\n"
        "          tiny-b                   5 days a week\n"
        "\n"
        "Today: tiny-a (play it with breathe --today).\n"
        "Doing 100 % of each session's week moves you on; otherwise week 1 is done again, "
        "which is fine.\n");

    /* Wednesday, with Monday's tiny-a and one tiny-b done: Wednesday's is due. */
    add_history((const char *const[]){ "2026-11-30", "tiny-a", "2026-11-30", "tiny-b", NULL });
    setenv("BREATHE_TODAY", "2026-12-02", 1);
    RUN(&r, "--plan");
    assert_non_null(strstr(r.out, "          tiny-a                   mon, wed, fri"
                                  "                   1 of 3   due today\n"));
    assert_non_null(strstr(r.out, "2 times a day    1 of 4   due today\n"));
    RUN(&r, "--today", "--volume", "-3", "-d", "no-such-device-at-all");
    assert_int_equal(r.status, 1);   /* chosen, then no device */
    assert_true(strncmp(r.out, "Two weeks, week 1, day 3: tiny-a (2 of 3 this week)\n", 52) == 0);

    /* Thursday, Wednesday's missed: a catch-up. */
    setenv("BREATHE_TODAY", "2026-12-03", 1);
    RUN(&r, "--plan");
    assert_non_null(strstr(r.out, "1 of 3   due today (1 missed)\n"));

    /* The whole week done (a third tiny-b on Thursday does not count, so
     * Friday's is needed): Sunday has nothing due, Monday is week 2. */
    add_history((const char *const[]){ "2026-12-02", "tiny-a", "2026-12-03", "tiny-b",
                                       "2026-12-03", "tiny-b", "2026-12-03", "tiny-b",
                                       "2026-12-04", "tiny-a", "2026-12-04", "tiny-b", NULL });
    setenv("BREATHE_TODAY", "2026-12-06", 1);
    RUN(&r, "--today");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "Nothing more is due today in week 1 of Two weeks; next: "
                               "tiny-b on Monday 2026-12-07.\n");
    RUN(&r, "--plan");
    assert_non_null(strstr(r.out, "\nNothing more is due today in week 1 of Two weeks; next: "
                                  "tiny-b on Monday 2026-12-07.\n"));
    setenv("BREATHE_TODAY", "2026-12-07", 1);
    RUN(&r, "--plan");
    assert_non_null(strstr(r.out, "Week 2 of 2, day 1 of 7.\n"));
    assert_non_null(strstr(r.out, "Week 1: Start  done Sunday 2026-12-06\n"));
    assert_non_null(strstr(r.out, "Week 2: More  now, until Sunday 2026-12-13\n"));
    RUN(&r, "--stats");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\nProgramme:   Two weeks, since Monday 2026-11-30\n"
                                  "             1 of 2 weeks complete; week 2: 0 of 5 sessions "
                                  "done\n             due today: tiny-b (breathe --today)\n"));
}

static void a_missed_week_is_done_again(void **state)
{
    (void)state;
    result r;
    RUN(&r, "-q", "--follow", "two-weeks");
    add_history((const char *const[]){ "2026-11-30", "tiny-a", NULL });
    setenv("BREATHE_TODAY", "2026-12-08", 1);
    RUN(&r, "--plan");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Week 1 of 2, day 2 of 7.\n"));
    assert_non_null(strstr(r.out, "Week 1: Start  now, the second time, until Sunday "
                                  "2026-12-13\n"));
    assert_non_null(strstr(r.out, "Week 2: More  next\n"));
    /* Done the second time round: the plan says it took two weeks. */
    add_history((const char *const[]){ "2026-12-07", "tiny-a", "2026-12-09", "tiny-a",
                                       "2026-12-11", "tiny-a", "2026-12-08", "tiny-b",
                                       "2026-12-08", "tiny-b", "2026-12-10", "tiny-b",
                                       "2026-12-10", "tiny-b", NULL });
    setenv("BREATHE_TODAY", "2026-12-14", 1);
    RUN(&r, "--plan");
    assert_non_null(strstr(r.out, "Week 1: Start  done Sunday 2026-12-13, in 2 weeks\n"));
    assert_non_null(strstr(r.out, "Week 2: More  now, until Sunday 2026-12-20\n"));
    /* Months later the plan is still on week 2, on the same weekday grid. */
    setenv("BREATHE_TODAY", "2027-03-01", 1);
    RUN(&r, "--plan");
    assert_non_null(strstr(r.out, "Week 2 of 2, day 1 of 7.\n"));
    assert_null(strstr(r.out, "went back"));
    /* A programme that steps back after idle weeks says so. */
    write_at("data/breathe/programmes/two-weeks.cfg", "step_back_after = 4;\n");
    char *programme = in_dir("data/breathe/programmes/two-weeks.cfg");
    FILE *file = fopen(programme, "a");
    assert_non_null(file);
    fputs(two_weeks, file);
    fclose(file);
    free(programme);
    RUN(&r, "--plan");
    assert_non_null(strstr(r.out, "Week 1 of 2, day 1 of 7.\n"));
    assert_non_null(strstr(r.out, "After 4 or more weeks with nothing done, the plan went back "
                                  "1 week, for a gentler return.\n"));
    /* A clock that went back, before following began: the plan stays as of
     * the last day in the history. */
    setenv("BREATHE_TODAY", "2026-11-01", 1);
    RUN(&r, "--plan");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "today Friday 2026-12-11 (the clock is behind a day already "
                                  "seen).\nWeek 1 of 2, day 5 of 7.\n"));
}

static void mistakes_are_usage_or_file_errors(void **state)
{
    (void)state;
    result r;
    RUN(&r, "--today", "--plan");
    assert_int_equal(r.status, 2);
    assert_true(strncmp(r.err, "breathe: --today and --plan cannot be used together\n", 52) == 0);
    RUN(&r, "--plan", "--volume", "3");
    assert_int_equal(r.status, 2);
    assert_true(strncmp(r.err, "breathe: --volume has no use with --plan\n", 41) == 0);
    RUN(&r, "--today", "-o", "x.wav");
    assert_int_equal(r.status, 2);
    RUN(&r, "--today", "tiny-a");
    assert_int_equal(r.status, 2);
    assert_true(strncmp(r.err, "breathe: --today chooses the session itself, not tiny-a\n", 56)
                == 0);
    RUN(&r, "--follow");
    assert_int_equal(r.status, 2);
    RUN(&r, "--follow", "nope");
    assert_int_equal(r.status, 2);
    assert_true(strncmp(r.err, "breathe: no programme named 'nope' (looked in ", 46) == 0);

    char *bad = testaudio_write_text(testaudio_dir, "bad.cfg",
                                     "title = \"x\";\nweeks = ( { sessions = (\n"
                                     "  { session = \"tiny-a\"; days_per_week = 9; } ); } );\n");
    char expected[1024];
    RUN(&r, "--follow", bad);
    assert_int_equal(r.status, 2);
    snprintf(expected, sizeof expected, "%s:3: 'days_per_week' must be between 1 and 7, not 9\n",
             bad);
    assert_string_equal(r.err, expected);
    free(bad);
    char *missing = testaudio_write_text(testaudio_dir, "missing.cfg",
                                         "title = \"x\";\nweeks = ( { sessions = (\n"
                                         "  { session = \"gone\"; days_per_week = 1; } ); } );\n");
    RUN(&r, "--follow", missing);
    assert_int_equal(r.status, 2);
    snprintf(expected, sizeof expected, "%s: week 1 names the session 'gone', which is not "
             "installed; see 'breathe --list'\n", missing);
    assert_string_equal(r.err, expected);
    free(missing);
    /* A session that is installed but wrong is found out too, at its line. */
    write_at("data/breathe/sessions/tiny-c.cfg", "title = \"tiny-c\";\nsteps = ( { type = "
                                                 "\"bell\"; ring = -1; } );\n");
    char *broken = testaudio_write_text(testaudio_dir, "broken.cfg",
                                        "title = \"x\";\nweeks = ( { sessions = (\n"
                                        "  { session = \"tiny-c\"; days_per_week = 1; } ); } );\n");
    RUN(&r, "--follow", broken);
    assert_int_equal(r.status, 2);
    char *tiny_c = in_dir("data/breathe/sessions/tiny-c.cfg");
    snprintf(expected, sizeof expected, "%s:2: ", tiny_c);
    assert_true(strncmp(r.err, expected, strlen(expected)) == 0);
    free(tiny_c);
    free(broken);
    char *state_file = in_dir("state/breathe/programme");
    assert_int_equal(access(state_file, F_OK), -1);   /* nothing followed by mistake */

    setenv("BREATHE_TODAY", "2026-02-30", 1);
    RUN(&r, "--follow", "two-weeks");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "breathe: BREATHE_TODAY must be a date like 2026-12-05, not "
                               "'2026-02-30'\n");
    RUN(&r, "--plan");
    assert_int_equal(r.status, 2);
    RUN(&r, "--today");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "breathe: BREATHE_TODAY must be a date like 2026-12-05, not "
                               "'2026-02-30'\n");
    setenv("BREATHE_TODAY", "2026-11-30", 1);

    make_folder("state/breathe");
    write_at("state/breathe/programme", "programme = \"two-weeks\";\nsince = \"30/11/2026\";\n");
    RUN(&r, "--plan");
    assert_int_equal(r.status, 2);
    snprintf(expected, sizeof expected, "%s:2: 'since' must be a date like \"2026-12-05\"\n",
             state_file);
    assert_string_equal(r.err, expected);
    free(state_file);
}

/* Following another programme replaces the first, and says so; --today
 * warns when the history is off, as the session would not count. */
static void another_programme_replaces_and_history_off_is_said(void **state)
{
    (void)state;
    write_at("data/breathe/programmes/one-week.cfg",
             "title = \"One week\";\n"
             "weeks = ( { sessions = ( { session = \"tiny-c\"; days_per_week = 7; } ); } );\n");
    result r;
    RUN(&r, "-q", "--follow", "two-weeks");
    setenv("BREATHE_TODAY", "2026-12-02", 1);
    RUN(&r, "--follow", "one-week");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Following One week (1 week) from today, Wednesday "
                                  "2026-12-02.\nIt replaces two-weeks, followed since Monday "
                                  "2026-11-30; the history keeps every session.\n"));
    write_at("config/breathe/config", "history = false;\n");
    RUN(&r, "--today", "-d", "no-such-device-at-all");
    assert_int_equal(r.status, 1);
    char *config = in_dir("config/breathe/config");
    char expected[1024];
    snprintf(expected, sizeof expected, "%s: warning: history = false: today's session is not "
             "recorded, so it will not count towards the programme\n", config);
    assert_true(strncmp(r.err, expected, strlen(expected)) == 0);
    free(config);
}

/* Live: a word before another session, then --today plays the session due
 * and the history counts it. The date is the real one, as the history's. */
static void today_plays_the_session_due_and_it_counts(void **state)
{
    (void)state;
    const char *source = getenv("BREATHE_SOURCE_DIR");
    assert_non_null(source);
    char alsa[4096];
    snprintf(alsa, sizeof alsa, "%s/tests/valgrind-alsa.conf", source);
    setenv("ALSA_CONFIG_PATH", alsa, 1);
    unsetenv("BREATHE_TODAY");
    write_at("config/breathe/config", "latency = 0.1;\n");
    result r;
    RUN(&r, "--list-devices", "--names");
    if (r.status != 0 || r.out[0] == '\0') {
        unsetenv("ALSA_CONFIG_PATH");
        skip();
    }
    RUN(&r, "-q", "--follow", "two-weeks");
    assert_int_equal(r.status, 0);
    RUN(&r, "--plan");
    char due[64];
    const char *today = strstr(r.out, "Today: ");
    assert_non_null(today);
    assert_int_equal(sscanf(today, "Today: %63[a-z-] ", due), 1);

    RUN(&r, "tiny-c");
    assert_int_equal(r.status, 0);
    char expected[256];
    snprintf(expected, sizeof expected, "Today's programme session is due: %s (breathe --today).\n",
             due);
    assert_true(strncmp(r.out, expected, strlen(expected)) == 0);

    RUN(&r, "--today");
    assert_int_equal(r.status, 0);
    snprintf(expected, sizeof expected, "Two weeks, week 1, day 1: %s (1 of ", due);
    assert_true(strncmp(r.out, expected, strlen(expected)) == 0);
    char *history = in_dir("state/breathe/history");
    char text[4096];
    testaudio_read_into(history, text, sizeof text);
    snprintf(expected, sizeof expected, "\tcompleted\t");
    assert_non_null(strstr(text, expected));
    snprintf(expected, sizeof expected, "\t%s\n", due);
    assert_non_null(strstr(text, expected));
    free(history);
    RUN(&r, "--plan");
    assert_non_null(strstr(r.out, "done today") ? strstr(r.out, "done today")
                                                : strstr(r.out, "1 of 4   due today"));
    unsetenv("ALSA_CONFIG_PATH");
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(not_following_is_an_error_that_says_how),
        TEST(follow_writes_the_state_and_keeps_it_when_followed_again),
        TEST(the_plan_follows_the_history),
        TEST(a_missed_week_is_done_again),
        TEST(mistakes_are_usage_or_file_errors),
        TEST(another_programme_replaces_and_history_off_is_said),
        TEST(today_plays_the_session_due_and_it_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
