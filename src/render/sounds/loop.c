/* loop.c: a file background, played as a seamless loop: its tail is
 * crossfaded into its head. A file held in memory is kept whole, already
 * looped; a streamed one keeps only the blended head in memory and streams
 * the rest of each round (stream.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/sounds.h"

#define LOOP_CROSSFADE_SECONDS 0.5

/* The loop's first frames blend the file's tail into its head, equal
 * power, so the jump from the end back to the start is seamless. */
static void blend_loop_head(float *loop, const float *head_frames, const float *tail_frames,
                            int64_t crossfade)
{
    for (int64_t j = 0; j < crossfade; j++) {
        double u = (double)j / (double)crossfade;
        float head = (float)sin(0.5 * M_PI * u), tail = (float)cos(0.5 * M_PI * u);
        for (int c = 0; c < 2; c++)
            loop[2 * j + c] = head_frames[2 * j + c] * head + tail_frames[2 * j + c] * tail;
    }
}

/* Reads frames [from, from + frames) of a streamed clip, here and now. */
static int read_streamed(const background_bed *bed, const audio_clip *clip, int64_t from,
                         float *out, int64_t frames)
{
    audio_clip_reader *reader = NULL;
    char why[256];
    if (audio_clip_reader_open(clip, bed->rate, from, &reader, why, sizeof why) != 0)
        return -1;
    int64_t got = audio_clip_reader_read(reader, out, frames);
    audio_clip_reader_close(reader);
    return got == frames ? 0 : -1;
}

static int start_loop(background_bed *bed, const background_settings *bg, uint64_t seed)
{
    const audio_clip *clip = bg->file;
    int64_t n = clip->frames;
    int64_t crossfade = (int64_t)(LOOP_CROSSFADE_SECONDS * bed->rate);
    if (crossfade > n / 4)
        crossfade = n / 4;
    bed->loop_frames = n - crossfade;
    if (bed->loop_frames < 1)
        bed->loop_frames = 1;
    if (!clip->streamed) {
        bed->loop_in_memory = bed->loop_frames;
        bed->loop = malloc(sizeof(float) * 2 * (size_t)bed->loop_frames);
        if (!bed->loop)
            return -1;
        memcpy(bed->loop, clip->samples, sizeof(float) * 2 * (size_t)bed->loop_frames);
        blend_loop_head(bed->loop, clip->samples, clip->samples + 2 * bed->loop_frames,
                        crossfade);
        return 0;
    }
    bed->loop_in_memory = crossfade;
    bed->loop = malloc(sizeof(float) * 2 * (size_t)(crossfade > 0 ? crossfade : 1));
    float *tail = malloc(sizeof(float) * 2 * (size_t)(crossfade > 0 ? crossfade : 1));
    int status = bed->loop && tail ? 0 : -1;
    if (status == 0 && crossfade > 0)
        status = read_streamed(bed, clip, 0, bed->loop, crossfade) == 0
                         && read_streamed(bed, clip, bed->loop_frames, tail, crossfade) == 0
                     ? 0
                     : -1;
    if (status == 0)
        blend_loop_head(bed->loop, bed->loop, tail, crossfade);
    free(tail);
    if (status != 0)
        return -1;
    int64_t at = bed->start % bed->loop_frames;
    bed->loop_stream = stream_claim(bed->streams, clip, at < crossfade ? crossfade : at,
                                    crossfade, bed->loop_frames);
    return 0;
}

static void render_loop(background_bed *bed, float *out, int64_t from, int frames)
{
    for (int i = 0; i < frames;) {
        int64_t at = (from + i) % bed->loop_frames;
        if (at < bed->loop_in_memory) {
            out[2 * i] = bed->loop[2 * at];
            out[2 * i + 1] = bed->loop[2 * at + 1];
            i++;
            continue;
        }
        int n = frames - i;
        if (n > bed->loop_frames - at)
            n = (int)(bed->loop_frames - at);
        /* A stream that could not be claimed plays silence. */
        if (bed->loop_stream)
            stream_read(bed->loop_stream, out + 2 * i, n);
        else
            memset(out + 2 * i, 0, sizeof(float) * 2 * (size_t)n);
        i += n;
    }
}

static void stop_loop(background_bed *bed)
{
    stream_release(bed->loop_stream);
    bed->loop_stream = NULL;
    free(bed->loop);
    bed->loop = NULL;
}

const background_player background_player_file = {
    .kind = BACKGROUND_FILE,
    .start = start_loop,
    .render = render_loop,
    .stop = stop_loop,
};
