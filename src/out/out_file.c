/* out_file: renders as fast as the source allows into an audio file, the
 * render on the calling thread and the writing (encoding, the kernel's
 * copying) on a thread of its own, a few blocks behind. */
#include "out/out.h"
#include "base/clock.h"
#include "base/savefile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_BLOCK_FRAMES 4096
/* Blocks rendered ahead of the writer: rendering and encoding or writing
 * (the kernel's copying, FLAC's encoder) run on two cores at once. */
#define FILE_BLOCKS 4
#define MONITOR_INTERVAL_SECONDS 0.1
#define VORBIS_QUALITY 0.6
/* libsndfile's 0 to 1 for FLAC's levels 0 to 8: 0.125 is level 1. The noise
 * beds leave little to find, so the default (level 5) makes files only
 * about 1.6 % smaller for about half as much encoding time again. */
#define FLAC_COMPRESSION_LEVEL 0.125

/* A WAV file's sizes are 32-bit: keep the data chunk, plus room for the
 * header chunks, under 4 GiB (about 3.1 hours of stereo float at 48 kHz). */
#define WAV_MAX_DATA_BYTES (UINT32_MAX - 65536)

typedef struct {
    const char *extension;
    int format;
    bool opus;
} file_format;

static const file_format file_formats[] = {
    { ".wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, false },
    { ".flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, false },
    { ".ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, false },
    { ".oga", SF_FORMAT_OGG | SF_FORMAT_VORBIS, false },
    { ".opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, true },
};
#define KNOWN_EXTENSIONS ".wav, .flac, .ogg, .oga or .opus"

static const int opus_rates[] = { 8000, 12000, 16000, 24000, 48000 };

struct out_stream {
    SNDFILE *file;
    int fd;
    char *path;
    char *temp_path;
    float *buffer;
    int sample_rate;
    int64_t max_frames;   /* what the format can hold; -1: no limit */
    bool failed;
};

static const file_format *format_for(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash != NULL ? slash + 1 : path;
    const char *dot = strrchr(name, '.');
    if (dot == NULL || dot == name)
        return NULL;
    for (size_t i = 0; i < sizeof file_formats / sizeof file_formats[0]; i++)
        if (strcasecmp(dot, file_formats[i].extension) == 0)
            return &file_formats[i];
    return NULL;
}

bool out_file_format_known(const char *path)
{
    return path != NULL && format_for(path) != NULL;
}

static void free_stream(out_stream *stream)
{
    free(stream->buffer);
    free(stream->path);
    free(stream->temp_path);
    free(stream);
}

static int file_open(out_stream **out, const out_params *params, const report_sink *report)
{
    *out = NULL;
    const char *path = params->path;
    if (path == NULL || path[0] == '\0') {
        report_error(report, NULL, 0, "no output file given");
        return OUT_FAILED;
    }
    const file_format *format = format_for(path);
    if (format == NULL) {
        report_error(report, NULL, 0, "cannot write '%s': unknown file type; use " KNOWN_EXTENSIONS,
                     path);
        return OUT_FAILED;
    }
    if (format->opus) {
        bool supported = false;
        for (size_t i = 0; i < sizeof opus_rates / sizeof opus_rates[0]; i++)
            supported = supported || opus_rates[i] == params->sample_rate;
        if (!supported) {
            report_error(report, NULL, 0,
                         "cannot write '%s': Opus works only at 8000, 12000, 16000, "
                         "24000 or 48000 Hz, not %d Hz; set sample_rate or use another format",
                         path, params->sample_rate);
            return OUT_FAILED;
        }
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        report_error(report, NULL, 0, "cannot write '%s': %s", path, strerror(EISDIR));
        return OUT_FAILED;
    }

    out_stream *stream = calloc(1, sizeof *stream);
    if (stream == NULL) {
        report_out_of_memory(report);
        return OUT_FAILED;
    }
    stream->fd = -1;
    stream->path = strdup(path);
    stream->buffer = malloc(sizeof(float) * 2 * FILE_BLOCK_FRAMES * FILE_BLOCKS);
    if (stream->path == NULL || stream->buffer == NULL) {
        report_out_of_memory(report);
        free_stream(stream);
        return OUT_FAILED;
    }

    /* Written beside the destination and renamed into place when finished
     * (savefile.h), so a failed render never clobbers an existing file. */
    stream->fd = savefile_open_temp(path, &stream->temp_path);
    if (stream->fd < 0) {
        report_error(report, NULL, 0, "cannot write '%s': %s", path,
                     errno == ENOMEM ? "out of memory" : strerror(errno));
        free_stream(stream);
        return OUT_FAILED;
    }

    SF_INFO info = { .samplerate = params->sample_rate, .channels = 2, .format = format->format };
    if (!sf_format_check(&info)) {
        report_error(report, NULL, 0, "cannot write '%s': this libsndfile cannot write that format "
                     "at %d Hz", path, params->sample_rate);
        goto fail;
    }
    /* The descriptor stays ours so it can be synced after libsndfile has
     * written the final header. */
    stream->file = sf_open_fd(stream->fd, SFM_WRITE, &info, SF_FALSE);
    if (stream->file == NULL) {
        report_error(report, NULL, 0, "cannot write '%s': %s", path, sf_strerror(NULL));
        goto fail;
    }
    sf_command(stream->file, SFC_SET_CLIPPING, NULL, SF_TRUE);
    /* A float WAV's PEAK chunk carries the time of writing; without it the
     * same session always gives the same file, byte for byte. */
    sf_command(stream->file, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
    stream->sample_rate = params->sample_rate;
    stream->max_frames = -1;
    if ((format->format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV)
        stream->max_frames = WAV_MAX_DATA_BYTES / (2 * sizeof(float));
    if ((format->format & SF_FORMAT_SUBMASK) == SF_FORMAT_VORBIS) {
        double quality = VORBIS_QUALITY;
        sf_command(stream->file, SFC_SET_VBR_ENCODING_QUALITY, &quality, sizeof quality);
    }
    if ((format->format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC) {
        double level = FLAC_COMPRESSION_LEVEL;
        sf_command(stream->file, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
    }
    *out = stream;
    return OUT_DONE;

fail:
    close(stream->fd);
    unlink(stream->temp_path);
    free_stream(stream);
    return OUT_FAILED;
}

static void report_write_error(out_stream *stream, int saved_errno, const report_sink *report)
{
    if (sf_error(stream->file) == SF_ERR_SYSTEM && saved_errno != 0)
        report_error(report, NULL, 0, "cannot write '%s': %s", stream->path, strerror(saved_errno));
    else
        report_error(report, NULL, 0, "cannot write '%s': %s", stream->path,
                     sf_strerror(stream->file));
    stream->failed = true;
}

/* The blocks between the render (main thread) and the writer thread: a
 * ring of FILE_BLOCKS, each with how many frames it holds. */
typedef struct {
    out_stream *stream;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    size_t lengths[FILE_BLOCKS];
    long filled, written;      /* blocks handed to the writer, and written */
    bool finished;             /* no more blocks will come */
    bool inline_writes;        /* no writer thread: write what there is, then return */
    bool write_failed;
    int write_errno;
} file_pipe;

static void *file_writer(void *context)
{
    file_pipe *pipe = context;
    out_stream *stream = pipe->stream;
    pthread_mutex_lock(&pipe->lock);
    for (;;) {
        while (pipe->written == pipe->filled && !pipe->finished && !pipe->inline_writes)
            pthread_cond_wait(&pipe->changed, &pipe->lock);
        if (pipe->written == pipe->filled)
            break;
        long block = pipe->written % FILE_BLOCKS;
        size_t frames = pipe->lengths[block];
        pthread_mutex_unlock(&pipe->lock);
        errno = 0;
        sf_count_t done = sf_writef_float(stream->file,
                                          stream->buffer + (size_t)block * 2 * FILE_BLOCK_FRAMES,
                                          (sf_count_t)frames);
        int saved_errno = errno;
        pthread_mutex_lock(&pipe->lock);
        if (done != (sf_count_t)frames) {
            pipe->write_failed = true;
            pipe->write_errno = saved_errno;
            pthread_cond_broadcast(&pipe->changed);
            break;
        }
        pipe->written++;
        pthread_cond_broadcast(&pipe->changed);
    }
    pthread_mutex_unlock(&pipe->lock);
    return NULL;
}

/* Renders the next block into a free buffer, waiting for the writer to
 * free one; 0 frames once the writer has failed. */
static size_t render_block(file_pipe *pipe, out_source source, long index)
{
    pthread_mutex_lock(&pipe->lock);
    while (pipe->filled - pipe->written == FILE_BLOCKS && !pipe->write_failed)
        pthread_cond_wait(&pipe->changed, &pipe->lock);
    bool failed = pipe->write_failed;
    pthread_mutex_unlock(&pipe->lock);
    if (failed)
        return 0;
    float *buffer = pipe->stream->buffer + (size_t)(index % FILE_BLOCKS) * 2 * FILE_BLOCK_FRAMES;
    size_t got = source.render(source.context, buffer, FILE_BLOCK_FRAMES);
    return got > FILE_BLOCK_FRAMES ? FILE_BLOCK_FRAMES : got;
}

static void hand_over(file_pipe *pipe, size_t frames, bool last)
{
    pthread_mutex_lock(&pipe->lock);
    if (frames > 0)
        pipe->lengths[pipe->filled++ % FILE_BLOCKS] = frames;
    pipe->finished = last;
    pthread_cond_broadcast(&pipe->changed);
    pthread_mutex_unlock(&pipe->lock);
}

static int file_run(out_stream *stream, out_source source, out_monitor monitor,
                    void *monitor_context, const report_sink *report)
{
    if (stream->failed)
        return OUT_FAILED;
    file_pipe pipe = { .stream = stream };
    pthread_mutex_init(&pipe.lock, NULL);
    pthread_cond_init(&pipe.changed, NULL);
    pthread_t writer;
    bool threaded = pthread_create(&writer, NULL, file_writer, &pipe) == 0;
    pipe.inline_writes = !threaded;
    int status = OUT_DONE;
    int64_t frames_done = 0;
    double last_report = clock_monotonic_seconds();
    for (long index = 0;; index++) {
        size_t got = render_block(&pipe, source, index);
        if (stream->max_frames >= 0 && frames_done + (int64_t)got > stream->max_frames) {
            report_error(report, NULL, 0, "cannot write '%s': a WAV file holds at most %.1f hours "
                         "at %d Hz; use .flac for longer renders", stream->path,
                         (double)stream->max_frames / stream->sample_rate / 3600.0,
                         stream->sample_rate);
            stream->failed = true;
            status = OUT_FAILED;
            break;
        }
        frames_done += (int64_t)got;
        hand_over(&pipe, got, got < FILE_BLOCK_FRAMES);
        if (!threaded)
            file_writer(&pipe);   /* no thread: write each block as it comes */
        if (got < FILE_BLOCK_FRAMES)
            break;
        double now = clock_monotonic_seconds();
        if (monitor != NULL && now - last_report >= MONITOR_INTERVAL_SECONDS) {
            last_report = now;
            if (!monitor(monitor_context, frames_done)) {
                status = OUT_STOPPED;
                break;
            }
        }
    }
    hand_over(&pipe, 0, true);
    if (threaded)
        pthread_join(writer, NULL);
    pthread_cond_destroy(&pipe.changed);
    pthread_mutex_destroy(&pipe.lock);
    if (pipe.write_failed) {
        report_write_error(stream, pipe.write_errno, report);
        return OUT_FAILED;
    }
    if (status != OUT_DONE)
        return status;
    /* The render is complete: a stop asked for now changes nothing. */
    if (monitor != NULL)
        (void)monitor(monitor_context, frames_done);
    return OUT_DONE;
}

static void sync_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash == NULL ? strdup(".")
              : slash == path ? strdup("/")
                              : strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

static int file_close(out_stream *stream, bool commit, const report_sink *report)
{
    if (stream == NULL)
        return OUT_DONE;
    bool ok = !stream->failed;
    int status = OUT_DONE;

    if (stream->file != NULL) {
        int error = sf_close(stream->file);
        if (error != 0 && ok && commit) {
            report_error(report, NULL, 0, "cannot write '%s': %s", stream->path,
                         sf_error_number(error));
            ok = false;
        }
    }
    if (ok && commit && fsync(stream->fd) != 0) {
        report_error(report, NULL, 0, "cannot write '%s': %s", stream->path, strerror(errno));
        ok = false;
    }
    if (close(stream->fd) != 0 && ok && commit) {
        report_error(report, NULL, 0, "cannot write '%s': %s", stream->path, strerror(errno));
        ok = false;
    }
    if (ok && commit) {
        if (rename(stream->temp_path, stream->path) != 0) {
            report_error(report, NULL, 0, "cannot write '%s': %s", stream->path, strerror(errno));
            ok = false;
        } else {
            sync_folder(stream->path);
        }
    }
    if (!ok || !commit)
        unlink(stream->temp_path);
    if (commit && !ok)
        status = OUT_FAILED;
    free_stream(stream);
    return status;
}

const out_backend out_file_backend = {
    .name = "file",
    .open = file_open,
    .run = file_run,
    .close = file_close,
};
