/* noise.c: the white, pink and brown noise backgrounds (synth_noise), each
 * a pair of independent channels. */
#include "render/sounds.h"

static int start_white(background_bed *bed, const background_settings *bg, uint64_t seed)
{
    synth_noise_init(&bed->noise, SYNTH_NOISE_WHITE, seed, bed->rate);
    return 0;
}

static int start_pink(background_bed *bed, const background_settings *bg, uint64_t seed)
{
    synth_noise_init(&bed->noise, SYNTH_NOISE_PINK, seed, bed->rate);
    return 0;
}

static int start_brown(background_bed *bed, const background_settings *bg, uint64_t seed)
{
    synth_noise_init(&bed->noise, SYNTH_NOISE_BROWN, seed, bed->rate);
    return 0;
}

static void render_noise(background_bed *bed, float *out, int64_t from, int frames)
{
    synth_noise_render_stereo(&bed->noise, out, frames);
}

const background_player background_player_white = {
    .kind = BACKGROUND_WHITE,
    .start = start_white,
    .render = render_noise,
};

const background_player background_player_pink = {
    .kind = BACKGROUND_PINK,
    .start = start_pink,
    .render = render_noise,
};

const background_player background_player_brown = {
    .kind = BACKGROUND_BROWN,
    .start = start_brown,
    .render = render_noise,
};
