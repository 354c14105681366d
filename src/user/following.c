/* following.c: the programme followed (following.h). */
#include "user/following.h"

#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/savefile.h"
#include "user/history.h"
#include "user/xdgpath.h"

char *following_path(const char *xdg_state_home, const char *home)
{
    return xdgpath_user(XDGPATH_STATE, xdg_state_home, home, "programme");
}

int following_parse_date(const char *text, int64_t *day)
{
    int year, month, date, used = 0;
    if (strlen(text) != 10 || text[4] != '-' || text[7] != '-'
        || sscanf(text, "%4d-%2d-%2d%n", &year, &month, &date, &used) != 3 || used != 10)
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
            return -1;
    if (year < 1970 || month < 1 || month > 12 || date < 1 || date > 31)
        return -1;
    int64_t n = history_day_number(year, month, date);
    int y, m, d;
    history_civil_date(n, &y, &m, &d);
    if (y != year || m != month || d != date)   /* 2026-02-30 */
        return -1;
    *day = n;
    return 0;
}

void following_format_date(int64_t day, char *out, size_t size)
{
    int y, m, d;
    history_civil_date(day, &y, &m, &d);
    snprintf(out, size, "%04d-%02d-%02d", y, m, d);
}

static int fail(const report_sink *report, const char *path, int line, const char *message)
{
    report_error(report, path, line, "%s", message);
    return 2;
}

int following_read(const char *path, following *out, bool *found, const report_sink *report)
{
    *found = false;
    struct stat info;
    if (stat(path, &info) != 0) {
        if (errno == ENOENT)
            return 0;
        report_error(report, path, 0, "cannot read it: %s", strerror(errno));
        return 1;
    }
    if (!S_ISREG(info.st_mode))
        return fail(report, path, 1, "not a regular file; remove it and follow a programme "
                                     "again with --follow");
    config_t config;
    config_init(&config);
    int status = 0;
    if (!config_read_file(&config, path)) {
        if (config_error_type(&config) == CONFIG_ERR_FILE_IO) {
            report_error(report, path, 0, "cannot read it");
            status = 1;
        } else {
            int line = config_error_line(&config);
            const char *why = config_error_text(&config);
            status = fail(report, path, line > 0 ? line : 1, why ? why : "syntax error");
        }
        config_destroy(&config);
        return status;
    }
    const config_setting_t *root = config_root_setting(&config);
    const config_setting_t *name = config_setting_get_member(root, "programme");
    const config_setting_t *since = config_setting_get_member(root, "since");
    for (int i = 0; status == 0 && i < config_setting_length(root); i++) {
        const config_setting_t *member = config_setting_get_elem(root, (unsigned)i);
        const char *key = config_setting_name(member);
        if (strcmp(key, "programme") != 0 && strcmp(key, "since") != 0)
            status = fail(report, path, (int)config_setting_source_line(member),
                          "unknown setting; this file holds only 'programme' and 'since'");
    }
    int64_t day = 0;
    if (status != 0) {
        /* reported */
    } else if (!name || !since) {
        status = fail(report, path, 1, "needs 'programme' and 'since'; follow a programme "
                                       "again with --follow");
    } else if (config_setting_type(name) != CONFIG_TYPE_STRING
               || config_setting_get_string(name)[0] == '\0'
               || strlen(config_setting_get_string(name)) >= FOLLOWING_NAME_MAX) {
        status = fail(report, path, (int)config_setting_source_line(name),
                      "'programme' must be the name or path of a programme");
    } else if (config_setting_type(since) != CONFIG_TYPE_STRING
               || following_parse_date(config_setting_get_string(since), &day) != 0) {
        status = fail(report, path, (int)config_setting_source_line(since),
                      "'since' must be a date like \"2026-12-05\"");
    } else {
        snprintf(out->programme, sizeof out->programme, "%s", config_setting_get_string(name));
        out->since = day;
        *found = true;
    }
    config_destroy(&config);
    return status;
}

int following_write(const char *path, const following *f, const report_sink *report)
{
    /* libconfig strings escape '"' and '\\'; a name with either is a path
     * breathe never writes here, but it must still read back as written. */
    char escaped[2 * FOLLOWING_NAME_MAX];
    size_t used = 0;
    for (const char *p = f->programme; *p && used + 2 < sizeof escaped; p++) {
        if (*p == '"' || *p == '\\')
            escaped[used++] = '\\';
        escaped[used++] = *p;
    }
    escaped[used] = '\0';
    char date[16];
    following_format_date(f->since, date, sizeof date);
    char text[sizeof escaped + 256];
    int length = snprintf(text, sizeof text,
                          "# The programme followed (breathe --follow); see breathe-programme(5).\n"
                          "programme = \"%s\";\nsince = \"%s\";\n", escaped, date);
    int error = savefile_make_parents(path) != 0 ? errno : 0;
    if (!error)
        error = savefile_write(path, text, (size_t)length, SAVEFILE_REPLACE);
    if (error) {
        report_error(report, path, 0, "cannot write it: %s", strerror(error));
        return 1;
    }
    return 0;
}
