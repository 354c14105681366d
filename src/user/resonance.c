/* resonance.c: the saved resonance breathing rate (resonance.h). */
#include "user/resonance.h"

#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/savefile.h"
#include "user/xdgpath.h"

char *resonance_saved_path(const char *xdg_state_home, const char *home)
{
    return xdgpath_user(XDGPATH_STATE, xdg_state_home, home, "resonance");
}

static int problem(const report_sink *report, const char *path, const config_setting_t *s,
                   const char *message)
{
    report_error(report, path, s ? config_setting_source_line(s) : 0, "%s", message);
    return 2;
}

static int read_settings(const config_t *cfg, const char *path, resonance_saved *saved,
                         const report_sink *report)
{
    const config_setting_t *root = config_root_setting(cfg);
    for (int i = 0; i < config_setting_length(root); i++) {
        const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        if (strcmp(name, "rate") != 0 && strcmp(name, "measured") != 0 &&
            strcmp(name, "recording") != 0)
            return problem(report, path, s, "unknown setting (this file holds rate, measured "
                                            "and recording; breathe --analyze --save writes it)");
    }
    const config_setting_t *rate = config_setting_get_member(root, "rate");
    if (!rate)
        return problem(report, path, NULL, "no rate (rate = 5.5; breaths a minute)");
    int type = config_setting_type(rate);
    if (type != CONFIG_TYPE_FLOAT && type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
        return problem(report, path, rate, "rate is breaths a minute, a number such as 5.5");
    saved->rate = type == CONFIG_TYPE_FLOAT ? config_setting_get_float(rate)
                                            : (double)config_setting_get_int64(rate);
    if (!(saved->rate >= RESONANCE_MIN_RATE && saved->rate <= RESONANCE_MAX_RATE)) {
        report_error(report, path, config_setting_source_line(rate),
                     "rate %g is not a resonance breathing rate (it must be between %g and %g "
                     "breaths a minute)", saved->rate, RESONANCE_MIN_RATE, RESONANCE_MAX_RATE);
        return 2;
    }
    const config_setting_t *measured = config_setting_get_member(root, "measured");
    if (measured) {
        const char *text = config_setting_get_string(measured);
        if (!text || strlen(text) >= sizeof saved->measured)
            return problem(report, path, measured,
                           "measured is a time in quotes, \"2026-12-20T07:52:10Z\"");
        snprintf(saved->measured, sizeof saved->measured, "%s", text);
    }
    const config_setting_t *recording = config_setting_get_member(root, "recording");
    if (recording) {
        const char *text = config_setting_get_string(recording);
        if (!text)
            return problem(report, path, recording, "recording is a path in quotes");
        saved->recording = strdup(text);
        if (!saved->recording) {
            report_out_of_memory(report);
            return 1;
        }
    }
    saved->saved = true;
    return 0;
}

int resonance_saved_read(const char *path, resonance_saved *saved, const report_sink *report)
{
    *saved = (resonance_saved){0};
    if (!path)
        return 0;
    FILE *file = fopen(path, "r");
    if (!file) {
        if (errno == ENOENT)
            return 0;
        report_error(report, path, 0, "cannot read the saved resonance rate: %s",
                     strerror(errno));
        return 2;
    }
    config_t cfg;
    config_init(&cfg);
    int code;
    if (config_read(&cfg, file) != CONFIG_TRUE) {
        report_error(report, path, config_error_line(&cfg), "%s (breathe --analyze --save "
                     "writes this file; save again or remove it)", config_error_text(&cfg));
        code = 2;
    } else {
        code = read_settings(&cfg, path, saved, report);
    }
    config_destroy(&cfg);
    fclose(file);
    if (code != 0)
        resonance_saved_free(saved);
    return code;
}

/* Quotes and backslashes escaped for a libconfig string. */
static void put_string(FILE *f, const char *text)
{
    fputc('"', f);
    for (const char *c = text; *c; c++) {
        if (*c == '"' || *c == '\\')
            fputc('\\', f);
        if ((unsigned char)*c >= 0x20)
            fputc(*c, f);
    }
    fputc('"', f);
}

int resonance_saved_write(const char *path, double rate, time_t measured, const char *recording,
                          const report_sink *report)
{
    if (!path) {
        report_error(report, NULL, 0, "cannot save the resonance rate: neither XDG_STATE_HOME "
                                      "nor HOME is set");
        return 1;
    }
    char when[32] = "";
    struct tm utc;
    if (gmtime_r(&measured, &utc))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f) {
        report_out_of_memory(report);
        return 1;
    }
    fprintf(f, "# breathe: the resonance breathing rate, from breathe --analyze --save\n"
               "rate = %.2f;  # breaths a minute\nmeasured = \"%s\";\n", rate, when);
    if (recording) {
        fputs("recording = ", f);
        put_string(f, recording);
        fputs(";\n", f);
    }
    if (fclose(f) != 0) {
        free(text);
        report_out_of_memory(report);
        return 1;
    }
    int error = savefile_make_parents(path) != 0 ? errno : 0;
    if (!error)
        error = savefile_write(path, text, size, SAVEFILE_REPLACE);
    free(text);
    if (error) {
        report_error(report, NULL, 0, "cannot save the resonance rate in %s: %s", path,
                     strerror(error));
        return 1;
    }
    return 0;
}

void resonance_saved_free(resonance_saved *saved)
{
    free(saved->recording);
    *saved = (resonance_saved){0};
}
