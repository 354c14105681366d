/* What the audio callback runs (transport_render, and through it the
 * engine, the synthesizers, the timeline and the stream rings) never
 * allocates, frees, locks, waits, reads a clock or touches a file. This
 * program is linked with the core's calls to those functions wrapped
 * (-Wl,--wrap=NAME, see tests/meson.build): each wrapper counts the calls
 * made on a thread that is inside the callback, then does the real thing.
 * A whole session is played through the transport the way PortAudio would,
 * with a live stream pool and its reader thread, while the main thread
 * pauses, resumes, changes the volume and skips; no call may be counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include <pthread.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <time.h>

#include "render/engine.h"
#include "render/stream.h"
#include "testaudio.h"
#include "render/transport.h"
#include "testreport.h"

static _Thread_local bool in_callback;
static atomic_int forbidden_calls;
static const char *_Atomic first_forbidden;

static void note(const char *name)
{
    if (!in_callback)
        return;
    atomic_fetch_add(&forbidden_calls, 1);
    const char *none = NULL;
    atomic_compare_exchange_strong(&first_forbidden, &none, name);
}

/* The wrapped functions: the core's calls land here. */
void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
int __real_pthread_mutex_lock(pthread_mutex_t *m);
int __real_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int __real_nanosleep(const struct timespec *t, struct timespec *left);
int __real_clock_gettime(clockid_t clock, struct timespec *t);
FILE *__real_fopen(const char *path, const char *mode);
int __real_fprintf(FILE *f, const char *format, ...);
SNDFILE *__real_sf_open_fd(int fd, int mode, SF_INFO *info, int close_desc);
sf_count_t __real_sf_readf_float(SNDFILE *file, float *out, sf_count_t frames);
sf_count_t __real_sf_seek(SNDFILE *file, sf_count_t frames, int whence);
int __real_src_process(SRC_STATE *state, SRC_DATA *data);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);
int __wrap_pthread_mutex_lock(pthread_mutex_t *m);
int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int __wrap_nanosleep(const struct timespec *t, struct timespec *left);
int __wrap_clock_gettime(clockid_t clock, struct timespec *t);
FILE *__wrap_fopen(const char *path, const char *mode);
int __wrap_fprintf(FILE *f, const char *format, ...);
SNDFILE *__wrap_sf_open_fd(int fd, int mode, SF_INFO *info, int close_desc);
sf_count_t __wrap_sf_readf_float(SNDFILE *file, float *out, sf_count_t frames);
sf_count_t __wrap_sf_seek(SNDFILE *file, sf_count_t frames, int whence);
int __wrap_src_process(SRC_STATE *state, SRC_DATA *data);

void *__wrap_malloc(size_t size) { note("malloc"); return __real_malloc(size); }
void *__wrap_calloc(size_t count, size_t size) { note("calloc"); return __real_calloc(count, size); }
void *__wrap_realloc(void *p, size_t size) { note("realloc"); return __real_realloc(p, size); }
void __wrap_free(void *p) { note("free"); __real_free(p); }
int __wrap_pthread_mutex_lock(pthread_mutex_t *m)
{
    note("pthread_mutex_lock");
    return __real_pthread_mutex_lock(m);
}
int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    note("pthread_cond_wait");
    return __real_pthread_cond_wait(c, m);
}
int __wrap_nanosleep(const struct timespec *t, struct timespec *left)
{
    note("nanosleep");
    return __real_nanosleep(t, left);
}
int __wrap_clock_gettime(clockid_t clock, struct timespec *t)
{
    note("clock_gettime");
    return __real_clock_gettime(clock, t);
}
FILE *__wrap_fopen(const char *path, const char *mode)
{
    note("fopen");
    return __real_fopen(path, mode);
}
int __wrap_fprintf(FILE *f, const char *format, ...)
{
    note("fprintf");
    va_list args;
    va_start(args, format);
    int n = vfprintf(f, format, args);
    va_end(args);
    return n;
}
SNDFILE *__wrap_sf_open_fd(int fd, int mode, SF_INFO *info, int close_desc)
{
    note("sf_open_fd");
    return __real_sf_open_fd(fd, mode, info, close_desc);
}
sf_count_t __wrap_sf_readf_float(SNDFILE *file, float *out, sf_count_t frames)
{
    note("sf_readf_float");
    return __real_sf_readf_float(file, out, frames);
}
sf_count_t __wrap_sf_seek(SNDFILE *file, sf_count_t frames, int whence)
{
    note("sf_seek");
    return __real_sf_seek(file, frames, whence);
}
int __wrap_src_process(SRC_STATE *state, SRC_DATA *data)
{
    note("src_process");
    return __real_src_process(state, data);
}

enum { RATE = 48000, CALLBACK_FRAMES = 256 };

/* Everything that sounds: tone and bowl pacers, voice cues held in memory,
 * a long cue and a looping background streamed from disk (one of them
 * converted from 44.1 kHz), bells, timer bells and ticks, a repeat. */
static const char session_text[] =
    "format = 1;\n"
    "title = \"Everything the callback renders\";\n"
    "pacer = { sound = \"tone\"; };\n"
    "voice = { inhale = \"in.wav\"; exhale = \"out.wav\"; cycles = 0; };\n"
    "background = { file = \"bed.wav\"; level = -20.0; fade = 1.0; };\n"
    "steps = (\n"
    "  { type = \"bell\"; strikes = 2; interval = 1.0; ring = 2.0; },\n"
    "  { type = \"breathe\"; label = \"tone\"; pattern = \"2-1-2\"; cycles = 3; },\n"
    "  { type = \"cue\"; label = \"talk\"; file = \"talk.wav\"; },\n"
    "  { type = \"repeat\"; count = 2; cue = \"in.wav\"; gap = 0.5; steps = (\n"
    "    { type = \"breathe\"; label = \"bowl\"; pattern = \"2-2\"; cycles = 2;\n"
    "      pacer = { sound = \"bowl\"; }; },\n"
    "    { type = \"breathe\"; label = \"noise\"; pattern = \"2-2\"; cycles = 1;\n"
    "      pacer = { sound = \"noise\"; }; }\n"
    "  ); },\n"
    "  { type = \"timer\"; label = \"rest\"; duration = 8; bell_every = 3; ticks = 3; }\n"
    ");\n";

static void write_clip(const char *dir, const char *name, int rate, double seconds)
{
    char *path = testaudio_path(dir, name);
    int64_t frames = (int64_t)(seconds * rate);
    testaudio_burst burst = { rate, frames / 10, frames * 8 / 10, 440.0, 0.3 };
    assert_int_equal(testaudio_write_burst(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, frames,
                                           &burst), 0);
    free(path);
}

static void render_in_callback(transport *t, float *buffer, size_t *rendered)
{
    in_callback = true;
    *rendered = transport_render(t, buffer, CALLBACK_FRAMES);
    in_callback = false;
}

static void test_callback_never_allocates_locks_or_waits(void **state)
{
    (void)state;
    char *dir = testaudio_temp_dir();
    assert_non_null(dir);
    write_clip(dir, "in.wav", RATE, 0.8);
    write_clip(dir, "out.wav", 22050, 0.8);
    write_clip(dir, "talk.wav", 44100, 20.0);     /* over 15 s: streamed */
    free(testaudio_write_music(dir, "bed.wav", RATE, 2, 30.0));   /* streamed, looped */
    char *path = testaudio_write_text(dir, "realtime.cfg", session_text);
    assert_non_null(path);
    session *s;
    timeline *tl;
    assert_int_equal(session_load(path, &s, REPORT_TO_STDERR), 0);
    assert_int_equal(timeline_build(s, &tl, REPORT_TO_STDERR), 0);
    assert_true(engine_needs_streams(tl));

    /* The wrappers see the core's calls: made from a thread marked as in
     * the callback, engine_create() is counted. */
    in_callback = true;
    engine *probe = engine_create(tl, &(engine_options){ .length = TIMELINE_FOREVER });
    in_callback = false;
    assert_non_null(probe);
    engine_free(probe);
    assert_true(atomic_load(&forbidden_calls) > 0);
    atomic_store(&forbidden_calls, 0);
    atomic_store(&first_forbidden, NULL);

    stream_pool *pool = stream_pool_create(RATE, true, 0.2);
    assert_non_null(pool);
    atomic_int_least64_t dropped;
    atomic_init(&dropped, 0);
    engine_options options = { .volume_db = 0.0, .start = 0, .length = TIMELINE_FOREVER,
                               .streams = pool, .dropped_sounds = &dropped };
    engine *e = engine_create(tl, &options);
    assert_non_null(e);
    transport t;
    transport_init(&t, e, RATE, 0.0);
    assert_int_equal(stream_pool_start(pool), 0);

    float buffer[2 * CALLBACK_FRAMES];
    int64_t total = timeline_length(tl);
    size_t rendered = 1;
    long chunks = 0;
    bool skipped = false;
    while (rendered > 0) {
        /* The main thread's part, between callbacks. */
        int64_t at = atomic_load(&t.position);
        if (chunks == 200 || chunks == 400)
            transport_toggle_pause(&t);
        if (chunks == 600)
            transport_set_volume(&t, -9.0);
        if (!skipped && at > total / 2) {
            options.start = transport_next_step(tl, at, total);
            options.volume_db = transport_volume(&t);
            engine *next = engine_create(tl, &options);
            assert_non_null(next);
            skipped = transport_skip(&t, next);
            if (!skipped)
                engine_free(next);
        }
        transport_collect(&t);
        render_in_callback(&t, buffer, &rendered);
        for (size_t i = 0; i < 2 * rendered; i++)
            assert_true(isfinite(buffer[i]) && fabsf(buffer[i]) <= 1.0f);
        /* About real time now and then, so the reader keeps up. */
        if (++chunks % 16 == 0)
            nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
    }
    assert_true(skipped);
    assert_true(atomic_load(&t.skips) >= 1);
    if (atomic_load(&forbidden_calls) != 0)
        fail_msg("the callback called %s (%d forbidden calls in all)",
                 atomic_load(&first_forbidden), atomic_load(&forbidden_calls));
    transport_free_engines(&t);
    stream_pool_free(pool);
    timeline_free(tl);
    session_free(s);
    free(path);
    testaudio_remove_dir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_callback_never_allocates_locks_or_waits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
