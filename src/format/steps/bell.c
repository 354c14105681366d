/* bell.c: a bell step strikes a bell `strikes` times, `interval` apart,
 * and lets the last one ring for `ring`. */
#include <limits.h>

#include "format/step_kinds.h"

static const char *const bell_settings[] = { "strikes", "interval", "hz", "level", "ring", NULL };

static int parse_bell(loader *ld, const config_setting_t *group, session_step *step, int depth)
{
    (void)depth;
    step->bell.strikes = 1;
    step->bell.interval_seconds = BELL_DEFAULT_INTERVAL_SECONDS;
    step->bell.hz = BELL_DEFAULT_HZ;
    step->bell.level_db = BELL_DEFAULT_LEVEL_DB;
    step->bell.ring_seconds = BELL_DEFAULT_RING_SECONDS;
    return settings_read_int(ld, group, "strikes", 1, INT_MAX, &step->bell.strikes) != 0
        || settings_read_duration(ld, group, "interval", LENGTH_POSITIVE,
                                  &step->bell.interval_seconds) != 0
        || settings_read_hz(ld, group, "hz", &step->bell.hz) != 0
        || settings_read_level(ld, group, "level", &step->bell.level_db) != 0
        || settings_read_duration(ld, group, "ring", LENGTH_POSITIVE,
                                  &step->bell.ring_seconds) != 0
        ? 2 : 0;
}

const step_kind step_kind_bell = {
    .type = STEP_BELL,
    .name = "bell",
    .settings = bell_settings,
    .parse = parse_bell,
};
