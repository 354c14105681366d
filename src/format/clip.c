#include "format/clip.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <samplerate.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CLIP_MAX_SECONDS (3.0 * 3600.0)
#define CLIP_FADE_SECONDS 0.002
#define CLIP_READ_FRAMES 16384
#define CLIP_FIRST_ALLOCATION_SECONDS 60.0
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

/* Room for `frames` frames of `channels` floats, or NULL: a size that does
 * not fit in size_t (on 32-bit systems, a few hours of audio) is refused
 * rather than wrapped to a small allocation. */
static float *resize_frames(float *old, int64_t frames, int channels)
{
    if (frames < 1 || channels < 1
        || (uint64_t)frames > SIZE_MAX / sizeof(float) / (size_t)channels)
        return NULL;
    return realloc(old, sizeof(float) * (size_t)channels * (size_t)frames);
}

/* Cleans `frames` frames of `channels` interleaved channels into stereo. */
static void to_stereo(const float *chunk, int64_t frames, int channels, float *dest)
{
    for (int64_t i = 0; i < frames; i++) {
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
}

/* Reads the file as stereo at its own rate, at most max_frames of it when
 * max_frames >= 0 (the length the caller decided on: anything beyond it is
 * left unread), otherwise up to CLIP_MAX_SECONDS. A file may end early:
 * some formats cannot know their length exactly. */
static int read_stereo(SNDFILE *file, const SF_INFO *info, int64_t max_frames, float **out,
                       int64_t *out_frames, char *why, size_t why_size)
{
    int channels = info->channels;
    int64_t limit = (int64_t)ceil(CLIP_MAX_SECONDS * info->samplerate);
    bool bounded = max_frames >= 0 && max_frames <= limit;
    /* The header's length sizes the first allocation only up to a minute:
     * a header that promises hours of a file of a few bytes must not cost
     * gigabytes before a frame is read. Beyond that it grows as frames come. */
    int64_t first = (int64_t)(CLIP_FIRST_ALLOCATION_SECONDS * info->samplerate);
    int64_t capacity = bounded && max_frames > 0 ? max_frames : CLIP_READ_FRAMES;
    if (capacity > first && first > CLIP_READ_FRAMES)
        capacity = first;
    float *stereo = resize_frames(NULL, capacity, 2);
    float *chunk = resize_frames(NULL, CLIP_READ_FRAMES, channels);
    if (stereo == NULL || chunk == NULL)
        goto out_of_memory;

    int64_t frames = 0;
    for (;;) {
        int64_t want = CLIP_READ_FRAMES;
        if (bounded && want > max_frames - frames)
            want = max_frames - frames;
        if (want == 0)
            break;
        sf_count_t got = sf_readf_float(file, chunk, want);
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
            if (bounded && wanted > max_frames)
                wanted = max_frames;
            float *grown = resize_frames(stereo, wanted, 2);
            if (grown == NULL)
                goto out_of_memory;
            stereo = grown;
            capacity = wanted;
        }
        to_stereo(chunk, got, channels, stereo + 2 * frames);
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
    set_why(why, why_size, CLIP_WHY_NO_MEMORY);
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
        set_why(why, why_size, CLIP_WHY_NO_MEMORY);
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

/* The edge fade: frames at either end of a file get this gain. */
static int64_t fade_frames(int64_t frames, int rate)
{
    int64_t n = (int64_t)llround(CLIP_FADE_SECONDS * rate);
    if (n < 1)
        n = 1;
    if (n > frames / 2)
        n = frames / 2;
    return n;
}

static float fade_gain(int64_t i, int64_t n)
{
    return (float)(0.5 - 0.5 * cos(M_PI * (double)i / (double)n));
}

static void fade_edges(float *samples, int64_t frames, int rate)
{
    int64_t n = fade_frames(frames, rate);
    for (int64_t i = 0; i < n; i++) {
        float gain = fade_gain(i, n);
        int64_t tail = frames - 1 - i;
        samples[2 * i] *= gain;
        samples[2 * i + 1] *= gain;
        samples[2 * tail] *= gain;
        samples[2 * tail + 1] *= gain;
    }
}

/* Opens path and checks what its header says. */
/* Opens path for reading when it is a regular file; the descriptor, with
 * its stat in *st, or -1 with a reason. */
static int open_regular(const char *path, struct stat *st, char *why, size_t why_size)
{
    /* A FIFO or a device would block or never end. The check is made on the
     * descriptor that is then read, so the name cannot be swapped for one
     * in between; O_NONBLOCK keeps the open itself from waiting on a FIFO. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        set_why(why, why_size, "%s", strerror(errno));
        return -1;
    }
    const char *refusal = NULL;
    if (fstat(fd, st) != 0)
        refusal = strerror(errno);
    else if (S_ISDIR(st->st_mode))
        refusal = "is a directory";
    else if (!S_ISREG(st->st_mode))
        refusal = "is not a regular file";
    else {
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
            refusal = strerror(errno);
    }
    if (refusal != NULL) {
        set_why(why, why_size, "%s", refusal);
        close(fd);
        return -1;
    }
    return fd;
}

/* libsndfile's reader of a descriptor from open_regular(), which it takes. */
static SNDFILE *open_audio_fd(int fd, SF_INFO *info, char *why, size_t why_size)
{
    memset(info, 0, sizeof *info);
    /* libsndfile closes the descriptor with the file, or when it cannot
     * open it. */
    SNDFILE *file = sf_open_fd(fd, SFM_READ, info, SF_TRUE);
    if (file == NULL) {
        describe_open_error(sf_error(NULL), sf_strerror(NULL), why, why_size);
        return NULL;
    }
    if (info->channels < 1 || info->samplerate < 1) {
        set_why(why, why_size, "has an invalid header (%d channels at %d Hz)",
                info->channels, info->samplerate);
        sf_close(file);
        return NULL;
    }
    if (info->frames == 0) {
        set_why(why, why_size, "contains no audio");
        sf_close(file);
        return NULL;
    }
    return file;
}

static SNDFILE *open_audio(const char *path, SF_INFO *info, char *why, size_t why_size)
{
    struct stat st;
    int fd = open_regular(path, &st, why, why_size);
    return fd < 0 ? NULL : open_audio_fd(fd, info, why, why_size);
}

static bool length_unknown(const SF_INFO *info)
{
    /* SF_COUNT_MAX means the length is unknown until decoded. */
    return info->frames < 0 || info->frames == SF_COUNT_MAX;
}

static int64_t output_frames(int64_t source_frames, int source_rate, int rate)
{
    return source_rate == rate ? source_frames
                               : (int64_t)llround((double)source_frames * rate / source_rate);
}

/* Decodes the whole file once to count its frames, for formats whose header
 * cannot tell. Memory stays flat: the samples are thrown away. */
static int count_frames(SNDFILE *file, int channels, int64_t *frames, char *why,
                        size_t why_size)
{
    float *chunk = resize_frames(NULL, CLIP_READ_FRAMES, channels);
    if (chunk == NULL) {
        set_why(why, why_size, CLIP_WHY_NO_MEMORY);
        return -1;
    }
    int64_t total = 0;
    sf_count_t got;
    while ((got = sf_readf_float(file, chunk, CLIP_READ_FRAMES)) > 0)
        total += got;
    free(chunk);
    if (sf_error(file) != SF_ERR_NO_ERROR) {
        char reason[256];
        sndfile_reason(sf_strerror(file), reason, sizeof reason);
        set_why(why, why_size, "cannot decode (%s)", reason);
        return -1;
    }
    *frames = total;
    return 0;
}

static int make_clip(const char *path, float *samples, int64_t frames, const SF_INFO *info,
                     int64_t source_frames, audio_clip **out, char *why, size_t why_size)
{
    audio_clip *clip = calloc(1, sizeof *clip);
    char *copy = strdup(path);
    if (clip == NULL || copy == NULL) {
        set_why(why, why_size, CLIP_WHY_NO_MEMORY);
        free(copy);
        free(clip);
        return -1;
    }
    clip->samples = samples;
    clip->streamed = samples == NULL;
    clip->frames = frames;
    clip->path = copy;
    clip->source_rate = info->samplerate;
    clip->source_channels = info->channels;
    clip->source_frames = source_frames;
    *out = clip;
    return 0;
}

/* A clip opened and checked, waiting to be decoded. */
struct audio_clip_pending {
    SNDFILE *file;
    SF_INFO info;
    int64_t max_frames;
    int rate;
};

/* At most this many files wait open to be decoded together; past it, a
 * file is decoded at once, so a session of a thousand cues cannot run out
 * of descriptors. */
#define CLIP_PENDING_MAX 64
static atomic_int pending_open;

/* Decodes the file into the clip's memory: max_frames source frames at most
 * when it is not negative, so a clip holds no more than the length it was
 * judged by. Sets samples, frames and source_frames. */
static int decode_into(audio_clip *clip, SNDFILE *file, const SF_INFO *info, int64_t max_frames,
                       int rate, char *why, size_t why_size)
{
    if (!length_unknown(info) && (double)info->frames / info->samplerate > CLIP_MAX_SECONDS) {
        set_why(why, why_size, "longer than 3 hours; split it or shorten it");
        return -1;
    }
    double ratio = (double)rate / info->samplerate;
    float *source = NULL;
    int64_t source_frames = 0;
    if (read_stereo(file, info, max_frames, &source, &source_frames, why, why_size) != 0)
        return -1;
    if (source_frames == 0) {
        free(source);
        set_why(why, why_size, "contains no audio");
        return -1;
    }
    int64_t frames = output_frames(source_frames, info->samplerate, rate);
    if (frames < 1) {
        free(source);
        set_why(why, why_size, "too short to hold a single frame at %d Hz", rate);
        return -1;
    }
    float *samples = source;
    if (info->samplerate != rate) {
        samples = resize_frames(NULL, frames, 2);
        int status = samples == NULL ? -1 : convert_rate(source, source_frames, ratio, samples,
                                                         frames, why, why_size);
        if (samples == NULL)
            set_why(why, why_size, CLIP_WHY_NO_MEMORY);
        free(source);
        if (status != 0) {
            free(samples);
            return -1;
        }
    }
    fade_edges(samples, frames, rate);
    clip->samples = samples;
    clip->streamed = false;
    clip->frames = frames;
    clip->source_frames = source_frames;
    return 0;
}

static int load_whole(const char *path, SNDFILE *file, const SF_INFO *info, int64_t max_frames,
                      int rate, audio_clip **out, char *why, size_t why_size)
{
    audio_clip *clip;
    if (make_clip(path, NULL, 0, info, 0, &clip, why, why_size) != 0)
        return -1;
    if (decode_into(clip, file, info, max_frames, rate, why, why_size) != 0) {
        audio_clip_free(clip);
        return -1;
    }
    *out = clip;
    return 0;
}

/* A clip to decode later: the open file travels with it. */
static int defer_whole(const char *path, SNDFILE *file, const SF_INFO *info, int64_t max_frames,
                       int64_t frames, int rate, audio_clip **out, char *why, size_t why_size)
{
    audio_clip *clip;
    struct audio_clip_pending *pending = malloc(sizeof *pending);
    if (pending == NULL || make_clip(path, NULL, frames, info, max_frames, &clip, why,
                                     why_size) != 0) {
        set_why(why, why_size, CLIP_WHY_NO_MEMORY);
        free(pending);
        return -1;
    }
    *pending = (struct audio_clip_pending){ file, *info, max_frames, rate };
    clip->streamed = false;
    clip->pending = pending;
    atomic_fetch_add(&pending_open, 1);
    *out = clip;
    return 0;
}

static int open_clip(const char *path, int rate, int64_t preload_max_frames, bool defer,
                     audio_clip **out, char *why, size_t why_size)
{
    *out = NULL;
    set_why(why, why_size, "%s", "");
    SF_INFO info;
    SNDFILE *file = open_audio(path, &info, why, why_size);
    if (file == NULL)
        return -1;
    if (info.samplerate != rate && !src_is_valid_ratio((double)rate / info.samplerate)) {
        set_why(why, why_size, "its sample rate (%d Hz) cannot be converted to %d Hz",
                info.samplerate, rate);
        sf_close(file);
        return -1;
    }
    int64_t source_frames = info.frames;
    int status = 0;
    if (length_unknown(&info) && preload_max_frames < INT64_MAX) {
        status = count_frames(file, info.channels, &source_frames, why, why_size);
        if (status == 0 && source_frames == 0) {
            set_why(why, why_size, "contains no audio");
            status = -1;
        }
        if (status == 0 && sf_seek(file, 0, SEEK_SET) != 0) {
            set_why(why, why_size, "cannot read it again from the start");
            status = -1;
        }
    }
    if (status == 0) {
        if (length_unknown(&info) && preload_max_frames == INT64_MAX) {
            status = load_whole(path, file, &info, -1, rate, out, why, why_size);
        } else {
            int64_t frames = output_frames(source_frames, info.samplerate, rate);
            if (frames < 1) {
                set_why(why, why_size, "too short to hold a single frame at %d Hz", rate);
                status = -1;
            } else if (frames <= preload_max_frames && defer
                       && atomic_load(&pending_open) < CLIP_PENDING_MAX) {
                status = defer_whole(path, file, &info, source_frames, frames, rate, out, why,
                                     why_size);
                if (status == 0)
                    return 0;   /* the file stays open for audio_clip_finish() */
            } else if (frames <= preload_max_frames) {
                status = load_whole(path, file, &info, source_frames, rate, out, why,
                                    why_size);
            } else {
                status = make_clip(path, NULL, frames, &info, source_frames, out, why,
                                   why_size);
            }
        }
    }
    sf_close(file);
    return status;
}

int audio_clip_open(const char *path, int rate, int64_t preload_max_frames, audio_clip **out,
                    char *why, size_t why_size)
{
    return open_clip(path, rate, preload_max_frames, false, out, why, why_size);
}

int audio_clip_open_deferred(const char *path, int rate, int64_t preload_max_frames,
                             audio_clip **out, char *why, size_t why_size)
{
    return open_clip(path, rate, preload_max_frames, true, out, why, why_size);
}

static void close_pending(audio_clip *clip)
{
    sf_close(clip->pending->file);
    free(clip->pending);
    clip->pending = NULL;
    atomic_fetch_sub(&pending_open, 1);
}

int audio_clip_finish(audio_clip *clip, char *why, size_t why_size)
{
    if (clip == NULL || clip->pending == NULL)
        return 0;
    struct audio_clip_pending *p = clip->pending;
    set_why(why, why_size, "%s", "");
    int status = decode_into(clip, p->file, &p->info, p->max_frames, p->rate, why, why_size);
    close_pending(clip);
    return status;
}

enum { FINISH_THREADS_MAX = 4, FINISH_WHY_SIZE = 512 };

typedef struct {
    audio_clip *const *clips;
    size_t *order;  /* the clips to decode, longest first */
    size_t count;
    atomic_size_t next;
    int *status;
    char *why;      /* count reasons of FINISH_WHY_SIZE */
} finish_job;

static void *finish_worker(void *context)
{
    finish_job *job = context;
    for (;;) {
        size_t n = atomic_fetch_add(&job->next, 1);
        if (n >= job->count)
            return NULL;
        size_t i = job->order[n];
        job->status[i] = audio_clip_finish(job->clips[i], job->why + i * FINISH_WHY_SIZE,
                                           FINISH_WHY_SIZE);
    }
}

typedef struct {
    int64_t frames;
    size_t index;
} clip_length;

static int longer_first(const void *a, const void *b)
{
    const clip_length *x = a, *y = b;
    if (x->frames != y->frames)
        return x->frames > y->frames ? -1 : 1;
    return x->index < y->index ? -1 : 1;
}

int audio_clip_finish_all(audio_clip *const *clips, size_t count, size_t *failed, char *why,
                          size_t why_size)
{
    size_t waiting = 0;
    for (size_t i = 0; i < count; i++)
        waiting += clips[i] != NULL && clips[i]->pending != NULL;
    if (waiting == 0)
        return 0;
    finish_job job = { .clips = clips, .count = waiting };
    atomic_init(&job.next, 0);
    job.status = calloc(count, sizeof *job.status);
    job.why = calloc(count, FINISH_WHY_SIZE);
    job.order = calloc(waiting, sizeof *job.order);
    if (job.status == NULL || job.why == NULL || job.order == NULL) {
        free(job.status);
        free(job.why);
        free(job.order);
        for (size_t i = 0; i < count; i++) {
            if (audio_clip_finish(clips[i], why, why_size) != 0) {
                *failed = i;
                return -1;
            }
        }
        return 0;
    }
    /* The longest first, so the threads finish together. */
    clip_length *lengths = calloc(waiting, sizeof *lengths);
    for (size_t i = 0, n = 0; i < count; i++)
        if (clips[i] != NULL && clips[i]->pending != NULL)
            job.order[n++] = i;
    if (lengths != NULL) {
        for (size_t n = 0; n < waiting; n++)
            lengths[n] = (clip_length){ clips[job.order[n]]->frames, job.order[n] };
        qsort(lengths, waiting, sizeof *lengths, longer_first);
        for (size_t n = 0; n < waiting; n++)
            job.order[n] = lengths[n].index;
        free(lengths);
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = cores > 1 ? (size_t)cores : 1;
    if (threads > FINISH_THREADS_MAX)
        threads = FINISH_THREADS_MAX;
    if (threads > waiting)
        threads = waiting;
    pthread_t helpers[FINISH_THREADS_MAX];
    size_t started = 0;
    while (started + 1 < threads
           && pthread_create(&helpers[started], NULL, finish_worker, &job) == 0)
        started++;
    finish_worker(&job);
    for (size_t i = 0; i < started; i++)
        pthread_join(helpers[i], NULL);
    int result = 0;
    for (size_t i = 0; i < count; i++) {
        if (job.status[i] != 0) {
            *failed = i;
            set_why(why, why_size, "%s", job.why + i * FINISH_WHY_SIZE);
            result = -1;
            break;
        }
    }
    free(job.status);
    free(job.why);
    free(job.order);
    return result;
}

int audio_clip_load(const char *path, int rate, audio_clip **out, char *why, size_t why_size)
{
    return audio_clip_open(path, rate, INT64_MAX, out, why, why_size);
}

void audio_clip_free(audio_clip *clip)
{
    if (clip == NULL)
        return;
    if (clip->pending != NULL)
        close_pending(clip);
    free(clip->samples);
    free(clip->path);
    free(clip);
}

/* ---- reading a streamed clip ---- */

/* Rate conversion of a streamed file is done in segments that each start a
 * fresh converter a little before the segment, so that any frame can be
 * reached without decoding the file from its start, and what a frame holds
 * does not depend on where reading began. Segment edges sit where a source
 * frame falls exactly on an output frame. */
#define READER_SEGMENT_SECONDS 4.0
#define READER_PREROLL_FRAMES 2048  /* source frames fed before a segment, at least */

struct audio_clip_reader {
    const audio_clip *clip;
    int rate;
    SNDFILE *file;
    int channels;
    int64_t position;       /* next output frame */
    int64_t fade;           /* edge fade length */
    float *chunk;           /* raw frames from the file */
    float *input;           /* the same, as stereo */
    /* Rate conversion only. */
    SRC_STATE *converter;
    int64_t step_out, step_in;  /* output and source frames between exact alignments */
    int64_t segment_frames;     /* output frames per segment */
    int64_t segment_end;        /* output frame where the current segment ends */
    int64_t discard;            /* converted frames still to drop */
    long input_count, input_used;
    bool input_ended;
    bool exhausted;             /* the file cannot be read here: silence until a seek works */
    float *converted;
    long converted_count, converted_used;
};

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b != 0) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

void audio_clip_reader_close(audio_clip_reader *r)
{
    if (r == NULL)
        return;
    if (r->file != NULL)
        sf_close(r->file);
    if (r->converter != NULL)
        src_delete(r->converter);
    free(r->chunk);
    free(r->input);
    free(r->converted);
    free(r);
}

int audio_clip_reader_open(const audio_clip *clip, int rate, int64_t position,
                           audio_clip_reader **out, char *why, size_t why_size)
{
    *out = NULL;
    set_why(why, why_size, "%s", "");
    audio_clip_reader *r = calloc(1, sizeof *r);
    if (r == NULL) {
        set_why(why, why_size, "not enough memory to read it");
        return -1;
    }
    r->clip = clip;
    r->rate = rate;
    r->fade = fade_frames(clip->frames, rate);
    SF_INFO info;
    r->file = open_audio(clip->path, &info, why, why_size);
    if (r->file == NULL) {
        audio_clip_reader_close(r);
        return -1;
    }
    if (info.samplerate != clip->source_rate || info.channels != clip->source_channels) {
        set_why(why, why_size, "changed since the session was loaded");
        audio_clip_reader_close(r);
        return -1;
    }
    r->channels = info.channels;
    r->chunk = resize_frames(NULL, CLIP_READ_FRAMES, r->channels);
    r->input = malloc(sizeof(float) * 2 * CLIP_READ_FRAMES);
    if (r->chunk == NULL || r->input == NULL) {
        set_why(why, why_size, "not enough memory to read it");
        audio_clip_reader_close(r);
        return -1;
    }
    if (clip->source_rate != rate) {
        int error = 0;
        r->converter = src_new(SRC_SINC_MEDIUM_QUALITY, 2, &error);
        r->converted = malloc(sizeof(float) * 2 * CLIP_CONVERT_FRAMES);
        if (r->converter == NULL || r->converted == NULL) {
            set_why(why, why_size, "cannot convert the sample rate (%s)",
                    r->converter == NULL ? src_strerror(error) : "out of memory");
            audio_clip_reader_close(r);
            return -1;
        }
        int64_t g = gcd64(rate, clip->source_rate);
        r->step_out = rate / g;
        r->step_in = clip->source_rate / g;
        int64_t steps = (int64_t)ceil(READER_SEGMENT_SECONDS * rate / (double)r->step_out);
        r->segment_frames = steps * r->step_out;
    }
    if (audio_clip_reader_seek(r, position) != 0) {
        set_why(why, why_size, "cannot seek in it");
        audio_clip_reader_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

int audio_clip_reader_seek(audio_clip_reader *r, int64_t position)
{
    if (position < 0)
        position = 0;
    if (position > r->clip->frames)
        position = r->clip->frames;
    r->position = position;
    r->exhausted = false;
    if (r->converter == NULL) {
        sf_count_t target = position < r->clip->source_frames ? position
                                                               : r->clip->source_frames;
        return sf_seek(r->file, target, SEEK_SET) == target ? 0 : -1;
    }
    /* The segment holding position; the converter starts again before it. */
    int64_t segment_start = position / r->segment_frames * r->segment_frames;
    r->segment_end = segment_start + r->segment_frames;
    int64_t anchor = segment_start / r->step_out * r->step_in;
    int64_t preroll_steps = (READER_PREROLL_FRAMES + r->step_in - 1) / r->step_in;
    int64_t preroll = preroll_steps * r->step_in;
    if (preroll > anchor)
        preroll = anchor;
    src_reset(r->converter);
    r->discard = preroll / r->step_in * r->step_out + (position - segment_start);
    r->input_count = r->input_used = 0;
    r->converted_count = r->converted_used = 0;
    r->input_ended = anchor - preroll >= r->clip->source_frames;
    if (r->input_ended)
        return 0;
    return sf_seek(r->file, anchor - preroll, SEEK_SET) == anchor - preroll ? 0 : -1;
}

/* The next frames of the file as cleaned stereo; 0 at its end. */
static long read_input(audio_clip_reader *r, float *dest, long frames)
{
    if (r->exhausted)
        return 0;
    sf_count_t got = sf_readf_float(r->file, r->chunk, frames);
    if (got <= 0)
        return 0;
    to_stereo(r->chunk, got, r->channels, dest);
    return (long)got;
}

/* Converted frames into r->converted; false when the converter has no more. */
static bool convert_more(audio_clip_reader *r)
{
    for (;;) {
        if (r->input_used == r->input_count && !r->input_ended) {
            r->input_count = read_input(r, r->input, CLIP_READ_FRAMES);
            r->input_used = 0;
            r->input_ended = r->input_count < CLIP_READ_FRAMES;
        }
        SRC_DATA data = {
            .data_in = r->input + 2 * r->input_used,
            .data_out = r->converted,
            .input_frames = r->input_count - r->input_used,
            .output_frames = CLIP_CONVERT_FRAMES,
            .end_of_input = r->input_ended,
            .src_ratio = (double)r->rate / r->clip->source_rate,
        };
        if (src_process(r->converter, &data) != 0)
            return false;
        r->input_used += data.input_frames_used;
        r->converted_count = data.output_frames_gen;
        r->converted_used = 0;
        if (data.output_frames_gen > 0)
            return true;
        if (r->input_ended && r->input_used == r->input_count)
            return false;
    }
}

/* Up to `frames` converted frames of the current segment. */
static int64_t read_converted(audio_clip_reader *r, float *out, int64_t frames)
{
    int64_t done = 0;
    while (done < frames) {
        if (r->position == r->segment_end && audio_clip_reader_seek(r, r->position) != 0)
            break;
        if (r->converted_used == r->converted_count && !convert_more(r))
            break;
        long available = r->converted_count - r->converted_used;
        if (r->discard > 0) {
            long drop = r->discard < available ? (long)r->discard : available;
            r->converted_used += drop;
            r->discard -= drop;
            continue;
        }
        int64_t n = frames - done;
        if (n > available)
            n = available;
        if (n > r->segment_end - r->position)
            n = r->segment_end - r->position;
        memcpy(out + 2 * done, r->converted + 2 * r->converted_used, sizeof(float) * 2 * (size_t)n);
        for (int64_t i = 0; i < 2 * n; i++)
            out[2 * done + i] = clean_sample(out[2 * done + i]);
        r->converted_used += (long)n;
        r->position += n;
        done += n;
    }
    return done;
}

int64_t audio_clip_reader_read(audio_clip_reader *r, float *out, int64_t frames)
{
    int64_t left = r->clip->frames - r->position;
    if (frames > left)
        frames = left;
    int64_t first = r->position;
    int64_t done = 0;
    if (r->converter != NULL) {
        done = read_converted(r, out, frames);
    } else {
        while (done < frames) {
            int64_t want = frames - done;
            long n = read_input(r, out + 2 * done, want < CLIP_READ_FRAMES ? (long)want
                                                                            : CLIP_READ_FRAMES);
            if (n == 0)
                break;
            done += n;
        }
        r->position += done;
    }
    /* A file that ends before its header said, or cannot be read further:
     * silence to the promised end. Reading goes on from where that silence
     * ends; if the file cannot be sought there, its read position is left
     * on no frame of ours, so nothing more is read from it until a seek
     * succeeds. */
    if (done < frames) {
        memset(out + 2 * done, 0, sizeof(float) * 2 * (size_t)(frames - done));
        r->position = first + frames;
        if (audio_clip_reader_seek(r, r->position) != 0)
            r->exhausted = true;
    }
    int64_t total = r->clip->frames;
    for (int64_t i = 0; i < frames; i++) {
        int64_t at = first + i;
        float gain;
        if (at < r->fade)
            gain = fade_gain(at, r->fade);
        else if (total - 1 - at < r->fade)
            gain = fade_gain(total - 1 - at, r->fade);
        else
            continue;
        out[2 * i] *= gain;
        out[2 * i + 1] *= gain;
    }
    return frames;
}

/* ---- probing: the header only ---- */

/* What probing a file found, kept for the next probe of the same unchanged
 * file: --list reads every installed session, and most of them name the
 * same voice cues, whose Ogg headers cost more to read than all the rest. */
typedef struct {
    dev_t device;
    ino_t inode;
    off_t size;
    struct timespec modified;
    int source_rate, source_channels;
    int64_t source_frames;
} probe_record;

enum { PROBE_RECORDS = 256 };
static probe_record probe_records[PROBE_RECORDS];
static size_t probe_record_count, probe_record_next;
static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;

static bool same_file(const probe_record *r, const struct stat *st)
{
    return r->device == st->st_dev && r->inode == st->st_ino && r->size == st->st_size
           && r->modified.tv_sec == st->st_mtim.tv_sec
           && r->modified.tv_nsec == st->st_mtim.tv_nsec;
}

static bool probe_recall(const struct stat *st, probe_record *out)
{
    bool found = false;
    pthread_mutex_lock(&probe_lock);
    for (size_t i = 0; i < probe_record_count && !found; i++) {
        if (same_file(&probe_records[i], st)) {
            *out = probe_records[i];
            found = true;
        }
    }
    pthread_mutex_unlock(&probe_lock);
    return found;
}

static void probe_remember(const probe_record *record)
{
    pthread_mutex_lock(&probe_lock);
    probe_records[probe_record_next] = *record;
    probe_record_next = (probe_record_next + 1) % PROBE_RECORDS;
    if (probe_record_count < PROBE_RECORDS)
        probe_record_count++;
    pthread_mutex_unlock(&probe_lock);
}

/* Reads the header of a file not probed before; 0, or -1 with a reason. */
static int probe_header(int fd, const struct stat *st, probe_record *out, char *why,
                        size_t why_size)
{
    SF_INFO info;
    SNDFILE *file = open_audio_fd(fd, &info, why, why_size);
    if (file == NULL)
        return -1;
    int64_t source_frames = info.frames;
    int status = 0;
    if (length_unknown(&info)) {
        status = count_frames(file, info.channels, &source_frames, why, why_size);
        if (status == 0 && source_frames == 0) {
            set_why(why, why_size, "contains no audio");
            status = -1;
        }
    }
    sf_close(file);
    if (status != 0)
        return -1;
    *out = (probe_record){
        .device = st->st_dev, .inode = st->st_ino, .size = st->st_size,
        .modified = st->st_mtim, .source_rate = info.samplerate,
        .source_channels = info.channels, .source_frames = source_frames,
    };
    probe_remember(out);
    return 0;
}

int audio_clip_probe(const char *path, int rate, audio_clip **out, char *why, size_t why_size)
{
    *out = NULL;
    set_why(why, why_size, "%s", "");
    struct stat st;
    int fd = open_regular(path, &st, why, why_size);
    if (fd < 0)
        return -1;
    probe_record record;
    if (probe_recall(&st, &record))
        close(fd);
    else if (probe_header(fd, &st, &record, why, why_size) != 0)
        return -1;
    if (record.source_rate != rate && !src_is_valid_ratio((double)rate / record.source_rate)) {
        set_why(why, why_size, "its sample rate (%d Hz) cannot be converted to %d Hz",
                record.source_rate, rate);
        return -1;
    }
    int64_t frames = output_frames(record.source_frames, record.source_rate, rate);
    if (frames < 1) {
        set_why(why, why_size, "too short to hold a single frame at %d Hz", rate);
        return -1;
    }
    SF_INFO info = { .samplerate = record.source_rate, .channels = record.source_channels };
    return make_clip(path, NULL, frames, &info, record.source_frames, out, why, why_size);
}
