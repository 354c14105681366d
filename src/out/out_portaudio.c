/* out_portaudio: live playback through PortAudio's callback API.
 *
 * The callback only pulls frames from the source and counts; everything
 * else (progress, errors, waiting for the end) happens on the calling
 * thread, which polls shared atomics. */
#include "out/out.h"

#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <portaudio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define POLL_SECONDS 0.05
/* After the callback says it is complete, how long to wait for the host to
 * report the stream inactive before giving up on it. */
#define DRAIN_GRACE_SECONDS 2.0
/* Silence played after the source ends: the stream's output latency plus
 * this margin. Through ALSA's pulse plugin the last output latency and
 * then up to about 15 ms more were lost without it. */
#define TAIL_MARGIN_SECONDS 0.05
/* A stream whose callback has not asked for sound for this long, without
 * an error, has lost its device all the same. */
#define STALL_SECONDS 3.0

struct out_stream {
    PaStream *stream;
    out_source source;
    int sample_rate;
    char device_name[128];

    /* Touched by the callback only. */
    bool source_ended;
    int64_t tail_frames_left;

    /* Shared with the calling thread. */
    atomic_int_least64_t frames_rendered;
    int64_t latency_frames;       /* what the device holds before it is heard */
    atomic_long underflows;
    atomic_bool complete;
};

/* PortAudio's host APIs (ALSA above all) print their probing on stderr.
 * Keep that noise away from the person at the terminal. */
static int silence_stderr(void)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int null_fd = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null_fd >= 0)
        dup2(null_fd, STDERR_FILENO);
    if (null_fd >= 0)
        close(null_fd);
    return saved;
}

static void restore_stderr(int saved)
{
    if (saved < 0)
        return;
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
}

static PaError quiet_initialize(void)
{
    int saved = silence_stderr();
    PaError error = Pa_Initialize();
    restore_stderr(saved);
    return error;
}

static bool has_stereo_output(const PaDeviceInfo *info)
{
    return info != NULL && info->maxOutputChannels >= 2;
}

static const char *host_api_name(const PaDeviceInfo *info)
{
    const PaHostApiInfo *host = Pa_GetHostApiInfo(info->hostApi);
    return host != NULL && host->name != NULL ? host->name : "?";
}

static void print_devices(FILE *out)
{
    PaDeviceIndex count = Pa_GetDeviceCount();
    PaDeviceIndex default_device = Pa_GetDefaultOutputDevice();
    int listed = 0;
    for (PaDeviceIndex i = 0; i < count; i++) {
        const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
        if (info == NULL || info->maxOutputChannels < 1)
            continue;
        fprintf(out, "%c %2d  %s  (%s, %d channels, %.0f Hz)\n", i == default_device ? '*' : ' ',
                (int)i, info->name != NULL ? info->name : "?", host_api_name(info),
                info->maxOutputChannels, info->defaultSampleRate);
        listed++;
    }
    if (listed == 0)
        fprintf(out, "no audio output devices\n");
}

/* The list print_devices() writes, without its last newline, to follow an
 * error on lines of its own: a new string, or NULL when out of memory. */
static char *devices_text(void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *list = open_memstream(&text, &size);
    if (list == NULL)
        return NULL;
    print_devices(list);
    if (fclose(list) != 0) {
        free(text);
        return NULL;
    }
    if (size > 0 && text[size - 1] == '\n')
        text[size - 1] = '\0';
    return text;
}

int out_portaudio_list_devices(FILE *out, const report_sink *report)
{
    PaError error = quiet_initialize();
    if (error != paNoError) {
        report_error(report, NULL, 0, "cannot start audio: %s", Pa_GetErrorText(error));
        return 1;
    }
    print_devices(out);
    Pa_Terminate();
    return 0;
}

int out_portaudio_list_device_names(FILE *out, const report_sink *report)
{
    PaError error = quiet_initialize();
    if (error != paNoError) {
        report_error(report, NULL, 0, "cannot start audio: %s", Pa_GetErrorText(error));
        return 1;
    }
    PaDeviceIndex count = Pa_GetDeviceCount();
    for (PaDeviceIndex i = 0; i < count; i++) {
        const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
        if (has_stereo_output(info) && info->name != NULL)
            fprintf(out, "%d\t%s\n", (int)i, info->name);
    }
    Pa_Terminate();
    return 0;
}

static bool contains_ignoring_case(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = haystack; *p != '\0'; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return n == 0;
}

static bool all_digits(const char *text)
{
    if (*text == '\0')
        return false;
    for (; *text != '\0'; text++)
        if (!isdigit((unsigned char)*text))
            return false;
    return true;
}

/* Returns the device index, or paNoDevice after reporting why (with the
 * devices there are, when one was asked for). */
static PaDeviceIndex find_device(const char *wanted, const report_sink *report)
{
    if (wanted == NULL) {
        PaDeviceIndex device = Pa_GetDefaultOutputDevice();
        if (device == paNoDevice)
            report_error(report, NULL, 0, "no audio output device found");
        return device;
    }
    PaDeviceIndex count = Pa_GetDeviceCount();
    if (all_digits(wanted)) {
        long index = strlen(wanted) > 9 ? -1 : atol(wanted);
        if (index < 0 || index >= count) {
            char *devices = devices_text();
            report_error(report, NULL, 0, "no output device has index %s; devices:%s%s", wanted,
                         devices ? "\n" : "", devices ? devices : "");
            free(devices);
            return paNoDevice;
        }
        const PaDeviceInfo *info = Pa_GetDeviceInfo((PaDeviceIndex)index);
        if (!has_stereo_output(info)) {
            char *devices = devices_text();
            report_error(report, NULL, 0, "device %s (%s) has no stereo output; devices:%s%s",
                         wanted, info != NULL && info->name != NULL ? info->name : "?",
                         devices ? "\n" : "", devices ? devices : "");
            free(devices);
            return paNoDevice;
        }
        return (PaDeviceIndex)index;
    }
    for (PaDeviceIndex i = 0; i < count; i++) {
        const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
        if (has_stereo_output(info) && info->name != NULL && strcasecmp(info->name, wanted) == 0)
            return i;
    }
    for (PaDeviceIndex i = 0; i < count; i++) {
        const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
        if (has_stereo_output(info) && info->name != NULL
            && contains_ignoring_case(info->name, wanted))
            return i;
    }
    char *devices = devices_text();
    report_error(report, NULL, 0, "no output device matches '%s'; devices:%s%s", wanted,
                 devices ? "\n" : "", devices ? devices : "");
    free(devices);
    return paNoDevice;
}

/* Real-time thread: no allocation, locks, I/O or PortAudio calls. */
static int play_callback(const void *input, void *output, unsigned long frames,
                         const PaStreamCallbackTimeInfo *time_info,
                         PaStreamCallbackFlags status, void *user_data)
{
    out_stream *stream = user_data;
    float *out = output;
    if (status & paOutputUnderflow)
        atomic_fetch_add_explicit(&stream->underflows, 1, memory_order_relaxed);

    size_t got = 0;
    if (!stream->source_ended) {
        got = stream->source.render(stream->source.context, out, frames);
        if (got > frames)
            got = frames;
        atomic_fetch_add_explicit(&stream->frames_rendered, (int_least64_t)got,
                                  memory_order_relaxed);
        if (got < frames)
            stream->source_ended = true;
    }
    if (got < frames)
        memset(out + 2 * got, 0, sizeof(float) * 2 * (frames - got));
    if (!stream->source_ended)
        return paContinue;

    /* Silence for a little more than the output latency, so the end of the
     * sound is heard rather than dropped by hosts that cut the stream when
     * it stops. */
    stream->tail_frames_left -= (int64_t)(frames - got);
    if (stream->tail_frames_left > 0)
        return paContinue;
    atomic_store_explicit(&stream->complete, true, memory_order_release);
    return paComplete;
}

static void close_portaudio(out_stream *stream)
{
    if (stream->stream != NULL)
        Pa_CloseStream(stream->stream);
    Pa_Terminate();
    free(stream);
}

static int portaudio_open(out_stream **out, const out_params *params, const report_sink *report)
{
    *out = NULL;
    PaError error = quiet_initialize();
    if (error != paNoError) {
        report_error(report, NULL, 0, "cannot start audio: %s", Pa_GetErrorText(error));
        return OUT_FAILED;
    }
    out_stream *stream = calloc(1, sizeof *stream);
    if (stream == NULL) {
        report_out_of_memory(report);
        Pa_Terminate();
        return OUT_FAILED;
    }
    atomic_init(&stream->frames_rendered, 0);
    atomic_init(&stream->underflows, 0);
    atomic_init(&stream->complete, false);
    stream->sample_rate = params->sample_rate;

    PaDeviceIndex device = find_device(params->device, report);
    if (device == paNoDevice) {
        close_portaudio(stream);
        return OUT_FAILED;
    }
    const PaDeviceInfo *info = Pa_GetDeviceInfo(device);
    snprintf(stream->device_name, sizeof stream->device_name, "%s",
             info != NULL && info->name != NULL ? info->name : "?");

    double latency = params->latency_seconds;
    if (latency <= 0.0) {
        latency = info != NULL ? info->defaultHighOutputLatency : 0.0;
        if (latency < OUT_DEFAULT_LATENCY_SECONDS)
            latency = OUT_DEFAULT_LATENCY_SECONDS;
    }
    PaStreamParameters output = {
        .device = device,
        .channelCount = 2,
        .sampleFormat = paFloat32,
        .suggestedLatency = latency,
        .hostApiSpecificStreamInfo = NULL,
    };
    int saved = silence_stderr();
    error = Pa_OpenStream(&stream->stream, NULL, &output, params->sample_rate,
                          paFramesPerBufferUnspecified, paClipOff, play_callback, stream);
    restore_stderr(saved);
    if (error != paNoError) {
        report_error(report, NULL, 0, "cannot open audio device '%s' at %d Hz: %s",
                     stream->device_name, params->sample_rate, Pa_GetErrorText(error));
        stream->stream = NULL;
        close_portaudio(stream);
        return OUT_FAILED;
    }
    const PaStreamInfo *stream_info = Pa_GetStreamInfo(stream->stream);
    double output_latency = stream_info != NULL ? stream_info->outputLatency : latency;
    stream->tail_frames_left =
        (int64_t)ceil((output_latency + TAIL_MARGIN_SECONDS) * params->sample_rate);
    stream->latency_frames = (int64_t)llround(output_latency * params->sample_rate);
    *out = stream;
    return OUT_DONE;
}

static void sleep_seconds(double seconds)
{
    struct timespec pause = { .tv_sec = (time_t)seconds,
                              .tv_nsec = (long)((seconds - floor(seconds)) * 1e9) };
    while (nanosleep(&pause, &pause) != 0) {
    }
}

static void report_underflows(out_stream *stream, const report_sink *report)
{
    long underflows = atomic_load(&stream->underflows);
    if (underflows > 0)
        report_error(report, NULL, 0, "%ld audio underrun%s", underflows,
                     underflows == 1 ? "" : "s");
}

static int portaudio_run(out_stream *stream, out_source source, out_monitor monitor,
                         void *monitor_context, const report_sink *report)
{
    stream->source = source;
    PaError error = Pa_StartStream(stream->stream);
    if (error != paNoError) {
        report_error(report, NULL, 0, "cannot start audio on '%s': %s", stream->device_name,
                     Pa_GetErrorText(error));
        return OUT_FAILED;
    }
    int status = OUT_DONE;
    double drained = 0.0, stalled = 0.0;
    int64_t last_frames = -1;
    for (;;) {
        sleep_seconds(POLL_SECONDS);
        int64_t frames = atomic_load_explicit(&stream->frames_rendered, memory_order_relaxed);
        stalled = frames == last_frames ? stalled + POLL_SECONDS : 0.0;
        last_frames = frames;
        if (monitor != NULL && !monitor(monitor_context, frames)) {
            Pa_AbortStream(stream->stream);
            status = OUT_STOPPED;
            break;
        }
        PaError active = Pa_IsStreamActive(stream->stream);
        bool complete = atomic_load_explicit(&stream->complete, memory_order_acquire);
        if (active < 0) {
            report_error(report, NULL, 0, "audio device '%s' failed: %s", stream->device_name,
                         Pa_GetErrorText(active));
            Pa_AbortStream(stream->stream);
            status = OUT_FAILED;
            break;
        }
        if (active == 0 && !complete) {
            report_error(report, NULL, 0, "audio device '%s' stopped playing", stream->device_name);
            Pa_AbortStream(stream->stream);
            status = OUT_FAILED;
            break;
        }
        if (!complete && stalled >= STALL_SECONDS) {
            report_error(report, NULL, 0, "audio device '%s' stopped taking sound",
                         stream->device_name);
            Pa_AbortStream(stream->stream);
            status = OUT_FAILED;
            break;
        }
        if (complete) {
            drained += POLL_SECONDS;
            if (active == 0 || drained >= DRAIN_GRACE_SECONDS) {
                Pa_StopStream(stream->stream);
                break;
            }
        }
    }
    report_underflows(stream, report);
    return status;
}

static int portaudio_close(out_stream *stream, bool commit, const report_sink *report)
{
    if (stream == NULL)
        return OUT_DONE;
    int status = OUT_DONE;
    if (stream->stream != NULL) {
        PaError error = Pa_CloseStream(stream->stream);
        stream->stream = NULL;
        if (error != paNoError) {
            report_error(report, NULL, 0, "cannot close audio device '%s': %s",
                         stream->device_name, Pa_GetErrorText(error));
            status = OUT_FAILED;
        }
    }
    close_portaudio(stream);
    return status;
}

/* What the device still held when it went: its latency's worth, at most
 * all it was given since it was opened. */
static int64_t portaudio_unheard(const out_stream *stream)
{
    int64_t given = atomic_load_explicit(&stream->frames_rendered, memory_order_relaxed);
    return stream->latency_frames < given ? stream->latency_frames : given;
}

const out_backend out_portaudio_backend = {
    .name = "portaudio",
    .open = portaudio_open,
    .run = portaudio_run,
    .close = portaudio_close,
    .unheard = portaudio_unheard,
};
