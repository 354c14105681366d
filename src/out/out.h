/* out.h: where rendered audio goes.
 *
 * A backend pulls interleaved stereo float frames from a source until the
 * source runs dry, and reports progress to the calling thread. Two backends
 * share this shape: out_file (WAV, FLAC, Ogg Vorbis, Opus or MP3, through
 * libsndfile, to a file or to standard output) and out_portaudio (live playback through PortAudio's callback
 * API; the only file that includes portaudio.h).
 *
 * Contract for the source: render() may be called from a real-time thread.
 * It must not allocate, lock, do I/O or wait. Returning fewer frames than
 * asked means the source has ended; the backend plays or writes what it got
 * and finishes.
 *
 * Contract for backends:
 *  - open() prepares the destination and reports problems to the sink. A file
 *    backend writes to a temporary file beside the destination; nothing
 *    touches the destination until close(..., commit = true) renames it.
 *    Standard output is written as the render goes.
 *  - run() blocks until the source ends or monitor() returns false. It calls
 *    monitor(context, frames_done) from the calling thread: every 50 ms
 *    live, every 100 ms writing a file. Returns 0 when the source ended, 1
 *    on a failure (reported to the sink), 3 when monitor() asked to stop.
 *  - close() releases everything; commit = false discards a file. Returns 0,
 *    or 1 when the file or device could not be finished (reported).
 * Every problem goes to the report sink given (NULL: not reported) as an
 * error with no file; nothing here prints on its own. */
#ifndef BREATHE_OUT_H
#define BREATHE_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/report.h"

typedef struct {
    size_t (*render)(void *context, float *out, size_t frames);
    void *context;
} out_source;

typedef bool (*out_monitor)(void *context, int64_t frames_done);

/* The sample format of a file: what --bits asks for. */
typedef enum {
    OUT_SAMPLES_DEFAULT,   /* the container's own: float WAV, 24-bit FLAC */
    OUT_SAMPLES_16,        /* 16-bit integers, TPDF-dithered */
    OUT_SAMPLES_24,        /* 24-bit integers */
    OUT_SAMPLES_FLOAT,     /* 32-bit float */
} out_samples;

/* What a file says about itself, in every container libsndfile can tag
 * (WAV's LIST INFO, FLAC's, Vorbis' and Opus' comments, MP3's ID3; MP3 has
 * no field for the software). NULL: not written. */
typedef struct {
    const char *title;
    const char *artist;
    const char *comment;
    const char *date;       /* YYYY-MM-DD */
    const char *software;
} out_tags;

/* Where a step of the session begins and ends in the file, in frames from
 * its first, and what it is called. */
typedef struct {
    int64_t start, end;
    const char *label;
} out_marker;

/* How a file is written, beyond its name. Zero for every default. */
typedef struct {
    const char *container;  /* "wav", "flac", "ogg", "opus" or "mp3" (--format);
                               NULL: from the name's extension */
    out_samples samples;
    const char *quality;    /* MP3 (--quality): "0" (best) to "9" for LAME's
                               variable bitrate, or a constant bitrate such
                               as "128k"; NULL: the default */
    out_tags tags;
    const out_marker *markers;  /* WAV files: a cue point with its label at the
                                   start of each (the first OUT_MAX_CUES) */
    size_t marker_count;
} out_format;

/* The most cue points a WAV file gets: what an editor can show usefully. */
#define OUT_MAX_CUES 1000

typedef struct {
    int sample_rate;
    const char *device;      /* live: a name (or part of one) or an index; NULL: default */
    const char *path;        /* file: the destination; OUT_FILE_STANDARD_OUTPUT
                                for standard output (WAV unless
                                format.container says otherwise) */
    double latency_seconds;  /* live: suggested output latency; 0 for a default */
    out_format format;       /* file: container, sample format, quality */
    int64_t frames;          /* file: how many frames the source will give, when
                                known (a WAV on standard output announces
                                them); 0: not known */
} out_params;

typedef struct out_stream out_stream;

typedef struct {
    const char *name;
    int (*open)(out_stream **stream, const out_params *params, const report_sink *report);
    int (*run)(out_stream *stream, out_source source, out_monitor monitor,
               void *monitor_context, const report_sink *report);
    int (*close)(out_stream *stream, bool commit, const report_sink *report);
    /* After run() failed: how many of the frames the source gave were never
     * heard (about the output's latency, lost with the device). NULL for a
     * backend that loses nothing. */
    int64_t (*unheard)(const out_stream *stream);
} out_backend;

enum { OUT_DONE = 0, OUT_FAILED = 1, OUT_STOPPED = 3 };

extern const out_backend out_file_backend;
extern const out_backend out_portaudio_backend;

/* The backend for a destination: the file backend for a path, live
 * playback (PortAudio) for NULL. The only place that chooses. */
const out_backend *out_backend_for(const char *path);

/* Live output's buffer when no latency is asked for: the device's own
 * (PortAudio's default high latency), but at least this. */
#define OUT_DEFAULT_LATENCY_SECONDS 0.1
/* What callers that must plan before the device is open (the stream
 * look-ahead) assume that default comes to: about what PulseAudio's ALSA
 * plugin and the usual USB and HDMI devices report. */
#define OUT_PORTAUDIO_EXPECTED_LATENCY_SECONDS 0.2

/* The path that means standard output. A closed pipe there ends the run
 * (OUT_FAILED) without a message: the reader has all it wanted. */
#define OUT_FILE_STANDARD_OUTPUT "-"

/* File formats by extension (.wav, .flac, .ogg/.oga, .opus, .mp3): true
 * when known. */
bool out_file_format_known(const char *path);

/* Whether path can be written as format asks, before anything is opened:
 * a known container, a sample format it holds, a quality in range, and a
 * libsndfile that can encode it. Returns 0, or 2 with a one-line reason
 * naming the choices in why. */
int out_file_check(const char *path, const out_format *format, char *why, size_t size);

/* MP3's default: LAME's variable bitrate at this V level (0 best, 9
 * smallest); docs/performance.md has the measurements behind it. */
#define OUT_MP3_DEFAULT_QUALITY 4

/* Lists output devices with their index on out; returns 0, or 1 when the
 * audio system cannot be started (reported to `report`). */
int out_portaudio_list_devices(FILE *out, const report_sink *report);
/* The same for scripts and shell completion: one "INDEX<tab>NAME" line per
 * device that -d accepts (stereo output), nothing else. */
int out_portaudio_list_device_names(FILE *out, const report_sink *report);

#endif
