/* cue.c: a cue step plays its file once; the step lasts as long as the file. */
#include <stdio.h>
#include <stdlib.h>

#include "render/timeline_parts.h"

static int build_cue(timeline_builder *b, const session_step *step, int64_t *timed_frames)
{
    *timed_frames = step->cue_step.file->frames;
    timeline_note_event(b, step->cue_step.file->frames);
    return 0;
}

static void cue_events(const timeline *t, const timeline_span *span, event_batch *batch)
{
    const session_step *step = span->step;
    event_batch_clip(batch, span->timed_start, step->cue_step.file, step->cue_step.level_db,
                     true);
}

/* "cue /full/path/intro.ogg": the file that was found, not as written. */
static void describe_cue(const timeline *t, const session_step *step, long long rounds,
                         char *out, size_t size)
{
    char *tidy = realpath(step->cue_step.file->path, NULL);
    snprintf(out, size, "cue %s", tidy ? tidy : step->cue_step.file->path);
    free(tidy);
}

const step_timing step_timing_cue = {
    .type = STEP_CUE,
    .build = build_cue,
    .events = cue_events,
    .describe = describe_cue,
    .plot_band = "cue",
};
