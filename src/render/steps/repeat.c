/* repeat.c: a repeat step holds steps; the timeline builds its rounds from
 * them (timeline.c), so it has no timed part or events of its own. Its cue
 * and gap are spans of their own, drawn like a cue's. */
#include <stdio.h>

#include "render/step_timing.h"

static void describe_repeat(const timeline *t, const session_step *step, long long rounds,
                            char *out, size_t size)
{
    if (rounds == 0)
        snprintf(out, size, "repeat forever");
    else
        snprintf(out, size, "repeat %lld times", rounds);
}

const step_timing step_timing_repeat = {
    .type = STEP_REPEAT,
    .describe = describe_repeat,
    .plot_band = "cue",
};
