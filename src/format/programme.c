/* programme.c: reading and checking programme files (breathe-programme(5)).
 *
 * The file's text is read and vetted first (a short regular file, UTF-8
 * without a byte order mark, no @include: a programme is one file), then
 * libconfig parses it from memory and the tree is walked once, group by
 * group, the way session.c walks a session: names that do not belong are
 * rejected with a "did you mean", and each known setting is read with a
 * reader for its kind of value. The first problem is reported at its line
 * and the partly built programme is freed. */
#include "format/programme.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/text.h"
#include "format/messages.h"
#include "format/setting_words.h"

enum { SHOWN_MAX = 80 };

static const char *const top_names[] = {
    "format", "title", "description", "author", "move_on", "step_back_after", "weeks", NULL
};
static const char *const week_names[] = { "title", "note", "sessions", NULL };
static const char *const dose_names[] = {
    "session", "days", "days_per_week", "times_per_day", NULL
};
static const char *const day_names[WEEKDAY_COUNT + 1] = {
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL
};

const char *weekday_short_name(weekday day)
{
    return (int)day >= 0 && day < WEEKDAY_COUNT ? day_names[day] : "?";
}

int programme_dose_per_week(const programme_dose *dose)
{
    return dose->times_per_day * dose->days_per_week;
}

typedef struct {
    const char *path;
    const report_sink *report;
    bool out_of_memory;
} reader;

/* ---- Reporting ---- */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail_at_line(reader *r, unsigned line, const char *format, ...)
{
    if (strcmp(format, MSG_OUT_OF_MEMORY) == 0)
        r->out_of_memory = true;
    char message[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    report_error(r->report, r->path, (int)(line ? line : 1), "%s", message);
    return 2;
}

/* The line of `where`, or of its nearest parent that has one. */
static unsigned line_of(const config_setting_t *where)
{
    while (where && config_setting_source_line(where) == 0)
        where = config_setting_parent(where);
    return where ? config_setting_source_line(where) : 1;
}

#define FAIL(r, where, ...) fail_at_line((r), line_of(where), __VA_ARGS__)

/* Text from the file made safe for a one-line message: control characters
 * and bytes above ASCII become '?', and long text is cut. */
static const char *shown(const char *text, char *buffer, size_t size)
{
    size_t used = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && used + 4 < size; p++) {
        if (used == SHOWN_MAX) {
            memcpy(buffer + used, "...", 3);
            used += 3;
            break;
        }
        buffer[used++] = *p >= 0x20 && *p < 0x7F ? (char)*p : '?';
    }
    buffer[used] = '\0';
    return buffer;
}

/* ---- Names ---- */

/* Rejects any member of `group` not in names; `where` says which group. */
static int check_names(reader *r, const config_setting_t *group, const char *const *names,
                       const char *where)
{
    for (int i = 0; i < config_setting_length(group); i++) {
        const config_setting_t *member = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(member);
        if (!name || text_find_name(names, name) >= 0)
            continue;
        char hint[256], name_shown[SHOWN_MAX + 8];
        return FAIL(r, member, MSG_UNKNOWN_SETTING, shown(name, name_shown, sizeof name_shown),
                    where, text_name_hint(names, name, hint, sizeof hint));
    }
    return 0;
}

/* ---- Values ---- */

/* Replaces *out with a copy of the member's text when it is there. */
static int read_text(reader *r, const config_setting_t *group, const char *name,
                     bool allow_empty, char **out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    if (!s)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return FAIL(r, s, MSG_WRONG_TYPE, name, "a string", setting_type_phrase(s));
    const char *text = config_setting_get_string(s);
    if (!text_is_utf8(text))
        return FAIL(r, s, MSG_NOT_UTF8, name);
    if (!allow_empty && text[0] == '\0')
        return FAIL(r, s, MSG_EMPTY, name);
    char *copy = strdup(text);
    if (!copy)
        return FAIL(r, s, MSG_OUT_OF_MEMORY);
    free(*out);
    *out = copy;
    return 0;
}

/* A whole number between min and max, when the member is there. */
static int read_int(reader *r, const config_setting_t *group, const char *name, int min,
                    int max, int *out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    if (!s)
        return 0;
    long long value;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT: value = config_setting_get_int(s); break;
    case CONFIG_TYPE_INT64: value = config_setting_get_int64(s); break;
    case CONFIG_TYPE_FLOAT: {
        char number[64];
        snprintf(number, sizeof number, "%g", config_setting_get_float(s));
        return FAIL(r, s, MSG_NOT_WHOLE, name, number);
    }
    default:
        return FAIL(r, s, MSG_WRONG_TYPE, name, "a whole number", setting_type_phrase(s));
    }
    if (value < min || value > max)
        return FAIL(r, s, MSG_INT_BETWEEN, name, (long long)min, (long long)max, value);
    *out = (int)value;
    return 0;
}

/* A list (or, for days, an array) of 1 to max entries. */
static int get_list(reader *r, const config_setting_t *s, const char *example, int max,
                    bool array_too)
{
    const char *name = config_setting_name(s);
    int type = config_setting_type(s);
    if (type != CONFIG_TYPE_LIST && !(array_too && type == CONFIG_TYPE_ARRAY))
        return FAIL(r, s, MSG_PROGRAMME_LIST, name, example, setting_type_phrase(s));
    int count = config_setting_length(s);
    if (count < 1 || count > max)
        return FAIL(r, s, MSG_PROGRAMME_COUNT, name, max, count);
    return 0;
}

/* ---- The groups ---- */

static bool is_session_name(const char *name)
{
    if (!name[0] || name[0] == '.' || name[0] == '-')
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '-' || c == '_' || c == '.'))
            return false;
    }
    size_t n = strlen(name);
    return !(n > 4 && strcmp(name + n - 4, ".cfg") == 0);
}

static int parse_days(reader *r, const config_setting_t *days, programme_dose *dose)
{
    if (get_list(r, days, "[\"mon\", \"wed\", \"fri\"]", WEEKDAY_COUNT, true))
        return 2;
    int count = config_setting_length(days);
    for (int i = 0; i < count; i++) {
        const config_setting_t *entry = config_setting_get_elem(days, (unsigned)i);
        char text[SHOWN_MAX + 8];
        if (config_setting_type(entry) != CONFIG_TYPE_STRING)
            return FAIL(r, entry, MSG_ENTRY_TYPE, "days", (unsigned)i + 1, "a day like \"mon\"",
                        setting_type_phrase(entry));
        const char *name = config_setting_get_string(entry);
        int day = text_find_name(day_names, name);
        if (day < 0)
            return FAIL(r, entry, MSG_PROGRAMME_DAY, shown(name, text, sizeof text));
        if (dose->on_day[day])
            return FAIL(r, entry, MSG_PROGRAMME_DAY_TWICE, day_names[day]);
        dose->on_day[day] = true;
    }
    dose->fixed_days = true;
    dose->days_per_week = count;
    return 0;
}

/* The dose of entry `index` of the week's sessions. */
static int parse_dose(reader *r, const config_setting_t *group, const programme_week *week,
                      int index, programme_dose *dose)
{
    if (check_names(r, group, dose_names, " in a week's session"))
        return 2;
    const config_setting_t *name = config_setting_get_member(group, "session");
    if (!name)
        return FAIL(r, group, MSG_MISSING, "a week's session", "session",
                    "session = \"neck-stretch\";");
    if (read_text(r, group, "session", false, &dose->session))
        return 2;
    char text[SHOWN_MAX + 8];
    if (!is_session_name(dose->session))
        return FAIL(r, name, MSG_PROGRAMME_NAME, shown(dose->session, text, sizeof text));
    for (int i = 0; i < index; i++)
        if (strcmp(week->sessions[i].session, dose->session) == 0)
            return FAIL(r, name, MSG_PROGRAMME_TWICE, dose->session);

    const config_setting_t *days = config_setting_get_member(group, "days");
    const config_setting_t *per_week = config_setting_get_member(group, "days_per_week");
    if (days && per_week)
        return FAIL(r, per_week, MSG_PROGRAMME_DAYS_BOTH);
    if (!days && !per_week)
        return FAIL(r, group, MSG_PROGRAMME_DAYS_NEITHER);
    if (days && parse_days(r, days, dose))
        return 2;
    if (read_int(r, group, "days_per_week", 1, WEEKDAY_COUNT, &dose->days_per_week))
        return 2;
    dose->times_per_day = 1;
    return read_int(r, group, "times_per_day", 1, PROGRAMME_MAX_TIMES_PER_DAY,
                    &dose->times_per_day);
}

static int parse_week(reader *r, const config_setting_t *group, programme_week *week)
{
    if (check_names(r, group, week_names, " in a week"))
        return 2;
    week->title = strdup("");
    week->note = strdup("");
    if (!week->title || !week->note)
        return FAIL(r, group, MSG_OUT_OF_MEMORY);
    if (read_text(r, group, "title", false, &week->title)
        || read_text(r, group, "note", false, &week->note))
        return 2;
    const config_setting_t *list = config_setting_get_member(group, "sessions");
    if (!list)
        return FAIL(r, group, MSG_MISSING, "a week", "sessions",
                    "sessions = ( { session = \"neck-stretch\"; days_per_week = 5; } );");
    if (get_list(r, list, "( { session = \"neck-stretch\"; days_per_week = 5; } )",
                 PROGRAMME_MAX_SESSIONS, false))
        return 2;
    for (int i = 0; i < config_setting_length(list); i++) {
        const config_setting_t *entry = config_setting_get_elem(list, (unsigned)i);
        if (config_setting_type(entry) != CONFIG_TYPE_GROUP)
            return FAIL(r, entry, MSG_PROGRAMME_ENTRY, i + 1, "sessions",
                        "{ session = \"neck-stretch\"; days_per_week = 5; }",
                        setting_type_phrase(entry));
        /* Counted first, so programme_free() frees what a failure leaves. */
        int index = week->session_count++;
        int status = parse_dose(r, entry, week, index, &week->sessions[index]);
        if (status)
            return status;
    }
    return 0;
}

static int parse_programme(reader *r, const config_setting_t *root, programme *p)
{
    if (check_names(r, root, top_names, ""))
        return 2;
    const config_setting_t *format = config_setting_get_member(root, "format");
    int version = 1;
    if (read_int(r, root, "format", INT_MIN, INT_MAX, &version))
        return 2;
    if (version != 1)
        return FAIL(r, format, MSG_FORMAT, (long long)version);
    if (!config_setting_get_member(root, "title"))
        return FAIL(r, root, MSG_MISSING, "a programme", "title",
                    "title = \"Neck care, 6 weeks\";");
    if (read_text(r, root, "title", false, &p->title)
        || read_text(r, root, "description", true, &p->description)
        || read_text(r, root, "author", true, &p->author)
        || read_int(r, root, "move_on", PROGRAMME_MIN_MOVE_ON, 100, &p->move_on)
        || read_int(r, root, "step_back_after", 0, PROGRAMME_MAX_WEEKS, &p->step_back_after))
        return 2;
    const config_setting_t *weeks = config_setting_get_member(root, "weeks");
    if (!weeks)
        return FAIL(r, root, MSG_MISSING, "a programme", "weeks",
                    "weeks = ( { sessions = ( ... ); } );");
    if (get_list(r, weeks, "( { sessions = ( ... ); } )", PROGRAMME_MAX_WEEKS, false))
        return 2;
    for (int i = 0; i < config_setting_length(weeks); i++) {
        const config_setting_t *entry = config_setting_get_elem(weeks, (unsigned)i);
        if (config_setting_type(entry) != CONFIG_TYPE_GROUP)
            return FAIL(r, entry, MSG_PROGRAMME_ENTRY, i + 1, "weeks",
                        "{ sessions = ( ... ); }", setting_type_phrase(entry));
        int status = parse_week(r, entry, &p->weeks[p->week_count++]);
        if (status)
            return status;
    }
    return 0;
}

/* ---- The file ---- */

/* Reads the whole file into *text (a new string), vetted before libconfig
 * sees it: libconfig would open an @include'd file itself, and would only
 * say "syntax error" for a byte order mark. */
static int read_programme_text(reader *r, char **text)
{
    struct stat info;
    *text = NULL;
    if (stat(r->path, &info) != 0)
        return fail_at_line(r, 1, MSG_PROGRAMME_CANNOT_READ, strerror(errno));
    if (S_ISDIR(info.st_mode))
        return fail_at_line(r, 1, MSG_PROGRAMME_CANNOT_READ, "it is a folder");
    if (!S_ISREG(info.st_mode))
        return fail_at_line(r, 1, MSG_PROGRAMME_NOT_REGULAR);
    FILE *file = fopen(r->path, "rb");
    if (!file)
        return fail_at_line(r, 1, MSG_PROGRAMME_CANNOT_READ, strerror(errno));
    char *buffer = malloc(PROGRAMME_MAX_TEXT_BYTES + 2);
    if (!buffer) {
        fclose(file);
        return fail_at_line(r, 1, MSG_OUT_OF_MEMORY);
    }
    size_t length = fread(buffer, 1, PROGRAMME_MAX_TEXT_BYTES + 1, file);
    bool failed = ferror(file) != 0;
    fclose(file);
    int status = 0;
    if (failed)
        status = fail_at_line(r, 1, MSG_PROGRAMME_CANNOT_READ, "read error");
    else if (length > PROGRAMME_MAX_TEXT_BYTES)
        status = fail_at_line(r, 1, MSG_PROGRAMME_TOO_LONG, PROGRAMME_MAX_TEXT_BYTES / 1024);
    else if (length >= 3 && memcmp(buffer, "\xEF\xBB\xBF", 3) == 0)
        status = fail_at_line(r, 1, MSG_BYTE_ORDER_MARK);
    else if (length >= 2 && (memcmp(buffer, "\xFF\xFE", 2) == 0
                             || memcmp(buffer, "\xFE\xFF", 2) == 0))
        status = fail_at_line(r, 1, MSG_UTF16);
    else if (memchr(buffer, '\0', length))
        status = fail_at_line(r, 1, MSG_PROGRAMME_CANNOT_READ, "it holds a zero byte; "
                              "a programme is a text file");
    buffer[length] = '\0';
    /* libconfig takes @include only at the start of a line. */
    unsigned line = 1;
    for (const char *at = buffer; status == 0 && *at; line++) {
        const char *p = at + strspn(at, " \t");
        if (strncmp(p, "@include", 8) == 0)
            status = fail_at_line(r, line, MSG_PROGRAMME_INCLUDE);
        const char *end = strchr(at, '\n');
        if (!end)
            break;
        at = end + 1;
    }
    if (status) {
        free(buffer);
        return status;
    }
    *text = buffer;
    return 0;
}

static programme *new_programme(const char *path)
{
    programme *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->path = strdup(path);
    p->title = strdup("");
    p->description = strdup("");
    p->author = strdup("");
    p->move_on = PROGRAMME_DEFAULT_MOVE_ON;
    if (!p->path || !p->title || !p->description || !p->author) {
        programme_free(p);
        return NULL;
    }
    return p;
}

int programme_load(const char *path, programme **out, const report_sink *report)
{
    reader r = { .path = path, .report = report };
    *out = NULL;
    char *text;
    int status = read_programme_text(&r, &text);
    if (status)
        return r.out_of_memory ? 1 : status;
    programme *p = new_programme(path);
    if (!p) {
        free(text);
        fail_at_line(&r, 1, MSG_OUT_OF_MEMORY);
        return 1;
    }
    config_t config;
    config_init(&config);
    if (!config_read_string(&config, text)) {
        const char *why = config_error_text(&config);
        if (why && strcmp(why, "memory exhausted") == 0)
            why = MSG_NESTED_TOO_DEEPLY;
        int line = config_error_line(&config);
        status = fail_at_line(&r, line > 0 ? (unsigned)line : 1, "%s", why ? why : "syntax error");
    } else {
        status = parse_programme(&r, config_root_setting(&config), p);
    }
    config_destroy(&config);
    free(text);
    if (status) {
        programme_free(p);
        return r.out_of_memory ? 1 : 2;
    }
    *out = p;
    return 0;
}

void programme_free(programme *p)
{
    if (!p)
        return;
    for (int w = 0; w < p->week_count; w++) {
        programme_week *week = &p->weeks[w];
        for (int i = 0; i < week->session_count; i++)
            free(week->sessions[i].session);
        free(week->title);
        free(week->note);
    }
    free(p->path);
    free(p->title);
    free(p->description);
    free(p->author);
    free(p);
}
