/* history.c: appending to, reading and summing the practice history (see
 * history.h for the file's format). Dates are handled as day numbers in
 * plain integer arithmetic, so month and year ends, leap years and daylight
 * saving changes need no special cases. */
#include "user/history.h"

#include "base/clock.h"
#include "base/savefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "user/xdgpath.h"

/* Why a line is skipped ("PATH:LINE: warning: skipped: why"). */
#define WHY_TIME        "it does not start with a time like 2026-11-24T07:30:12+01:00"
#define WHY_DATE        "'%.10s' is not a date in the calendar"
#define WHY_FIELDS      "it needs 5 fields separated by tabs (time, outcome, planned, played, session)"
#define WHY_OUTCOME     "'%s' is not an outcome; it is 'completed' or 'stopped'"
#define WHY_SECONDS     "the %s length '%s' is not a whole number of seconds"
#define WHY_NO_SESSION  "the session field is empty"
#define WHY_NUL         "it holds a NUL byte"
/* Other messages: warnings at a line of the file, about the whole file,
 * and (with no file) about the history as a whole. */
#define MSG_SKIPPED     "skipped: %s"
#define MSG_MORE_LINES  "%zu more lines skipped"
#define MSG_NOT_WRITTEN "the session was not recorded in %s: %s"
#define MSG_NOT_READ    "cannot read the history %s: %s"

enum { SECONDS_PER_DAY = CLOCK_SECONDS_PER_DAY, WARNINGS_SHOWN = 10, BAR_WIDTH = 30 };

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days from 1970-01-01 in the proleptic Gregorian calendar (eras of 400
 * years, each 146097 days, counted from March so leap days come last). */
int64_t history_day_number(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = floor_div(y, 400);
    int64_t year_of_era = y - era * 400;
    int64_t month_from_march = (month + 9) % 12;
    int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

void history_civil_date(int64_t day_number, int *year, int *month, int *day)
{
    int64_t z = day_number + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t day_of_era = z - era * 146097;
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_from_march = (5 * day_of_year + 2) / 153;
    *day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    *month = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    *year = (int)(year_of_era + era * 400 + (*month <= 2));
}

/* Monday 0 ... Sunday 6; day 0 (1970-01-01) was a Thursday. */
static int weekday(int64_t day_number)
{
    return (int)(day_number + 3 - floor_div(day_number + 3, 7) * 7);
}

static const char *weekday_name(int64_t day_number)
{
    static const char *const names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    return names[weekday(day_number)];
}

static int64_t record_day(const history_record *r)
{
    return floor_div(r->start + r->utc_offset, SECONDS_PER_DAY);
}

char *history_path(const char *xdg_state_home, const char *home)
{
    return xdgpath_user(XDGPATH_STATE, xdg_state_home, home, "history");
}

int history_utc_offset(time_t t)
{
    struct tm local;
    if (!localtime_r(&t, &local))
        return 0;
    return (int)local.tm_gmtoff;
}

/* ---- one line ---- */

int history_format(char *line, size_t size, const history_record *r)
{
    if (r->utc_offset <= -24 * 3600 || r->utc_offset >= 24 * 3600 || r->played_seconds < 0
        || r->planned_seconds < -1)
        return -1;
    int64_t local = r->start + r->utc_offset;
    int64_t day = floor_div(local, SECONDS_PER_DAY);
    int64_t second_of_day = local - day * SECONDS_PER_DAY;
    int year, month, date;
    history_civil_date(day, &year, &month, &date);
    if (year < 0 || year > 9999)
        return -1;
    int offset_minutes = abs(r->utc_offset) / 60;
    char planned[24];
    if (r->planned_seconds < 0)
        snprintf(planned, sizeof planned, "-");
    else
        snprintf(planned, sizeof planned, "%lld", (long long)r->planned_seconds);
    char session[HISTORY_SESSION_MAX];
    snprintf(session, sizeof session, "%s", r->session);
    for (char *p = session; *p; p++)
        if (*p == '\t' || *p == '\n' || *p == '\r')
            *p = ' ';
    int n = snprintf(line, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d\t%s\t%s\t%lld\t%s\n",
                     year, month, date, (int)(second_of_day / 3600),
                     (int)(second_of_day / 60 % 60), (int)(second_of_day % 60),
                     r->utc_offset < 0 ? '-' : '+', offset_minutes / 60, offset_minutes % 60,
                     r->outcome == HISTORY_COMPLETED ? "completed" : "stopped", planned,
                     (long long)r->played_seconds, session[0] ? session : "?");
    return n > 0 && (size_t)n < size ? n : -1;
}

/* `count` digits at text as a number, or -1. */
static int digits(const char *text, int count)
{
    int value = 0;
    for (int i = 0; i < count; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

/* "2026-11-24T07:30:12+01:00": 25 characters. */
static int parse_time(const char *text, history_record *r, char *why, size_t why_size)
{
    if (strlen(text) < 25 || text[4] != '-' || text[7] != '-' || text[10] != 'T'
        || text[13] != ':' || text[16] != ':' || (text[19] != '+' && text[19] != '-')
        || text[22] != ':') {
        snprintf(why, why_size, WHY_TIME);
        return -1;
    }
    int year = digits(text, 4), month = digits(text + 5, 2), day = digits(text + 8, 2);
    int hour = digits(text + 11, 2), minute = digits(text + 14, 2), second = digits(text + 17, 2);
    int offset_hours = digits(text + 20, 2), offset_minutes = digits(text + 23, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0
        || offset_hours < 0 || offset_minutes < 0 || hour > 23 || minute > 59 || second > 60
        || offset_hours > 23 || offset_minutes > 59) {
        snprintf(why, why_size, WHY_TIME);
        return -1;
    }
    int64_t day_number = history_day_number(year, month, day);
    int check_year, check_month, check_day;
    history_civil_date(day_number, &check_year, &check_month, &check_day);
    if (month < 1 || month > 12 || check_year != year || check_month != month
        || check_day != day) {
        snprintf(why, why_size, WHY_DATE, text);
        return -1;
    }
    int offset = (offset_hours * 60 + offset_minutes) * 60 * (text[19] == '-' ? -1 : 1);
    r->utc_offset = offset;
    r->start = day_number * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset;
    return 0;
}

static int parse_seconds(const char *text, const char *which, bool dash_allowed, int64_t *out,
                         char *why, size_t why_size)
{
    if (dash_allowed && strcmp(text, "-") == 0) {
        *out = -1;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (!*text || *end || errno || value < 0 || text[0] == '+' || text[0] == ' ') {
        snprintf(why, why_size, WHY_SECONDS, which, text);
        return -1;
    }
    *out = value;
    return 0;
}

int history_parse(const char *line, history_record *r, char *why, size_t why_size)
{
    memset(r, 0, sizeof *r);
    if (parse_time(line, r, why, why_size) != 0)
        return -1;
    if (line[25] != '\t') {
        snprintf(why, why_size, line[25] ? WHY_TIME : WHY_FIELDS);
        return -1;
    }
    /* outcome, planned, played, then the session: the rest of the line. */
    char fields[3][32];
    const char *p = line + 26;
    for (int i = 0; i < 3; i++) {
        size_t n = strcspn(p, "\t");
        if (p[n] != '\t') {
            snprintf(why, why_size, WHY_FIELDS);
            return -1;
        }
        snprintf(fields[i], sizeof fields[i], "%.*s", (int)(n < 31 ? n : 31), p);
        p += n + 1;
    }
    if (strcmp(fields[0], "completed") == 0) {
        r->outcome = HISTORY_COMPLETED;
    } else if (strcmp(fields[0], "stopped") == 0) {
        r->outcome = HISTORY_STOPPED;
    } else {
        snprintf(why, why_size, WHY_OUTCOME, fields[0]);
        return -1;
    }
    if (parse_seconds(fields[1], "planned", true, &r->planned_seconds, why, why_size) != 0
        || parse_seconds(fields[2], "played", false, &r->played_seconds, why, why_size) != 0)
        return -1;
    if (!*p) {
        snprintf(why, why_size, WHY_NO_SESSION);
        return -1;
    }
    snprintf(r->session, sizeof r->session, "%s", p);
    return 0;
}

/* ---- the file ---- */

int history_append(const char *path, const history_record *r, const report_sink *report)
{
    char line[HISTORY_LINE_MAX + 1];
    line[0] = '\n';   /* used only after a line left unfinished */
    int n = history_format(line + 1, sizeof line - 1, r);
    if (!path || n < 0) {
        report_warning(report, NULL, 0, MSG_NOT_WRITTEN, path ? path : "the history (no HOME)",
                       "the record does not fit the format");
        return 1;
    }
    if (savefile_make_parents(path) != 0) {
        report_warning(report, NULL, 0, MSG_NOT_WRITTEN, path, strerror(errno));
        return 1;
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        report_warning(report, NULL, 0, MSG_NOT_WRITTEN, path, strerror(errno));
        return 1;
    }
    /* A line cut short before (a full disk, a crash) must not swallow this
     * one: start on a line of its own. */
    struct stat st;
    char last = '\n';
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        int reader = open(path, O_RDONLY | O_CLOEXEC);
        if (reader >= 0) {
            if (pread(reader, &last, 1, st.st_size - 1) != 1)
                last = '\n';
            close(reader);
        }
    }
    const char *start = last == '\n' ? line + 1 : line;
    size_t length = (size_t)n + (last == '\n' ? 0 : 1);
    ssize_t written = write(fd, start, length);
    int saved = errno;
    /* On the disk before breathe says the session is over: a power cut
     * right after it keeps the line. EINVAL: a file that cannot be synced
     * (a FIFO, /dev/null) has nothing to keep. */
    int synced = 0;
    if (written == (ssize_t)length && fsync(fd) != 0 && errno != EINVAL) {
        synced = -1;
        saved = errno;
    }
    int closed = close(fd);
    if (written != (ssize_t)length || synced != 0 || closed != 0) {
        report_warning(report, NULL, 0, MSG_NOT_WRITTEN, path,
                       written < 0 || synced != 0 ? strerror(saved)
                       : closed != 0              ? strerror(errno)
                                                  : "short write");
        return 1;
    }
    return 0;
}

int history_read(const char *path, history_record **records, size_t *count,
                 const report_sink *report)
{
    *records = NULL;
    *count = 0;
    if (!path)
        return 0;
    FILE *file = fopen(path, "r");
    if (!file) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        report_error(report, NULL, 0, MSG_NOT_READ, path, strerror(errno));
        return 1;
    }
    size_t capacity = 0, line_number = 0, skipped = 0;
    char *line = NULL;
    size_t line_size = 0;
    ssize_t got;
    int result = 0;
    while ((got = getline(&line, &line_size, file)) >= 0) {
        line_number++;
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        if (got == 0)
            continue;
        history_record record;
        char why[256];
        if (strlen(line) != (size_t)got) {
            snprintf(why, sizeof why, WHY_NUL);
        } else if (history_parse(line, &record, why, sizeof why) == 0) {
            if (*count == capacity) {
                size_t more = capacity ? capacity * 2 : 64;
                history_record *grown = realloc(*records, more * sizeof *grown);
                if (!grown) {
                    report_error(report, NULL, 0, MSG_NOT_READ, path, strerror(ENOMEM));
                    result = 1;
                    break;
                }
                *records = grown;
                capacity = more;
            }
            (*records)[(*count)++] = record;
            continue;
        }
        if (++skipped <= WARNINGS_SHOWN)
            report_warning(report, path, (int)line_number, MSG_SKIPPED, why);
    }
    if (skipped > WARNINGS_SHOWN)
        report_warning(report, path, 0, MSG_MORE_LINES, skipped - WARNINGS_SHOWN);
    if (ferror(file) && result == 0) {
        report_error(report, NULL, 0, MSG_NOT_READ, path, strerror(errno));
        result = 1;
    }
    free(line);
    fclose(file);
    if (result != 0) {
        free(*records);
        *records = NULL;
        *count = 0;
    }
    return result;
}

/* ---- the numbers ---- */

static int compare_days(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static bool counts_for_streak(const history_record *r)
{
    return r->outcome == HISTORY_COMPLETED || r->played_seconds >= 60;
}

void history_compute(const history_record *records, size_t count, time_t now,
                     int now_utc_offset, history_stats *s)
{
    memset(s, 0, sizeof *s);
    s->first_day = -1;
    s->today = floor_div((int64_t)now + now_utc_offset, SECONDS_PER_DAY);
    int64_t monday = s->today - weekday(s->today);
    int64_t chart_first = s->today - (HISTORY_CHART_DAYS - 1);
    int64_t *days = malloc((count ? count : 1) * sizeof *days);
    size_t day_count = 0;
    for (size_t i = 0; i < count; i++) {
        const history_record *r = &records[i];
        int64_t day = record_day(r);
        s->total_sessions++;
        s->total_seconds += r->played_seconds;
        if (s->first_day < 0 || day < s->first_day)
            s->first_day = day;
        if (day >= monday && day <= s->today) {
            s->week_sessions++;
            s->week_seconds += r->played_seconds;
        }
        if (day >= chart_first && day <= s->today) {
            s->day_sessions[day - chart_first]++;
            s->day_seconds[day - chart_first] += r->played_seconds;
        }
        if (days && day <= s->today && counts_for_streak(r))
            days[day_count++] = day;
    }
    if (!days)
        return;
    qsort(days, day_count, sizeof *days, compare_days);
    int run = 0;
    int64_t previous = 0;
    for (size_t i = 0; i < day_count; i++) {
        if (i > 0 && days[i] == previous)
            continue;
        run = i > 0 && days[i] == previous + 1 ? run + 1 : 1;
        previous = days[i];
        if (run > s->longest_streak)
            s->longest_streak = run;
    }
    /* The last run is current while it reaches today, or yesterday (today
     * is not over yet). */
    if (day_count > 0 && previous >= s->today - 1)
        s->current_streak = run;
    free(days);
}

static void format_minutes(char *out, size_t size, int64_t seconds)
{
    int64_t minutes = (seconds + 30) / 60;
    if (seconds > 0 && minutes == 0)
        snprintf(out, size, "<1 min");
    else if (minutes < 60)
        snprintf(out, size, "%lld min", (long long)minutes);
    else
        snprintf(out, size, "%lld h %02lld min", (long long)(minutes / 60),
                 (long long)(minutes % 60));
}

static const char *plural(int64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

void history_print(const history_stats *s, FILE *out)
{
    char time[32];
    if (s->total_sessions == 0) {
        fprintf(out, "No sessions recorded yet: live sessions are recorded as they end.\n");
        return;
    }
    format_minutes(time, sizeof time, s->week_seconds);
    fprintf(out, "This week:   %lld %s, %s\n", (long long)s->week_sessions,
            plural(s->week_sessions, "session", "sessions"), time);
    format_minutes(time, sizeof time, s->total_seconds);
    int year, month, day;
    history_civil_date(s->first_day, &year, &month, &day);
    fprintf(out, "In total:    %lld %s, %s, since %s %04d-%02d-%02d\n",
            (long long)s->total_sessions, plural(s->total_sessions, "session", "sessions"), time,
            weekday_name(s->first_day), year, month, day);
    fprintf(out, "Streak:      %d %s (longest %d %s)\n", s->current_streak,
            plural(s->current_streak, "day", "days"), s->longest_streak,
            plural(s->longest_streak, "day", "days"));
    fprintf(out, "\nLast %d days:\n", HISTORY_CHART_DAYS);
    int64_t most = 0;
    for (int i = 0; i < HISTORY_CHART_DAYS; i++)
        most = s->day_seconds[i] > most ? s->day_seconds[i] : most;
    for (int i = 0; i < HISTORY_CHART_DAYS; i++) {
        int64_t number = s->today - (HISTORY_CHART_DAYS - 1) + i;
        history_civil_date(number, &year, &month, &day);
        char bar[BAR_WIDTH + 1] = "";
        if (most > 0 && s->day_sessions[i] > 0) {
            int width = (int)((s->day_seconds[i] * BAR_WIDTH + most - 1) / most);
            width = width < 1 ? 1 : width;
            memset(bar, '#', (size_t)width);
            bar[width] = '\0';
        }
        if (s->day_sessions[i] > 0)
            format_minutes(time, sizeof time, s->day_seconds[i]);
        else
            snprintf(time, sizeof time, "-");
        fprintf(out, "  %s %02d-%02d  %9s%s%s\n", weekday_name(number), month, day, time,
                bar[0] ? "  " : "", bar);
    }
}
