/* tone.c: the tone pacer, a soft tone whose pitch rises from `low` to
 * `high` as the lungs fill (synth_tone). */
#include "render/sounds.h"

static void render_tone(pacer_synths *synths, float *out, int frames, int rate,
                        const pacer_control *a, const pacer_control *b)
{
    synth_tone_render(&synths->tone, out, frames, rate, a->hz, b->hz, (float)a->gain,
                      (float)b->gain);
}

const pacer_player pacer_player_tone = {
    .sound = PACER_TONE,
    .render = render_tone,
};
