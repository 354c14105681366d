/* breath_noise.c: the noise pacer, filtered noise that swells and
 * brightens as the lungs fill, like breath (synth_breath_noise). */
#include "render/sounds.h"

static void render_breath_noise(pacer_synths *synths, float *out, int frames, int rate,
                                const pacer_control *a, const pacer_control *b)
{
    synth_breath_noise_render(&synths->breath_noise, out, frames, rate, (float)a->fullness,
                              (float)b->fullness, (float)a->gain, (float)b->gain);
}

/* Quieter empty than full: about a third of the level at the bottom. */
static double breath_noise_gain(double fullness)
{
    return 0.35 + 0.65 * fullness;
}

const pacer_player pacer_player_noise = {
    .sound = PACER_NOISE,
    .render = render_breath_noise,
    .gain = breath_noise_gain,
};
