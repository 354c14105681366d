/* settings.h: the loader's readers, for the step types' parsers.
 *
 * session.c reads a session file with one reader per kind of value
 * (duration, level, Hz, audio file, breath pattern...); each step type's
 * parser (format/steps/, listed in step_kinds.h) reads its own settings
 * with the same readers, so every value is checked, and every problem
 * worded, the same way wherever it is written. Internal to the format
 * layer.
 *
 * A `read_` function looks a member of `group` up by name and leaves *out
 * as it was when the member is not there; a `get_` function reads a setting
 * already found. Each returns 0, or 2 after reporting the problem
 * (messages.h) at the file and line it is about, and then the load stops;
 * a problem that is the system's (out of memory) makes the load return 1. */
#ifndef BREATHE_FORMAT_SETTINGS_H
#define BREATHE_FORMAT_SETTINGS_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "format/session.h"

/* The state of one session_load(): the session being built and where
 * messages go. */
typedef struct loader loader;

/* The session read so far: the top-level pacer and voice are read before
 * any step, so a step can start from them. */
const session *settings_session(const loader *ld);

/* Reports format at `where` (a setting, or its nearest parent that has a
 * line) to the load's report sink; returns 2. MSG_OUT_OF_MEMORY marks the
 * load as failed for want of memory. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int settings_fail(loader *ld, const config_setting_t *where, const char *format, ...);

int settings_get_integer(loader *ld, const config_setting_t *s, long long min, long long max,
                         long long *out);
int settings_read_int(loader *ld, const config_setting_t *group, const char *name,
                      int min, int max, int *out);
int settings_read_bool(loader *ld, const config_setting_t *group, const char *name, bool *out);
/* A level in dB, within base/level.h's range. */
int settings_read_level(loader *ld, const config_setting_t *group, const char *name,
                        double *out);
/* A pitch in Hz, audible and below half the session's sample rate. */
int settings_read_hz(loader *ld, const config_setting_t *group, const char *name, double *out);

typedef enum { LENGTH_POSITIVE, LENGTH_OR_ZERO } length_rule;
/* Seconds, or a string like "2m30s"; at most 24 hours. */
int settings_get_duration(loader *ld, const config_setting_t *s, length_rule rule, double *out);
int settings_read_duration(loader *ld, const config_setting_t *group, const char *name,
                           length_rule rule, double *out);

/* An audio file, found (audio_dir, the session's folder, the search path)
 * and opened once however often it is named. */
int settings_get_audio(loader *ld, const config_setting_t *s, const audio_clip **out);
int settings_read_audio(loader *ld, const config_setting_t *group, const char *name,
                        const audio_clip **out);

/* The `pacer` or `voice` group of `parent` read over *pacer or *voice,
 * setting by setting. */
int settings_read_pacer(loader *ld, const config_setting_t *parent, pacer_settings *pacer);
int settings_read_voice(loader *ld, const config_setting_t *parent, voice_settings *voice);

/* A breath pattern is read in steps: its numbers (a string "4-7-8" or an
 * array), then the phases they are (named by `phases`, or by the count),
 * then checked as a whole (lengths of each phase and of the cycle). */
int settings_get_pattern(loader *ld, const config_setting_t *s, breath_pattern *pattern);
int settings_get_phases(loader *ld, const config_setting_t *s, breath_pattern *pattern);
int settings_default_phases(loader *ld, const config_setting_t *s, breath_pattern *pattern);
int settings_check_pattern(loader *ld, const config_setting_t *s, const breath_pattern *pattern);

/* A list of steps owned by `owner` (the root, or a repeat's group), `depth`
 * repeats deep. *out and *out_count are set before any step is read, so a
 * failure part way leaves everything for settings_free_steps(). */
int settings_read_steps(loader *ld, const config_setting_t *list, const config_setting_t *owner,
                        session_step **out, size_t *out_count, int depth);
void settings_free_steps(session_step *steps, size_t count);

#endif
