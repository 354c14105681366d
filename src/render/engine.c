/* engine.c: the render core. See engine.h.
 *
 * The engine mixes short blocks whose edges sit on absolute multiples of
 * BLOCK frames, so what it computes never depends on how much the caller
 * asks for at a time. Each block is limited with the next block as
 * look-ahead, which is why the output runs one block behind the mix. */
#include "render/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/vector.h"
#include "render/ease.h"
#include "render/sounds.h"
#include "render/step_timing.h"
#include "render/stream.h"
#include "render/synth.h"

enum {
    BLOCK = 128,            /* frames mixed at a time, aligned to absolute frames; the
                               pacer's and the background's control is computed at
                               each block's edges and glides in between */
    LIMIT_LOOKAHEAD = 32,   /* frames the limiter's gain takes to meet a peak */
    MAX_VOICES = ENGINE_MAX_VOICES,  /* one-shot sounds at once */
    EVENT_WINDOW = 4096,    /* frames of events fetched from the timeline at a time: each
                               walk of it costs about a thousand instructions */
    MAX_PENDING = 4096,   /* events fetched ahead and not yet started */
};

#define FLOAT_INFINITY_BITS 0x7f800000
#define LIMIT_THRESHOLD 0.87f       /* -1.2 dBFS: output peaks stay under -1 dBFS */
#define LIMIT_RELEASE_SECONDS 0.25
#define PACER_FADE_SECONDS 0.6
#define PACER_HOLD_GAIN 0.45
#define PACER_KIND_CROSSFADE_SECONDS 0.25
#define DUCK_ATTACK_SECONDS 0.12
#define DUCK_RELEASE_SECONDS 0.6
#define END_FADE_SECONDS 0.02
#define SEEK_FADE_SECONDS 0.01

struct engine {
    const timeline *timeline;
    const session *session;
    int rate;
    int64_t start, end;        /* frames to render: [start, end) */
    int64_t position;          /* next frame handed out */
    double master_gain;

    float ready[BLOCK * 2];    /* limited frames waiting to be handed out */
    int ready_count, ready_read;
    float mixed[2][BLOCK * 2]; /* the two blocks ahead and next point to */
    float *ahead;              /* mixed, waiting for its look-ahead */
    int ahead_count;
    float ahead_peak;          /* its highest absolute sample if over the limiter's threshold, else 0 */
    float *next;               /* the block after it: the look-ahead */
    int64_t mixed_to;          /* next frame to mix */

    synth_voice voices[MAX_VOICES];
    int voice_count;
    atomic_int_least64_t own_dropped;
    atomic_int_least64_t *dropped;   /* sounds with no room: own_dropped or shared */
    timeline_event pending[MAX_PENDING];
    stream_slot *pending_stream[MAX_PENDING];  /* claimed for streamed clip events */
    int pending_count, pending_read;
    int64_t lookahead;         /* frames of events fetched ahead of the mix */
    stream_pool *streams;      /* NULL when the session streams no file */
    bool owns_streams;
    int64_t events_to;         /* events before this frame have been fetched */
    int64_t seek_elapsed_base; /* while seeking: the frame voices are started at */

    pacer_synths pacer;
    double last_hz;
    timeline_span span;
    bool span_valid;
    timeline_breath breath;
    bool breath_valid;
    /* The pacer's control at the end of one block is the one at the start
     * of the next: kept, so each block edge is computed once. */
    int64_t pacer_cached_frame;
    const pacer_player *pacer_cached_sound;
    double pacer_cached_hz, pacer_cached_gain, pacer_cached_fullness;
    double pacer_level_db, pacer_level_gain;
    const pacer_settings *pacer_octaves_of;  /* the pacer pacer_octaves is for */
    double pacer_octaves;                    /* log2(high / low) */

    const background_player *background_sound;  /* NULL until the bed is prepared */
    background_bed bed;
    float background[BLOCK * 2];
    double duck_db;
    double background_gain;
    int64_t background_cached_frame;  /* the gain at the end of the last block */
    float background_cached_gain;

    float limiter_gain;
    float limiter_release;
    float limiter_need[BLOCK * 2];
};

/* ---- events and voices ---- */

static void start_voice(engine *e, const timeline_event *event, int64_t elapsed,
                        stream_slot *stream, float *out, int frames)
{
    if (e->voice_count == MAX_VOICES) {
        stream_release(stream);
        atomic_fetch_add_explicit(e->dropped, 1, memory_order_relaxed);
        return;
    }
    synth_voice *v = &e->voices[e->voice_count];
    double gain = synth_db_to_gain(event->level_db);
    switch (event->kind) {
    case EVENT_CLIP:
        if (event->clip->streamed)
            synth_voice_stream(v, event->clip, stream, gain, elapsed);
        else
            synth_voice_clip(v, event->clip, gain, elapsed);
        v->ducks = event->is_voice;
        break;
    case EVENT_BELL:
        synth_voice_bell(v, event->hz, gain, event->ring_frames, e->rate, elapsed);
        break;
    case EVENT_BOWL:
        synth_voice_bowl(v, event->hz, gain, event->ring_frames, e->rate, elapsed);
        break;
    case EVENT_TICK:
        synth_voice_tick(v, gain, event->ring_frames, e->rate, elapsed);
        break;
    }
    if (v->elapsed >= v->length) {
        stream_release(v->stream);
        return;
    }
    e->voice_count++;
    if (out && !synth_voice_render(v, out, frames)) {
        stream_release(v->stream);
        e->voice_count--;
    }
}

static bool is_streamed(const timeline_event *event)
{
    return event->kind == EVENT_CLIP && event->clip->streamed;
}

static void queue_event(void *context, const timeline_event *event)
{
    engine *e = context;
    if (e->pending_count == MAX_PENDING) {
        atomic_fetch_add_explicit(e->dropped, 1, memory_order_relaxed);
        return;
    }
    e->pending_stream[e->pending_count] =
        is_streamed(event) ? stream_claim(e->streams, event->clip, 0, 0, 0) : NULL;
    e->pending[e->pending_count++] = *event;
}

/* Events that rang before a seek: start them part way through. */
static void resume_event(void *context, const timeline_event *event)
{
    engine *e = context;
    int64_t elapsed = e->seek_elapsed_base - event->start;
    stream_slot *stream = NULL;
    if (is_streamed(event) && elapsed < event->clip->frames)
        stream = stream_claim(e->streams, event->clip, elapsed, 0, 0);
    start_voice(e, event, elapsed, stream, NULL, 0);
}

static void for_each_event(engine *e, int64_t from, int64_t to, timeline_emit emit)
{
    if (from < 0)
        from = 0;
    while (from < to) {
        timeline_span span;
        if (!timeline_locate(e->timeline, from, &span))
            return;
        int64_t until = span.end < to ? span.end : to;
        timeline_span_events(e->timeline, &span, from, until, emit, e);
        from = until;
    }
}

static void fetch_events(engine *e, int64_t upto)
{
    if (upto > e->end)
        upto = e->end;
    while (e->events_to < upto) {
        int unread = e->pending_count - e->pending_read;
        memmove(e->pending, e->pending + e->pending_read, (size_t)unread * sizeof e->pending[0]);
        memmove(e->pending_stream, e->pending_stream + e->pending_read,
                (size_t)unread * sizeof e->pending_stream[0]);
        e->pending_count = unread;
        e->pending_read = 0;
        int64_t to = e->events_to + EVENT_WINDOW;
        if (to > e->end)
            to = e->end;
        for_each_event(e, e->events_to, to, queue_event);
        e->events_to = to;
    }
}

static void render_voices(engine *e, float *out, int64_t from, int frames)
{
    for (int i = 0; i < e->voice_count;) {
        if (synth_voice_render(&e->voices[i], out, frames)) {
            i++;
        } else {
            stream_release(e->voices[i].stream);
            e->voices[i] = e->voices[--e->voice_count];
        }
    }
    fetch_events(e, from + frames + e->lookahead);
    while (e->pending_read < e->pending_count
           && e->pending[e->pending_read].start < from + frames) {
        stream_slot *stream = e->pending_stream[e->pending_read];
        const timeline_event *event = &e->pending[e->pending_read++];
        int offset = event->start > from ? (int)(event->start - from) : 0;
        start_voice(e, event, 0, stream, out + 2 * offset, frames - offset);
    }
}

/* ---- the pacer ---- */

static bool span_at(engine *e, int64_t frame)
{
    if (e->span_valid && frame >= e->span.start && frame < e->span.end)
        return true;
    e->breath_valid = false;
    e->span_valid = timeline_locate(e->timeline, frame, &e->span);
    return e->span_valid;
}

static double kind_gain(breath_kind kind)
{
    return kind == BREATH_INHALE || kind == BREATH_EXHALE ? 1.0 : PACER_HOLD_GAIN;
}

/* The pacer's pitch at a fullness: low * (high / low)^fullness, as
 * 2^(fullness * octaves) with the octaves kept for the pacer, because
 * exp2() costs a fraction of pow() at every block edge. */
static double pacer_hz(engine *e, const pacer_settings *pacer, double fullness)
{
    if (pacer != e->pacer_octaves_of) {
        e->pacer_octaves_of = pacer;
        e->pacer_octaves = log2(pacer->high_hz / pacer->low_hz);
    }
    return pacer->low_hz * exp2(fullness * e->pacer_octaves);
}

/* The pacer at one frame: pitch and level follow the breath; fades at the
 * step's edges; holds are softer, changing over a quarter second. */
static pacer_control pacer_at(engine *e, int64_t frame, const pacer_player **sound)
{
    pacer_control c = { e->last_hz, 0.0, 0.0 };
    *sound = NULL;
    if (!span_at(e, frame) || !step_timings[e->span.step->type]->breathes
        || frame < e->span.timed_start || frame >= e->span.timed_end)
        return c;
    const pacer_settings *pacer = &e->span.step->breathe.pacer;
    const pacer_player *player = pacer_players[pacer->sound];
    if (!player->render)
        return c;
    if (!e->breath_valid || frame < e->breath.start
        || frame >= e->breath.start + e->breath.length)
        e->breath_valid = timeline_breath_at(e->timeline, &e->span, frame, &e->breath);
    if (!e->breath_valid)
        return c;
    *sound = player;
    const timeline_breath *b = &e->breath;
    c.fullness = timeline_fullness(b, frame);
    c.hz = pacer_hz(e, pacer, c.fullness);
    double crossfade = PACER_KIND_CROSSFADE_SECONDS * e->rate;
    if (crossfade > b->length)
        crossfade = (double)b->length;
    double shape = ease_raised_cosine((double)(frame - b->start) / crossfade);
    double kind = kind_gain(b->previous_kind)
                  + (kind_gain(b->kind) - kind_gain(b->previous_kind)) * shape;
    if (b->cycle == 0 && b->index == 0)
        kind = kind_gain(b->kind);
    double timed = (double)(e->span.timed_end - e->span.timed_start);
    double fade = PACER_FADE_SECONDS * e->rate;
    if (fade > timed / 4.0)
        fade = timed / 4.0;
    double edges = ease_raised_cosine((double)(frame - e->span.timed_start) / fade)
                   * ease_raised_cosine((double)(e->span.timed_end - frame) / fade);
    if (pacer->level_db != e->pacer_level_db) {
        e->pacer_level_db = pacer->level_db;
        e->pacer_level_gain = synth_db_to_gain(pacer->level_db);
    }
    c.gain = e->pacer_level_gain * kind * edges;
    if (player->gain)
        c.gain *= player->gain(c.fullness);
    e->last_hz = c.hz;
    return c;
}

static void render_pacer(engine *e, float *out, int64_t from, int frames)
{
    const pacer_player *sound_from, *sound_to;
    pacer_control a;
    if (from == e->pacer_cached_frame) {
        a = (pacer_control){ e->pacer_cached_hz, e->pacer_cached_gain, e->pacer_cached_fullness };
        sound_from = e->pacer_cached_sound;
    } else {
        a = pacer_at(e, from, &sound_from);
    }
    pacer_control b = pacer_at(e, from + frames, &sound_to);
    e->pacer_cached_frame = from + frames;
    e->pacer_cached_sound = sound_to;
    e->pacer_cached_hz = b.hz;
    e->pacer_cached_gain = b.gain;
    e->pacer_cached_fullness = b.fullness;
    const pacer_player *sound = sound_from ? sound_from : sound_to;
    if (!sound) {
        /* Nothing sounds: the tone runs on silently at the last pitch, so its
         * phase is where it would be had it played. */
        synth_tone_render(&e->pacer.tone, out, frames, e->rate, a.hz, a.hz, 0.0f, 0.0f);
        return;
    }
    /* A block that crosses into another kind of step: that side is silent. */
    if (sound_from != sound)
        a.gain = 0.0;
    if (sound_to != sound)
        b.gain = 0.0;
    sound->render(&e->pacer, out, frames, e->rate, &a, &b);
}

/* ---- the background ---- */

static bool any_ducking_voice(const engine *e)
{
    for (int i = 0; i < e->voice_count; i++)
        if (e->voices[i].ducks)
            return true;
    return false;
}

static double background_fade(const engine *e, int64_t frame)
{
    const background_settings *bg = &e->session->background;
    double fade = bg->fade_seconds * e->rate;
    if (fade < 1.0)
        return 1.0;
    return ease_raised_cosine((double)frame / fade) * ease_raised_cosine((double)(e->end - frame) / fade);
}

/* The background's gain across a block: at its first frame, and the
 * change a frame. */
typedef struct {
    float gain, step;
} gain_ramp;

/* Renders the block's background bed into e->background (silent past the
 * block's end) and sets the gain it is mixed at; false when there is none. */
static bool render_background(engine *e, int64_t from, int frames, gain_ramp *ramp)
{
    const background_settings *bg = &e->session->background;
    if (!e->background_sound->render)
        return false;
    double target = any_ducking_voice(e) ? bg->duck_db : 0.0;
    double duck_from = e->duck_db;
    double rate_db = target < e->duck_db
                         ? -bg->duck_db / (DUCK_ATTACK_SECONDS * e->rate)
                         : -bg->duck_db / (DUCK_RELEASE_SECONDS * e->rate);
    double change = rate_db * frames;
    if (fabs(target - e->duck_db) <= change)
        e->duck_db = target;
    else
        e->duck_db += target < e->duck_db ? -change : change;
    float gain_from = from == e->background_cached_frame
                          ? e->background_cached_gain
                          : (float)(e->background_gain * synth_db_to_gain(duck_from)
                                    * background_fade(e, from));
    /* Not ducked (0 dB) is the usual case: no pow() for it. */
    double duck_gain = e->duck_db == 0.0 ? 1.0 : synth_db_to_gain(e->duck_db);
    float gain_to = (float)(e->background_gain * duck_gain * background_fade(e, from + frames));
    e->background_cached_frame = from + frames;
    e->background_cached_gain = gain_to;
    float *bed = e->background;
    e->background_sound->render(&e->bed, bed, from, frames);
    /* Past the block's end the bed is silent, so the loop can run over the
     * whole block: a fixed count the compiler turns into vector code. */
    if (frames < BLOCK)
        memset(bed + 2 * frames, 0, sizeof(float) * 2 * (size_t)(BLOCK - frames));
    *ramp = (gain_ramp){ gain_from, (gain_to - gain_from) / (float)frames };
    return true;
}

/* ---- mixing and limiting ---- */

/* A whole block of silence, in vector stores: a memset() of this size
 * becomes a string instruction on x86-64 whose start-up costs more than
 * the stores. */
VECTOR_CLONES static void clear_block(float *out)
{
    const float8 zero = { 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f };
    for (int i = 0; i < 2 * BLOCK; i += 8)
        store8(out + i, zero);
}

/* The bit pattern of a block's highest absolute sample. For floats without
 * their sign these order like the values, infinities and NaNs above every
 * finite one. */
static int32_t peak_bits(const float *out)
{
    int32_t top = 0;
    for (int i = 0; i < 2 * BLOCK; i++) {
        int32_t bits;
        memcpy(&bits, &out[i], sizeof bits);
        bits &= 0x7fffffff;
        top = bits > top ? bits : top;
    }
    return top;
}

/* True when some lane of a mask is set. */
static inline bool any_lane(int4 mask)
{
    return (mask[0] | mask[1] | mask[2] | mask[3]) != 0;
}

/* The last pass over a mixed block, in one go over every sample: the bed
 * added at its ramp (when there is one: each frame's gain is gain + step
 * * i), then the master gain. Returns the bit pattern
 * of the highest absolute sample when some sample is above the limiter's
 * threshold (or not a number), and 0 when none is: below it nothing needs
 * the peak, and one comparison a vector tells, where finding the peak took
 * a comparison and a select (SSE2 has no integer maximum). Eight samples a
 * step, in the same operations as four: the same bits either way. */
VECTOR_CLONES static int32_t finish_block(float *restrict out, const float *restrict bed,
                                          gain_ramp ramp, float gain)
{
    int32_t threshold_bits;
    const float threshold = LIMIT_THRESHOLD;
    memcpy(&threshold_bits, &threshold, sizeof threshold_bits);
    const int8x32 magnitude = { 0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff,
                                0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff };
    const int8x32 threshold8 = { threshold_bits, threshold_bits, threshold_bits, threshold_bits,
                                 threshold_bits, threshold_bits, threshold_bits, threshold_bits };
    int8x32 over = { 0, 0, 0, 0, 0, 0, 0, 0 };
    float8 x, y;
    if (bed) {
        float8 index = { 0.0f, 0.0f, 1.0f, 1.0f, 2.0f, 2.0f, 3.0f, 3.0f };
        const float8 four = { 4.0f, 4.0f, 4.0f, 4.0f, 4.0f, 4.0f, 4.0f, 4.0f };
        for (int i = 0; i < 2 * BLOCK; i += 8) {
            float8 g = ramp.gain + ramp.step * index;
            load8(x, out + i);
            load8(y, bed + i);
            x = (x + y * g) * gain;
            store8(out + i, x);
            over |= ((int8x32)x & magnitude) > threshold8;
            index += four;
        }
    } else {
        for (int i = 0; i < 2 * BLOCK; i += 8) {
            load8(x, out + i);
            x *= gain;
            store8(out + i, x);
            over |= ((int8x32)x & magnitude) > threshold8;
        }
    }
    int4 either = __builtin_shufflevector(over, over, 0, 1, 2, 3)
                  | __builtin_shufflevector(over, over, 4, 5, 6, 7);
    return any_lane(either) ? peak_bits(out) : 0;
}

/* Mixes the next block into out (zeros after its end) and sets *peak to its
 * highest absolute sample if that is over the limiter's threshold, else 0. */
static int mix_block(engine *e, float *out, float *peak)
{
    int64_t from = e->mixed_to;
    *peak = 0.0f;
    if (from >= e->end)
        return 0;
    int64_t aligned_end = (from / BLOCK + 1) * BLOCK;
    int frames = (int)((aligned_end < e->end ? aligned_end : e->end) - from);
    clear_block(out);
    render_voices(e, out, from, frames);
    render_pacer(e, out, from, frames);
    gain_ramp bed_ramp = { 0.0f, 0.0f };
    bool bed = render_background(e, from, frames, &bed_ramp);
    int32_t top = finish_block(out, bed ? e->background : NULL, bed_ramp, (float)e->master_gain);
    if (top >= FLOAT_INFINITY_BITS) {
        /* Something went wrong upstream: silence what is not a number. */
        for (int i = 0; i < 2 * BLOCK; i++)
            if (!isfinite(out[i]))
                out[i] = 0.0f;
        top = peak_bits(out);
    }
    memcpy(peak, &top, sizeof top);
    e->mixed_to = from + frames;
    return frames;
}

/* Limits `frames` frames of x, looking ahead into `next`: the gain slides
 * down in a straight line to meet every peak, then recovers slowly. Returns
 * false when it had nothing to do (no peak over the threshold, no gain to
 * recover): the usual case, decided from the blocks' peaks alone. */
static bool limit_block(engine *e, float *x, int frames, float peak, const float *next,
                        int next_frames, float next_peak)
{
    if (peak <= LIMIT_THRESHOLD && next_peak <= LIMIT_THRESHOLD && e->limiter_gain >= 1.0f)
        return false;
    int total = frames + next_frames;
    for (int i = 0; i < total; i++) {
        const float *s = i < frames ? x + 2 * i : next + 2 * (i - frames);
        float left = fabsf(s[0]), right = fabsf(s[1]);
        float frame_peak = left > right ? left : right;
        e->limiter_need[i] = frame_peak > LIMIT_THRESHOLD ? LIMIT_THRESHOLD / frame_peak : 1.0f;
    }
    for (int i = 0; i < frames; i++) {
        float target = 1.0f;
        for (int j = i; j < total && j <= i + LIMIT_LOOKAHEAD; j++) {
            float need = e->limiter_need[j];
            if (need < 1.0f) {
                float allowed = need + (1.0f - need) * (float)(j - i) / LIMIT_LOOKAHEAD;
                if (allowed < target)
                    target = allowed;
            }
        }
        float gain = e->limiter_gain + e->limiter_release;
        if (gain > 1.0f)
            gain = 1.0f;
        if (target < gain)
            gain = target;
        e->limiter_gain = gain;
        x[2 * i] *= gain;
        x[2 * i + 1] *= gain;
    }
    return true;
}

/* Fades at the very start of a seek and at the end of what is rendered, so
 * sounds cut off there end at zero. */
static void edge_fades(const engine *e, float *x, int64_t from, int frames)
{
    int64_t end_fade = (int64_t)(END_FADE_SECONDS * e->rate) + 1;
    int64_t start_fade = e->start > 0 ? (int64_t)(SEEK_FADE_SECONDS * e->rate) + 1 : 0;
    if (from + frames <= e->end - end_fade && from >= e->start + start_fade)
        return;
    for (int i = 0; i < frames; i++) {
        int64_t at = from + i;
        double g = 1.0;
        if (at - e->start < start_fade)
            g *= ease_raised_cosine((double)(at - e->start) / (double)start_fade);
        if (e->end - at <= end_fade)
            g *= ease_raised_cosine((double)(e->end - at - 1) / (double)end_fade);
        x[2 * i] *= (float)g;
        x[2 * i + 1] *= (float)g;
    }
}

/* Limits the next block into dest (room for BLOCK frames) and returns how
 * many frames it holds (0 at the end). The block after it is mixed as its
 * look-ahead and becomes the next one to limit: the two swap places. */
static int produce_block(engine *e, float *dest)
{
    int64_t from = e->mixed_to - e->ahead_count;
    if (e->ahead_count == 0) {
        from = e->mixed_to;
        e->ahead_count = mix_block(e, e->ahead, &e->ahead_peak);
    }
    float next_peak;
    int next_frames = mix_block(e, e->next, &next_peak);
    if (next_frames == 0)
        memset(e->next, 0, sizeof(float) * 2 * BLOCK);
    bool limited = limit_block(e, e->ahead, e->ahead_count, e->ahead_peak, e->next,
                               next_frames > 0 ? next_frames : BLOCK, next_peak);
    edge_fades(e, e->ahead, from, e->ahead_count);
    int count = e->ahead_count;
    if (limited || e->ahead_peak > 1.0f) {
        for (int i = 0; i < 2 * count; i++) {
            float s = e->ahead[i];
            dest[i] = s > 1.0f ? 1.0f : (s < -1.0f ? -1.0f : s);
        }
    } else {
        /* Nothing reaches full scale: the clamp would change nothing. */
        memcpy(dest, e->ahead, sizeof(float) * 2 * (size_t)count);
    }
    float *limited_block = e->ahead;
    e->ahead = e->next;
    e->next = limited_block;
    e->ahead_peak = next_peak;
    e->ahead_count = next_frames;
    return count;
}

size_t engine_render(engine *e, float *out, size_t frames)
{
    size_t written = 0;
    while (written < frames && e->position < e->end) {
        size_t n;
        if (e->ready_read < e->ready_count) {
            n = (size_t)(e->ready_count - e->ready_read);
            if (n > frames - written)
                n = frames - written;
            memcpy(out + 2 * written, e->ready + 2 * e->ready_read, sizeof(float) * 2 * n);
            e->ready_read += (int)n;
        } else if (frames - written >= BLOCK) {
            /* Room for a whole block: limited straight into the caller's. */
            n = (size_t)produce_block(e, out + 2 * written);
            if (n == 0)
                break;
        } else {
            e->ready_count = produce_block(e, e->ready);
            e->ready_read = 0;
            if (e->ready_count == 0)
                break;
            continue;
        }
        written += n;
        e->position += (int64_t)n;
    }
    return written;
}

/* ---- life cycle ---- */

bool engine_needs_streams(const timeline *t)
{
    const session *s = timeline_session(t);
    for (size_t i = 0; i < s->clip_count; i++)
        if (s->clips[i]->streamed)
            return true;
    return false;
}

engine *engine_create(const timeline *t, const engine_options *options)
{
    synth_init();
    engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    const session *s = timeline_session(t);
    e->timeline = t;
    e->session = s;
    e->rate = timeline_rate(t);
    int64_t total = timeline_length(t);
    e->start = options->start < 0 ? 0 : options->start;
    if (e->start > total)
        e->start = total;
    e->end = total;
    if (options->length != TIMELINE_FOREVER && options->length >= 0
        && options->length < total - e->start)
        e->end = e->start + options->length;
    e->position = e->mixed_to = e->events_to = e->start;
    e->ahead = e->mixed[0];
    e->next = e->mixed[1];
    atomic_init(&e->own_dropped, 0);
    e->dropped = options->dropped_sounds ? options->dropped_sounds : &e->own_dropped;
    e->streams = options->streams;
    if (!e->streams && engine_needs_streams(t)) {
        e->streams = stream_pool_create(e->rate, false, 0.0);
        e->owns_streams = true;
        if (!e->streams) {
            engine_free(e);
            return NULL;
        }
    }
    /* Events are fetched this far ahead, so streamed sounds are claimed in
     * time; which events sound, and when, does not depend on it. */
    e->lookahead = e->streams ? stream_pool_lookahead(e->streams)
                              : (int64_t)(STREAM_LOOKAHEAD_SECONDS * e->rate);
    e->master_gain = synth_db_to_gain(s->volume_db + options->volume_db);
    e->limiter_gain = 1.0f;
    e->pacer_cached_frame = -1;
    e->pacer_level_db = NAN;
    e->background_cached_frame = -1;
    e->limiter_release = (float)(1.0 / (LIMIT_RELEASE_SECONDS * e->rate));
    e->last_hz = s->pacer.low_hz > 0.0 ? s->pacer.low_hz : PACER_DEFAULT_LOW_HZ;

    /* Noise streams are seeded from the start frame: the same start always
     * gives the same sound. */
    uint64_t seed = (uint64_t)e->start * 0x9E3779B97F4A7C15ull;
    synth_breath_noise_init(&e->pacer.breath_noise, seed ^ 3);
    const background_settings *bg = &s->background;
    e->background_sound = background_players[bg->kind];
    e->bed.rate = e->rate;
    e->bed.start = e->start;
    e->bed.streams = e->streams;
    if (e->background_sound->start && e->background_sound->start(&e->bed, bg, seed ^ 1) != 0) {
        engine_free(e);
        return NULL;
    }
    bool has_background = e->background_sound->render != NULL;
    e->background_gain = has_background ? synth_db_to_gain(bg->level_db) : 0.0;

    if (e->start > 0) {
        e->seek_elapsed_base = e->start;
        for_each_event(e, e->start - timeline_longest_event(t), e->start, resume_event);
        if (has_background && any_ducking_voice(e))
            e->duck_db = bg->duck_db;
    }
    /* Streamed sounds near the start are claimed now, so that a live start
     * can have them read before the first frame plays. */
    fetch_events(e, e->start + e->lookahead);
    return e;
}

void engine_free(engine *e)
{
    if (!e)
        return;
    for (int i = 0; i < e->voice_count; i++)
        stream_release(e->voices[i].stream);
    for (int i = e->pending_read; i < e->pending_count; i++)
        stream_release(e->pending_stream[i]);
    if (e->background_sound && e->background_sound->stop)
        e->background_sound->stop(&e->bed);
    if (e->owns_streams)
        stream_pool_free(e->streams);
    free(e);
}

void engine_set_volume(engine *e, double volume_db)
{
    e->master_gain = synth_db_to_gain(e->session->volume_db + volume_db);
}

stream_pool *engine_streams(const engine *e) { return e->streams; }

int64_t engine_dropped_sounds(const engine *e)
{
    return atomic_load_explicit(e->dropped, memory_order_relaxed);
}

int64_t engine_position(const engine *e) { return e->position; }
int64_t engine_end(const engine *e) { return e->end; }
