/* step_timing.c: the table of what step types do (see step_timing.h). */
#include "render/step_timing.h"

#include <stdio.h>

/* One line per step type, in the order of step_type. The table has no size
 * of its own, so a type left out (or one too many) fails the assertion
 * below; each record names its own type, which the unit tests match
 * against its place. */
const step_timing *const step_timings[] = {
    &step_timing_cue,
    &step_timing_bell,
    &step_timing_breathe,
    &step_timing_timer,
    &step_timing_repeat,
};
_Static_assert(sizeof step_timings / sizeof step_timings[0] == STEP_TYPE_COUNT,
               "step_timings[] needs one entry for every step_type");

void step_timing_name(const session_step *step, char *out, size_t size)
{
    const step_timing *timing = step_timings[step->type];
    if (step->label[0])
        snprintf(out, size, "%s", step->label);
    else if (timing->short_name)
        timing->short_name(step, out, size);
    else
        snprintf(out, size, "%s", step_type_name(step->type));
}
