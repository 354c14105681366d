#include "clip.h"

#include <errno.h>
#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CLIP_MAX_SECONDS (3.0 * 3600.0)
#define CLIP_FADE_SECONDS 0.002
#define CLIP_READ_FRAMES 16384
#define CLIP_CONVERT_FRAMES 16384

static void set_why(char *why, size_t why_size, const char *format, ...)
{
    if (why == NULL || why_size == 0)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(why, why_size, format, args);
    va_end(args);
}

/* libsndfile's messages end with a full stop and sometimes start with
 * "Error : "; a reason reads better inside parentheses without them. */
static void sndfile_reason(const char *text, char *out, size_t out_size)
{
    const char *prefix = "Error : ";
    if (strncmp(text, prefix, strlen(prefix)) == 0)
        text += strlen(prefix);
    snprintf(out, out_size, "%s", text);
    size_t n = strlen(out);
    while (n > 0 && (out[n - 1] == '.' || out[n - 1] == '\n' || out[n - 1] == ' '))
        out[--n] = '\0';
}

static void describe_open_error(int code, const char *text, char *why, size_t why_size)
{
    char reason[256];
    sndfile_reason(text, reason, sizeof reason);
    switch (code) {
    case SF_ERR_UNRECOGNISED_FORMAT:
        set_why(why, why_size, "not an audio file libsndfile can read (%s)", reason);
        break;
    case SF_ERR_MALFORMED_FILE:
        set_why(why, why_size, "damaged or malformed audio file (%s)", reason);
        break;
    case SF_ERR_UNSUPPORTED_ENCODING:
        set_why(why, why_size, "audio encoding not supported by libsndfile (%s)", reason);
        break;
    default:
        set_why(why, why_size, "cannot open (%s)", reason);
        break;
    }
}

static float clean_sample(float x)
{
    if (!isfinite(x))
        return 0.0f;
    if (x > 1.0f)
        return 1.0f;
    if (x < -1.0f)
        return -1.0f;
    return x;
}

/* Reads the whole file as stereo at its own rate. The frame count in the
 * header is only a hint: some formats cannot know it exactly. */
static int read_stereo(SNDFILE *file, const SF_INFO *info, float **out, int64_t *out_frames,
                       char *why, size_t why_size)
{
    int channels = info->channels;
    int64_t limit = (int64_t)ceil(CLIP_MAX_SECONDS * info->samplerate);
    int64_t capacity = info->frames > 0 && info->frames <= limit ? info->frames : CLIP_READ_FRAMES;
    float *stereo = malloc(sizeof(float) * 2 * (size_t)capacity);
    float *chunk = malloc(sizeof(float) * (size_t)channels * CLIP_READ_FRAMES);
    if (stereo == NULL || chunk == NULL)
        goto out_of_memory;

    int64_t frames = 0;
    for (;;) {
        sf_count_t got = sf_readf_float(file, chunk, CLIP_READ_FRAMES);
        if (got <= 0)
            break;
        if (frames + got > limit) {
            set_why(why, why_size, "longer than 3 hours; split it or shorten it");
            goto fail;
        }
        if (frames + got > capacity) {
            int64_t wanted = capacity * 2 > frames + got ? capacity * 2 : frames + got;
            if (wanted > limit)
                wanted = limit;
            float *grown = realloc(stereo, sizeof(float) * 2 * (size_t)wanted);
            if (grown == NULL)
                goto out_of_memory;
            stereo = grown;
            capacity = wanted;
        }
        float *dest = stereo + 2 * frames;
        for (sf_count_t i = 0; i < got; i++) {
            const float *in = chunk + (size_t)i * (size_t)channels;
            float left, right;
            if (channels == 1) {
                left = right = clean_sample(in[0]);
            } else if (channels == 2) {
                left = clean_sample(in[0]);
                right = clean_sample(in[1]);
            } else {
                double sum = 0.0;
                for (int c = 0; c < channels; c++)
                    sum += clean_sample(in[c]);
                left = right = (float)(sum / channels);
            }
            dest[2 * i] = left;
            dest[2 * i + 1] = right;
        }
        frames += got;
    }
    if (sf_error(file) != SF_ERR_NO_ERROR) {
        char reason[256];
        sndfile_reason(sf_strerror(file), reason, sizeof reason);
        set_why(why, why_size, "cannot decode (%s)", reason);
        goto fail;
    }
    free(chunk);
    *out = stereo;
    *out_frames = frames;
    return 0;

out_of_memory:
    set_why(why, why_size, "not enough memory to decode it");
fail:
    free(chunk);
    free(stereo);
    return -1;
}

/* Converts with libsamplerate in pieces, then pads or cuts to exactly
 * out_frames. The sinc converters compensate their own delay, so source
 * frame j lands on output frame j * ratio. */
static int convert_rate(const float *in, int64_t in_frames, double ratio, float *out,
                        int64_t out_frames, char *why, size_t why_size)
{
    int error = 0;
    SRC_STATE *state = src_new(SRC_SINC_MEDIUM_QUALITY, 2, &error);
    if (state == NULL) {
        set_why(why, why_size, "cannot convert the sample rate (%s)", src_strerror(error));
        return -1;
    }
    long scratch_frames = CLIP_CONVERT_FRAMES;
    float *scratch = malloc(sizeof(float) * 2 * (size_t)scratch_frames);
    if (scratch == NULL) {
        src_delete(state);
        set_why(why, why_size, "not enough memory to decode it");
        return -1;
    }
    /* Keep the output-side piece large enough for a whole input piece. */
    long in_piece = (long)floor(scratch_frames / ratio) - 16;
    if (in_piece < 1)
        in_piece = 1;
    if (in_piece > CLIP_CONVERT_FRAMES)
        in_piece = CLIP_CONVERT_FRAMES;

    int64_t read = 0, written = 0;
    for (;;) {
        int64_t left = in_frames - read;
        SRC_DATA data = {
            .data_in = in + 2 * read,
            .data_out = scratch,
            .input_frames = left < in_piece ? (long)left : in_piece,
            .output_frames = scratch_frames,
            .end_of_input = left <= in_piece,
            .src_ratio = ratio,
        };
        error = src_process(state, &data);
        if (error != 0) {
            set_why(why, why_size, "cannot convert the sample rate (%s)", src_strerror(error));
            break;
        }
        read += data.input_frames_used;
        int64_t room = out_frames - written;
        int64_t keep = data.output_frames_gen < room ? data.output_frames_gen : room;
        if (keep > 0) {
            memcpy(out + 2 * written, scratch, sizeof(float) * 2 * (size_t)keep);
            written += keep;
        }
        if (data.end_of_input && data.input_frames_used == data.input_frames
            && data.output_frames_gen == 0)
            break;
        if (written == out_frames && read == in_frames)
            break;
    }
    free(scratch);
    src_delete(state);
    if (error != 0)
        return -1;
    if (written < out_frames)
        memset(out + 2 * written, 0, sizeof(float) * 2 * (size_t)(out_frames - written));
    for (int64_t i = 0; i < 2 * out_frames; i++)
        out[i] = clean_sample(out[i]);
    return 0;
}

static void fade_edges(float *samples, int64_t frames, int rate)
{
    int64_t n = (int64_t)llround(CLIP_FADE_SECONDS * rate);
    if (n < 1)
        n = 1;
    if (n > frames / 2)
        n = frames / 2;
    for (int64_t i = 0; i < n; i++) {
        float gain = (float)(0.5 - 0.5 * cos(M_PI * (double)i / (double)n));
        int64_t tail = frames - 1 - i;
        samples[2 * i] *= gain;
        samples[2 * i + 1] *= gain;
        samples[2 * tail] *= gain;
        samples[2 * tail + 1] *= gain;
    }
}

int audio_clip_load(const char *path, int rate, audio_clip **out, char *why, size_t why_size)
{
    *out = NULL;
    set_why(why, why_size, "%s", "");

    /* A FIFO or a device would block or never end: refuse before opening. */
    struct stat st;
    if (stat(path, &st) != 0) {
        set_why(why, why_size, "%s", strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        set_why(why, why_size, "is a directory");
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        set_why(why, why_size, "is not a regular file");
        return -1;
    }

    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *file = sf_open(path, SFM_READ, &info);
    if (file == NULL) {
        describe_open_error(sf_error(NULL), sf_strerror(NULL), why, why_size);
        return -1;
    }
    if (info.channels < 1 || info.samplerate < 1) {
        set_why(why, why_size, "has an invalid header (%d channels at %d Hz)",
                info.channels, info.samplerate);
        sf_close(file);
        return -1;
    }
    if (info.frames == 0) {
        set_why(why, why_size, "contains no audio");
        sf_close(file);
        return -1;
    }
    /* SF_COUNT_MAX means the length is unknown until decoded. */
    if (info.frames > 0 && info.frames != SF_COUNT_MAX
        && (double)info.frames / info.samplerate > CLIP_MAX_SECONDS) {
        set_why(why, why_size, "longer than 3 hours; split it or shorten it");
        sf_close(file);
        return -1;
    }
    double ratio = (double)rate / info.samplerate;
    if (info.samplerate != rate && !src_is_valid_ratio(ratio)) {
        set_why(why, why_size, "its sample rate (%d Hz) cannot be converted to %d Hz",
                info.samplerate, rate);
        sf_close(file);
        return -1;
    }

    float *source = NULL;
    int64_t source_frames = 0;
    int status = read_stereo(file, &info, &source, &source_frames, why, why_size);
    sf_close(file);
    if (status != 0)
        return -1;
    if (source_frames == 0) {
        free(source);
        set_why(why, why_size, "contains no audio");
        return -1;
    }

    int64_t frames = info.samplerate == rate
        ? source_frames
        : (int64_t)llround((double)source_frames * rate / info.samplerate);
    if (frames < 1) {
        free(source);
        set_why(why, why_size, "too short to hold a single frame at %d Hz", rate);
        return -1;
    }

    audio_clip *clip = calloc(1, sizeof *clip);
    char *copy = strdup(path);
    float *samples = info.samplerate == rate ? source
                                             : malloc(sizeof(float) * 2 * (size_t)frames);
    if (clip == NULL || copy == NULL || samples == NULL) {
        set_why(why, why_size, "not enough memory to decode it");
        if (samples != source)
            free(samples);
        free(source);
        free(copy);
        free(clip);
        return -1;
    }
    if (samples != source) {
        status = convert_rate(source, source_frames, ratio, samples, frames, why, why_size);
        free(source);
        if (status != 0) {
            free(samples);
            free(copy);
            free(clip);
            return -1;
        }
    }
    fade_edges(samples, frames, rate);

    clip->samples = samples;
    clip->frames = frames;
    clip->path = copy;
    clip->source_rate = info.samplerate;
    clip->source_channels = info.channels;
    clip->source_frames = source_frames;
    *out = clip;
    return 0;
}

void audio_clip_free(audio_clip *clip)
{
    if (clip == NULL)
        return;
    free(clip->samples);
    free(clip->path);
    free(clip);
}
