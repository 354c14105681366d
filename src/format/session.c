/* session.c: reading and checking session files (docs/session-format.md).
 *
 * The loader walks the libconfig tree once, group by group: it first rejects
 * names that do not belong in the group, then reads each known setting with a
 * reader for its kind of value (duration, level, Hz, path...). A step's
 * own settings are read by its type's record (step_kinds.h) with the same
 * readers (settings.h), and sounds are named by their tables
 * (sound_kinds.h). The first problem found is reported and the partly
 * built session is freed. */
#include "format/session.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/level.h"
#include "base/text.h"
#include "format/messages.h"
#include "format/setting_words.h"
#include "format/settings.h"
#include "format/sound_kinds.h"
#include "format/step_kinds.h"

/* Sanity bounds, not limits of the sound: a level (base/level.h) or a
 * pitch outside them is a typo. */
#define HZ_MIN 20.0
#define HZ_MAX 20000.0
#define RATE_MIN 8000
#define RATE_MAX 192000
#define QUOTED_MAX 80

static const char *const no_search_path[] = { NULL };
const char *const *session_audio_search_path = no_search_path;

static const char *const kind_names[BREATH_KIND_COUNT + 1] = {
    [BREATH_INHALE] = "inhale",
    [BREATH_HOLD] = "hold",
    [BREATH_EXHALE] = "exhale",
    [BREATH_HOLD_OUT] = "hold_out",
    [BREATH_KIND_COUNT] = NULL,
};

const char *breath_kind_name(breath_kind kind)
{
    if ((int)kind < 0 || kind >= BREATH_KIND_COUNT)
        return "unknown";
    return kind_names[kind];
}

double breath_pattern_seconds(const breath_pattern *pattern)
{
    double seconds = 0.0;
    for (int i = 0; i < pattern->count; i++)
        seconds += pattern->seconds[i];
    return seconds;
}

void breath_pattern_format(char *out, size_t size, const breath_pattern *pattern)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < pattern->count && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%g", i ? "-" : "",
                                 pattern->seconds[i]);
}

/* Names valid in each group, NULL-terminated. */
static const char *const top_names[] = {
    "format", "title", "description", "author", "caution", "sample_rate", "volume",
    "audio_dir", "pacer", "voice", "background", "steps", NULL
};
static const char *const pacer_names[] = { "sound", "low", "high", "level", NULL };
static const char *const voice_names[] = {
    "inhale", "hold", "exhale", "hold_out", "level", "cycles", NULL
};
static const char *const background_names[] = {
    "noise", "file", "level", "fade", "duck", NULL
};

/* ---- Text helpers ---- */

/* Copies text for quoting in a one-line message: control characters and
 * invalid bytes become escapes, and long text is shortened. */
static const char *quoted(const char *text, char *buffer, size_t size)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t used = 0, shown = 0;
    while (*p && used + 8 < size) {
        if (shown == QUOTED_MAX) {
            memcpy(buffer + used, "...", 3);
            used += 3;
            break;
        }
        size_t n = text_utf8_length((const char *)p);
        if (n == 1 && *p >= 0x20 && *p != 0x7F) {
            buffer[used++] = (char)*p;
        } else if (n > 1) {
            memcpy(buffer + used, p, n);
            used += n;
        } else {
            n = 1;
            used += (size_t)snprintf(buffer + used, size - used, "\\x%02X", *p);
        }
        p += n;
        shown++;
    }
    buffer[used] = '\0';
    return buffer;
}

static bool is_blank(const char *text)
{
    for (const char *p = text; *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\f' && *p != '\v')
            return false;
    return true;
}

/* ---- Value parsers ---- */

/* Reads a non-negative decimal "12", "1.5", ".5" or "5." at *text; advances
 * past it. Rounded correctly for up to 15 significant digits, whatever the
 * locale. */
static bool scan_decimal(const char **text, double *value)
{
    const char *p = *text;
    double mantissa = 0.0;
    int digits = 0, fraction_digits = 0;
    while (*p >= '0' && *p <= '9') {
        mantissa = mantissa * 10.0 + (*p - '0');
        digits++;
        p++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (fraction_digits < 15) {
                mantissa = mantissa * 10.0 + (*p - '0');
                fraction_digits++;
            }
            digits++;
            p++;
        }
    }
    if (digits == 0)
        return false;
    *value = mantissa / pow(10.0, fraction_digits);
    *text = p;
    return true;
}

int parse_duration_text(const char *text, double *seconds, char *why, size_t why_size)
{
    char shown[QUOTED_MAX * 4 + 16];
    if (text[0] == '\0') {
        snprintf(why, why_size, WHY_DURATION_EMPTY);
        return 1;
    }
    if (text[0] == '-') {
        snprintf(why, why_size, WHY_DURATION_NEGATIVE, quoted(text, shown, sizeof shown));
        return 1;
    }
    const char *p = text;
    double total = 0.0, value;
    if (!scan_decimal(&p, &value))
        goto malformed;
    if (*p == '\0') {
        total = value;
    } else {
        static const char units[] = "hms";
        static const double unit_seconds[] = { 3600.0, 60.0, 1.0 };
        int next_unit = 0;
        for (;;) {
            const char *unit = strchr(units + next_unit, *p);
            if (*p == '\0' || !unit)
                goto malformed;
            next_unit = (int)(unit - units);
            total += value * unit_seconds[next_unit];
            next_unit++;
            p++;
            if (*p == '\0')
                break;
            if (!scan_decimal(&p, &value))
                goto malformed;
        }
    }
    if (total > SESSION_MAX_DURATION_SECONDS) {
        snprintf(why, why_size, WHY_DURATION_LONG, quoted(text, shown, sizeof shown));
        return 1;
    }
    *seconds = total;
    return 0;
malformed:
    snprintf(why, why_size, WHY_DURATION_FORM, quoted(text, shown, sizeof shown));
    return 1;
}

/* Splits "4-7-8" into numbers; any count from 1 to SESSION_MAX_PHASES. */
static int scan_pattern_text(const char *text, double *values, int *count, char *why,
                             size_t why_size)
{
    char shown[QUOTED_MAX * 4 + 16];
    const char *p = text;
    int n = 0;
    for (;;) {
        double value;
        if (!scan_decimal(&p, &value)) {
            snprintf(why, why_size, WHY_PATTERN_FORM, quoted(text, shown, sizeof shown));
            return 1;
        }
        if (n < SESSION_MAX_PHASES)
            values[n] = value;
        n++;
        if (*p == '\0')
            break;
        if (*p != '-') {
            snprintf(why, why_size, WHY_PATTERN_FORM, quoted(text, shown, sizeof shown));
            return 1;
        }
        p++;
    }
    if (n > SESSION_MAX_PHASES) {
        snprintf(why, why_size, WHY_PATTERN_ENTRIES, SESSION_MAX_PHASES, n);
        return 1;
    }
    *count = n;
    return 0;
}

static int default_kinds(breath_pattern *pattern, char *why, size_t why_size)
{
    static const breath_kind by_count[5][4] = {
        [2] = { BREATH_INHALE, BREATH_EXHALE },
        [3] = { BREATH_INHALE, BREATH_HOLD, BREATH_EXHALE },
        [4] = { BREATH_INHALE, BREATH_HOLD, BREATH_EXHALE, BREATH_HOLD_OUT },
    };
    if (pattern->count < 2 || pattern->count > 4) {
        snprintf(why, why_size, WHY_PATTERN_COUNT, pattern->count);
        return 1;
    }
    for (int i = 0; i < pattern->count; i++)
        pattern->kind[i] = by_count[pattern->count][i];
    return 0;
}

static int check_pattern(const breath_pattern *pattern, char *why, size_t why_size)
{
    double total = 0.0;
    for (int i = 0; i < pattern->count; i++) {
        double seconds = pattern->seconds[i];
        breath_kind kind = pattern->kind[i];
        bool moves = kind == BREATH_INHALE || kind == BREATH_EXHALE;
        if (moves && !(seconds > 0.0)) {
            snprintf(why, why_size, WHY_PHASE_NOT_POSITIVE, breath_kind_name(kind), i + 1, seconds);
            return 1;
        }
        if (!(seconds >= 0.0)) {
            snprintf(why, why_size, WHY_PHASE_NEGATIVE, breath_kind_name(kind), i + 1, seconds);
            return 1;
        }
        if (seconds > SESSION_MAX_PHASE_SECONDS) {
            snprintf(why, why_size, WHY_PHASE_TOO_LONG, breath_kind_name(kind), i + 1,
                     SESSION_MAX_PHASE_SECONDS, seconds);
            return 1;
        }
        total += seconds;
    }
    if (!(total > 0.0)) {
        snprintf(why, why_size, WHY_CYCLE_EMPTY);
        return 1;
    }
    return 0;
}

int parse_pattern_text(const char *text, breath_pattern *pattern, char *why, size_t why_size)
{
    breath_pattern parsed = { 0 };
    if (scan_pattern_text(text, parsed.seconds, &parsed.count, why, why_size) != 0
        || default_kinds(&parsed, why, why_size) != 0
        || check_pattern(&parsed, why, why_size) != 0)
        return 1;
    *pattern = parsed;
    return 0;
}

/* ---- The loader ---- */

struct loader {
    const char *path;          /* as given by the caller */
    const report_sink *report;
    bool out_of_memory;        /* a problem reported was the system's, not the session's */
    session *s;
    char *folder;              /* the session file's folder */
    char *audio_folder;        /* audio_dir resolved, or NULL */
    char **clip_keys;          /* real path of each of s->clips */
    const config_setting_t **clip_settings;  /* where each was named, for errors */
    size_t clip_capacity;
    int64_t preloaded_frames;  /* decoded into memory so far, all clips together */
    bool probe_only;           /* session_read(): audio files probed, not opened to decode */
};

static char *join_path(const char *folder, const char *name);

/* A file libconfig read, as messages name it (NULL: the session file).
 * libconfig names an included file as written in @include; it was found in
 * the session's folder, so that is how it is shown. A new string, or NULL
 * when out of memory. */
static char *shown_file_name(const loader *ld, const char *file)
{
    if (!file || strcmp(file, ld->path) == 0 || file[0] == '/' || !ld->folder)
        return strdup(file ? file : ld->path);
    return join_path(ld->folder, file);
}

static void print_error_line(loader *ld, const char *file, unsigned line, const char *message)
{
    if (!ld->report)
        return;
    char *shown = shown_file_name(ld, file);
    report_error(ld->report, shown ? shown : file ? file : ld->path, (int)line, "%s", message);
    free(shown);
}

/* The file `setting` was read from, named as in messages, for places kept
 * for later (warnings): the session's path or an entry of its
 * source_files, each file once. */
static const char *source_of(loader *ld, const config_setting_t *setting)
{
    session *s = ld->s;
    const char *file = setting ? config_setting_source_file(setting) : NULL;
    if (!file || strcmp(file, ld->path) == 0)
        return s->path;
    char *shown = shown_file_name(ld, file);
    if (!shown)
        return s->path;
    for (size_t i = 0; i < s->source_file_count; i++) {
        if (strcmp(s->source_files[i], shown) == 0) {
            free(shown);
            return s->source_files[i];
        }
    }
    char **grown = realloc(s->source_files, (s->source_file_count + 1) * sizeof *grown);
    if (!grown) {
        free(shown);
        return s->path;
    }
    s->source_files = grown;
    s->source_files[s->source_file_count++] = shown;
    return shown;
}

int settings_fail(loader *ld, const config_setting_t *where, const char *format, ...)
{
    /* Out of memory is the system's failure, not the session's. */
    if (strcmp(format, MSG_OUT_OF_MEMORY) == 0)
        ld->out_of_memory = true;
    char message[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    const config_setting_t *at = where;
    while (at && config_setting_source_line(at) == 0)
        at = config_setting_parent(at);
    unsigned line = at ? config_setting_source_line(at) : 1;
    print_error_line(ld, at ? config_setting_source_file(at) : NULL, line, message);
    return 2;
}

/* The same for a place libconfig has not read yet: `file` as libconfig
 * would name it (NULL for the session file itself). */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int fail_at(loader *ld, const char *file, unsigned line, const char *format, ...)
{
    char message[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    if (strcmp(format, MSG_OUT_OF_MEMORY) == 0)
        ld->out_of_memory = true;
    print_error_line(ld, file, line, message);
    return 2;
}

static bool is_number(const config_setting_t *s)
{
    int type = config_setting_type(s);
    return type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64 || type == CONFIG_TYPE_FLOAT;
}

static double number_value(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT: return config_setting_get_int(s);
    case CONFIG_TYPE_INT64: return (double)config_setting_get_int64(s);
    default: return config_setting_get_float(s);
    }
}

/* Rejects any member of `group` not in names + more_names. `where` says
 * which group it is (" in 'pacer'"; "" at the top level); this_type is the
 * step's type for a step's group, or -1. */
static int check_names(loader *ld, const config_setting_t *group,
                       const char *const *names, const char *const *more_names,
                       const char *where, int this_type)
{
    const char *known[32];
    int n = 0;
    for (int i = 0; names[i]; i++)
        known[n++] = names[i];
    for (int i = 0; more_names && more_names[i]; i++)
        known[n++] = more_names[i];
    known[n] = NULL;

    for (int i = 0; i < config_setting_length(group); i++) {
        const config_setting_t *member = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(member);
        char hint[256];
        if (!name || text_find_name(known, name) >= 0)
            continue;
        if (this_type < 0)
            return settings_fail(ld, member, MSG_UNKNOWN_SETTING, name, where,
                                 text_name_hint(known, name, hint, sizeof hint));
        const char *type_name = step_kinds[this_type]->name;
        for (int t = 0; t < STEP_TYPE_COUNT; t++) {
            if (t != this_type && text_find_name(step_kinds[t]->settings, name) >= 0) {
                const char *close = text_closest_name(known, name);
                if (close)
                    snprintf(hint, sizeof hint, "; did you mean '%s'?", close);
                else
                    hint[0] = '\0';
                return settings_fail(ld, member, MSG_OTHER_STEP_SETTING, name, type_name, hint);
            }
        }
        char step_where[64];
        snprintf(step_where, sizeof step_where, " in a %s step", type_name);
        return settings_fail(ld, member, MSG_UNKNOWN_SETTING, name, step_where,
                             text_name_hint(known, name, hint, sizeof hint));
    }
    return 0;
}

static int get_string(loader *ld, const config_setting_t *s, const char *expected,
                      bool allow_empty, const char **out)
{
    const char *name = config_setting_name(s);
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return settings_fail(ld, s, MSG_WRONG_TYPE, name, expected, setting_type_phrase(s));
    const char *text = config_setting_get_string(s);
    if (!text_is_utf8(text))
        return settings_fail(ld, s, MSG_NOT_UTF8, name);
    if (!allow_empty && text[0] == '\0')
        return settings_fail(ld, s, MSG_EMPTY, name);
    *out = text;
    return 0;
}

/* Replaces *out with a copy of the setting's text when it is present. */
static int read_text(loader *ld, const config_setting_t *group, const char *name,
                     bool allow_empty, char **out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    const char *text;
    if (!s)
        return 0;
    if (get_string(ld, s, "a string", allow_empty, &text) != 0)
        return 2;
    char *copy = strdup(text);
    if (!copy)
        return settings_fail(ld, s, MSG_OUT_OF_MEMORY);
    free(*out);
    *out = copy;
    return 0;
}

int settings_get_integer(loader *ld, const config_setting_t *s, long long min, long long max,
                         long long *out)
{
    const char *name = config_setting_name(s);
    long long value;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT: value = config_setting_get_int(s); break;
    case CONFIG_TYPE_INT64: value = config_setting_get_int64(s); break;
    case CONFIG_TYPE_FLOAT: {
        /* "1.0", not "1", so the author sees what is wrong with it. */
        char shown[64];
        double number = config_setting_get_float(s);
        snprintf(shown, sizeof shown, "%g", number);
        if (isfinite(number) && !strpbrk(shown, ".e"))
            snprintf(shown, sizeof shown, "%.1f", number);
        return settings_fail(ld, s, MSG_NOT_WHOLE, name, shown);
    }
    default:
        return settings_fail(ld, s, MSG_WRONG_TYPE, name, "a whole number", setting_type_phrase(s));
    }
    if (value < min || value > max) {
        if ((max == LLONG_MAX || max == INT_MAX) && value < min)
            return settings_fail(ld, s, MSG_INT_AT_LEAST, name, min, value);
        return settings_fail(ld, s, MSG_INT_BETWEEN, name, min, max, value);
    }
    *out = value;
    return 0;
}

static int read_integer(loader *ld, const config_setting_t *group, const char *name,
                        long long min, long long max, long long *out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    return s ? settings_get_integer(ld, s, min, max, out) : 0;
}

int settings_read_int(loader *ld, const config_setting_t *group, const char *name,
                      int min, int max, int *out)
{
    long long value = *out;
    if (read_integer(ld, group, name, min, max, &value) != 0)
        return 2;
    *out = (int)value;
    return 0;
}

int settings_read_bool(loader *ld, const config_setting_t *group, const char *name, bool *out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    if (!s)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return settings_fail(ld, s, MSG_WRONG_TYPE, name, "true or false", setting_type_phrase(s));
    *out = config_setting_get_bool(s) != 0;
    return 0;
}

int settings_read_level(loader *ld, const config_setting_t *group, const char *name,
                        double *out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    if (!s)
        return 0;
    if (!is_number(s))
        return settings_fail(ld, s, MSG_WRONG_TYPE, name, "a number (dB)", setting_type_phrase(s));
    double value = number_value(s);
    if (!(value >= LEVEL_MIN_DB && value <= LEVEL_MAX_DB))
        return settings_fail(ld, s, MSG_LEVEL_RANGE, name, LEVEL_MIN_DB, LEVEL_MAX_DB, value);
    *out = value;
    return 0;
}

int settings_read_hz(loader *ld, const config_setting_t *group, const char *name, double *out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    if (!s)
        return 0;
    if (!is_number(s))
        return settings_fail(ld, s, MSG_WRONG_TYPE, name, "a number (Hz)", setting_type_phrase(s));
    double value = number_value(s);
    if (!(value >= HZ_MIN && value <= HZ_MAX))
        return settings_fail(ld, s, MSG_HZ_RANGE, name, HZ_MIN, HZ_MAX, value);
    if (value >= ld->s->sample_rate / 2.0)
        return settings_fail(ld, s, MSG_HZ_NYQUIST, name, ld->s->sample_rate / 2, value);
    *out = value;
    return 0;
}

int settings_get_duration(loader *ld, const config_setting_t *s, length_rule rule, double *out)
{
    const char *name = config_setting_name(s);
    double value;
    if (config_setting_type(s) == CONFIG_TYPE_STRING) {
        const char *text;
        char why[512];
        if (get_string(ld, s, "a duration", true, &text) != 0)
            return 2;
        if (parse_duration_text(text, &value, why, sizeof why) != 0)
            return settings_fail(ld, s, MSG_VALUE_WHY, name, why);
    } else if (is_number(s)) {
        value = number_value(s);
    } else {
        return settings_fail(ld, s, MSG_WRONG_TYPE, name,
                             "a duration (seconds, or a string like \"2m30s\")",
                             setting_type_phrase(s));
    }
    if (rule == LENGTH_POSITIVE && !(value > 0.0))
        return settings_fail(ld, s, MSG_NOT_POSITIVE, name, value);
    if (!(value >= 0.0))
        return settings_fail(ld, s, MSG_NEGATIVE, name, value);
    if (value > SESSION_MAX_DURATION_SECONDS)
        return settings_fail(ld, s, MSG_TOO_LONG, name, SESSION_MAX_DURATION_SECONDS / 3600.0,
                             SESSION_MAX_DURATION_SECONDS, value);
    *out = value;
    return 0;
}

int settings_read_duration(loader *ld, const config_setting_t *group, const char *name,
                           length_rule rule, double *out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    return s ? settings_get_duration(ld, s, rule, out) : 0;
}

static int read_choice(loader *ld, const config_setting_t *group, const char *name,
                       const char *what, const char *const *names, int *out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    const char *text;
    char shown[QUOTED_MAX * 4 + 16], hint[256];
    if (!s)
        return 0;
    if (get_string(ld, s, "a string", true, &text) != 0)
        return 2;
    int index = text_find_name(names, text);
    if (index < 0)
        return settings_fail(ld, s, MSG_UNKNOWN_VALUE, what, quoted(text, shown, sizeof shown),
                             text_name_hint(names, text, hint, sizeof hint));
    *out = index;
    return 0;
}

/* ---- Audio files ---- */

static char *join_path(const char *folder, const char *name)
{
    if (strcmp(folder, ".") == 0)
        return strdup(name);
    size_t a = strlen(folder), b = strlen(name);
    bool slash = a > 0 && folder[a - 1] == '/';
    char *joined = malloc(a + b + 2);
    if (joined) {
        memcpy(joined, folder, a);
        if (!slash)
            joined[a++] = '/';
        memcpy(joined + a, name, b + 1);
    }
    return joined;
}

static bool is_file(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0 && !S_ISDIR(info.st_mode);
}

typedef enum { AUDIO_FOUND, AUDIO_NOT_FOUND, AUDIO_NO_MEMORY } audio_search;

/* Looks a relative path up in audio_dir, the session's folder, then the
 * search path; sets *found to a new string, or lists in looked_in the
 * folders tried. */
static audio_search find_audio(loader *ld, const char *name, char **found, char *looked_in,
                               size_t size)
{
    *found = NULL;
    looked_in[0] = '\0';
    if (name[0] == '/') {
        if (!is_file(name))
            return AUDIO_NOT_FOUND;
        *found = strdup(name);
        return *found ? AUDIO_FOUND : AUDIO_NO_MEMORY;
    }
    const char *first[] = { ld->audio_folder, ld->folder };
    size_t used = 0;
    for (size_t i = 0;; i++) {
        const char *folder;
        if (i < 2)
            folder = first[i];
        else if (!(folder = session_audio_search_path[i - 2]))
            break;
        if (!folder)
            continue;
        char *candidate = join_path(folder, name);
        if (!candidate)
            return AUDIO_NO_MEMORY;
        if (is_file(candidate)) {
            *found = candidate;
            return AUDIO_FOUND;
        }
        free(candidate);
        if (used < size)
            used += (size_t)snprintf(looked_in + used, size - used, "%s%s", used ? ", " : "",
                                     folder);
    }
    return AUDIO_NOT_FOUND;
}

static int add_clip(loader *ld, const config_setting_t *s, const char *file, char *key,
                    const audio_clip **out)
{
    session *ses = ld->s;
    char why[512], shown[QUOTED_MAX * 4 + 16];
    audio_clip *clip = NULL;
    if (ses->clip_count == ld->clip_capacity) {
        size_t capacity = ld->clip_capacity ? ld->clip_capacity * 2 : 8;
        audio_clip **clips = realloc(ses->clips, capacity * sizeof *clips);
        if (clips)
            ses->clips = clips;
        char **keys = realloc(ld->clip_keys, capacity * sizeof *keys);
        if (keys)
            ld->clip_keys = keys;
        int *lines = realloc(ses->clip_lines, capacity * sizeof *lines);
        if (lines)
            ses->clip_lines = lines;
        const char **files = realloc(ses->clip_files, capacity * sizeof *files);
        if (files)
            ses->clip_files = files;
        const config_setting_t **settings = realloc(ld->clip_settings,
                                                    capacity * sizeof *settings);
        if (settings)
            ld->clip_settings = settings;
        if (!clips || !keys || !lines || !files || !settings) {
            free(key);
            return settings_fail(ld, s, MSG_OUT_OF_MEMORY);
        }
        ld->clip_capacity = capacity;
    }
    why[0] = '\0';
    /* Short files are decoded into memory while the budget lasts (all
     * together once the session is read: decode_clips), the rest are
     * streamed while they play. */
    int64_t budget = CLIP_PRELOAD_BYTES / (int64_t)(2 * sizeof(float)) - ld->preloaded_frames;
    int64_t preload_max = (int64_t)(CLIP_PRELOAD_SECONDS * ses->sample_rate);
    if (preload_max > budget)
        preload_max = budget;
    int opened = ld->probe_only
                     ? audio_clip_probe(file, ses->sample_rate, &clip, why, sizeof why)
                     : audio_clip_open_deferred(file, ses->sample_rate, preload_max, &clip, why,
                                                sizeof why);
    if (opened != 0 || !clip) {
        free(key);
        audio_clip_free(clip);
        if (strcmp(why, CLIP_WHY_NO_MEMORY) == 0)
            ld->out_of_memory = true;
        return settings_fail(ld, s, MSG_AUDIO_UNUSABLE,
                             quoted(config_setting_get_string(s), shown, sizeof shown), why);
    }
    if (!clip->streamed)
        ld->preloaded_frames += clip->frames;
    ses->clips[ses->clip_count] = clip;
    ses->clip_files[ses->clip_count] = source_of(ld, s);
    ses->clip_lines[ses->clip_count] = (int)config_setting_source_line(s);
    ld->clip_keys[ses->clip_count] = key;
    ld->clip_settings[ses->clip_count] = s;
    ses->clip_count++;
    *out = clip;
    return 0;
}

/* Decodes the files to hold in memory, several at once; a file that fails
 * is reported at the line that names it, as if it had failed when opened. */
static int decode_clips(loader *ld)
{
    session *ses = ld->s;
    size_t failed = 0;
    char why[512], shown[QUOTED_MAX * 4 + 16];
    if (audio_clip_finish_all(ses->clips, ses->clip_count, &failed, why, sizeof why) == 0)
        return 0;
    const config_setting_t *s = ld->clip_settings[failed];
    if (strcmp(why, CLIP_WHY_NO_MEMORY) == 0)
        ld->out_of_memory = true;
    return settings_fail(ld, s, MSG_AUDIO_UNUSABLE,
                         quoted(config_setting_get_string(s), shown, sizeof shown), why);
}

int settings_get_audio(loader *ld, const config_setting_t *s, const audio_clip **out)
{
    const char *name;
    char looked_in[2048], shown[QUOTED_MAX * 4 + 16];
    if (get_string(ld, s, "a string (an audio file path)", false, &name) != 0)
        return 2;
    char *file;
    switch (find_audio(ld, name, &file, looked_in, sizeof looked_in)) {
    case AUDIO_FOUND:
        break;
    case AUDIO_NOT_FOUND:
        if (name[0] == '/')
            return settings_fail(ld, s, MSG_AUDIO_NO_FILE, quoted(name, shown, sizeof shown));
        return settings_fail(ld, s, MSG_AUDIO_NOT_FOUND, quoted(name, shown, sizeof shown),
                             looked_in);
    case AUDIO_NO_MEMORY:
        return settings_fail(ld, s, MSG_OUT_OF_MEMORY);
    }
    char *key = realpath(file, NULL);
    if (!key)
        key = strdup(file);
    if (!key) {
        free(file);
        return settings_fail(ld, s, MSG_OUT_OF_MEMORY);
    }
    for (size_t i = 0; i < ld->s->clip_count; i++) {
        if (strcmp(ld->clip_keys[i], key) == 0) {
            free(key);
            free(file);
            *out = ld->s->clips[i];
            return 0;
        }
    }
    int status = add_clip(ld, s, file, key, out);
    free(file);
    return status;
}

int settings_read_audio(loader *ld, const config_setting_t *group, const char *name,
                        const audio_clip **out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    return s ? settings_get_audio(ld, s, out) : 0;
}

/* ---- Groups ---- */

static const config_setting_t *get_group(loader *ld, const config_setting_t *parent,
                                         const char *name, int *status)
{
    const config_setting_t *s = config_setting_get_member(parent, name);
    *status = 0;
    if (s && config_setting_type(s) != CONFIG_TYPE_GROUP) {
        *status = settings_fail(ld, s, MSG_WRONG_TYPE, name, "a group { ... }",
                                setting_type_phrase(s));
        return NULL;
    }
    return s;
}

/* Reads the settings present in `group` over *pacer, key by key. */
static int parse_pacer(loader *ld, const config_setting_t *group, pacer_settings *pacer)
{
    const char *sounds[PACER_SOUND_COUNT + 1];
    for (int k = 0; k < PACER_SOUND_COUNT; k++)
        sounds[k] = pacer_sound_kinds[k].name;
    sounds[PACER_SOUND_COUNT] = NULL;
    int sound = (int)pacer->sound;
    if (check_names(ld, group, pacer_names, NULL, " in 'pacer'", -1) != 0
        || read_choice(ld, group, "sound", "pacer sound", sounds, &sound) != 0
        || settings_read_hz(ld, group, "low", &pacer->low_hz) != 0
        || settings_read_hz(ld, group, "high", &pacer->high_hz) != 0
        || settings_read_level(ld, group, "level", &pacer->level_db) != 0)
        return 2;
    pacer->sound = (pacer_sound)sound;
    return 0;
}

static int parse_voice(loader *ld, const config_setting_t *group, voice_settings *voice)
{
    if (check_names(ld, group, voice_names, NULL, " in 'voice'", -1) != 0)
        return 2;
    for (int kind = 0; kind < BREATH_KIND_COUNT; kind++)
        if (settings_read_audio(ld, group, kind_names[kind], &voice->cue[kind]) != 0)
            return 2;
    return settings_read_level(ld, group, "level", &voice->level_db) != 0
        || settings_read_int(ld, group, "cycles", 0, INT_MAX, &voice->cycles) != 0 ? 2 : 0;
}

/* A group of `parent` read over *pacer or *voice, when it is there. */
int settings_read_pacer(loader *ld, const config_setting_t *parent, pacer_settings *pacer)
{
    int status;
    const config_setting_t *group = get_group(ld, parent, "pacer", &status);
    return status != 0 || (group && parse_pacer(ld, group, pacer) != 0) ? 2 : 0;
}

int settings_read_voice(loader *ld, const config_setting_t *parent, voice_settings *voice)
{
    int status;
    const config_setting_t *group = get_group(ld, parent, "voice", &status);
    return status != 0 || (group && parse_voice(ld, group, voice) != 0) ? 2 : 0;
}

const session *settings_session(const loader *ld)
{
    return ld->s;
}

static int parse_background(loader *ld, const config_setting_t *group,
                            background_settings *background)
{
    if (check_names(ld, group, background_names, NULL, " in 'background'", -1) != 0)
        return 2;
    const config_setting_t *noise = config_setting_get_member(group, "noise");
    const config_setting_t *file = config_setting_get_member(group, "file");
    if (noise && file)
        return settings_fail(ld, group, MSG_BACKGROUND_BOTH);
    if (!noise && !file)
        return settings_fail(ld, group, MSG_BACKGROUND_NEITHER);
    /* Which sound: a noise by its name, or the one a file chooses. */
    const char *names[BACKGROUND_KIND_COUNT + 1];
    background_kind kinds[BACKGROUND_KIND_COUNT];
    background_sounds_chosen_by(noise ? "noise" : "file", names, kinds);
    if (noise) {
        int which = 0;
        if (read_choice(ld, group, "noise", "background noise", names, &which) != 0)
            return 2;
        background->kind = kinds[which];
    } else {
        if (settings_get_audio(ld, file, &background->file) != 0)
            return 2;
        background->kind = kinds[0];
    }
    if (settings_read_level(ld, group, "level", &background->level_db) != 0
        || settings_read_duration(ld, group, "fade", LENGTH_OR_ZERO, &background->fade_seconds) != 0
        || settings_read_level(ld, group, "duck", &background->duck_db) != 0)
        return 2;
    if (background->duck_db > 0.0)
        return settings_fail(ld, config_setting_get_member(group, "duck"), MSG_DUCK_POSITIVE,
                             "duck", background->duck_db);
    return 0;
}

/* ---- Breath patterns ---- */

int settings_get_pattern(loader *ld, const config_setting_t *s, breath_pattern *pattern)
{
    const char *name = config_setting_name(s);
    static const char expected[] =
        "a pattern (a string like \"4-7-8\" or an array like [4, 7, 8])";
    int type = config_setting_type(s);
    if (type == CONFIG_TYPE_STRING) {
        const char *text;
        char why[512];
        if (get_string(ld, s, expected, true, &text) != 0)
            return 2;
        if (scan_pattern_text(text, pattern->seconds, &pattern->count, why, sizeof why) != 0)
            return settings_fail(ld, s, MSG_VALUE_WHY, name, why);
        return 0;
    }
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return settings_fail(ld, s, MSG_WRONG_TYPE, name, expected, setting_type_phrase(s));
    int count = config_setting_length(s);
    if (count < 1 || count > SESSION_MAX_PHASES) {
        char why[256];
        if (count < 1)
            snprintf(why, sizeof why, WHY_PATTERN_COUNT, count);
        else
            snprintf(why, sizeof why, WHY_PATTERN_ENTRIES, SESSION_MAX_PHASES, count);
        return settings_fail(ld, s, MSG_VALUE_WHY, name, why);
    }
    for (int i = 0; i < count; i++) {
        const config_setting_t *entry = config_setting_get_elem(s, (unsigned)i);
        if (!is_number(entry))
            return settings_fail(ld, entry, MSG_ENTRY_TYPE, name, (unsigned)i + 1,
                                 "a number (seconds)", setting_type_phrase(entry));
        pattern->seconds[i] = number_value(entry);
    }
    pattern->count = count;
    return 0;
}

int settings_get_phases(loader *ld, const config_setting_t *s, breath_pattern *pattern)
{
    int type = config_setting_type(s);
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return settings_fail(ld, s, MSG_WRONG_TYPE, "phases",
                             "an array of phase names like [\"inhale\", \"exhale\"]",
                             setting_type_phrase(s));
    int count = config_setting_length(s);
    if (count < 1 || count > SESSION_MAX_PHASES)
        return settings_fail(ld, s, MSG_PHASES_RANGE, SESSION_MAX_PHASES, count);
    for (int i = 0; i < count; i++) {
        const config_setting_t *entry = config_setting_get_elem(s, (unsigned)i);
        char shown[QUOTED_MAX * 4 + 16], hint[256];
        if (config_setting_type(entry) != CONFIG_TYPE_STRING)
            return settings_fail(ld, entry, MSG_ENTRY_TYPE, "phases", (unsigned)i + 1,
                                 "a phase name (inhale, hold, exhale or hold_out)",
                                 setting_type_phrase(entry));
        const char *text = config_setting_get_string(entry);
        int kind = text_find_name(kind_names, text);
        if (kind < 0)
            return settings_fail(ld, entry, MSG_UNKNOWN_VALUE, "phase",
                                 quoted(text, shown, sizeof shown),
                                 text_name_hint(kind_names, text, hint, sizeof hint));
        pattern->kind[i] = (breath_kind)kind;
    }
    if (count != pattern->count)
        return settings_fail(ld, s, MSG_PHASES_COUNT, count, pattern->count);
    return 0;
}

int settings_default_phases(loader *ld, const config_setting_t *s, breath_pattern *pattern)
{
    char why[256];
    if (default_kinds(pattern, why, sizeof why) != 0)
        return settings_fail(ld, s, MSG_VALUE_WHY, config_setting_name(s), why);
    return 0;
}

int settings_check_pattern(loader *ld, const config_setting_t *s, const breath_pattern *pattern)
{
    char why[256];
    if (check_pattern(pattern, why, sizeof why) != 0)
        return settings_fail(ld, s, MSG_VALUE_WHY, config_setting_name(s), why);
    return 0;
}

/* ---- Steps ---- */

/* The step types' names, NULL-terminated, as read_choice() takes them. */
static void step_type_names(const char *names[STEP_TYPE_COUNT + 1])
{
    for (int t = 0; t < STEP_TYPE_COUNT; t++)
        names[t] = step_kinds[t]->name;
    names[STEP_TYPE_COUNT] = NULL;
}

/* The settings every step has, then the ones of its type (step_kinds.h). */
static int parse_step(loader *ld, const config_setting_t *group, session_step *step, int depth)
{
    step->file = source_of(ld, group);
    step->line = (int)config_setting_source_line(group);
    const config_setting_t *type = config_setting_get_member(group, "type");
    const char *names[STEP_TYPE_COUNT + 1];
    step_type_names(names);
    int type_index = 0;
    if (!type) {
        char example[256], listed[160];
        text_list_names(names, listed, sizeof listed);
        snprintf(example, sizeof example, "type = \"breathe\"; (one of %s)", listed);
        return settings_fail(ld, group, MSG_MISSING, "a step", "type", example);
    }
    if (read_choice(ld, group, "type", "step type", names, &type_index) != 0)
        return 2;
    step->type = (step_type)type_index;
    const step_kind *kind = step_kinds[type_index];
    if (check_names(ld, group, step_common_settings, kind->settings, NULL, type_index) != 0)
        return 2;

    step->label = strdup("");
    if (!step->label)
        return settings_fail(ld, group, MSG_OUT_OF_MEMORY);
    if (read_text(ld, group, "label", true, &step->label) != 0
        || settings_read_audio(ld, group, "cue", &step->precue) != 0
        || settings_read_duration(ld, group, "gap", LENGTH_OR_ZERO, &step->gap_seconds) != 0)
        return 2;
    return kind->parse(ld, group, step, depth);
}

/* Parses a steps list owned by `owner` (the root or a repeat step's group).
 * *out and *out_count are set before the steps are read, so a failure part
 * way leaves everything reachable for session_free(). */
int settings_read_steps(loader *ld, const config_setting_t *list, const config_setting_t *owner,
                        session_step **out, size_t *out_count, int depth)
{
    int type = config_setting_type(list);
    if (type != CONFIG_TYPE_LIST && type != CONFIG_TYPE_ARRAY)
        return settings_fail(ld, list, MSG_WRONG_TYPE, "steps",
                             "a list of steps like ( { type = \"bell\"; } )",
                             setting_type_phrase(list));
    int count = config_setting_length(list);
    if (count == 0)
        return settings_fail(ld, list, MSG_NO_STEPS);
    session_step *steps = calloc((size_t)count, sizeof *steps);
    if (!steps)
        return settings_fail(ld, owner, MSG_OUT_OF_MEMORY);
    *out = steps;
    *out_count = (size_t)count;
    for (int i = 0; i < count; i++) {
        const config_setting_t *group = config_setting_get_elem(list, (unsigned)i);
        if (config_setting_type(group) != CONFIG_TYPE_GROUP)
            return settings_fail(ld, group, MSG_STEP_NOT_GROUP, (unsigned)i + 1,
                                 setting_type_phrase(group));
        if (parse_step(ld, group, &steps[i], depth) != 0)
            return 2;
    }
    return 0;
}

void settings_free_steps(session_step *steps, size_t count)
{
    if (!steps)
        return;
    for (size_t i = 0; i < count; i++) {
        free(steps[i].label);
        /* A step that failed part way may have no type's things to free,
         * and then they are zero, as calloc left them. */
        if (step_kinds[steps[i].type]->free)
            step_kinds[steps[i].type]->free(&steps[i]);
    }
    free(steps);
}

void session_free(session *s)
{
    if (!s)
        return;
    free(s->path);
    free(s->title);
    free(s->description);
    free(s->author);
    free(s->caution);
    settings_free_steps(s->steps, s->step_count);
    for (size_t i = 0; i < s->clip_count; i++)
        audio_clip_free(s->clips[i]);
    free(s->clips);
    free(s->clip_files);
    free(s->clip_lines);
    free(s->audio_dir);
    for (size_t i = 0; i < s->source_file_count; i++)
        free(s->source_files[i]);
    free(s->source_files);
    free(s);
}

static int parse_format(loader *ld, const config_setting_t *root)
{
    long long format = 1;
    const config_setting_t *s = config_setting_get_member(root, "format");
    if (s && settings_get_integer(ld, s, LLONG_MIN, LLONG_MAX, &format) != 0)
        return 2;
    if (format != 1)
        return settings_fail(ld, s, MSG_FORMAT, format);
    return 0;
}

static int parse_audio_dir(loader *ld, const config_setting_t *root)
{
    const config_setting_t *s = config_setting_get_member(root, "audio_dir");
    const char *text;
    if (!s)
        return 0;
    if (get_string(ld, s, "a string (a folder)", false, &text) != 0)
        return 2;
    /* A folder that does not exist is searched like one that is empty:
     * relative paths go on to the session's folder and the installed ones.
     * --check warns about it (lint.h). */
    ld->audio_folder = text[0] == '/' ? strdup(text) : join_path(ld->folder, text);
    if (!ld->audio_folder)
        return settings_fail(ld, s, MSG_OUT_OF_MEMORY);
    ld->s->audio_dir = strdup(ld->audio_folder);
    if (!ld->s->audio_dir)
        return settings_fail(ld, s, MSG_OUT_OF_MEMORY);
    ld->s->audio_dir_file = source_of(ld, s);
    ld->s->audio_dir_line = (int)config_setting_source_line(s);
    return 0;
}

static int parse_session(loader *ld, const config_setting_t *root)
{
    session *s = ld->s;
    int status;
    if (parse_format(ld, root) != 0
        || check_names(ld, root, top_names, NULL, "", -1) != 0)
        return 2;

    const config_setting_t *title = config_setting_get_member(root, "title");
    if (!title)
        return settings_fail(ld, root, MSG_MISSING, "a session", "title",
                             "title = \"Box breathing\";");
    if (read_text(ld, root, "title", false, &s->title) != 0
        || read_text(ld, root, "description", true, &s->description) != 0
        || read_text(ld, root, "author", true, &s->author) != 0
        || read_text(ld, root, "caution", true, &s->caution) != 0
        || settings_read_int(ld, root, "sample_rate", RATE_MIN, RATE_MAX, &s->sample_rate) != 0
        || settings_read_level(ld, root, "volume", &s->volume_db) != 0
        || parse_audio_dir(ld, root) != 0)
        return 2;
    /* A caution of only spaces says nothing: there is no caution to print,
     * and --check still asks for one where it would. */
    if (s->caution && is_blank(s->caution)) {
        free(s->caution);
        s->caution = NULL;
    }

    if (settings_read_pacer(ld, root, &s->pacer) != 0
        || settings_read_voice(ld, root, &s->voice) != 0)
        return 2;
    const config_setting_t *background = get_group(ld, root, "background", &status);
    if (status != 0 || (background && parse_background(ld, background, &s->background) != 0))
        return 2;

    const config_setting_t *steps = config_setting_get_member(root, "steps");
    if (!steps)
        return settings_fail(ld, root, MSG_MISSING, "a session", "steps",
                             "steps = ( { type = \"bell\"; } );");
    return settings_read_steps(ld, steps, root, &s->steps, &s->step_count, 0);
}

static session *new_session(const char *path)
{
    session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->path = strdup(path);
    s->description = strdup("");
    s->author = strdup("");
    s->sample_rate = SESSION_DEFAULT_RATE;
    s->pacer = (pacer_settings){ PACER_TONE, PACER_DEFAULT_LOW_HZ, PACER_DEFAULT_HIGH_HZ,
                                 PACER_DEFAULT_LEVEL_DB };
    s->voice.cycles = VOICE_DEFAULT_CYCLES;
    s->background = (background_settings){ BACKGROUND_NONE, NULL, BACKGROUND_DEFAULT_LEVEL_DB,
                                           BACKGROUND_DEFAULT_FADE_SECONDS,
                                           BACKGROUND_DEFAULT_DUCK_DB };
    if (!s->path || !s->description || !s->author) {
        session_free(s);
        return NULL;
    }
    return s;
}

/* ---- The session's text and its @include files ----
 *
 * libconfig 1.5 opens an @include'd file itself, from the session's folder,
 * with no way to vet it: a folder there makes its scanner exit the program,
 * a FIFO blocks it forever, "../" reaches anywhere, and a file including
 * itself is only stopped 10 levels down. So before libconfig reads anything,
 * every file it will read is checked here: each a regular file, the
 * included ones inside the session's folder, no loops, at most
 * SESSION_MAX_INCLUDE_DEPTH deep, SESSION_MAX_INCLUDES of them and
 * SESSION_MAX_TEXT_BYTES of text in all. A line
 * that starts with @include counts even inside a comment: refusing too much
 * is safe, and the author sees why. */

typedef struct {
    char *folder_real;                  /* the session's folder, resolved */
    char *chain[SESSION_MAX_INCLUDE_DEPTH + 1];  /* real paths being read */
    int depth;
    int includes;                       /* @include lines met so far */
    long long bytes;                    /* text read so far, all files */
} include_check;

/* Where a file named in an @include line at `line` of `shown` ends up. */
static int check_include_line(loader *ld, include_check *check, const char *shown,
                              unsigned line, const char *name);

/* Reads `path` (shown in messages as `shown`, NULL for the session itself)
 * and checks each @include it holds. */
static int check_text_file(loader *ld, include_check *check, const char *path, const char *shown)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return fail_at(ld, shown, 1, MSG_CANNOT_READ, strerror(errno));
    /* Room for what may still be read, and one byte more to see that a
     * file is too long (it may have grown since it was measured). */
    long long room = SESSION_MAX_TEXT_BYTES - check->bytes;
    struct stat info;
    long long size = fstat(fileno(file), &info) == 0 ? (long long)info.st_size : room;
    long long capacity = (size < room ? size : room) + 1;
    char *text = malloc((size_t)capacity + 1);
    if (!text) {
        fclose(file);
        return fail_at(ld, shown, 1, MSG_OUT_OF_MEMORY);
    }
    size_t length = fread(text, 1, (size_t)capacity, file);
    fclose(file);
    if ((long long)length > room) {
        free(text);
        return fail_at(ld, shown, 1, MSG_TEXT_TOO_LONG, SESSION_MAX_TEXT_BYTES / 1024);
    }
    check->bytes += (long long)length;
    text[length] = '\0';
    /* libconfig would only say "syntax error". */
    if (length >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        free(text);
        return fail_at(ld, shown, 1, MSG_BYTE_ORDER_MARK);
    }
    if (length >= 2 && (memcmp(text, "\xFF\xFE", 2) == 0 || memcmp(text, "\xFE\xFF", 2) == 0)) {
        free(text);
        return fail_at(ld, shown, 1, MSG_UTF16);
    }

    int status = 0;
    unsigned line = 1;
    for (char *at = text; status == 0 && at < text + length; line++) {
        char *end = memchr(at, '\n', (size_t)(text + length - at));
        if (!end)
            end = text + length;
        char *p = at;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        static const char keyword[] = "@include";
        size_t k = sizeof keyword - 1;
        if ((size_t)(end - p) > k && memcmp(p, keyword, k) == 0
            && (p[k] == ' ' || p[k] == '\t')) {
            p += k;
            while (p < end && (*p == ' ' || *p == '\t'))
                p++;
            char *close = p < end && *p == '"' ? memchr(p + 1, '"', (size_t)(end - p - 1)) : NULL;
            if (close) {     /* anything else is a syntax error libconfig reports */
                *close = '\0';
                status = check_include_line(ld, check, shown, line, p + 1);
            }
        }
        at = end + 1;
    }
    free(text);
    return status;
}

static bool inside_folder(const char *folder, const char *path)
{
    size_t n = strlen(folder);
    if (strcmp(folder, "/") == 0)
        return true;
    return strncmp(path, folder, n) == 0 && path[n] == '/';
}

static int check_include_line(loader *ld, include_check *check, const char *shown,
                              unsigned line, const char *name)
{
    char quoted_name[4 * QUOTED_MAX + 8];
    quoted(name, quoted_name, sizeof quoted_name);
    if (name[0] == '\0')
        return fail_at(ld, shown, line, MSG_INCLUDE_EMPTY);
    if (++check->includes > SESSION_MAX_INCLUDES)
        return fail_at(ld, shown, line, MSG_INCLUDE_COUNT, SESSION_MAX_INCLUDES);
    /* libconfig joins the folder and the name even when the name starts
     * with '/'. */
    size_t folder_length = strlen(ld->folder), name_length = strlen(name);
    char *path = malloc(folder_length + name_length + 2);
    if (!path)
        return fail_at(ld, shown, line, MSG_OUT_OF_MEMORY);
    memcpy(path, ld->folder, folder_length);
    path[folder_length] = '/';
    memcpy(path + folder_length + 1, name, name_length + 1);

    int status = 0;
    struct stat info;
    char *real = NULL;
    if (stat(path, &info) != 0) {
        /* Missing: libconfig says so, with the line, when it gets there. */
    } else if (!S_ISREG(info.st_mode)) {
        status = fail_at(ld, shown, line, MSG_INCLUDE_NOT_FILE, quoted_name);
    } else if ((real = realpath(path, NULL)) == NULL) {
        status = fail_at(ld, shown, line, MSG_CANNOT_READ, strerror(errno));
    } else if (!inside_folder(check->folder_real, real)) {
        status = fail_at(ld, shown, line, MSG_INCLUDE_OUTSIDE, quoted_name);
    } else {
        for (int i = 0; i <= check->depth && status == 0; i++)
            if (strcmp(check->chain[i], real) == 0)
                status = fail_at(ld, shown, line, MSG_INCLUDE_LOOP, quoted_name);
        if (status == 0 && check->depth == SESSION_MAX_INCLUDE_DEPTH)
            status = fail_at(ld, shown, line, MSG_INCLUDE_DEPTH, SESSION_MAX_INCLUDE_DEPTH,
                             quoted_name, check->depth + 1);
        if (status == 0) {
            check->chain[++check->depth] = real;
            status = check_text_file(ld, check, path, name);
            check->depth--;
        }
    }
    free(real);
    free(path);
    return status;
}

/* Checks the session file and everything it includes; 0 or 2. */
static int check_session_text(loader *ld)
{
    include_check check = { .depth = 0 };
    check.folder_real = realpath(ld->folder, NULL);
    check.chain[0] = realpath(ld->path, NULL);
    int status;
    if (!check.folder_real || !check.chain[0])
        status = settings_fail(ld, NULL, MSG_CANNOT_READ, strerror(errno));
    else
        status = check_text_file(ld, &check, ld->path, NULL);
    free(check.chain[0]);
    free(check.folder_real);
    return status;
}

static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    size_t length = slash == path ? 1 : (size_t)(slash - path);
    char *folder = malloc(length + 1);
    if (folder) {
        memcpy(folder, path, length);
        folder[length] = '\0';
    }
    return folder;
}

/* Reads and checks the session; with `decode`, decodes the clips held in
 * memory too. */
static int load(const char *path, session **out, const report_sink *report, bool decode)
{
    loader ld = { .path = path, .report = report, .probe_only = !decode };
    config_t config;
    int status = 2;
    *out = NULL;

    struct stat info;
    if (stat(path, &info) != 0) {
        settings_fail(&ld, NULL, MSG_CANNOT_READ, strerror(errno));
        return 2;
    }
    if (S_ISDIR(info.st_mode)) {
        settings_fail(&ld, NULL, MSG_CANNOT_READ, "it is a folder");
        return 2;
    }
    /* A FIFO or a device would block or never end. */
    if (!S_ISREG(info.st_mode)) {
        settings_fail(&ld, NULL, MSG_NOT_REGULAR);
        return 2;
    }
    ld.folder = folder_of(path);
    ld.s = new_session(path);
    if (!ld.folder || !ld.s) {
        settings_fail(&ld, NULL, MSG_OUT_OF_MEMORY);
        free(ld.folder);
        session_free(ld.s);
        return 1;
    }

    if (check_session_text(&ld) != 0) {
        free(ld.folder);
        session_free(ld.s);
        return ld.out_of_memory ? 1 : 2;
    }
    config_init(&config);
    config_set_include_dir(&config, ld.folder);
    if (!config_read_file(&config, path)) {
        if (config_error_type(&config) == CONFIG_ERR_FILE_IO) {
            FILE *probe = fopen(path, "r");
            int saved = errno;
            if (probe)
                fclose(probe);
            settings_fail(&ld, NULL, MSG_CANNOT_READ, probe ? "read error" : strerror(saved));
        } else {
            int line = config_error_line(&config);
            const char *text = config_error_text(&config);
            /* libconfig's own words, with the fix where it is a known trap. */
            char explained[256];
            if (text && strcmp(text, "mismatched element type in array") == 0) {
                snprintf(explained, sizeof explained, "%s: an array cannot mix whole numbers and "
                         "decimals; write [4.0, 7.0, 8.0] or [4, 7, 8]", text);
                text = explained;
            } else if (text && strcmp(text, "memory exhausted") == 0) {
                text = MSG_NESTED_TOO_DEEPLY;   /* the parser's stack, not the machine's memory */
            }
            print_error_line(&ld, config_error_file(&config), line > 0 ? (unsigned)line : 1, text);
        }
    } else {
        status = parse_session(&ld, config_root_setting(&config));
        if (status == 0 && decode)
            status = decode_clips(&ld);
    }
    config_destroy(&config);

    for (size_t i = 0; i < ld.s->clip_count; i++)
        free(ld.clip_keys[i]);
    free(ld.clip_keys);
    free(ld.clip_settings);
    free(ld.folder);
    free(ld.audio_folder);
    if (status != 0) {
        session_free(ld.s);
        return ld.out_of_memory ? 1 : 2;
    }
    *out = ld.s;
    return 0;
}

int session_load(const char *path, session **out, const report_sink *report)
{
    return load(path, out, report, true);
}

int session_read(const char *path, session **out, const report_sink *report)
{
    return load(path, out, report, false);
}

/* Grows the session's clip arrays by one and puts clip there. 0, or 1 when
 * out of memory (nothing changed then, but arrays may be larger). */
static int append_clip(session *s, audio_clip *clip)
{
    size_t count = s->clip_count + 1;
    audio_clip **clips = realloc(s->clips, count * sizeof *clips);
    if (clips)
        s->clips = clips;
    const char **files = realloc(s->clip_files, count * sizeof *files);
    if (files)
        s->clip_files = files;
    int *lines = realloc(s->clip_lines, count * sizeof *lines);
    if (lines)
        s->clip_lines = lines;
    if (!clips || !files || !lines)
        return 1;
    s->clips[s->clip_count] = clip;
    s->clip_files[s->clip_count] = s->path;
    s->clip_lines[s->clip_count] = 0;
    s->clip_count++;
    return 0;
}

int session_prepend_cue(session *s, const char *path, const char *label, double gap_seconds,
                        char *why, size_t why_size)
{
    audio_clip *clip = NULL;
    if (audio_clip_load(path, s->sample_rate, &clip, why, why_size) != 0)
        return strcmp(why, CLIP_WHY_NO_MEMORY) == 0 ? 1 : 2;
    char *text = strdup(label);
    session_step *steps = text ? malloc((s->step_count + 1) * sizeof *steps) : NULL;
    if (!steps || append_clip(s, clip) != 0) {
        free(steps);
        free(text);
        audio_clip_free(clip);
        snprintf(why, why_size, "%s", CLIP_WHY_NO_MEMORY);
        return 1;
    }
    steps[0] = (session_step){
        .type = STEP_CUE,
        .label = text,
        .gap_seconds = gap_seconds,
        .cue_step = { .file = clip, .level_db = 0.0 },
    };
    if (s->step_count > 0)
        memcpy(steps + 1, s->steps, s->step_count * sizeof *steps);
    free(s->steps);
    s->steps = steps;
    s->step_count++;
    return 0;
}
