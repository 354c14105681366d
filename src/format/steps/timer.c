/* timer.c: a timer step is quiet for `duration`, with a bell every
 * `bell_every`, a closing bell and `ticks` counting down its last seconds. */
#include <limits.h>

#include "format/messages.h"
#include "format/step_kinds.h"

static const char *const timer_settings[] = { "duration", "bell_every", "bell_end", "ticks",
                                              NULL };

static int parse_timer(loader *ld, const config_setting_t *group, session_step *step, int depth)
{
    (void)depth;
    const config_setting_t *duration = config_setting_get_member(group, "duration");
    if (!duration)
        return settings_fail(ld, group, MSG_MISSING, "a timer step", "duration",
                             "duration = \"5m\";");
    step->timer.bell_end = true;
    return settings_get_duration(ld, duration, LENGTH_POSITIVE,
                                 &step->timer.duration_seconds) != 0
        || settings_read_duration(ld, group, "bell_every", LENGTH_OR_ZERO,
                                  &step->timer.bell_every_seconds) != 0
        || settings_read_bool(ld, group, "bell_end", &step->timer.bell_end) != 0
        || settings_read_int(ld, group, "ticks", 0, INT_MAX, &step->timer.ticks) != 0 ? 2 : 0;
}

const step_kind step_kind_timer = {
    .type = STEP_TIMER,
    .name = "timer",
    .settings = timer_settings,
    .parse = parse_timer,
};
