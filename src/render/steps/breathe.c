/* breathe.c: a breathe step's cycles (planned by the timeline, see
 * timeline.h), the voice cues on their phases and the strikes of a pacer
 * that strikes (render/sounds.h). */
#include <stdio.h>

#include "render/sounds.h"
#include "render/timeline_parts.h"

/* The timed part is the planned cycles (timeline.c); what sounds in it
 * rings as long as the voice cues and the pacer's strikes. */
static int build_breathe(timeline_builder *b, const session_step *step, int64_t *timed_frames)
{
    const voice_settings *voice = &step->breathe.voice;
    for (int k = 0; k < BREATH_KIND_COUNT; k++)
        if (voice->cue[k])
            timeline_note_event(b, voice->cue[k]->frames);
    const pacer_player *pacer = pacer_players[step->breathe.pacer.sound];
    if (pacer->strike)
        timeline_note_event(b, timeline_builder_frames(b, pacer->ring_seconds));
    return 0;
}

static void breathe_events(const timeline *t, const timeline_span *span, event_batch *batch)
{
    const session_step *step = span->step;
    const voice_settings *voice = &step->breathe.voice;
    const pacer_settings *pacer = &step->breathe.pacer;
    const pacer_player *player = pacer_players[pacer->sound];
    bool any_voice = false;
    for (int k = 0; k < BREATH_KIND_COUNT; k++)
        any_voice = any_voice || voice->cue[k] != NULL;
    if (!any_voice && !player->strike)
        return;
    int64_t from = batch->from > span->timed_start ? batch->from : span->timed_start;
    int64_t to = batch->to < span->timed_end ? batch->to : span->timed_end;
    if (from >= to)
        return;
    long long k = timeline_cycle_at(t, span, from - span->timed_start);
    int64_t ring = timeline_seconds_to_frames(t, player->ring_seconds);
    for (; k < timeline_span_cycles(span); k++) {
        if (span->timed_start + timeline_cycle_start(t, span, k) >= to)
            break;
        timeline_breath cycle[SESSION_MAX_PHASES];
        int count = timeline_cycle_phases(t, span, k, cycle);
        for (int i = 0; i < count; i++) {
            timeline_breath b = cycle[i];
            if (b.length == 0)
                continue;
            if (b.start < from)
                continue;
            if (b.start >= to)
                break;
            const audio_clip *cue = voice->cue[b.kind];
            if (cue && (voice->cycles == 0 || k < voice->cycles))
                event_batch_clip(batch, b.start, cue, voice->level_db, true);
            if (player->strike) {
                timeline_event strike = { .start = b.start, .ring_frames = ring };
                player->strike(pacer, &b, &strike);
                event_batch_add(batch, &strike);
            }
        }
    }
}

/* "breathe 4-7-8, 12 cycles", "breathe 4-6 to 5-7, 30 cycles" */
static void describe_breathe(const timeline *t, const session_step *step, long long rounds,
                             char *out, size_t size)
{
    char from[96], to[96];
    breath_pattern_format(from, sizeof from, &step->breathe.pattern);
    long long cycles = timeline_breathe_cycles(t, step);
    if (step->breathe.resonance) {
        snprintf(out, size, "breathe %s (the resonance rate), %lld cycle%s", from, cycles,
                 cycles == 1 ? "" : "s");
    } else if (step->breathe.ramps) {
        breath_pattern_format(to, sizeof to, &step->breathe.ramp_to);
        snprintf(out, size, "breathe %s to %s, %lld cycle%s", from, to, cycles,
                 cycles == 1 ? "" : "s");
    } else {
        snprintf(out, size, "breathe %s, %lld cycle%s", from, cycles, cycles == 1 ? "" : "s");
    }
}

static void breathe_pace(const session_step *step, step_pace *pace)
{
    pace->from = 60.0 / breath_pattern_seconds(&step->breathe.pattern);
    pace->to = 60.0 / breath_pattern_seconds(&step->breathe.ramp_to);
    pace->ramps = step->breathe.ramps;
}

/* The pattern, "4-7-8". */
static void breathe_short_name(const session_step *step, char *out, size_t size)
{
    breath_pattern_format(out, size, &step->breathe.pattern);
}

const step_timing step_timing_breathe = {
    .type = STEP_BREATHE,
    .build = build_breathe,
    .events = breathe_events,
    .breathes = true,
    .lasts_a_while = true,
    .describe = describe_breathe,
    .pace = breathe_pace,
    .short_name = breathe_short_name,
    .plot_band = "breathe",
};
