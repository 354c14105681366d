/* repeat.c: a repeat step plays its own `steps` `count` times, or until
 * stopped with `forever = true`. */
#include <limits.h>

#include "format/messages.h"
#include "format/step_kinds.h"

static const char *const repeat_settings[] = { "steps", "count", "forever", NULL };

static int parse_repeat(loader *ld, const config_setting_t *group, session_step *step,
                        int depth)
{
    if (depth + 1 > SESSION_MAX_REPEAT_DEPTH)
        return settings_fail(ld, group, MSG_NESTED_TOO_DEEP, SESSION_MAX_REPEAT_DEPTH,
                             depth + 1);
    const config_setting_t *count = config_setting_get_member(group, "count");
    bool forever = false;
    if (settings_read_bool(ld, group, "forever", &forever) != 0)
        return 2;
    if (count && forever)
        return settings_fail(ld, group, MSG_COUNT_AND_FOREVER);
    if (!count && !forever)
        return settings_fail(ld, group, MSG_COUNT_OR_FOREVER);
    if (count && settings_get_integer(ld, count, 1, LLONG_MAX, &step->repeat.count) != 0)
        return 2;
    step->repeat.forever = forever;
    const config_setting_t *steps = config_setting_get_member(group, "steps");
    if (!steps)
        return settings_fail(ld, group, MSG_MISSING, "a repeat step", "steps",
                             "steps = ( { type = \"bell\"; } );");
    return settings_read_steps(ld, steps, group, &step->repeat.steps, &step->repeat.step_count,
                               depth + 1);
}

static void free_repeat(session_step *step)
{
    settings_free_steps(step->repeat.steps, step->repeat.step_count);
}

static void each_cue(const session_step *step, session_cue_visit visit, void *context)
{
    for (size_t i = 0; i < step->repeat.step_count; i++)
        session_step_cues(&step->repeat.steps[i], visit, context);
}

const step_kind step_kind_repeat = {
    .type = STEP_REPEAT,
    .name = "repeat",
    .settings = repeat_settings,
    .parse = parse_repeat,
    .free = free_repeat,
    .each_cue = each_cue,
};
