/* The practice history: the line format, the calendar arithmetic checked
 * against the C library's, streaks across month and year ends, time zones
 * and daylight saving changes, and a file that is missing or damaged (read
 * with warnings, never changed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "user/history.h"
#include "testaudio.h"
#include "testreport.h"

/* Seconds since the epoch of a UTC calendar time, from the C library. */
static int64_t utc(int year, int month, int day, int hour, int minute, int second)
{
    struct tm t = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
                    .tm_hour = hour, .tm_min = minute, .tm_sec = second };
    return (int64_t)timegm(&t);
}

/* A record played at a local time with the given offset (in minutes). */
static history_record at_local(int year, int month, int day, int hour, int minute,
                               int offset_minutes, history_outcome outcome, int64_t played)
{
    history_record r = { .utc_offset = offset_minutes * 60, .outcome = outcome,
                         .planned_seconds = 600, .played_seconds = played };
    r.start = utc(year, month, day, hour, minute, 0) - r.utc_offset;
    snprintf(r.session, sizeof r.session, "box-breathing");
    return r;
}

static history_record done_on(int year, int month, int day)
{
    return at_local(year, month, day, 8, 0, 0, HISTORY_COMPLETED, 300);
}

static char *read_all(const char *path, size_t *size)
{
    char *text = testaudio_read_text(path, size);
    assert_non_null(text);
    return text;
}

static void write_all(const char *path, const char *text, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, size, f), size);
    fclose(f);
}

/* ---- calendar ---- */

static void test_day_numbers_match_the_c_library(void **state)
{
    (void)state;
    /* Every day from 1900 to 2100: leap years, 1900 and 2100 not leap, 2000 leap. */
    int64_t first = utc(1900, 1, 1, 12, 0, 0) / 86400 - 1;
    int64_t last = utc(2100, 12, 31, 12, 0, 0) / 86400;
    for (int64_t n = first; n <= last; n++) {
        time_t noon = (time_t)(n * 86400 + 43200);
        struct tm t;
        gmtime_r(&noon, &t);
        int year, month, day;
        history_civil_date(n, &year, &month, &day);
        if (year != t.tm_year + 1900 || month != t.tm_mon + 1 || day != t.tm_mday)
            fail_msg("day %lld: %d-%d-%d, not %d-%d-%d", (long long)n, year, month, day,
                     t.tm_year + 1900, t.tm_mon + 1, t.tm_mday);
        assert_int_equal(history_day_number(year, month, day), n);
    }
}

/* ---- one line ---- */

static void test_format_writes_local_time_with_offset(void **state)
{
    (void)state;
    char line[HISTORY_LINE_MAX];
    history_record r = at_local(2026, 11, 24, 7, 30, 60, HISTORY_COMPLETED, 357);
    r.start += 12;
    r.planned_seconds = 357;
    int n = history_format(line, sizeof line, &r);
    assert_int_equal(n, (int)strlen(line));
    assert_string_equal(line, "2026-11-24T07:30:12+01:00\tcompleted\t357\t357\tbox-breathing\n");

    /* West of UTC, with half hours; a session that runs until stopped; tabs
     * and line breaks in the session's path become spaces. */
    r = at_local(2026, 7, 1, 21, 5, -(2 * 60 + 30), HISTORY_STOPPED, 95);
    r.planned_seconds = -1;
    snprintf(r.session, sizeof r.session, "/home/ann/odd\tname\n.cfg");
    history_format(line, sizeof line, &r);
    assert_string_equal(line, "2026-07-01T21:05:00-02:30\tstopped\t-\t95\t/home/ann/odd name .cfg\n");

    /* The same instant is another date where it is already next year. */
    r = at_local(2026, 12, 31, 23, 30, 0, HISTORY_COMPLETED, 60);
    r.start = utc(2026, 12, 31, 23, 30, 0);
    r.utc_offset = 13 * 3600 + 45 * 60;   /* Chatham Islands in summer */
    history_format(line, sizeof line, &r);
    assert_true(strncmp(line, "2027-01-01T13:15:00+13:45\t", 26) == 0);

    /* Too small a buffer, or nonsense, gives -1, never a cut line. */
    assert_int_equal(history_format(line, 20, &r), -1);
    r.played_seconds = -5;
    assert_int_equal(history_format(line, sizeof line, &r), -1);
}

static void test_parse_reads_back_what_format_writes(void **state)
{
    (void)state;
    history_record records[] = {
        at_local(2026, 11, 24, 7, 30, 60, HISTORY_COMPLETED, 357),
        at_local(2024, 2, 29, 23, 59, -300, HISTORY_STOPPED, 0),
        at_local(1999, 12, 31, 0, 0, 330, HISTORY_COMPLETED, 86400),
    };
    records[1].planned_seconds = -1;
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
        char line[HISTORY_LINE_MAX], why[256];
        int n = history_format(line, sizeof line, &records[i]);
        assert_true(n > 0);
        line[n - 1] = '\0';
        history_record back;
        assert_int_equal(history_parse(line, &back, why, sizeof why), 0);
        assert_int_equal(back.start, records[i].start);
        assert_int_equal(back.utc_offset, records[i].utc_offset);
        assert_int_equal(back.outcome, records[i].outcome);
        assert_int_equal(back.planned_seconds, records[i].planned_seconds);
        assert_int_equal(back.played_seconds, records[i].played_seconds);
        assert_string_equal(back.session, records[i].session);
    }
}

static void test_parse_rejects_damaged_lines(void **state)
{
    (void)state;
    static const struct {
        const char *line, *why;
    } cases[] = {
        { "hello", "does not start with a time" },
        { "2026-11-24 07:30:12+01:00\tcompleted\t1\t1\tx", "does not start with a time" },
        { "2026-11-24T07:30:12Z\tcompleted\t1\t1\tx", "does not start with a time" },
        { "2026-11-24T25:30:12+01:00\tcompleted\t1\t1\tx", "does not start with a time" },
        { "2026-02-29T07:30:12+01:00\tcompleted\t1\t1\tx", "'2026-02-29' is not a date" },
        { "2026-13-01T07:30:12+01:00\tcompleted\t1\t1\tx", "'2026-13-01' is not a date" },
        { "2026-11-24T07:30:12+01:00", "needs 5 fields" },
        { "2026-11-24T07:30:12+01:00\tcompleted\t1\t1", "needs 5 fields" },
        { "2026-11-24T07:30:12+01:00\tdone\t1\t1\tx", "'done' is not an outcome" },
        { "2026-11-24T07:30:12+01:00\tstopped\tten\t1\tx", "planned length 'ten'" },
        { "2026-11-24T07:30:12+01:00\tstopped\t1\t-\tx", "played length '-'" },
        { "2026-11-24T07:30:12+01:00\tstopped\t1\t-4\tx", "played length '-4'" },
        { "2026-11-24T07:30:12+01:00\tstopped\t1\t1\t", "session field is empty" },
        { "2026-11-24T07:30:12+01:00x\tstopped\t1\t1\tx", "does not start with a time" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        history_record r;
        char why[256] = "";
        if (history_parse(cases[i].line, &r, why, sizeof why) != -1)
            fail_msg("accepted '%s'", cases[i].line);
        if (!strstr(why, cases[i].why))
            fail_msg("'%s': said '%s', not '%s'", cases[i].line, why, cases[i].why);
    }
    /* 2028 is a leap year. */
    history_record r;
    char why[256];
    assert_int_equal(history_parse("2028-02-29T07:30:12+01:00\tcompleted\t1\t1\tx", &r, why,
                                   sizeof why), 0);
    assert_int_equal(r.start, utc(2028, 2, 29, 6, 30, 12));
}

/* ---- time zones ---- */

static void test_utc_offset_follows_tz_and_daylight_saving(void **state)
{
    (void)state;
    char *saved = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    /* POSIX rules, so no time zone database is needed. */
    setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    tzset();
    assert_int_equal(history_utc_offset((time_t)utc(2026, 1, 15, 12, 0, 0)), 3600);
    assert_int_equal(history_utc_offset((time_t)utc(2026, 7, 15, 12, 0, 0)), 7200);
    /* The change on 2026-03-29 at 01:00 UTC. */
    assert_int_equal(history_utc_offset((time_t)utc(2026, 3, 29, 0, 59, 59)), 3600);
    assert_int_equal(history_utc_offset((time_t)utc(2026, 3, 29, 1, 0, 0)), 7200);
    setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
    tzset();
    assert_int_equal(history_utc_offset((time_t)utc(2026, 1, 15, 12, 0, 0)), -5 * 3600);
    assert_int_equal(history_utc_offset((time_t)utc(2026, 7, 15, 12, 0, 0)), -4 * 3600);
    setenv("TZ", "IST-5:30", 1);
    tzset();
    assert_int_equal(history_utc_offset((time_t)utc(2026, 7, 15, 12, 0, 0)), 5 * 3600 + 1800);
    if (saved) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
}

/* ---- numbers ---- */

static history_stats compute(const history_record *r, size_t n, int64_t now, int offset_minutes)
{
    history_stats s;
    history_compute(r, n, (time_t)now, offset_minutes * 60, &s);
    return s;
}

static void test_streaks_across_month_and_year_ends(void **state)
{
    (void)state;
    /* Jan 30 to Feb 2 (4 days); then a gap; Dec 30 to Jan 1 across a year. */
    history_record r[] = {
        done_on(2026, 1, 30), done_on(2026, 1, 31), done_on(2026, 2, 1), done_on(2026, 2, 2),
        done_on(2026, 2, 4),
        done_on(2026, 12, 30), done_on(2026, 12, 31), done_on(2027, 1, 1),
        done_on(2027, 1, 1),  /* two on one day count once */
    };
    history_stats s = compute(r, 9, utc(2027, 1, 1, 20, 0, 0), 0);
    assert_int_equal(s.current_streak, 3);
    assert_int_equal(s.longest_streak, 4);
    assert_int_equal(s.total_sessions, 9);
    assert_int_equal(s.total_seconds, 9 * 300);
    assert_int_equal(s.first_day, history_day_number(2026, 1, 30));

    /* Leap day: Feb 28, Feb 29 and Mar 1 2028 are 3 days in a row... */
    history_record leap[] = { done_on(2028, 2, 28), done_on(2028, 2, 29), done_on(2028, 3, 1) };
    s = compute(leap, 3, utc(2028, 3, 1, 9, 0, 0), 0);
    assert_int_equal(s.current_streak, 3);
    /* ...and in 2026, Feb 28 and Mar 1 are 2. */
    history_record plain[] = { done_on(2026, 2, 28), done_on(2026, 3, 1) };
    s = compute(plain, 2, utc(2026, 3, 1, 9, 0, 0), 0);
    assert_int_equal(s.current_streak, 2);
    assert_int_equal(s.longest_streak, 2);
}

static void test_current_streak_lasts_until_today_is_over(void **state)
{
    (void)state;
    history_record r[] = { done_on(2026, 11, 20), done_on(2026, 11, 21), done_on(2026, 11, 22) };
    /* The day after: today has nothing yet, the streak still stands. */
    assert_int_equal(compute(r, 3, utc(2026, 11, 23, 23, 0, 0), 0).current_streak, 3);
    /* Two days after: it is broken. The longest stays. */
    history_stats s = compute(r, 3, utc(2026, 11, 24, 0, 30, 0), 0);
    assert_int_equal(s.current_streak, 0);
    assert_int_equal(s.longest_streak, 3);
    /* No history at all. */
    s = compute(NULL, 0, utc(2026, 11, 24, 0, 30, 0), 0);
    assert_int_equal(s.current_streak, 0);
    assert_int_equal(s.longest_streak, 0);
    assert_int_equal(s.total_sessions, 0);
    assert_int_equal(s.first_day, -1);
}

static void test_short_stopped_sessions_do_not_make_a_streak_day(void **state)
{
    (void)state;
    history_record r[] = {
        done_on(2026, 11, 20),
        at_local(2026, 11, 21, 8, 0, 0, HISTORY_STOPPED, 59),   /* under a minute */
        done_on(2026, 11, 22),
        at_local(2026, 11, 23, 8, 0, 0, HISTORY_STOPPED, 60),   /* a minute: counts */
    };
    history_stats s = compute(r, 4, utc(2026, 11, 23, 12, 0, 0), 0);
    assert_int_equal(s.current_streak, 2);
    assert_int_equal(s.longest_streak, 2);
    assert_int_equal(s.total_sessions, 4);   /* every session is still counted */
    assert_int_equal(s.total_seconds, 300 + 59 + 300 + 60);
}

/* A session belongs to the date where it was played; "today" is the date
 * where --stats runs. */
static void test_days_follow_local_dates_and_time_zones(void **state)
{
    (void)state;
    /* 20:00 on Dec 31 in Los Angeles is 04:00 on Jan 1 UTC. */
    history_record r[] = { at_local(2026, 12, 31, 20, 0, -8 * 60, HISTORY_COMPLETED, 600) };
    int64_t now = utc(2027, 1, 1, 6, 0, 0);
    history_stats la = compute(r, 1, now, -8 * 60);     /* still Dec 31 there */
    assert_int_equal(la.today, history_day_number(2026, 12, 31));
    assert_int_equal(la.current_streak, 1);
    assert_int_equal(la.day_seconds[HISTORY_CHART_DAYS - 1], 600);
    history_stats paris = compute(r, 1, now, 60);       /* Jan 1 in Paris */
    assert_int_equal(paris.today, history_day_number(2027, 1, 1));
    assert_int_equal(paris.current_streak, 1);          /* yesterday's still stands */
    assert_int_equal(paris.day_seconds[HISTORY_CHART_DAYS - 2], 600);
    assert_int_equal(paris.day_seconds[HISTORY_CHART_DAYS - 1], 0);
    /* Kiritimati (+14:00) is already Jan 2 at 10:00 UTC on Jan 1. */
    history_stats far = compute(r, 1, utc(2027, 1, 1, 10, 0, 0), 14 * 60);
    assert_int_equal(far.today, history_day_number(2027, 1, 2));
    assert_int_equal(far.current_streak, 0);
}

static void test_daylight_saving_days_are_whole_days(void **state)
{
    (void)state;
    /* Central Europe, 2026-03-29: 02:00 becomes 03:00, a 23-hour day. */
    history_record r[] = {
        at_local(2026, 3, 28, 23, 30, 60, HISTORY_COMPLETED, 300),
        at_local(2026, 3, 29, 0, 30, 60, HISTORY_COMPLETED, 300),   /* before the change */
        at_local(2026, 3, 29, 23, 30, 120, HISTORY_COMPLETED, 300), /* after it */
        at_local(2026, 3, 30, 0, 15, 120, HISTORY_COMPLETED, 300),
    };
    history_stats s = compute(r, 4, utc(2026, 3, 30, 6, 0, 0), 120);
    assert_int_equal(s.current_streak, 3);
    assert_int_equal(s.day_sessions[HISTORY_CHART_DAYS - 2], 2);   /* Mar 29 */
    assert_int_equal(s.day_sessions[HISTORY_CHART_DAYS - 1], 1);   /* Mar 30 */
    /* Autumn, 2026-10-25: 03:00 becomes 02:00, a 25-hour day; 02:30 happens twice. */
    history_record autumn[] = {
        at_local(2026, 10, 25, 2, 30, 120, HISTORY_COMPLETED, 300),
        at_local(2026, 10, 25, 2, 30, 60, HISTORY_COMPLETED, 300),
        at_local(2026, 10, 26, 0, 5, 60, HISTORY_COMPLETED, 300),
    };
    s = compute(autumn, 3, utc(2026, 10, 26, 12, 0, 0), 60);
    assert_int_equal(s.current_streak, 2);
    assert_int_equal(s.day_sessions[HISTORY_CHART_DAYS - 2], 2);
}

static void test_week_runs_from_monday_and_chart_from_13_days_ago(void **state)
{
    (void)state;
    /* 2026-11-23 is a Monday, 2026-11-29 a Sunday. */
    history_record r[] = {
        at_local(2026, 11, 22, 23, 50, 0, HISTORY_COMPLETED, 100),  /* Sunday before */
        at_local(2026, 11, 23, 0, 10, 0, HISTORY_COMPLETED, 200),   /* Monday */
        at_local(2026, 11, 29, 23, 0, 0, HISTORY_STOPPED, 30),      /* Sunday */
        at_local(2026, 11, 16, 9, 0, 0, HISTORY_COMPLETED, 400),    /* 13 days before */
        at_local(2026, 11, 15, 9, 0, 0, HISTORY_COMPLETED, 800),    /* 14 days before */
    };
    history_stats s = compute(r, 5, utc(2026, 11, 29, 23, 30, 0), 0);
    assert_int_equal(s.week_sessions, 2);
    assert_int_equal(s.week_seconds, 230);
    assert_int_equal(s.day_seconds[0], 400);                       /* Nov 16 */
    assert_int_equal(s.day_seconds[6], 100);                       /* Nov 22 */
    assert_int_equal(s.day_seconds[7], 200);                       /* Nov 23 */
    assert_int_equal(s.day_seconds[13], 30);                       /* Nov 29 */
    int64_t charted = 0;
    for (int i = 0; i < HISTORY_CHART_DAYS; i++)
        charted += s.day_seconds[i];
    assert_int_equal(charted, 400 + 100 + 200 + 30);
    /* On the Monday itself, the week is that day alone. */
    s = compute(r, 5, utc(2026, 11, 23, 12, 0, 0), 0);
    assert_int_equal(s.week_sessions, 1);
    assert_int_equal(s.week_seconds, 200);
}

static void test_print_shows_the_numbers(void **state)
{
    (void)state;
    history_record r[] = {
        at_local(2026, 11, 10, 7, 0, 60, HISTORY_COMPLETED, 357),
        at_local(2026, 11, 23, 8, 0, 60, HISTORY_COMPLETED, 960),
        at_local(2026, 11, 24, 6, 0, 60, HISTORY_COMPLETED, 3600 + 25 * 60),
        at_local(2026, 11, 24, 18, 0, 60, HISTORY_STOPPED, 20),
    };
    history_stats s = compute(r, 4, utc(2026, 11, 24, 20, 0, 0), 60);
    char text[4096] = "";
    FILE *out = fmemopen(text, sizeof text, "w");
    history_print(&s, out);
    fclose(out);
    /* This week: Mon 23 and Tue 24: 960 + 5100 + 20 s = 101 min. */
    assert_non_null(strstr(text, "This week:   3 sessions, 1 h 41 min\n"));
    /* In total: + 357 s = 6437 s = 107 min. */
    assert_non_null(strstr(text, "In total:    4 sessions, 1 h 47 min, since Tue 2026-11-10\n"));
    assert_non_null(strstr(text, "Streak:      2 days (longest 2 days)\n"));
    assert_non_null(strstr(text, "\nLast 14 days:\n  Wed 11-11          -\n"));
    /* The longest day has the full bar of 30; 960 s of 5120 s is 6 (rounded up). */
    assert_non_null(strstr(text, "  Tue 11-24  1 h 25 min  ##############################\n"));
    assert_non_null(strstr(text, "  Mon 11-23     16 min  ######\n"));
    int lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 3 + 2 + HISTORY_CHART_DAYS);

    s = compute(NULL, 0, utc(2026, 11, 24, 20, 0, 0), 0);
    out = fmemopen(text, sizeof text, "w");
    history_print(&s, out);
    fclose(out);
    assert_non_null(strstr(text, "No sessions recorded yet"));
}

/* ---- the file ---- */

/* fsync as the history module calls it (this definition takes the place of
 * the C library's in this program): counts the calls, notes how much of
 * the file was written by then, and syncs for real. */
static int fsync_calls;
static off_t size_when_synced;

int fsync(int fd)
{
    struct stat st;
    fsync_calls++;
    size_when_synced = fstat(fd, &st) == 0 ? st.st_size : -1;
    return fdatasync(fd);
}

static void test_append_syncs_the_line_to_disk(void **state)
{
    (void)state;
    char *path = testaudio_path(testaudio_dir, "synced/history");
    history_record a = at_local(2026, 11, 23, 8, 0, 60, HISTORY_COMPLETED, 357);
    char expected[HISTORY_LINE_MAX];
    int n = history_format(expected, sizeof expected, &a);
    fsync_calls = 0;
    assert_int_equal(history_append(path, &a, REPORT_TO_STDERR), 0);
    assert_int_equal(fsync_calls, 1);
    assert_int_equal(size_when_synced, n);
    assert_int_equal(history_append(path, &a, REPORT_TO_STDERR), 0);
    assert_int_equal(fsync_calls, 2);
    assert_int_equal(size_when_synced, 2 * n);
    free(path);
}

static void test_append_creates_and_only_appends(void **state)
{
    (void)state;
    char *path = testaudio_path(testaudio_dir, "state/breathe/history");
    history_record a = at_local(2026, 11, 23, 8, 0, 60, HISTORY_COMPLETED, 357);
    history_record b = at_local(2026, 11, 24, 8, 0, 60, HISTORY_STOPPED, 42);
    assert_int_equal(history_append(path, &a, REPORT_TO_STDERR), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    size_t size;
    char *first = read_all(path, &size);
    char expected[2 * HISTORY_LINE_MAX];
    int n = history_format(expected, sizeof expected, &a);
    assert_int_equal(size, (size_t)n);
    assert_string_equal(first, expected);
    assert_int_equal(history_append(path, &b, REPORT_TO_STDERR), 0);
    char *second = read_all(path, &size);
    history_format(expected + n, sizeof expected - (size_t)n, &b);
    assert_string_equal(second, expected);

    history_record *records;
    size_t count;
    assert_int_equal(history_read(path, &records, &count, REPORT_TO_STDERR), 0);
    assert_int_equal(count, 2);
    assert_int_equal(records[1].played_seconds, 42);
    assert_int_equal(records[1].outcome, HISTORY_STOPPED);
    free(records);
    free(first);
    free(second);
    free(path);
}

static void test_missing_file_is_an_empty_history(void **state)
{
    (void)state;
    char *path = testaudio_path(testaudio_dir, "nothing/history");
    history_record *records = (history_record *)1;
    size_t count = 99;
    char message[256] = "";
    FILE *err = fmemopen(message, sizeof message, "w");
    assert_int_equal(history_read(path, &records, &count, REPORT_TO(err)), 0);
    fclose(err);
    assert_int_equal(count, 0);
    assert_null(records);
    assert_string_equal(message, "");
    assert_int_equal(access(path, F_OK), -1);   /* reading creates nothing */
    free(path);
}

/* Damaged lines are skipped with their line numbers; the file is never
 * changed by reading, and appending after a cut line starts a new one. */
static void test_damaged_file_is_read_around_and_kept(void **state)
{
    (void)state;
    char *path = testaudio_path(testaudio_dir, "damaged");
    static const char damaged[] =
        "2026-11-20T08:00:00+00:00\tcompleted\t300\t300\tbox-breathing\n"
        "this is not a record\n"
        "\n"
        "2026-11-21T08:00:00+00:00\tcompleted\t300\t300\tbox-breathing\n"
        "2026-11-22T08:00:00+00:00\tfinished\t300\t300\tbox-breathing\n"
        "2026-11-23T08:00:00+00:00\tcompleted\t300\t300\tbox\0breathing\n"
        "2026-11-24T08:00:00+00:00\tcompleted\t300\t300\tbox-brea";   /* cut short */
    write_all(path, damaged, sizeof damaged - 1);
    char message[2048] = "";
    FILE *err = fmemopen(message, sizeof message, "w");
    history_record *records;
    size_t count;
    assert_int_equal(history_read(path, &records, &count, REPORT_TO(err)), 0);
    fclose(err);
    /* Lines 1 and 4 are good; what is left of line 7 still reads as one. */
    assert_int_equal(count, 3);
    assert_int_equal(records[0].start, utc(2026, 11, 20, 8, 0, 0));
    assert_int_equal(records[1].start, utc(2026, 11, 21, 8, 0, 0));
    assert_string_equal(records[2].session, "box-brea");
    free(records);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s:2: warning: skipped: it does not start with a time like 2026-11-24T07:30:12+01:00\n"
             "%s:5: warning: skipped: 'finished' is not an outcome; it is 'completed' or 'stopped'\n"
             "%s:6: warning: skipped: it holds a NUL byte\n",
             path, path, path);
    assert_string_equal(message, expected);
    size_t size;
    char *after = read_all(path, &size);
    assert_int_equal(size, sizeof damaged - 1);
    assert_memory_equal(after, damaged, size);
    free(after);

    history_record next = done_on(2026, 11, 25);
    assert_int_equal(history_append(path, &next, REPORT_TO_STDERR), 0);
    after = read_all(path, &size);
    char line[HISTORY_LINE_MAX];
    int n = history_format(line, sizeof line, &next);
    assert_int_equal(size, sizeof damaged - 1 + 1 + (size_t)n);
    assert_memory_equal(after, damaged, sizeof damaged - 1);    /* untouched */
    assert_int_equal(after[sizeof damaged - 1], '\n');
    assert_memory_equal(after + sizeof damaged, line, (size_t)n);
    free(after);
    assert_int_equal(history_read(path, &records, &count, REPORT_TO_STDERR), 0);
    assert_int_equal(count, 4);
    assert_int_equal(records[3].start, next.start);
    free(records);
    free(path);
}

static void test_many_damaged_lines_are_summed_up(void **state)
{
    (void)state;
    char *path = testaudio_path(testaudio_dir, "noise");
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 25; i++)
        fprintf(f, "noise %d\n", i);
    fclose(f);
    char message[4096] = "";
    FILE *err = fmemopen(message, sizeof message, "w");
    history_record *records;
    size_t count;
    assert_int_equal(history_read(path, &records, &count, REPORT_TO(err)), 0);
    fclose(err);
    assert_int_equal(count, 0);
    free(records);
    char last[600];
    snprintf(last, sizeof last, "%s:10: warning", path);
    assert_non_null(strstr(message, last));
    snprintf(last, sizeof last, "%s:11: warning", path);
    assert_null(strstr(message, last));
    snprintf(last, sizeof last, "%s: warning: 15 more lines skipped\n", path);
    assert_non_null(strstr(message, last));
    free(path);
}

static void test_unwritable_history_only_warns(void **state)
{
    (void)state;
    /* A file where the folder should be. */
    char *blocker = testaudio_path(testaudio_dir, "blocker");
    write_all(blocker, "x", 1);
    char *path = testaudio_path(testaudio_dir, "blocker/breathe/history");
    char message[1024] = "";
    FILE *err = fmemopen(message, sizeof message, "w");
    history_record r = done_on(2026, 11, 24);
    assert_int_equal(history_append(path, &r, REPORT_TO(err)), 1);
    fclose(err);
    assert_non_null(strstr(message, "warning: the session was not recorded in"));
    assert_non_null(strstr(message, path));
    free(path);
    free(blocker);
}

static void test_path_follows_xdg_then_home(void **state)
{
    (void)state;
    char *path = history_path("/x/state", "/home/ann");
    assert_string_equal(path, "/x/state/breathe/history");
    free(path);
    path = history_path("", "/home/ann");
    assert_string_equal(path, "/home/ann/.local/state/breathe/history");
    free(path);
    assert_null(history_path(NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_numbers_match_the_c_library),
        cmocka_unit_test(test_format_writes_local_time_with_offset),
        cmocka_unit_test(test_parse_reads_back_what_format_writes),
        cmocka_unit_test(test_parse_rejects_damaged_lines),
        cmocka_unit_test(test_utc_offset_follows_tz_and_daylight_saving),
        cmocka_unit_test(test_streaks_across_month_and_year_ends),
        cmocka_unit_test(test_current_streak_lasts_until_today_is_over),
        cmocka_unit_test(test_short_stopped_sessions_do_not_make_a_streak_day),
        cmocka_unit_test(test_days_follow_local_dates_and_time_zones),
        cmocka_unit_test(test_daylight_saving_days_are_whole_days),
        cmocka_unit_test(test_week_runs_from_monday_and_chart_from_13_days_ago),
        cmocka_unit_test(test_print_shows_the_numbers),
        cmocka_unit_test(test_append_creates_and_only_appends),
        cmocka_unit_test(test_append_syncs_the_line_to_disk),
        cmocka_unit_test(test_missing_file_is_an_empty_history),
        cmocka_unit_test(test_damaged_file_is_read_around_and_kept),
        cmocka_unit_test(test_many_damaged_lines_are_summed_up),
        cmocka_unit_test(test_unwritable_history_only_warns),
        cmocka_unit_test(test_path_follows_xdg_then_home),
    };
    return cmocka_run_group_tests(tests, testaudio_dir_setup, testaudio_dir_teardown);
}
