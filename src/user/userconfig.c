/* userconfig.c: reading the user's defaults file (see userconfig.h). */
#include "user/userconfig.h"

#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/level.h"
#include "user/xdgpath.h"

/* Every message the file's owner can see, printed as "FILE:LINE: message". */
#define MSG_CANNOT_READ     "cannot read the settings file: %s"
#define MSG_UNKNOWN_SETTING "unknown setting '%s'; the settings are " KNOWN_LIST
#define MSG_NOT_STRING      "'%s' must be a string in double quotes, like %s = \"%s\";"
#define MSG_EMPTY           "'%s' must not be empty; remove the line to use the default"
#define MSG_VOLUME_NUMBER   "'volume' must be a gain in dB, like volume = -6.0;"
#define MSG_VOLUME_RANGE    "'volume' must be between %g and %g dB, not %g"
#define MSG_LATENCY_NUMBER  "'latency' must be a time in seconds, like latency = 0.5;"
#define MSG_LATENCY_RANGE   "'latency' must be between %g and %g seconds, not %g"
#define MSG_NOT_BOOL        "'%s' must be true or false, like %s = %s;"
#define MSG_SYNTAX          "%s; write each setting as name = value; with text in double quotes, like device = \"pulse\";"
#define MSG_OUT_OF_MEMORY   "out of memory"
#define MSG_HOSTS_LIST      "'web_hosts' must be a list of host names in double quotes, like web_hosts = [ \"pi.example.org\" ];"
#define MSG_HOSTS_NAME      "'web_hosts' must hold host names without a port, like \"pi.example.org\", not \"%s\""

#define KNOWN_LIST \
    "device, volume, latency, quiet, session, history, hr_device, listen, web_token and web_hosts"
static const char *const known_settings[] = { "device", "volume", "latency", "quiet", "session",
                                              "history", "hr_device", "listen", "web_token",
                                              "web_hosts" };


char *userconfig_path(const char *xdg_config_home, const char *home)
{
    return xdgpath_user(XDGPATH_CONFIG, xdg_config_home, home, "config");
}

/* Reports an error at FILE:LINE (line 0: the whole file); returns 1 when
 * it is out of memory, 2 for a problem in the file. */
static int problem(const report_sink *report, const char *file, int line, const char *format,
                   ...) __attribute__((format(printf, 4, 5)));

static int problem(const report_sink *report, const char *file, int line, const char *format,
                   ...)
{
    char message[REPORT_MESSAGE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    report_error(report, file, line > 0 ? line : 0, "%s", message);
    return strcmp(format, MSG_OUT_OF_MEMORY) == 0 ? 1 : 2;
}

static bool is_known(const char *name)
{
    for (size_t i = 0; i < sizeof known_settings / sizeof known_settings[0]; i++)
        if (strcmp(name, known_settings[i]) == 0)
            return true;
    return false;
}

/* A non-empty string setting copied into *out; 0, 1 or 2. */
static int read_text(const config_setting_t *setting, const char *path, const char *example,
                     char **out, const report_sink *report)
{
    const char *name = config_setting_name(setting);
    int line = (int)config_setting_source_line(setting);
    if (config_setting_type(setting) != CONFIG_TYPE_STRING)
        return problem(report, path, line, MSG_NOT_STRING, name, name, example);
    const char *text = config_setting_get_string(setting);
    if (!text || !*text)
        return problem(report, path, line, MSG_EMPTY, name);
    free(*out);
    *out = strdup(text);
    return *out ? 0 : problem(report, path, line, MSG_OUT_OF_MEMORY);
}

static int read_bool(const config_setting_t *setting, const char *path, const char *example,
                     bool *out, const report_sink *report)
{
    const char *name = config_setting_name(setting);
    if (config_setting_type(setting) != CONFIG_TYPE_BOOL)
        return problem(report, path, (int)config_setting_source_line(setting), MSG_NOT_BOOL, name,
                       name, example);
    *out = config_setting_get_bool(setting) != 0;
    return 0;
}

/* A number (integer or not) from min to max into *out; 0 or 2, with
 * not_number or range_message (one %g) when it is not. */
static int read_number(const config_setting_t *setting, const char *path,
                       const char *not_number, double min, double max,
                       const char *range_message, double *out, const report_sink *report)
{
    int line = (int)config_setting_source_line(setting);
    double value;
    switch (config_setting_type(setting)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: value = (double)config_setting_get_int64(setting); break;
    case CONFIG_TYPE_FLOAT: value = config_setting_get_float(setting); break;
    default: return problem(report, path, line, "%s", not_number);
    }
    if (!isfinite(value) || value < min || value > max)
        return problem(report, path, line, range_message, min, max, value);
    *out = value;
    return 0;
}

/* web_hosts = [ "NAME", ... ]: names only (letters, digits, '.', '-', ':' of
 * an IPv6 address), each copied into c->web_hosts. */
static int read_hosts(const config_setting_t *setting, const char *path, userconfig *c,
                      const report_sink *report)
{
    int line = (int)config_setting_source_line(setting);
    if (config_setting_type(setting) != CONFIG_TYPE_ARRAY
        && config_setting_type(setting) != CONFIG_TYPE_LIST)
        return problem(report, path, line, MSG_HOSTS_LIST);
    int count = config_setting_length(setting);
    for (int i = 0; i < count; i++) {
        const config_setting_t *item = config_setting_get_elem(setting, (unsigned)i);
        const char *name = config_setting_type(item) == CONFIG_TYPE_STRING
                               ? config_setting_get_string(item) : NULL;
        if (!name)
            return problem(report, path, line, MSG_HOSTS_LIST);
        if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789.-:[]") != strlen(name))
            return problem(report, path, line, MSG_HOSTS_NAME, name);
        char **more = realloc(c->web_hosts, (c->web_host_count + 1) * sizeof *more);
        if (!more)
            return problem(report, path, line, MSG_OUT_OF_MEMORY);
        c->web_hosts = more;
        if (!(c->web_hosts[c->web_host_count] = strdup(name)))
            return problem(report, path, line, MSG_OUT_OF_MEMORY);
        c->web_host_count++;
    }
    return 0;
}

static int read_settings(const config_t *cfg, const char *path, userconfig *c,
                         const report_sink *report)
{
    const config_setting_t *root = config_root_setting(cfg);
    int count = config_setting_length(root);
    for (int i = 0; i < count; i++) {
        const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        if (!is_known(name))
            return problem(report, path, (int)config_setting_source_line(s), MSG_UNKNOWN_SETTING,
                           name);
        int code = 0;
        if (strcmp(name, "device") == 0)
            code = read_text(s, path, "pulse", &c->device, report);
        else if (strcmp(name, "session") == 0)
            code = read_text(s, path, "box-breathing", &c->session, report);
        else if (strcmp(name, "hr_device") == 0)
            code = read_text(s, path, "Polar H10", &c->hr_device, report);
        else if (strcmp(name, "volume") == 0)
            code = read_number(s, path, MSG_VOLUME_NUMBER, LEVEL_MIN_DB, LEVEL_MAX_DB, MSG_VOLUME_RANGE,
                               &c->volume_db, report);
        else if (strcmp(name, "latency") == 0)
            code = read_number(s, path, MSG_LATENCY_NUMBER, LATENCY_MIN_SECONDS, LATENCY_MAX_SECONDS,
                               MSG_LATENCY_RANGE, &c->latency_seconds, report);
        else if (strcmp(name, "quiet") == 0)
            code = read_bool(s, path, "true", &c->quiet, report);
        else if (strcmp(name, "listen") == 0)
            code = read_text(s, path, "0.0.0.0:8089", &c->listen, report);
        else if (strcmp(name, "web_token") == 0)
            code = read_bool(s, path, "true", &c->web_token, report);
        else if (strcmp(name, "web_hosts") == 0)
            code = read_hosts(s, path, c, report);
        else
            code = read_bool(s, path, "false", &c->history, report);
        if (code)
            return code;
    }
    return 0;
}

int userconfig_load(const char *path, userconfig *c, const report_sink *report)
{
    memset(c, 0, sizeof *c);
    c->history = true;
    if (!path)
        return 0;
    FILE *file = fopen(path, "r");
    if (!file) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return problem(report, path, 0, MSG_CANNOT_READ, strerror(errno));
    }
    struct stat st;
    if (fstat(fileno(file), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(file);
        return problem(report, path, 0, MSG_CANNOT_READ, strerror(EISDIR));
    }
    config_t cfg;
    config_init(&cfg);
    int code = 0;
    if (config_read(&cfg, file) != CONFIG_TRUE) {
        const char *text = config_error_text(&cfg);
        bool syntax = text && strcmp(text, "syntax error") == 0;
        code = problem(report, path, config_error_line(&cfg), syntax ? MSG_SYNTAX : "%s", text);
    } else {
        code = read_settings(&cfg, path, c, report);
    }
    if (code == 0 && !(c->path = strdup(path)))
        code = problem(report, path, 0, MSG_OUT_OF_MEMORY);
    config_destroy(&cfg);
    fclose(file);
    if (code)
        userconfig_free(c);
    return code;
}

void userconfig_free(userconfig *c)
{
    free(c->device);
    free(c->session);
    free(c->hr_device);
    free(c->path);
    c->hr_device = NULL;
    free(c->listen);
    for (size_t i = 0; i < c->web_host_count; i++)
        free(c->web_hosts[i]);
    free(c->web_hosts);
    c->listen = NULL;
    c->web_hosts = NULL;
    c->web_host_count = 0;
    c->device = NULL;
    c->session = NULL;
    c->path = NULL;
}
