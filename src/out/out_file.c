/* out_file: renders as fast as the source allows into an audio file: a
 * plain loop on the calling thread, one block rendered, then written. */
#include "out/out.h"
#include "out/dither.h"
#include "out/wav_chunks.h"
#include "base/clock.h"
#include "base/savefile.h"

#include <errno.h>
#include <fcntl.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* 256 KiB of float stereo a block, one write each: few enough system calls
 * that the kernel's time is the copying alone, and small enough that the
 * block is still in the core's cache when the kernel copies it. A writer
 * thread a few blocks behind cost more than it saved: its wake-ups (futex
 * calls), and every block crossing between cores' caches before the
 * kernel read it, made the kernel's time 1.6 to 2.7 times that of writing
 * the same bytes from one thread (docs/performance.md). */
#define FILE_BLOCK_FRAMES 32768
#define MONITOR_INTERVAL_SECONDS 0.1
#define VORBIS_QUALITY 0.6
/* libsndfile's 0 to 1 for FLAC's levels 0 to 8: 0.125 is level 1. The noise
 * beds leave little to find, so the default (level 5) makes files only
 * about 1.6 % smaller for about half as much encoding time again. */
#define FLAC_COMPRESSION_LEVEL 0.125

/* A WAV file's sizes are 32-bit: keep the data chunk, plus room for the
 * header chunks, under 4 GiB (about 3.1 hours of stereo float at 48 kHz). */
#define WAV_MAX_DATA_BYTES (UINT32_MAX - 65536)

/* Sample formats --bits may choose, as bits of file_format.holds. */
enum { HOLDS_16 = 1 << OUT_SAMPLES_16, HOLDS_24 = 1 << OUT_SAMPLES_24,
       HOLDS_FLOAT = 1 << OUT_SAMPLES_FLOAT };

typedef struct {
    const char *name;          /* as --format names it */
    const char *extension, *other_extension;
    int major;                 /* libsndfile's container */
    int subtype;               /* its default sample format or codec */
    unsigned holds;            /* the sample formats --bits may choose */
} file_format;

static const file_format file_formats[] = {
    { "wav", ".wav", NULL, SF_FORMAT_WAV, SF_FORMAT_FLOAT, HOLDS_16 | HOLDS_24 | HOLDS_FLOAT },
    { "flac", ".flac", NULL, SF_FORMAT_FLAC, SF_FORMAT_PCM_24, HOLDS_16 | HOLDS_24 },
    { "ogg", ".ogg", ".oga", SF_FORMAT_OGG, SF_FORMAT_VORBIS, 0 },
    { "opus", ".opus", NULL, SF_FORMAT_OGG, SF_FORMAT_OPUS, 0 },
    { "mp3", ".mp3", NULL, SF_FORMAT_MPEG, SF_FORMAT_MPEG_LAYER_III, 0 },
};
#define FORMAT_COUNT (sizeof file_formats / sizeof file_formats[0])
#define KNOWN_EXTENSIONS ".wav, .flac, .ogg, .oga, .opus or .mp3"
#define KNOWN_FORMATS "wav, flac, ogg, opus or mp3"

static const int opus_rates[] = { 8000, 12000, 16000, 24000, 48000 };
static const int mp3_rates[] = { 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000 };
/* MPEG-1 Layer III's bitrates (32000 Hz and up), then MPEG-2's and 2.5's
 * (below): LAME writes only these. */
static const int mp3_bitrates_high[] = { 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224,
                                         256, 320 };
static const int mp3_bitrates_low[] = { 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144,
                                        160 };
#define MP3_QUALITY_CHOICES "0 (best) to 9 for a variable bitrate, or a constant bitrate " \
                            "from 32k to 320k (8k to 160k below 32000 Hz, to 64k below 16000)"

struct out_stream {
    SNDFILE *file;
    int fd;
    char *path;
    char *temp_path;
    float *buffer;
    int16_t *shorts;      /* the 16-bit block when dithering (out/dither.h) */
    out_dither dither;
    int sample_rate;
    int64_t max_frames;   /* what the format can hold; -1: no limit */
    bool to_pipe;         /* standard output: no temporary file, nothing to rename */
    sf_count_t stream_position;   /* WAV on standard output: sample bytes written */
    bool wav;             /* a WAV file: its header is finished by finish_wav() */
    out_marker *cues;     /* WAV: the cue points to add, labels copied */
    size_t cue_count;
    bool mp3;
    bool failed;
};

static const file_format *format_named(const char *name)
{
    for (size_t i = 0; i < FORMAT_COUNT; i++)
        if (strcasecmp(name, file_formats[i].name) == 0)
            return &file_formats[i];
    return NULL;
}

static const file_format *format_for_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash != NULL ? slash + 1 : path;
    const char *dot = strrchr(name, '.');
    if (dot == NULL || dot == name)
        return NULL;
    for (size_t i = 0; i < FORMAT_COUNT; i++)
        if (strcasecmp(dot, file_formats[i].extension) == 0
            || (file_formats[i].other_extension != NULL
                && strcasecmp(dot, file_formats[i].other_extension) == 0))
            return &file_formats[i];
    return NULL;
}

static bool is_standard_output(const char *path)
{
    return strcmp(path, OUT_FILE_STANDARD_OUTPUT) == 0;
}

static const file_format *format_for(const char *path, const out_format *format)
{
    if (format != NULL && format->container != NULL)
        return format_named(format->container);
    if (is_standard_output(path))
        return &file_formats[0];   /* WAV, of an open length */
    return format_for_name(path);
}

static size_t sample_bytes(int subtype)
{
    return subtype == SF_FORMAT_PCM_16 ? 2 : subtype == SF_FORMAT_PCM_24 ? 3 : 4;
}

static const char *samples_name(out_samples samples)
{
    switch (samples) {
    case OUT_SAMPLES_16: return "16";
    case OUT_SAMPLES_24: return "24";
    case OUT_SAMPLES_FLOAT: return "32f";
    case OUT_SAMPLES_DEFAULT: break;
    }
    return "default";
}

static bool in_list(const int *list, size_t count, int value)
{
    for (size_t i = 0; i < count; i++)
        if (list[i] == value)
            return true;
    return false;
}

/* MP3's quality as libsndfile takes it: a bitrate mode and its 0-to-1
 * level. Returns false when text is neither 0 to 9 nor a known bitrate;
 * rate 0 accepts any MP3 bitrate, else only those of that rate. */
static bool mp3_setting(const char *text, int rate, int *mode, double *level)
{
    *mode = SF_BITRATE_MODE_VARIABLE;
    *level = OUT_MP3_DEFAULT_QUALITY / 10.0;
    if (text == NULL)
        return true;
    if (text[0] >= '0' && text[0] <= '9' && text[1] == '\0') {
        *level = (text[0] - '0') / 10.0;
        return true;
    }
    char *end = NULL;
    errno = 0;
    long kbps = strtol(text, &end, 10);
    if (end == text || errno != 0 || (strcmp(end, "k") != 0 && strcmp(end, "K") != 0)
        || kbps < 8 || kbps > 320 || (rate > 0 && rate < 16000 && kbps > 64))
        return false;
    bool high = in_list(mp3_bitrates_high, sizeof mp3_bitrates_high / sizeof(int), (int)kbps);
    bool low = in_list(mp3_bitrates_low, sizeof mp3_bitrates_low / sizeof(int), (int)kbps);
    if (rate == 0 ? !(high || low) : rate >= 32000 ? !high : !low)
        return false;
    /* libsndfile's bitrate is top - level * (top - bottom), cut to an
     * integer: a quarter kbps over keeps it from landing one below. */
    double top = rate == 0 || rate >= 32000 ? 320.0 : rate >= 16000 ? 160.0 : 64.0;
    double bottom = rate == 0 || rate >= 32000 ? 32.0 : 8.0;
    *mode = SF_BITRATE_MODE_CONSTANT;
    *level = (top - (double)kbps - 0.25) / (top - bottom);
    if (*level < 0.0)
        *level = 0.0;
    return true;
}

static bool mp3_supported(void)
{
    SF_INFO info = { .samplerate = 48000, .channels = 2,
                     .format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III };
    return sf_format_check(&info) != 0;
}

int out_file_check(const char *path, const out_format *format, char *why, size_t size)
{
    out_format none = { 0 };
    if (format == NULL)
        format = &none;
    const file_format *chosen = format_for(path, format);
    if (chosen == NULL) {
        if (format->container != NULL)
            snprintf(why, size, "unknown format '%s'; use " KNOWN_FORMATS, format->container);
        else
            snprintf(why, size, "cannot tell the output format from the name; use "
                     KNOWN_EXTENSIONS " (or --format)");
        return 2;
    }
    if (format->samples != OUT_SAMPLES_DEFAULT && !(chosen->holds & (1u << format->samples))) {
        if (chosen->holds == 0)
            snprintf(why, size, "--bits %s has no use with %s: it is a compressed format; "
                     "--bits goes with wav (16, 24, 32f) and flac (16, 24)",
                     samples_name(format->samples), chosen->name);
        else
            snprintf(why, size, "%s cannot hold --bits %s; use %s", chosen->name,
                     samples_name(format->samples),
                     chosen->holds & HOLDS_FLOAT ? "16, 24 or 32f" : "16 or 24");
        return 2;
    }
    bool mp3 = chosen->major == SF_FORMAT_MPEG;
    if (format->quality != NULL && !mp3) {
        snprintf(why, size, "--quality has no use with %s: it goes with mp3", chosen->name);
        return 2;
    }
    int mode;
    double level;
    if (mp3 && !mp3_setting(format->quality, 0, &mode, &level)) {
        snprintf(why, size, "--quality takes " MP3_QUALITY_CHOICES ", not '%s'", format->quality);
        return 2;
    }
    if (mp3 && !mp3_supported()) {
        snprintf(why, size, "cannot write mp3: this libsndfile was built without MPEG "
                 "(LAME) support; use wav, flac, ogg or opus");
        return 2;
    }
    return 0;
}

bool out_file_format_known(const char *path)
{
    return path != NULL && format_for_name(path) != NULL;
}

static void free_stream(out_stream *stream)
{
    free(stream->buffer);
    free(stream->shorts);
    for (size_t i = 0; i < stream->cue_count; i++)
        free((void *)stream->cues[i].label);
    free(stream->cues);
    free(stream->path);
    free(stream->temp_path);
    free(stream);
}

/* Tags go in before the first sample: FLAC, Ogg and MP3 write them at the
 * head of the file, WAV in its header. A container without a field for
 * one (MP3's software) leaves it out. */
static void set_tags(SNDFILE *file, bool mp3, const out_tags *tags)
{
    /* ID3's date is a year. */
    char year[5] = "";
    if (mp3 && tags->date != NULL)
        snprintf(year, sizeof year, "%s", tags->date);
    const struct { int type; const char *text; } fields[] = {
        { SF_STR_TITLE, tags->title }, { SF_STR_ARTIST, tags->artist },
        { SF_STR_COMMENT, tags->comment }, { SF_STR_DATE, mp3 ? year : tags->date },
        { SF_STR_SOFTWARE, tags->software },
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].text != NULL && fields[i].text[0] != '\0')
            (void)sf_set_string(file, fields[i].type, fields[i].text);
}

/* A WAV header for a stream, which cannot be gone back to: the tags and
 * cue points first, then the sizes of the frames announced, or, when they
 * are not known or too many for WAV, sizes at their largest, which sox and
 * ffmpeg read as "to the end of the stream" (sox then says "Premature EOF"
 * at its end). Float has the 18-byte format chunk that WAV asks of every
 * format but integer PCM. Returns 0, or -1 with errno set. */
static int write_stream_header(int fd, int subtype, int rate, int64_t frames,
                               const out_format *format)
{
    bool is_float = subtype == SF_FORMAT_FLOAT;
    uint32_t block = 2 * (uint32_t)sample_bytes(subtype);
    wav_chunks b = { 0 };
    wav_chunks_add(&b, "RIFF\0\0\0\0WAVEfmt ", 16);
    wav_chunks_add_le(&b, is_float ? 18 : 16, 4);
    wav_chunks_add_le(&b, is_float ? 3 : 1, 2);          /* IEEE float, or integer PCM */
    wav_chunks_add_le(&b, 2, 2);
    wav_chunks_add_le(&b, (uint32_t)rate, 4);
    wav_chunks_add_le(&b, (uint32_t)rate * block, 4);
    wav_chunks_add_le(&b, block, 2);
    wav_chunks_add_le(&b, block / 2 * 8, 2);
    if (is_float)
        wav_chunks_add_le(&b, 0, 2);                     /* no extension */
    wav_chunks_add_info(&b, &format->tags);
    size_t cues = format->marker_count < OUT_MAX_CUES ? format->marker_count : OUT_MAX_CUES;
    wav_chunks_add_cues(&b, format->markers, cues);
    wav_chunks_add(&b, "data\0\0\0\0", 8);
    if (b.failed) {
        free(b.bytes);
        errno = ENOMEM;
        return -1;
    }
    bool known = frames > 0 && (uint64_t)frames * block <= UINT32_MAX - b.size;
    uint32_t data_bytes = known ? (uint32_t)frames * block : UINT32_MAX;
    unsigned char *at = b.bytes + 4;
    wav_put_le(&at, known ? (uint32_t)(b.size - 8) + data_bytes : UINT32_MAX, 4);
    at = b.bytes + b.size - 4;
    wav_put_le(&at, data_bytes, 4);
    size_t done = 0;
    while (done < b.size) {
        ssize_t n = write(fd, b.bytes + done, b.size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            free(b.bytes);
            errno = saved;
            return -1;
        }
        done += (size_t)n;
    }
    free(b.bytes);
    return 0;
}

/* The samples of a WAV stream behind breathe's header: libsndfile writes
 * them raw through these, from position 0 of its own whatever the
 * descriptor's (standard output may be a file already written to). */
static sf_count_t forward_length(void *context)
{
    return ((out_stream *)context)->stream_position;
}

static sf_count_t forward_seek(sf_count_t offset, int whence, void *context)
{
    out_stream *stream = context;
    if ((whence == SEEK_CUR && offset == 0)
        || (whence == SEEK_SET && offset == stream->stream_position))
        return stream->stream_position;
    errno = ESPIPE;
    return -1;
}

static sf_count_t forward_read(void *data, sf_count_t count, void *context)
{
    return 0;
}

static sf_count_t forward_write(const void *data, sf_count_t count, void *context)
{
    out_stream *stream = context;
    const unsigned char *bytes = data;
    sf_count_t done = 0;
    while (done < count) {
        ssize_t n = write(stream->fd, bytes + done, (size_t)(count - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += n;
    }
    stream->stream_position += done;
    return done;
}

static sf_count_t forward_tell(void *context)
{
    return ((out_stream *)context)->stream_position;
}

static SF_VIRTUAL_IO forward_only = {
    forward_length, forward_seek, forward_read, forward_write, forward_tell,
};

static int copy_cues(out_stream *stream, const out_format *format)
{
    size_t count = format->marker_count < OUT_MAX_CUES ? format->marker_count : OUT_MAX_CUES;
    if (count == 0)
        return 0;
    stream->cues = calloc(count, sizeof *stream->cues);
    if (stream->cues == NULL)
        return -1;
    for (; stream->cue_count < count; stream->cue_count++) {
        out_marker m = format->markers[stream->cue_count];
        m.label = strdup(m.label != NULL ? m.label : "");
        if (m.label == NULL)
            return -1;
        stream->cues[stream->cue_count] = m;
    }
    return 0;
}

static int file_open(out_stream **out, const out_params *params, const report_sink *report)
{
    *out = NULL;
    const char *path = params->path;
    if (path == NULL || path[0] == '\0') {
        report_error(report, NULL, 0, "no output file given");
        return OUT_FAILED;
    }
    char why[512];
    if (out_file_check(path, &params->format, why, sizeof why) != 0) {
        report_error(report, NULL, 0, "cannot write '%s': %s", path, why);
        return OUT_FAILED;
    }
    const file_format *format = format_for(path, &params->format);
    if (format->subtype == SF_FORMAT_OPUS
        && !in_list(opus_rates, sizeof opus_rates / sizeof(int), params->sample_rate)) {
        report_error(report, NULL, 0,
                     "cannot write '%s': Opus works only at 8000, 12000, 16000, "
                     "24000 or 48000 Hz, not %d Hz; set sample_rate or use another format",
                     path, params->sample_rate);
        return OUT_FAILED;
    }
    int mp3_mode = 0;
    double mp3_level = 0.0;
    if (format->major == SF_FORMAT_MPEG) {
        if (!in_list(mp3_rates, sizeof mp3_rates / sizeof(int), params->sample_rate)) {
            report_error(report, NULL, 0,
                         "cannot write '%s': MP3 works only at 8000, 11025, 12000, 16000, "
                         "22050, 24000, 32000, 44100 or 48000 Hz, not %d Hz; set sample_rate "
                         "or use another format", path, params->sample_rate);
            return OUT_FAILED;
        }
        if (!mp3_setting(params->format.quality, params->sample_rate, &mp3_mode, &mp3_level)) {
            report_error(report, NULL, 0, "cannot write '%s': at %d Hz, --quality takes "
                         MP3_QUALITY_CHOICES ", not '%s'", path, params->sample_rate,
                         params->format.quality);
            return OUT_FAILED;
        }
    }
    int subtype = params->format.samples == OUT_SAMPLES_16 ? SF_FORMAT_PCM_16
                : params->format.samples == OUT_SAMPLES_24 ? SF_FORMAT_PCM_24
                : params->format.samples == OUT_SAMPLES_FLOAT ? SF_FORMAT_FLOAT
                : format->subtype;
    bool to_pipe = is_standard_output(path);
    struct stat st;
    if (!to_pipe && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        report_error(report, NULL, 0, "cannot write '%s': %s", path, strerror(EISDIR));
        return OUT_FAILED;
    }

    out_stream *stream = calloc(1, sizeof *stream);
    if (stream == NULL) {
        report_out_of_memory(report);
        return OUT_FAILED;
    }
    stream->fd = -1;
    stream->to_pipe = to_pipe;
    stream->path = strdup(to_pipe ? "standard output" : path);
    stream->buffer = malloc(sizeof(float) * 2 * FILE_BLOCK_FRAMES);
    if (subtype == SF_FORMAT_PCM_16) {
        stream->shorts = malloc(sizeof(int16_t) * 2 * FILE_BLOCK_FRAMES);
        out_dither_init(&stream->dither);
    }
    if (stream->path == NULL || stream->buffer == NULL
        || (subtype == SF_FORMAT_PCM_16 && stream->shorts == NULL)) {
        report_out_of_memory(report);
        free_stream(stream);
        return OUT_FAILED;
    }

    /* Written beside the destination and renamed into place when finished
     * (savefile.h), so a failed render never clobbers an existing file;
     * standard output is written as it comes. */
    stream->fd = to_pipe ? fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)
                         : savefile_open_temp(path, &stream->temp_path);
    if (stream->fd < 0) {
        report_error(report, NULL, 0, "cannot write '%s': %s", path,
                     errno == ENOMEM ? "out of memory" : strerror(errno));
        free_stream(stream);
        return OUT_FAILED;
    }

    SF_INFO info = { .samplerate = params->sample_rate, .channels = 2,
                     .format = format->major | subtype };
    /* libsndfile writes WAV only where it can seek back to the header: on
     * standard output the header is breathe's, of an open length, and the
     * samples follow raw. */
    bool wav_stream = to_pipe && format->major == SF_FORMAT_WAV;
    if (wav_stream) {
        if (write_stream_header(stream->fd, subtype, params->sample_rate, params->frames,
                                &params->format) != 0) {
            if (errno != EPIPE)
                report_error(report, NULL, 0, "cannot write to standard output: %s",
                             strerror(errno));
            goto fail;
        }
        info.format = SF_FORMAT_RAW | subtype | SF_ENDIAN_LITTLE;
    }
    if (!sf_format_check(&info)) {
        report_error(report, NULL, 0, "cannot write '%s': this libsndfile cannot write that format "
                     "at %d Hz", path, params->sample_rate);
        goto fail;
    }
    /* The descriptor stays ours so it can be synced after libsndfile has
     * written the final header. */
    stream->file = wav_stream ? sf_open_virtual(&forward_only, SFM_WRITE, &info, stream)
                              : sf_open_fd(stream->fd, SFM_WRITE, &info, SF_FALSE);
    if (stream->file == NULL) {
        report_error(report, NULL, 0, "cannot write '%s': %s", path, sf_strerror(NULL));
        goto fail;
    }
    sf_command(stream->file, SFC_SET_CLIPPING, NULL, SF_TRUE);
    set_tags(stream->file, format->major == SF_FORMAT_MPEG, &params->format.tags);
    /* A float WAV's PEAK chunk carries the time of writing; without it the
     * same session always gives the same file, byte for byte. */
    sf_command(stream->file, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
    stream->sample_rate = params->sample_rate;
    stream->max_frames = -1;
    if (format->major == SF_FORMAT_WAV && !wav_stream) {
        stream->max_frames = WAV_MAX_DATA_BYTES / (2 * sample_bytes(subtype));
        stream->wav = true;
        if (copy_cues(stream, &params->format) != 0) {
            report_out_of_memory(report);
            sf_close(stream->file);
            goto fail;
        }
    }
    if (format->subtype == SF_FORMAT_VORBIS) {
        double quality = VORBIS_QUALITY;
        sf_command(stream->file, SFC_SET_VBR_ENCODING_QUALITY, &quality, sizeof quality);
    }
    if (format->major == SF_FORMAT_FLAC) {
        double level = FLAC_COMPRESSION_LEVEL;
        sf_command(stream->file, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
    }
    stream->mp3 = format->major == SF_FORMAT_MPEG;
    if (stream->mp3
        /* The level first: setting the mode reads it again for that mode. */
        && (!sf_command(stream->file, SFC_SET_COMPRESSION_LEVEL, &mp3_level, sizeof mp3_level)
            || !sf_command(stream->file, SFC_SET_BITRATE_MODE, &mp3_mode, sizeof mp3_mode))) {
        report_error(report, NULL, 0, "cannot write '%s': the MP3 encoder refused --quality %s",
                     path, params->format.quality ? params->format.quality : "(default)");
        sf_close(stream->file);
        goto fail;
    }
    *out = stream;
    return OUT_DONE;

fail:
    close(stream->fd);
    if (stream->temp_path != NULL)
        unlink(stream->temp_path);
    free_stream(stream);
    return OUT_FAILED;
}

static void report_write_error(out_stream *stream, int saved_errno, const report_sink *report)
{
    /* The reader went away: a pipe closed is the end of the render, not a
     * fault to explain. */
    if (stream->to_pipe && saved_errno == EPIPE) {
        stream->failed = true;
        return;
    }
    if (stream->to_pipe && saved_errno != 0) {
        report_error(report, NULL, 0, "cannot write '%s': %s", stream->path,
                     strerror(saved_errno));
        stream->failed = true;
        return;
    }
    if (sf_error(stream->file) == SF_ERR_SYSTEM && saved_errno != 0)
        report_error(report, NULL, 0, "cannot write '%s': %s", stream->path, strerror(saved_errno));
    else
        report_error(report, NULL, 0, "cannot write '%s': %s", stream->path,
                     sf_strerror(stream->file));
    stream->failed = true;
}

static sf_count_t write_block(out_stream *stream, const float *samples, size_t frames)
{
    if (stream->shorts == NULL)
        return sf_writef_float(stream->file, samples, (sf_count_t)frames);
    out_dither_to_16(&stream->dither, samples, stream->shorts, 2 * frames);
    return sf_writef_short(stream->file, stream->shorts, (sf_count_t)frames);
}

/* Writes one block; false when it could not (errno as the write left it). */
static bool write_whole_block(out_stream *stream, size_t frames)
{
    errno = 0;
    sf_count_t done = write_block(stream, stream->buffer, frames);
    /* The MP3 encoder counts frames as written even when the disk took
     * none of its bytes: its error shows only here. */
    if (done == (sf_count_t)frames && stream->mp3 && sf_error(stream->file) != SF_ERR_NO_ERROR)
        done = 0;
    return done == (sf_count_t)frames;
}

static int file_run(out_stream *stream, out_source source, out_monitor monitor,
                    void *monitor_context, const report_sink *report)
{
    if (stream->failed)
        return OUT_FAILED;
    int64_t frames_done = 0;
    double last_report = clock_monotonic_seconds();
    for (;;) {
        size_t got = source.render(source.context, stream->buffer, FILE_BLOCK_FRAMES);
        if (got > FILE_BLOCK_FRAMES)
            got = FILE_BLOCK_FRAMES;
        if (stream->max_frames >= 0 && frames_done + (int64_t)got > stream->max_frames) {
            report_error(report, NULL, 0, "cannot write '%s': a WAV file holds at most %.1f hours "
                         "at %d Hz; use .flac for longer renders", stream->path,
                         (double)stream->max_frames / stream->sample_rate / 3600.0,
                         stream->sample_rate);
            stream->failed = true;
            return OUT_FAILED;
        }
        if (got > 0 && !write_whole_block(stream, got)) {
            report_write_error(stream, errno, report);
            return OUT_FAILED;
        }
        frames_done += (int64_t)got;
        if (got < FILE_BLOCK_FRAMES)
            break;
        double now = clock_monotonic_seconds();
        if (monitor != NULL && now - last_report >= MONITOR_INTERVAL_SECONDS) {
            last_report = now;
            if (!monitor(monitor_context, frames_done))
                return OUT_STOPPED;
        }
    }
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

static bool write_all_at(int fd, const void *data, size_t size, off_t offset)
{
    const unsigned char *bytes = data;
    while (size > 0) {
        ssize_t n = pwrite(fd, bytes, size, offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        bytes += n, size -= (size_t)n, offset += n;
    }
    return true;
}

/* The header libsndfile leaves, up to the data chunk (at most 64 KiB). */
#define WAV_HEADER_MAX 65536

/* Float WAV's format chunk as the format asks (and sox reads without a
 * warning): 18 bytes, its extension size 0, where libsndfile writes 16.
 * The 2 bytes come from a padding chunk before the data, or from the fact
 * chunk behind it (a sample count no reader needs: the data chunk's size
 * says it), which becomes a padding chunk; the data stays where it is. */
static bool widen_float_format(unsigned char *header, size_t size)
{
    size_t fmt = 0, pad = 0, data = 0, fact = 0;
    for (size_t at = 12; at + 8 <= size && data == 0;) {
        uint32_t length = wav_get_le32(header + at + 4);
        if (memcmp(header + at, "fmt ", 4) == 0)
            fmt = at;
        else if (memcmp(header + at, "fact", 4) == 0 && fact == 0)
            fact = at;
        else if ((memcmp(header + at, "PAD ", 4) == 0 || memcmp(header + at, "JUNK", 4) == 0)
                 && length >= 2 && pad == 0 && fmt != 0)
            pad = at;
        else if (memcmp(header + at, "data", 4) == 0)
            data = at;
        if (length > size)
            break;
        at += 8 + length + (length & 1);
    }
    if (fmt == 0 || data == 0 || wav_get_le32(header + fmt + 4) != 16
        || header[fmt + 8] != 3 || header[fmt + 9] != 0)
        return false;
    size_t end = fmt + 8 + 16;
    if (pad != 0) {
        uint32_t length = wav_get_le32(header + pad + 4) - 2;
        char id[4];
        memcpy(id, header + pad, 4);
        memmove(header + end + 2, header + end, pad - end);
        unsigned char *at = header + pad + 2;
        memcpy(at, id, 4), at += 4;
        wav_put_le(&at, length, 4);
    } else if (fact == end && wav_get_le32(header + fact + 4) == 4) {
        unsigned char *at = header + end + 2;
        memcpy(at, "PAD ", 4), at += 4;
        wav_put_le(&at, 2, 4);
        wav_put_le(&at, 0, 2);
    } else {
        return false;
    }
    unsigned char *at = header + fmt + 4;
    wav_put_le(&at, 18, 4);
    at = header + end;
    wav_put_le(&at, 0, 2);
    return true;
}

/* The cue points after the data (see add_cue_chunks). */
static bool append_cues(out_stream *stream, off_t end, uint32_t *riff_size)
{
    wav_chunks b = { 0 };
    wav_chunks_add_cues(&b, stream->cues, stream->cue_count);
    if (b.failed) {
        errno = ENOMEM;
        return false;
    }
    bool ok = true;
    if ((uint64_t)end + b.size <= UINT32_MAX) {   /* else no room left: no cues */
        ok = write_all_at(stream->fd, b.bytes, b.size, end);
        *riff_size += (uint32_t)b.size;
    }
    free(b.bytes);
    return ok;
}

/* After libsndfile has closed a WAV file: the float format chunk widened
 * and the cue points added. Returns false when the file could not be
 * written (errno set). */
static bool finish_wav(out_stream *stream)
{
    struct stat st;
    if (fstat(stream->fd, &st) != 0)
        return false;
    unsigned char *header = malloc(WAV_HEADER_MAX);
    if (header == NULL)
        return false;
    ssize_t got = pread(stream->fd, header, WAV_HEADER_MAX, 0);
    bool ok = got >= 12 && memcmp(header, "RIFF", 4) == 0;
    if (ok && widen_float_format(header, (size_t)got))
        ok = write_all_at(stream->fd, header, (size_t)got, 0);
    uint32_t riff_size = (uint32_t)(st.st_size - 8);
    bool padded = st.st_size & 1;
    if (ok && stream->cue_count > 0 && !padded) {
        ok = append_cues(stream, st.st_size, &riff_size);
        unsigned char size[4], *at = size;
        wav_put_le(&at, riff_size, 4);
        ok = ok && write_all_at(stream->fd, size, 4, 4);
    }
    free(header);
    return ok;
}

static int file_close(out_stream *stream, bool commit, const report_sink *report)
{
    if (stream == NULL)
        return OUT_DONE;
    bool ok = !stream->failed;
    int status = OUT_DONE;

    if (stream->file != NULL) {
        errno = 0;
        int error = sf_close(stream->file);
        bool reader_gone = stream->to_pipe && errno == EPIPE;
        if (error != 0 && ok && commit && !reader_gone)
            report_error(report, NULL, 0, "cannot write '%s': %s", stream->path,
                         sf_error_number(error));
        if (error != 0 || reader_gone)
            ok = false;
    }
    if (stream->to_pipe) {
        /* Standard output: everything has been handed over already. */
        close(stream->fd);
        free_stream(stream);
        return commit && !ok ? OUT_FAILED : OUT_DONE;
    }
    if (ok && commit && stream->wav && !finish_wav(stream)) {
        report_error(report, NULL, 0, "cannot write '%s': %s", stream->path, strerror(errno));
        ok = false;
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
