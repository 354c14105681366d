/* session.c: reading and checking session files (docs/session-format.md).
 *
 * The loader walks the libconfig tree once, group by group: it first rejects
 * names that do not belong in the group, then reads each known setting with a
 * reader for its kind of value (duration, level, Hz, path...). The first
 * problem found is reported and the partly built session is freed. */
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

/* Every message a session author can see, printed as "FILE:LINE: message".
 * Each starts lowercase, names the setting and says what would be right. */
#define MSG_CANNOT_READ        "cannot read the session file: %s"
#define MSG_FORMAT             "unsupported format %lld; this player reads format 1"
#define MSG_UNKNOWN_SETTING    "unknown setting '%s'%s%s"
#define MSG_OTHER_STEP_SETTING "'%s' is not a setting of a %s step%s"
#define MSG_WRONG_TYPE         "'%s' must be %s, not %s"
#define MSG_NOT_WHOLE          "'%s' must be a whole number, not %s"
#define MSG_INT_AT_LEAST       "'%s' must be %lld or more, not %lld"
#define MSG_INT_BETWEEN        "'%s' must be between %lld and %lld, not %lld"
#define MSG_LEVEL_RANGE        "'%s' must be between %g and +%g dB, not %g"
#define MSG_DUCK_POSITIVE      "'%s' must be 0 dB or less (it lowers the background), not %g"
#define MSG_HZ_RANGE           "'%s' must be between %g and %g Hz, not %g"
#define MSG_HZ_NYQUIST         "'%s' must be below half the sample rate (%d Hz), not %g"
#define MSG_VALUE_WHY          "'%s': %s"
#define MSG_NOT_POSITIVE       "'%s' must be more than 0 seconds, not %g"
#define MSG_NEGATIVE           "'%s' must be 0 seconds or more, not %g"
#define MSG_TOO_LONG           "'%s' must be at most 24 hours (86400 seconds), not %g"
#define MSG_NOT_UTF8           "'%s' is not valid UTF-8 text; save the file as UTF-8"
#define MSG_EMPTY              "'%s' must not be empty"
#define MSG_MISSING            "%s needs '%s'; for example %s"
#define MSG_NO_STEPS           "'steps' must hold at least one step, like steps = ( { type = \"bell\"; } );"
#define MSG_STEP_NOT_GROUP     "step %u of 'steps' must be a group like { type = \"bell\"; }, not %s"
#define MSG_UNKNOWN_VALUE      "unknown %s '%s'%s"
#define MSG_CYCLES_OR_DURATION "a breathe step needs exactly one of 'cycles' or 'duration'"
#define MSG_COUNT_OR_FOREVER   "a repeat needs 'count' or 'forever = true'"
#define MSG_COUNT_AND_FOREVER  "a repeat takes 'count' or 'forever = true', not both"
#define MSG_NESTED_TOO_DEEP    "repeats nest at most %d deep; this repeat is %d deep"
#define MSG_BACKGROUND_NEITHER "a background needs 'noise' or 'file'"
#define MSG_BACKGROUND_BOTH    "a background takes 'noise' or 'file', not both"
#define MSG_ENTRY_TYPE         "'%s' entry %u must be %s, not %s"
#define MSG_PHASES_COUNT       "'phases' names %d phases but 'pattern' has %d; name each entry once"
#define MSG_PHASES_RANGE       "'phases' must name 1 to %d phases, not %d"
#define MSG_RAMP_COUNT         "'ramp_to' has %d phases but 'pattern' has %d; give as many"
#define MSG_AUDIO_NOT_FOUND    "cannot find audio file '%s' (looked in %s)"
#define MSG_AUDIO_NO_FILE      "cannot find audio file '%s' (no such file)"
#define MSG_AUDIO_UNUSABLE     "cannot use audio file '%s': %s"
#define MSG_OUT_OF_MEMORY      "out of memory"
#define MSG_NOT_REGULAR        "cannot read the session file: it is not a regular file"
#define MSG_TEXT_TOO_LONG      "the session and its @include files hold more than %d KB of text; a session is a short text file"
#define MSG_INCLUDE_EMPTY      "'@include' needs a file name, like @include \"common.cfg\""
#define MSG_INCLUDE_OUTSIDE    "'@include \"%s\"' is outside the session's folder; include only files in that folder or below it"
#define MSG_INCLUDE_NOT_FILE   "'@include \"%s\"' is not a regular file"
#define MSG_INCLUDE_LOOP       "'@include \"%s\"' includes a file that is already being read; remove the loop"
#define MSG_BYTE_ORDER_MARK    "the file starts with a byte order mark; save it as UTF-8 without one"
#define MSG_UTF16              "the file is UTF-16 text; save it as UTF-8"
#define MSG_NESTED_TOO_DEEPLY  "memory exhausted: groups, lists or arrays nest too deeply"
#define MSG_INCLUDE_COUNT      "a session may use at most %d @include lines in all"
#define MSG_INCLUDE_DEPTH      "@include files nest at most %d deep; '%s' is %d deep"

/* Reasons given by the value parsers (the CLI prints them too). */
#define WHY_DURATION_EMPTY     "an empty string is not a duration; write seconds or h, m, s, like \"90s\" or \"2m30s\""
#define WHY_DURATION_NEGATIVE  "\"%s\" is negative; a duration is 0 or more, like \"30s\""
#define WHY_DURATION_FORM      "\"%s\" is not a duration; write seconds, or h, m and s in that order, like \"90s\", \"1.5m\", \"2m30s\" or \"1h15m\""
#define WHY_DURATION_LONG      "\"%s\" is more than 24 hours, the longest a single duration may be"
#define WHY_PATTERN_FORM       "\"%s\" is not a pattern; write phase lengths in seconds joined by '-', like \"4-7-8\" or \"5.5-5.5\""
#define WHY_PATTERN_ENTRIES    "a pattern has at most %d entries, not %d"
#define WHY_PATTERN_COUNT      "a pattern has 2, 3 or 4 entries (inhale-exhale, inhale-hold-exhale or inhale-hold-exhale-hold_out), not %d; 'phases' can name other counts"
#define WHY_PHASE_NOT_POSITIVE "the %s (entry %d) must be more than 0 seconds, not %g"
#define WHY_PHASE_NEGATIVE     "the %s (entry %d) must be 0 seconds or more, not %g"
#define WHY_PHASE_TOO_LONG     "the %s (entry %d) must be at most %g seconds, not %g"
#define WHY_CYCLE_EMPTY        "a breath cycle must last more than 0 seconds"

/* Sanity bounds, not limits of the sound: a level outside them is a typo. */
#define LEVEL_MIN_DB (-120.0)
#define LEVEL_MAX_DB 40.0
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
static const char *const step_common_names[] = { "type", "label", "cue", "gap", NULL };

static const char *const step_type_names[] = {
    [STEP_CUE] = "cue", [STEP_BELL] = "bell", [STEP_BREATHE] = "breathe",
    [STEP_TIMER] = "timer", [STEP_REPEAT] = "repeat", NULL
};
static const char *const cue_names[] = { "file", "level", NULL };
static const char *const bell_names[] = { "strikes", "interval", "hz", "level", "ring", NULL };
static const char *const breathe_names[] = {
    "pattern", "cycles", "duration", "ramp_to", "phases", "pacer", "voice", NULL
};
static const char *const timer_names[] = { "duration", "bell_every", "bell_end", "ticks", NULL };
static const char *const repeat_names[] = { "steps", "count", "forever", NULL };
static const char *const *const step_names[] = {
    [STEP_CUE] = cue_names, [STEP_BELL] = bell_names, [STEP_BREATHE] = breathe_names,
    [STEP_TIMER] = timer_names, [STEP_REPEAT] = repeat_names,
};
enum { STEP_TYPE_COUNT = STEP_REPEAT + 1 };

static const char *const pacer_sound_names[] = {
    [PACER_TONE] = "tone", [PACER_BOWL] = "bowl", [PACER_NOISE] = "noise",
    [PACER_NONE] = "none", NULL
};
static const char *const noise_names[] = { "white", "pink", "brown", NULL };
static const background_kind noise_kinds[] = {
    BACKGROUND_WHITE, BACKGROUND_PINK, BACKGROUND_BROWN
};

/* ---- Text helpers ---- */

static size_t utf8_sequence_length(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char low = c == 0xE0 ? 0xA0 : 0x80, high = c == 0xED ? 0x9F : 0xBF;
        if (p[1] < low || p[1] > high || (p[2] & 0xC0) != 0x80)
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char low = c == 0xF0 ? 0x90 : 0x80, high = c == 0xF4 ? 0x8F : 0xBF;
        if (p[1] < low || p[1] > high || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        return 4;
    }
    return 0;
}

static bool is_valid_utf8(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        size_t n = utf8_sequence_length(p);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

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
        size_t n = utf8_sequence_length(p);
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

static char *copy_text(const char *text)
{
    size_t n = strlen(text) + 1;
    char *copy = malloc(n);
    if (copy)
        memcpy(copy, text, n);
    return copy;
}

static size_t edit_distance(const char *a, const char *b)
{
    enum { LONGEST = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la > LONGEST || lb > LONGEST)
        return SIZE_MAX;
    size_t row[LONGEST + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t best = diagonal + (a[i - 1] != b[j - 1]);
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

static int find_name(const char *const *names, const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

/* The known name closest to `name`, if it is close enough to be a typo:
 * at most 2 edits away, or 1 for names of 4 letters or fewer. */
static const char *closest_name(const char *const *names, const char *name)
{
    const char *best = NULL;
    size_t best_distance = SIZE_MAX;
    for (int i = 0; names[i]; i++) {
        size_t limit = strlen(names[i]) <= 4 ? 1 : 2;
        size_t distance = edit_distance(name, names[i]);
        if (distance <= limit && distance < best_distance) {
            best = names[i];
            best_distance = distance;
        }
    }
    return best;
}

/* "; did you mean 'x'?" for a close known name, otherwise the list of them. */
static const char *name_hint(const char *const *names, const char *name, char *buffer,
                             size_t size)
{
    const char *best = closest_name(names, name);
    if (best) {
        snprintf(buffer, size, "; did you mean '%s'?", best);
        return buffer;
    }
    size_t used = (size_t)snprintf(buffer, size, "; expected one of ");
    for (int i = 0; names[i] && used < size; i++)
        used += (size_t)snprintf(buffer + used, size - used, "%s%s", i ? ", " : "", names[i]);
    return buffer;
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

typedef struct {
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
} loader;

static char *join_path(const char *folder, const char *name);

/* A file libconfig read, as messages name it (NULL: the session file).
 * libconfig names an included file as written in @include; it was found in
 * the session's folder, so that is how it is shown. A new string, or NULL
 * when out of memory. */
static char *shown_file_name(const loader *ld, const char *file)
{
    if (!file || strcmp(file, ld->path) == 0 || file[0] == '/' || !ld->folder)
        return copy_text(file ? file : ld->path);
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

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(loader *ld, const config_setting_t *where, const char *format, ...)
{
    char message[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    if (strcmp(format, MSG_OUT_OF_MEMORY) == 0)
        ld->out_of_memory = true;
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

static const char *type_phrase(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP: return "a group";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
    case CONFIG_TYPE_FLOAT: return "a number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return config_setting_get_bool(s) ? "true" : "false";
    case CONFIG_TYPE_ARRAY: return "an array";
    case CONFIG_TYPE_LIST: return "a list";
    default: return "nothing";
    }
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
        if (!name || find_name(known, name) >= 0)
            continue;
        if (this_type < 0)
            return fail(ld, member, MSG_UNKNOWN_SETTING, name, where,
                        name_hint(known, name, hint, sizeof hint));
        const char *type_name = step_type_names[this_type];
        for (int t = 0; t < STEP_TYPE_COUNT; t++) {
            if (t != this_type && find_name(step_names[t], name) >= 0) {
                const char *close = closest_name(known, name);
                if (close)
                    snprintf(hint, sizeof hint, "; did you mean '%s'?", close);
                else
                    hint[0] = '\0';
                return fail(ld, member, MSG_OTHER_STEP_SETTING, name, type_name, hint);
            }
        }
        char step_where[64];
        snprintf(step_where, sizeof step_where, " in a %s step", type_name);
        return fail(ld, member, MSG_UNKNOWN_SETTING, name, step_where,
                    name_hint(known, name, hint, sizeof hint));
    }
    return 0;
}

static int get_string(loader *ld, const config_setting_t *s, const char *expected,
                      bool allow_empty, const char **out)
{
    const char *name = config_setting_name(s);
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return fail(ld, s, MSG_WRONG_TYPE, name, expected, type_phrase(s));
    const char *text = config_setting_get_string(s);
    if (!is_valid_utf8(text))
        return fail(ld, s, MSG_NOT_UTF8, name);
    if (!allow_empty && text[0] == '\0')
        return fail(ld, s, MSG_EMPTY, name);
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
    char *copy = copy_text(text);
    if (!copy)
        return fail(ld, s, MSG_OUT_OF_MEMORY);
    free(*out);
    *out = copy;
    return 0;
}

static int get_integer(loader *ld, const config_setting_t *s, long long min, long long max,
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
        return fail(ld, s, MSG_NOT_WHOLE, name, shown);
    }
    default:
        return fail(ld, s, MSG_WRONG_TYPE, name, "a whole number", type_phrase(s));
    }
    if (value < min || value > max) {
        if ((max == LLONG_MAX || max == INT_MAX) && value < min)
            return fail(ld, s, MSG_INT_AT_LEAST, name, min, value);
        return fail(ld, s, MSG_INT_BETWEEN, name, min, max, value);
    }
    *out = value;
    return 0;
}

static int read_integer(loader *ld, const config_setting_t *group, const char *name,
                        long long min, long long max, long long *out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    return s ? get_integer(ld, s, min, max, out) : 0;
}

static int read_int(loader *ld, const config_setting_t *group, const char *name,
                    int min, int max, int *out)
{
    long long value = *out;
    if (read_integer(ld, group, name, min, max, &value) != 0)
        return 2;
    *out = (int)value;
    return 0;
}

static int read_bool(loader *ld, const config_setting_t *group, const char *name, bool *out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    if (!s)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return fail(ld, s, MSG_WRONG_TYPE, name, "true or false", type_phrase(s));
    *out = config_setting_get_bool(s) != 0;
    return 0;
}

static int read_level(loader *ld, const config_setting_t *group, const char *name, double *out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    if (!s)
        return 0;
    if (!is_number(s))
        return fail(ld, s, MSG_WRONG_TYPE, name, "a number (dB)", type_phrase(s));
    double value = number_value(s);
    if (!(value >= LEVEL_MIN_DB && value <= LEVEL_MAX_DB))
        return fail(ld, s, MSG_LEVEL_RANGE, name, LEVEL_MIN_DB, LEVEL_MAX_DB, value);
    *out = value;
    return 0;
}

static int read_hz(loader *ld, const config_setting_t *group, const char *name, double *out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    if (!s)
        return 0;
    if (!is_number(s))
        return fail(ld, s, MSG_WRONG_TYPE, name, "a number (Hz)", type_phrase(s));
    double value = number_value(s);
    if (!(value >= HZ_MIN && value <= HZ_MAX))
        return fail(ld, s, MSG_HZ_RANGE, name, HZ_MIN, HZ_MAX, value);
    if (value >= ld->s->sample_rate / 2.0)
        return fail(ld, s, MSG_HZ_NYQUIST, name, ld->s->sample_rate / 2, value);
    *out = value;
    return 0;
}

typedef enum { LENGTH_POSITIVE, LENGTH_OR_ZERO } length_rule;

static int get_duration(loader *ld, const config_setting_t *s, length_rule rule, double *out)
{
    const char *name = config_setting_name(s);
    double value;
    if (config_setting_type(s) == CONFIG_TYPE_STRING) {
        const char *text;
        char why[512];
        if (get_string(ld, s, "a duration", true, &text) != 0)
            return 2;
        if (parse_duration_text(text, &value, why, sizeof why) != 0)
            return fail(ld, s, MSG_VALUE_WHY, name, why);
    } else if (is_number(s)) {
        value = number_value(s);
    } else {
        return fail(ld, s, MSG_WRONG_TYPE, name,
                    "a duration (seconds, or a string like \"2m30s\")", type_phrase(s));
    }
    if (rule == LENGTH_POSITIVE && !(value > 0.0))
        return fail(ld, s, MSG_NOT_POSITIVE, name, value);
    if (!(value >= 0.0))
        return fail(ld, s, MSG_NEGATIVE, name, value);
    if (value > SESSION_MAX_DURATION_SECONDS)
        return fail(ld, s, MSG_TOO_LONG, name, value);
    *out = value;
    return 0;
}

static int read_duration(loader *ld, const config_setting_t *group, const char *name,
                         length_rule rule, double *out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    return s ? get_duration(ld, s, rule, out) : 0;
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
    int index = find_name(names, text);
    if (index < 0)
        return fail(ld, s, MSG_UNKNOWN_VALUE, what, quoted(text, shown, sizeof shown),
                    name_hint(names, text, hint, sizeof hint));
    *out = index;
    return 0;
}

/* ---- Audio files ---- */

static char *join_path(const char *folder, const char *name)
{
    if (strcmp(folder, ".") == 0)
        return copy_text(name);
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
        *found = copy_text(name);
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
            return fail(ld, s, MSG_OUT_OF_MEMORY);
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
    if (audio_clip_open_deferred(file, ses->sample_rate, preload_max, &clip, why, sizeof why)
            != 0
        || !clip) {
        free(key);
        audio_clip_free(clip);
        if (strcmp(why, CLIP_WHY_NO_MEMORY) == 0)
            ld->out_of_memory = true;
        return fail(ld, s, MSG_AUDIO_UNUSABLE,
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
    return fail(ld, s, MSG_AUDIO_UNUSABLE,
                quoted(config_setting_get_string(s), shown, sizeof shown), why);
}

static int get_audio(loader *ld, const config_setting_t *s, const audio_clip **out)
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
            return fail(ld, s, MSG_AUDIO_NO_FILE, quoted(name, shown, sizeof shown));
        return fail(ld, s, MSG_AUDIO_NOT_FOUND, quoted(name, shown, sizeof shown), looked_in);
    case AUDIO_NO_MEMORY:
        return fail(ld, s, MSG_OUT_OF_MEMORY);
    }
    char *key = realpath(file, NULL);
    if (!key)
        key = copy_text(file);
    if (!key) {
        free(file);
        return fail(ld, s, MSG_OUT_OF_MEMORY);
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

static int read_audio(loader *ld, const config_setting_t *group, const char *name,
                      const audio_clip **out)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    return s ? get_audio(ld, s, out) : 0;
}

/* ---- Groups ---- */

static const config_setting_t *get_group(loader *ld, const config_setting_t *parent,
                                         const char *name, int *status)
{
    const config_setting_t *s = config_setting_get_member(parent, name);
    *status = 0;
    if (s && config_setting_type(s) != CONFIG_TYPE_GROUP) {
        *status = fail(ld, s, MSG_WRONG_TYPE, name, "a group { ... }", type_phrase(s));
        return NULL;
    }
    return s;
}

/* Reads the settings present in `group` over *pacer, key by key. */
static int parse_pacer(loader *ld, const config_setting_t *group, pacer_settings *pacer)
{
    int sound = (int)pacer->sound;
    if (check_names(ld, group, pacer_names, NULL, " in 'pacer'", -1) != 0
        || read_choice(ld, group, "sound", "pacer sound", pacer_sound_names, &sound) != 0
        || read_hz(ld, group, "low", &pacer->low_hz) != 0
        || read_hz(ld, group, "high", &pacer->high_hz) != 0
        || read_level(ld, group, "level", &pacer->level_db) != 0)
        return 2;
    pacer->sound = (pacer_sound)sound;
    return 0;
}

static int parse_voice(loader *ld, const config_setting_t *group, voice_settings *voice)
{
    if (check_names(ld, group, voice_names, NULL, " in 'voice'", -1) != 0)
        return 2;
    for (int kind = 0; kind < BREATH_KIND_COUNT; kind++)
        if (read_audio(ld, group, kind_names[kind], &voice->cue[kind]) != 0)
            return 2;
    return read_level(ld, group, "level", &voice->level_db) != 0
        || read_int(ld, group, "cycles", 0, INT_MAX, &voice->cycles) != 0 ? 2 : 0;
}

static int parse_background(loader *ld, const config_setting_t *group,
                            background_settings *background)
{
    if (check_names(ld, group, background_names, NULL, " in 'background'", -1) != 0)
        return 2;
    const config_setting_t *noise = config_setting_get_member(group, "noise");
    const config_setting_t *file = config_setting_get_member(group, "file");
    if (noise && file)
        return fail(ld, group, MSG_BACKGROUND_BOTH);
    if (!noise && !file)
        return fail(ld, group, MSG_BACKGROUND_NEITHER);
    if (noise) {
        int which = 0;
        if (read_choice(ld, group, "noise", "background noise", noise_names, &which) != 0)
            return 2;
        background->kind = noise_kinds[which];
    } else {
        if (get_audio(ld, file, &background->file) != 0)
            return 2;
        background->kind = BACKGROUND_FILE;
    }
    if (read_level(ld, group, "level", &background->level_db) != 0
        || read_duration(ld, group, "fade", LENGTH_OR_ZERO, &background->fade_seconds) != 0
        || read_level(ld, group, "duck", &background->duck_db) != 0)
        return 2;
    if (background->duck_db > 0.0)
        return fail(ld, config_setting_get_member(group, "duck"), MSG_DUCK_POSITIVE, "duck",
                    background->duck_db);
    return 0;
}

/* Pattern values from a string or an array/list of numbers. */
static int get_pattern_values(loader *ld, const config_setting_t *s, breath_pattern *pattern)
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
            return fail(ld, s, MSG_VALUE_WHY, name, why);
        return 0;
    }
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return fail(ld, s, MSG_WRONG_TYPE, name, expected, type_phrase(s));
    int count = config_setting_length(s);
    if (count < 1 || count > SESSION_MAX_PHASES) {
        char why[256];
        if (count < 1)
            snprintf(why, sizeof why, WHY_PATTERN_COUNT, count);
        else
            snprintf(why, sizeof why, WHY_PATTERN_ENTRIES, SESSION_MAX_PHASES, count);
        return fail(ld, s, MSG_VALUE_WHY, name, why);
    }
    for (int i = 0; i < count; i++) {
        const config_setting_t *entry = config_setting_get_elem(s, (unsigned)i);
        if (!is_number(entry))
            return fail(ld, entry, MSG_ENTRY_TYPE, name, (unsigned)i + 1, "a number (seconds)",
                        type_phrase(entry));
        pattern->seconds[i] = number_value(entry);
    }
    pattern->count = count;
    return 0;
}

static int parse_phases(loader *ld, const config_setting_t *s, breath_pattern *pattern)
{
    int type = config_setting_type(s);
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return fail(ld, s, MSG_WRONG_TYPE, "phases",
                    "an array of phase names like [\"inhale\", \"exhale\"]", type_phrase(s));
    int count = config_setting_length(s);
    if (count < 1 || count > SESSION_MAX_PHASES)
        return fail(ld, s, MSG_PHASES_RANGE, SESSION_MAX_PHASES, count);
    for (int i = 0; i < count; i++) {
        const config_setting_t *entry = config_setting_get_elem(s, (unsigned)i);
        char shown[QUOTED_MAX * 4 + 16], hint[256];
        if (config_setting_type(entry) != CONFIG_TYPE_STRING)
            return fail(ld, entry, MSG_ENTRY_TYPE, "phases", (unsigned)i + 1,
                        "a phase name (inhale, hold, exhale or hold_out)", type_phrase(entry));
        const char *text = config_setting_get_string(entry);
        int kind = find_name(kind_names, text);
        if (kind < 0)
            return fail(ld, entry, MSG_UNKNOWN_VALUE, "phase", quoted(text, shown, sizeof shown),
                        name_hint(kind_names, text, hint, sizeof hint));
        pattern->kind[i] = (breath_kind)kind;
    }
    if (count != pattern->count)
        return fail(ld, s, MSG_PHASES_COUNT, count, pattern->count);
    return 0;
}

static int check_pattern_setting(loader *ld, const config_setting_t *s,
                                 const breath_pattern *pattern)
{
    char why[256];
    if (check_pattern(pattern, why, sizeof why) != 0)
        return fail(ld, s, MSG_VALUE_WHY, config_setting_name(s), why);
    return 0;
}

static int parse_breathe(loader *ld, const config_setting_t *group, session_step *step)
{
    const config_setting_t *pattern = config_setting_get_member(group, "pattern");
    const config_setting_t *phases = config_setting_get_member(group, "phases");
    const config_setting_t *ramp_to = config_setting_get_member(group, "ramp_to");
    const config_setting_t *cycles = config_setting_get_member(group, "cycles");
    const config_setting_t *duration = config_setting_get_member(group, "duration");
    int status;

    if (!pattern)
        return fail(ld, group, MSG_MISSING, "a breathe step", "pattern", "pattern = \"4-7-8\";");
    breath_pattern *p = &step->breathe.pattern;
    if (get_pattern_values(ld, pattern, p) != 0)
        return 2;
    if (phases) {
        if (parse_phases(ld, phases, p) != 0)
            return 2;
    } else {
        char why[256];
        if (default_kinds(p, why, sizeof why) != 0)
            return fail(ld, pattern, MSG_VALUE_WHY, "pattern", why);
    }
    if (check_pattern_setting(ld, pattern, p) != 0)
        return 2;

    step->breathe.ramp_to = *p;
    if (ramp_to) {
        breath_pattern *r = &step->breathe.ramp_to;
        if (get_pattern_values(ld, ramp_to, r) != 0)
            return 2;
        if (r->count != p->count)
            return fail(ld, ramp_to, MSG_RAMP_COUNT, r->count, p->count);
        memcpy(r->kind, p->kind, sizeof r->kind);
        if (check_pattern_setting(ld, ramp_to, r) != 0)
            return 2;
        step->breathe.ramps = true;
    }

    if ((cycles != NULL) == (duration != NULL))
        return fail(ld, group, MSG_CYCLES_OR_DURATION);
    if (cycles && get_integer(ld, cycles, 1, LLONG_MAX, &step->breathe.cycles) != 0)
        return 2;
    if (duration && get_duration(ld, duration, LENGTH_POSITIVE,
                                 &step->breathe.duration_seconds) != 0)
        return 2;

    step->breathe.pacer = ld->s->pacer;
    step->breathe.voice = ld->s->voice;
    const config_setting_t *pacer = get_group(ld, group, "pacer", &status);
    if (status != 0 || (pacer && parse_pacer(ld, pacer, &step->breathe.pacer) != 0))
        return 2;
    const config_setting_t *voice = get_group(ld, group, "voice", &status);
    if (status != 0 || (voice && parse_voice(ld, voice, &step->breathe.voice) != 0))
        return 2;
    return 0;
}

static int parse_steps(loader *ld, const config_setting_t *list, const config_setting_t *owner,
                       session_step **out, size_t *out_count, int depth);

static int parse_repeat(loader *ld, const config_setting_t *group, session_step *step,
                        int depth)
{
    if (depth + 1 > SESSION_MAX_REPEAT_DEPTH)
        return fail(ld, group, MSG_NESTED_TOO_DEEP, SESSION_MAX_REPEAT_DEPTH, depth + 1);
    const config_setting_t *count = config_setting_get_member(group, "count");
    bool forever = false;
    if (read_bool(ld, group, "forever", &forever) != 0)
        return 2;
    if (count && forever)
        return fail(ld, group, MSG_COUNT_AND_FOREVER);
    if (!count && !forever)
        return fail(ld, group, MSG_COUNT_OR_FOREVER);
    if (count && get_integer(ld, count, 1, LLONG_MAX, &step->repeat.count) != 0)
        return 2;
    step->repeat.forever = forever;
    const config_setting_t *steps = config_setting_get_member(group, "steps");
    if (!steps)
        return fail(ld, group, MSG_MISSING, "a repeat step", "steps",
                    "steps = ( { type = \"bell\"; } );");
    return parse_steps(ld, steps, group, &step->repeat.steps, &step->repeat.step_count,
                       depth + 1);
}

static int parse_step(loader *ld, const config_setting_t *group, session_step *step, int depth)
{
    step->file = source_of(ld, group);
    step->line = (int)config_setting_source_line(group);
    const config_setting_t *type = config_setting_get_member(group, "type");
    int type_index = 0;
    if (!type)
        return fail(ld, group, MSG_MISSING, "a step", "type",
                    "type = \"breathe\"; (one of cue, bell, breathe, timer, repeat)");
    if (read_choice(ld, group, "type", "step type", step_type_names, &type_index) != 0)
        return 2;
    step->type = (step_type)type_index;
    if (check_names(ld, group, step_common_names, step_names[type_index], NULL,
                    type_index) != 0)
        return 2;

    step->label = copy_text("");
    if (!step->label)
        return fail(ld, group, MSG_OUT_OF_MEMORY);
    if (read_text(ld, group, "label", true, &step->label) != 0
        || read_audio(ld, group, "cue", &step->precue) != 0
        || read_duration(ld, group, "gap", LENGTH_OR_ZERO, &step->gap_seconds) != 0)
        return 2;

    switch (step->type) {
    case STEP_CUE: {
        const config_setting_t *file = config_setting_get_member(group, "file");
        if (!file)
            return fail(ld, group, MSG_MISSING, "a cue step", "file", "file = \"intro.ogg\";");
        step->cue_step.level_db = 0.0;
        return get_audio(ld, file, &step->cue_step.file) != 0
            || read_level(ld, group, "level", &step->cue_step.level_db) != 0 ? 2 : 0;
    }
    case STEP_BELL:
        step->bell.strikes = 1;
        step->bell.interval_seconds = BELL_DEFAULT_INTERVAL_SECONDS;
        step->bell.hz = BELL_DEFAULT_HZ;
        step->bell.level_db = BELL_DEFAULT_LEVEL_DB;
        step->bell.ring_seconds = BELL_DEFAULT_RING_SECONDS;
        return read_int(ld, group, "strikes", 1, INT_MAX, &step->bell.strikes) != 0
            || read_duration(ld, group, "interval", LENGTH_POSITIVE,
                             &step->bell.interval_seconds) != 0
            || read_hz(ld, group, "hz", &step->bell.hz) != 0
            || read_level(ld, group, "level", &step->bell.level_db) != 0
            || read_duration(ld, group, "ring", LENGTH_POSITIVE, &step->bell.ring_seconds) != 0
            ? 2 : 0;
    case STEP_BREATHE:
        return parse_breathe(ld, group, step);
    case STEP_TIMER: {
        const config_setting_t *duration = config_setting_get_member(group, "duration");
        if (!duration)
            return fail(ld, group, MSG_MISSING, "a timer step", "duration", "duration = \"5m\";");
        step->timer.bell_end = true;
        return get_duration(ld, duration, LENGTH_POSITIVE, &step->timer.duration_seconds) != 0
            || read_duration(ld, group, "bell_every", LENGTH_OR_ZERO,
                             &step->timer.bell_every_seconds) != 0
            || read_bool(ld, group, "bell_end", &step->timer.bell_end) != 0
            || read_int(ld, group, "ticks", 0, INT_MAX, &step->timer.ticks) != 0 ? 2 : 0;
    }
    case STEP_REPEAT:
        return parse_repeat(ld, group, step, depth);
    }
    return 0;
}

/* Parses a steps list owned by `owner` (the root or a repeat step's group).
 * *out and *out_count are set before the steps are read, so a failure part
 * way leaves everything reachable for session_free(). */
static int parse_steps(loader *ld, const config_setting_t *list, const config_setting_t *owner,
                       session_step **out, size_t *out_count, int depth)
{
    int type = config_setting_type(list);
    if (type != CONFIG_TYPE_LIST && type != CONFIG_TYPE_ARRAY)
        return fail(ld, list, MSG_WRONG_TYPE, "steps",
                    "a list of steps like ( { type = \"bell\"; } )", type_phrase(list));
    int count = config_setting_length(list);
    if (count == 0)
        return fail(ld, list, MSG_NO_STEPS);
    session_step *steps = calloc((size_t)count, sizeof *steps);
    if (!steps)
        return fail(ld, owner, MSG_OUT_OF_MEMORY);
    *out = steps;
    *out_count = (size_t)count;
    for (int i = 0; i < count; i++) {
        const config_setting_t *group = config_setting_get_elem(list, (unsigned)i);
        if (config_setting_type(group) != CONFIG_TYPE_GROUP)
            return fail(ld, group, MSG_STEP_NOT_GROUP, (unsigned)i + 1, type_phrase(group));
        if (parse_step(ld, group, &steps[i], depth) != 0)
            return 2;
    }
    return 0;
}

static void free_steps(session_step *steps, size_t count)
{
    if (!steps)
        return;
    for (size_t i = 0; i < count; i++) {
        free(steps[i].label);
        if (steps[i].type == STEP_REPEAT)
            free_steps(steps[i].repeat.steps, steps[i].repeat.step_count);
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
    free_steps(s->steps, s->step_count);
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
    if (s && get_integer(ld, s, LLONG_MIN, LLONG_MAX, &format) != 0)
        return 2;
    if (format != 1)
        return fail(ld, s, MSG_FORMAT, format);
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
    ld->audio_folder = text[0] == '/' ? copy_text(text) : join_path(ld->folder, text);
    if (!ld->audio_folder)
        return fail(ld, s, MSG_OUT_OF_MEMORY);
    ld->s->audio_dir = copy_text(ld->audio_folder);
    if (!ld->s->audio_dir)
        return fail(ld, s, MSG_OUT_OF_MEMORY);
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
        return fail(ld, root, MSG_MISSING, "a session", "title", "title = \"Box breathing\";");
    if (read_text(ld, root, "title", false, &s->title) != 0
        || read_text(ld, root, "description", true, &s->description) != 0
        || read_text(ld, root, "author", true, &s->author) != 0
        || read_text(ld, root, "caution", true, &s->caution) != 0
        || read_int(ld, root, "sample_rate", RATE_MIN, RATE_MAX, &s->sample_rate) != 0
        || read_level(ld, root, "volume", &s->volume_db) != 0
        || parse_audio_dir(ld, root) != 0)
        return 2;
    /* A caution of only spaces says nothing: there is no caution to print,
     * and --check still asks for one where it would. */
    if (s->caution && is_blank(s->caution)) {
        free(s->caution);
        s->caution = NULL;
    }

    const config_setting_t *pacer = get_group(ld, root, "pacer", &status);
    if (status != 0 || (pacer && parse_pacer(ld, pacer, &s->pacer) != 0))
        return 2;
    const config_setting_t *voice = get_group(ld, root, "voice", &status);
    if (status != 0 || (voice && parse_voice(ld, voice, &s->voice) != 0))
        return 2;
    const config_setting_t *background = get_group(ld, root, "background", &status);
    if (status != 0 || (background && parse_background(ld, background, &s->background) != 0))
        return 2;

    const config_setting_t *steps = config_setting_get_member(root, "steps");
    if (!steps)
        return fail(ld, root, MSG_MISSING, "a session", "steps",
                    "steps = ( { type = \"bell\"; } );");
    return parse_steps(ld, steps, root, &s->steps, &s->step_count, 0);
}

static session *new_session(const char *path)
{
    session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->path = copy_text(path);
    s->description = copy_text("");
    s->author = copy_text("");
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
        status = fail(ld, NULL, MSG_CANNOT_READ, strerror(errno));
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
        return copy_text(".");
    size_t length = slash == path ? 1 : (size_t)(slash - path);
    char *folder = malloc(length + 1);
    if (folder) {
        memcpy(folder, path, length);
        folder[length] = '\0';
    }
    return folder;
}

int session_load(const char *path, session **out, const report_sink *report)
{
    loader ld = { .path = path, .report = report };
    config_t config;
    int status = 2;
    *out = NULL;

    struct stat info;
    if (stat(path, &info) != 0) {
        fail(&ld, NULL, MSG_CANNOT_READ, strerror(errno));
        return 2;
    }
    if (S_ISDIR(info.st_mode)) {
        fail(&ld, NULL, MSG_CANNOT_READ, "it is a folder");
        return 2;
    }
    /* A FIFO or a device would block or never end. */
    if (!S_ISREG(info.st_mode)) {
        fail(&ld, NULL, MSG_NOT_REGULAR);
        return 2;
    }
    ld.folder = folder_of(path);
    ld.s = new_session(path);
    if (!ld.folder || !ld.s) {
        fail(&ld, NULL, MSG_OUT_OF_MEMORY);
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
            fail(&ld, NULL, MSG_CANNOT_READ, probe ? "read error" : strerror(saved));
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
        if (status == 0)
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
