/* Tests of the playback library (play/play.h): a session played through a
 * backend of the test's own that pulls the sound as a device would, in
 * 256-frame blocks, and calls the monitor after every block, so controls,
 * snapshots and events can be checked frame by frame without a sound card.
 * What is played is compared with the render core's own output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sndfile.h>

#include "format/session.h"
#include "play/play.h"
#include "render/engine.h"
#include "testaudio.h"

enum { RATE = 8000, BLOCK = 256, MAX_EVENTS = 256 };

/* "First" 2-2 (0-4 s), "Second" 3-3 (4-10 s), "Rest" a 2 s timer (10-12 s). */
static const char session_text[] =
    "format = 1;\n"
    "title = \"Play test\";\n"
    "author = \"Tests\";\n"
    "sample_rate = 8000;\n"
    "pacer = { sound = \"tone\"; };\n"
    "background = { noise = \"pink\"; level = -30.0; fade = 0.5; };\n"
    "steps = (\n"
    "  { type = \"breathe\"; label = \"First\"; pattern = \"2-2\"; cycles = 1; },\n"
    "  { type = \"breathe\"; label = \"Second\"; pattern = \"3-3\"; cycles = 1; },\n"
    "  { type = \"timer\"; label = \"Rest\"; duration = 2; }\n"
    ");\n";

/* ---- a device of the test's own ---- */

struct out_stream {
    float *played;     /* everything the source gave */
    int64_t frames, capacity;
};

static out_stream *last_stream;
static int64_t kept_frames;
static float *kept;

static int test_open(out_stream **stream, const out_params *params, const report_sink *to)
{
    (void)params;
    (void)to;
    *stream = calloc(1, sizeof **stream);
    last_stream = *stream;
    return *stream ? 0 : 1;
}

static int keep(out_stream *s, const float *block, size_t frames)
{
    if (s->frames + (int64_t)frames > s->capacity) {
        int64_t capacity = 2 * (s->capacity + (int64_t)frames);
        float *grown = realloc(s->played, (size_t)capacity * 2 * sizeof *grown);
        if (!grown)
            return 1;
        s->played = grown;
        s->capacity = capacity;
    }
    memcpy(s->played + 2 * s->frames, block, frames * 2 * sizeof *block);
    s->frames += (int64_t)frames;
    return 0;
}

static int test_run(out_stream *s, out_source source, out_monitor monitor, void *context,
                    const report_sink *to)
{
    (void)to;
    float block[2 * BLOCK];
    for (;;) {
        size_t got = source.render(source.context, block, BLOCK);
        if (keep(s, block, got) != 0)
            return OUT_FAILED;
        if (got < BLOCK)
            return OUT_DONE;
        if (monitor && !monitor(context, s->frames))
            return OUT_STOPPED;
    }
}

static int test_close(out_stream *s, bool commit, const report_sink *to)
{
    (void)commit;
    (void)to;
    free(kept);
    kept = s->played;
    kept_frames = s->frames;
    free(s);
    return 0;
}

static const out_backend test_backend = {
    .name = "test",
    .open = test_open,
    .run = test_run,
    .close = test_close,
    .unheard = NULL,
};

/* ---- what the front end sees ---- */

typedef struct {
    play_event_kind kind;
    play_snapshot snapshot;
    play_outcome outcome;
} seen_event;

typedef struct {
    seen_event events[MAX_EVENTS];
    int count;
    int ticks;
    /* What to do at a tick: once the position reaches `at`, call `act`. */
    int64_t at;
    void (*act)(player *p);
    bool acted;
} front_end_state;

static bool on_tick(void *context, player *p)
{
    front_end_state *f = context;
    f->ticks++;
    play_snapshot now;
    player_snapshot(p, &now);
    if (f->act && !f->acted && now.position >= f->at) {
        f->acted = true;
        f->act(p);
    }
    return true;
}

static void on_event(void *context, player *p, const play_event *event)
{
    (void)p;
    front_end_state *f = context;
    assert_true(f->count < MAX_EVENTS);
    f->events[f->count++] = (seen_event){ event->kind, *event->snapshot, event->outcome };
}

static char *session_path;

static int setup(void **state)
{
    testaudio_dir_setup(state);
    session_path = testaudio_write_text(testaudio_dir, "play.cfg", session_text);
    return session_path ? 0 : 1;
}

static int teardown(void **state)
{
    free(session_path);
    free(kept);
    kept = NULL;
    return testaudio_dir_teardown(state);
}

static player *open_player(const report_sink *to)
{
    play_options options = { .backend = &test_backend };
    player *p = NULL;
    assert_int_equal(player_open(&p, session_path, &options, to), 0);
    return p;
}

static play_outcome play_with(player *p, front_end_state *f)
{
    play_front_end front_end = { on_tick, on_event, f };
    play_outcome outcome;
    assert_int_equal(player_run(p, &front_end, &outcome), 0);
    return outcome;
}

static int count_events(const front_end_state *f, play_event_kind kind)
{
    int n = 0;
    for (int i = 0; i < f->count; i++)
        n += f->events[i].kind == kind;
    return n;
}

static const seen_event *first_event(const front_end_state *f, play_event_kind kind)
{
    for (int i = 0; i < f->count; i++)
        if (f->events[i].kind == kind)
            return &f->events[i];
    return NULL;
}

/* The render core's own render of the session from `start`. */
static float *engine_render_all(const player *p, int64_t start, int64_t *frames)
{
    engine_options options = { .start = start, .length = TIMELINE_FOREVER };
    engine *e = engine_create(player_timeline(p), &options);
    assert_non_null(e);
    int64_t length = timeline_length(player_timeline(p)) - start;
    float *all = malloc((size_t)length * 2 * sizeof *all);
    assert_non_null(all);
    *frames = (int64_t)engine_render(e, all, (size_t)length);
    engine_free(e);
    return all;
}

/* ---- the tests ---- */

static void test_plays_the_whole_session_as_the_engine_renders_it(void **state)
{
    (void)state;
    player *p = open_player(NULL);
    front_end_state f = { 0 };
    assert_int_equal(play_with(p, &f), PLAY_FINISHED);
    int64_t length = timeline_length(player_timeline(p));
    assert_int_equal(length, 12 * RATE);
    assert_int_equal(kept_frames, length);
    assert_int_equal(player_reached(p), length);
    int64_t frames;
    float *expected = engine_render_all(p, 0, &frames);
    assert_int_equal(frames, length);
    assert_memory_equal(kept, expected, (size_t)frames * 2 * sizeof *expected);
    free(expected);

    /* STARTED first, ENDED last; a STEP for each of the three steps in
     * order; a PHASE for each of the four breath phases. */
    assert_true(f.count >= 2);
    assert_int_equal(f.events[0].kind, PLAY_EVENT_STARTED);
    assert_int_equal(f.events[f.count - 1].kind, PLAY_EVENT_ENDED);
    assert_int_equal(f.events[f.count - 1].outcome, PLAY_FINISHED);
    assert_int_equal(f.events[f.count - 1].snapshot.state, PLAY_ENDED);
    assert_int_equal(count_events(&f, PLAY_EVENT_STEP), 3);
    assert_int_equal(count_events(&f, PLAY_EVENT_PHASE), 4);
    int64_t ordinal = -1;
    const char *labels[] = { "First", "Second", "Rest" };
    for (int i = 0; i < f.count; i++) {
        if (f.events[i].kind != PLAY_EVENT_STEP)
            continue;
        const play_snapshot *s = &f.events[i].snapshot;
        assert_int_equal(s->step_ordinal, ordinal + 1);
        ordinal = s->step_ordinal;
        assert_string_equal(s->step->label, labels[ordinal]);
        /* Announced within a block of the step's start. */
        assert_true(s->heard >= s->step_start && s->heard < s->step_start + 2 * BLOCK);
    }
    /* Phases: in, out, in, out, each with its length left at its start. */
    breath_kind kinds[] = { BREATH_INHALE, BREATH_EXHALE, BREATH_INHALE, BREATH_EXHALE };
    double lengths[] = { 2.0, 2.0, 3.0, 3.0 };
    int phase = 0;
    for (int i = 0; i < f.count; i++) {
        if (f.events[i].kind != PLAY_EVENT_PHASE)
            continue;
        const play_snapshot *s = &f.events[i].snapshot;
        assert_true(s->breathing);
        assert_int_equal(s->phase, kinds[phase]);
        assert_int_equal(s->phase_end - s->phase_start, (int64_t)(lengths[phase] * RATE));
        assert_true(s->phase_seconds_left <= lengths[phase]);
        assert_true(s->phase_seconds_left > lengths[phase] - 2.0 * BLOCK / RATE);
        assert_true(s->fullness >= 0.0 && s->fullness <= 1.0);
        phase++;
    }
    assert_true(f.ticks > 0);
    player_free(p);
}

static void next_step(player *p) { player_next_step(p); }

static void test_next_step_skips_to_the_next_step(void **state)
{
    (void)state;
    player *p = open_player(NULL);
    front_end_state f = { .at = 1 * RATE, .act = next_step };
    assert_int_equal(play_with(p, &f), PLAY_FINISHED);
    assert_int_equal(count_events(&f, PLAY_EVENT_SEEKED), 1);
    const seen_event *seeked = first_event(&f, PLAY_EVENT_SEEKED);
    assert_int_equal(seeked->snapshot.step_ordinal, 1);
    /* One second of "First", a short fade, then all of "Second" and "Rest":
     * what is played after the switch is the engine's render from 4 s. */
    int64_t from4, tail_frames;
    float *tail = engine_render_all(p, 4 * RATE, &tail_frames);
    assert_int_equal(tail_frames, 8 * RATE);
    assert_true(kept_frames > tail_frames && kept_frames < tail_frames + 2 * RATE);
    from4 = kept_frames - tail_frames;
    assert_memory_equal(kept + 2 * from4, tail, (size_t)tail_frames * 2 * sizeof *tail);
    free(tail);
    player_free(p);
}

static void previous_step(player *p) { player_previous_step(p); }

static void test_previous_step_goes_back_to_the_start_of_the_step(void **state)
{
    (void)state;
    player *p = open_player(NULL);
    /* Five seconds in: a second into "Second", which starts again at 4 s. */
    front_end_state f = { .at = 5 * RATE, .act = previous_step };
    assert_int_equal(play_with(p, &f), PLAY_FINISHED);
    assert_int_equal(count_events(&f, PLAY_EVENT_SEEKED), 1);
    assert_int_equal(first_event(&f, PLAY_EVENT_SEEKED)->snapshot.step_ordinal, 1);
    int64_t tail_frames;
    float *tail = engine_render_all(p, 4 * RATE, &tail_frames);
    int64_t switched = kept_frames - tail_frames;
    assert_true(switched > 5 * RATE && switched < 6 * RATE);
    assert_memory_equal(kept + 2 * switched, tail, (size_t)tail_frames * 2 * sizeof *tail);
    free(tail);
    /* "Second" is announced twice: when reached, and when begun again. */
    assert_int_equal(count_events(&f, PLAY_EVENT_STEP), 4);
    player_free(p);
}

static void seek_to_nine(player *p) { player_seek(p, 9 * RATE); }

static void test_seek_plays_on_from_the_frame_asked(void **state)
{
    (void)state;
    player *p = open_player(NULL);
    front_end_state f = { .at = RATE / 2, .act = seek_to_nine };
    assert_int_equal(play_with(p, &f), PLAY_FINISHED);
    int64_t tail_frames;
    float *tail = engine_render_all(p, 9 * RATE, &tail_frames);
    assert_int_equal(tail_frames, 3 * RATE);
    int64_t switched = kept_frames - tail_frames;
    assert_true(switched >= RATE / 2 && switched < RATE);
    assert_memory_equal(kept + 2 * switched, tail, (size_t)tail_frames * 2 * sizeof *tail);
    free(tail);
    player_free(p);
}

static void stop(player *p) { player_request_stop(p); }

static void test_stop_fades_out_and_says_stopped(void **state)
{
    (void)state;
    player *p = open_player(NULL);
    front_end_state f = { .at = 2 * RATE, .act = stop };
    assert_int_equal(play_with(p, &f), PLAY_STOPPED);
    const seen_event *ended = first_event(&f, PLAY_EVENT_ENDED);
    assert_non_null(ended);
    assert_int_equal(ended->outcome, PLAY_STOPPED);
    /* The fade: TRANSPORT_STOP_FADE_SECONDS after the request, give or take
     * a block, and the last frames are silent, not cut. */
    int64_t stop_at = 2 * RATE;
    assert_true(kept_frames >= stop_at);
    assert_true(kept_frames <= stop_at + (int64_t)(0.3 * RATE) + 2 * BLOCK);
    assert_true(fabsf(kept[2 * kept_frames - 1]) < 1e-3f);
    assert_int_equal(player_reached(p), kept_frames);
    player_free(p);
}

static void pause_it(player *p) { player_toggle_pause(p); }

static bool resume_later(void *context, player *p)
{
    front_end_state *f = context;
    on_tick(context, p);
    /* After one second of pause (counted in frames pulled), resume. */
    play_snapshot now;
    player_snapshot(p, &now);
    if (f->acted && last_stream && last_stream->frames >= 4 * RATE && now.paused)
        player_set_paused(p, false);
    return true;
}

static void test_pause_holds_the_position_and_resume_goes_on(void **state)
{
    (void)state;
    player *p = open_player(NULL);
    front_end_state f = { .at = 3 * RATE, .act = pause_it };
    play_front_end front_end = { resume_later, on_event, &f };
    play_outcome outcome;
    assert_int_equal(player_run(p, &front_end, &outcome), 0);
    assert_int_equal(outcome, PLAY_FINISHED);
    assert_int_equal(count_events(&f, PLAY_EVENT_PAUSED), 2);
    const seen_event *paused = first_event(&f, PLAY_EVENT_PAUSED);
    assert_true(paused->snapshot.paused);
    assert_int_equal(paused->snapshot.state, PLAY_PAUSED);
    /* The whole session was played, plus the pause less its fade-out
     * (during which the session still moves on). */
    assert_true(kept_frames > 12 * RATE + RATE / 2);
    assert_int_equal(player_reached(p), 12 * RATE);
    /* During the pause (well after its fade) the output is silent. */
    for (int64_t i = 3 * RATE + RATE / 2; i < 4 * RATE; i++)
        assert_true(kept[2 * i] == 0.0f && kept[2 * i + 1] == 0.0f);
    player_free(p);
}

/* Paused at 1 s, "next" at 2 s of sound pulled, resumed at 3 s: the switch
 * happens in silence and playing resumes at the start of "Second". */
static bool pause_next_resume(void *context, player *p)
{
    front_end_state *f = context;
    f->ticks++;
    int64_t pulled = last_stream ? last_stream->frames : 0;
    play_snapshot now;
    player_snapshot(p, &now);
    if (f->at == 0 && pulled >= RATE) {
        player_set_paused(p, true);
        f->at = 1;
    } else if (f->at == 1 && pulled >= 2 * RATE) {
        player_next_step(p);
        f->at = 2;
    } else if (f->at == 2 && pulled >= 3 * RATE) {
        player_set_paused(p, false);
        f->at = 3;
    }
    return true;
}

static void test_next_while_paused_waits_for_resume(void **state)
{
    (void)state;
    player *p = open_player(NULL);
    front_end_state f = { 0 };
    play_front_end front_end = { pause_next_resume, on_event, &f };
    play_outcome outcome;
    assert_int_equal(player_run(p, &front_end, &outcome), 0);
    assert_int_equal(outcome, PLAY_FINISHED);
    assert_int_equal(f.at, 3);
    assert_int_equal(count_events(&f, PLAY_EVENT_SEEKED), 1);
    assert_int_equal(player_reached(p), 12 * RATE);
    /* From the pause (after its fade) to the resume, silence. */
    for (int64_t i = RATE + RATE / 2; i < 3 * RATE; i++)
        assert_true(kept[2 * i] == 0.0f && kept[2 * i + 1] == 0.0f);
    /* After it, "Second" and "Rest": 8 s of sound, faded in from silence. */
    int64_t after = kept_frames - 3 * RATE;
    assert_true(after >= 8 * RATE && after < 8 * RATE + RATE / 2);
    player_free(p);
}

static void render_volume(player *p) { player_set_volume(p, 12.0); }

/* A render keeps the volume it was opened with. */
static void test_a_render_ignores_live_controls(void **state)
{
    (void)state;
    char *wav = testaudio_path(testaudio_dir, "render.wav");
    play_options options = { .output = wav };
    player *p = NULL;
    assert_int_equal(player_open(&p, session_path, &options, NULL), 0);
    front_end_state f = { .at = RATE, .act = render_volume };
    assert_int_equal(play_with(p, &f), PLAY_FINISHED);
    assert_true(fabs(player_volume(p)) < 1e-9);
    assert_int_equal(count_events(&f, PLAY_EVENT_VOLUME), 0);
    float *samples;
    int64_t frames;
    int channels, rate;
    assert_int_equal(testaudio_read(wav, &samples, &frames, &channels, &rate), 0);
    assert_int_equal(frames, 12 * RATE);
    int64_t engine_frames;
    float *expected = engine_render_all(p, 0, &engine_frames);
    assert_memory_equal(samples, expected, (size_t)frames * 2 * sizeof *samples);
    free(expected);
    free(samples);
    free(wav);
    player_free(p);
}

/* An announcement (the programme's "today's session is due") is a first
 * step of its own, the file then PLAY_ANNOUNCEMENT_GAP_SECONDS of quiet,
 * then the session exactly as it renders alone; never in a render, nor from
 * a --start; a file that is missing leaves the session as it is. */
static void test_an_announcement_plays_first_when_live(void **state)
{
    (void)state;
    char *folder = testaudio_path(testaudio_dir, "voice");
    assert_int_equal(mkdir(folder, 0700), 0);
    char *said = testaudio_path(folder, "due.wav");
    testaudio_burst burst = { .rate = RATE, .start = 0, .length = RATE, .hz = 440.0,
                              .amplitude = 0.25 };
    assert_int_equal(testaudio_write_burst(said, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1,
                                           3 * RATE / 2, &burst), 0);
    const char *folders[] = { testaudio_dir, NULL };
    const char *const *kept_path = session_audio_search_path;
    session_audio_search_path = folders;

    play_options options = { .backend = &test_backend, .announcement = "voice/due.wav" };
    player *p = NULL;
    assert_int_equal(player_open(&p, session_path, &options, NULL), 0);
    const int64_t lead = 3 * RATE / 2 + (int64_t)(PLAY_ANNOUNCEMENT_GAP_SECONDS * RATE);
    assert_int_equal(timeline_length(player_timeline(p)), lead + 12 * RATE);
    assert_int_equal((int)player_session(p)->step_count, 4);
    assert_string_equal(player_session(p)->steps[0].label, PLAY_ANNOUNCEMENT_LABEL);
    front_end_state f = { 0 };
    assert_int_equal(play_with(p, &f), PLAY_FINISHED);
    assert_int_equal(kept_frames, lead + 12 * RATE);
    /* The words are heard: the burst's level, left and right. */
    double rms = testaudio_rms(kept, 2, 0, RATE / 4, 3 * RATE / 4);
    assert_true(rms > 0.25 / sqrt(2.0) * 0.5);
    player_free(p);

    /* The session's first step begins after the quiet, as loud as when
     * the session plays alone: the pacer, over the background that has
     * faded in under the words. */
    player *alone = open_player(NULL);
    int64_t frames;
    float *rendered = engine_render_all(alone, 0, &frames);
    double first_alone = testaudio_rms(rendered, 2, 0, RATE / 4, RATE);
    double quiet = testaudio_rms(kept, 2, 0, 3 * RATE / 2 + RATE / 4, lead);
    double first = testaudio_rms(kept, 2, 0, lead + RATE / 4, lead + RATE);
    assert_true(fabs(20.0 * log10(first / first_alone)) < 1.5);
    assert_true(first > 3.0 * quiet);
    free(rendered);
    player_free(alone);

    /* A render, a --start and a missing file: the session alone. */
    char *wav = testaudio_path(testaudio_dir, "render.wav");
    play_options render = { .output = wav, .announcement = "voice/due.wav" };
    play_options later = { .backend = &test_backend, .announcement = "voice/due.wav",
                           .start_seconds = 4.0 };
    play_options missing = { .backend = &test_backend, .announcement = "voice/none.wav" };
    const play_options *each[] = { &render, &later, &missing };
    for (size_t i = 0; i < sizeof each / sizeof *each; i++) {
        assert_int_equal(player_open(&p, session_path, each[i], NULL), 0);
        assert_int_equal(timeline_length(player_timeline(p)), 12 * RATE);
        assert_int_equal((int)player_session(p)->step_count, 3);
        player_free(p);
    }
    session_audio_search_path = kept_path;
    free(wav);
    free(said);
    free(folder);
}

static void louder(player *p) { player_set_volume(p, 6.0); }

static void test_volume_is_announced_and_kept(void **state)
{
    (void)state;
    player *p = open_player(NULL);
    front_end_state f = { .at = RATE, .act = louder };
    assert_int_equal(play_with(p, &f), PLAY_FINISHED);
    assert_int_equal(count_events(&f, PLAY_EVENT_VOLUME), 1);
    assert_true(fabs(first_event(&f, PLAY_EVENT_VOLUME)->snapshot.volume_db - 6.0) < 1e-9);
    assert_true(fabs(player_volume(p) - 6.0) < 1e-9);
    player_free(p);
}

/* Snapshots read from another thread while the run thread plays. */
static atomic_bool reading;

static void *read_snapshots(void *context)
{
    player *p = context;
    int64_t last = 0;
    long reads = 0;
    do {
        play_snapshot s;
        player_snapshot(p, &s);
        /* Consistent in itself: the heard position inside the played part. */
        if (s.position < last || s.heard > s.position || s.rate != RATE)
            return (void *)1;
        last = s.position;
        reads++;
    } while (atomic_load(&reading));
    return reads > 0 ? NULL : (void *)1;
}

static void test_snapshots_from_another_thread(void **state)
{
    (void)state;
    player *p = open_player(NULL);
    play_snapshot idle;
    player_snapshot(p, &idle);
    assert_int_equal(idle.state, PLAY_IDLE);
    assert_int_equal(idle.rate, RATE);
    assert_int_equal(idle.length, 12 * RATE);
    assert_int_equal(idle.step_ordinal, 0);
    assert_string_equal(idle.title, "Play test");
    atomic_store(&reading, true);
    pthread_t reader;
    assert_int_equal(pthread_create(&reader, NULL, read_snapshots, p), 0);
    front_end_state f = { 0 };
    assert_int_equal(play_with(p, &f), PLAY_FINISHED);
    atomic_store(&reading, false);
    void *failed;
    pthread_join(reader, &failed);
    assert_null(failed);
    player_free(p);
}

/* ---- opening what cannot be played ---- */

static int open_fails(const char *name, const play_options *options, report_buffer *said)
{
    report_sink to = { report_buffer_emit, said };
    player *p = (player *)&to;
    int code = player_open(&p, name, options, &to);
    assert_null(p);
    return code;
}

static void test_unknown_name_and_bad_windows_are_refused(void **state)
{
    (void)state;
    report_buffer said = { 0 };
    play_options plain = { .backend = &test_backend };
    assert_int_equal(open_fails("no-such-session-anywhere", &plain, &said), 2);
    assert_non_null(strstr(said.text, "no session named 'no-such-session-anywhere'"));
    report_buffer_free(&said);

    play_options late = { .backend = &test_backend, .start_seconds = 12.0 };
    assert_int_equal(open_fails(session_path, &late, &said), 2);
    assert_non_null(strstr(said.text, "--start is past the end of the session (it lasts 0:12)"));
    report_buffer_free(&said);

    char *broken = testaudio_write_text(testaudio_dir, "broken.cfg",
                                        "format = 1;\ntitle = \"x\";\nsteps = ( { type = \"nap\"; } );\n");
    assert_int_equal(open_fails(broken, &plain, &said), 2);
    assert_non_null(strstr(said.text, "broken.cfg:3: "));
    report_buffer_free(&said);
    free(broken);

    char *forever = testaudio_write_text(testaudio_dir, "forever.cfg",
        "format = 1;\ntitle = \"f\";\nsteps = ( { type = \"repeat\"; forever = true; steps = (\n"
        "  { type = \"timer\"; duration = 1; } ); } );\n");
    char *wav = testaudio_path(testaudio_dir, "forever.wav");
    play_options render = { .output = wav };
    assert_int_equal(open_fails(forever, &render, &said), 2);
    assert_non_null(strstr(said.text, "repeats forever; give --length"));
    report_buffer_free(&said);
    free(wav);
    free(forever);
}

/* ---- the user's defaults ---- */

static void test_live_options_come_from_the_defaults_file(void **state)
{
    (void)state;
    char *folder = testaudio_path(testaudio_dir, "breathe");
    assert_int_equal(mkdir(folder, 0700), 0);
    char *file = testaudio_write_text(folder, "config",
                                      "device = \"pulse\";\nvolume = -6.0;\nlatency = 0.5;\n");
    char *old_home = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
    setenv("XDG_CONFIG_HOME", testaudio_dir, 1);
    setenv("BREATHE_DEVICE_RETRY_SECONDS", "7", 1);
    userconfig defaults = { .history = true };
    assert_int_equal(play_defaults_load(&defaults, NULL), 0);
    play_options o = play_live_options(&defaults, "box-breathing");
    assert_null(o.output);
    assert_string_equal(o.device, "pulse");
    assert_true(o.volume_db == -6.0);
    assert_true(o.latency_seconds == 0.5);
    assert_int_equal(o.device_retry_seconds, 7);
    assert_string_equal(o.history_name, "box-breathing");
    assert_true(o.start_seconds == 0.0 && o.length_seconds == 0.0);
    userconfig_free(&defaults);

    /* history = false: no history line. */
    free(testaudio_write_text(folder, "config", "history = false;\n"));
    defaults = (userconfig){ .history = true };
    assert_int_equal(play_defaults_load(&defaults, NULL), 0);
    o = play_live_options(&defaults, "box-breathing");
    assert_null(o.history_name);
    assert_null(o.device);
    userconfig_free(&defaults);

    /* A problem in the file is reported and refused. */
    free(testaudio_write_text(folder, "config", "volume = \"loud\";\n"));
    report_buffer said = { 0 };
    defaults = (userconfig){ .history = true };
    assert_int_equal(play_defaults_load(&defaults, &(report_sink){ report_buffer_emit, &said }), 2);
    assert_non_null(strstr(said.text, "config:1: "));
    userconfig_free(&defaults);
    report_buffer_free(&said);

    unsetenv("BREATHE_DEVICE_RETRY_SECONDS");
    if (old_home)
        setenv("XDG_CONFIG_HOME", old_home, 1);
    else
        unsetenv("XDG_CONFIG_HOME");
    free(old_home);
    remove(file);
    free(file);
    free(folder);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plays_the_whole_session_as_the_engine_renders_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_next_step_skips_to_the_next_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_previous_step_goes_back_to_the_start_of_the_step,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_seek_plays_on_from_the_frame_asked, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stop_fades_out_and_says_stopped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pause_holds_the_position_and_resume_goes_on, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_volume_is_announced_and_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_next_while_paused_waits_for_resume, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_render_ignores_live_controls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_announcement_plays_first_when_live, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_snapshots_from_another_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_name_and_bad_windows_are_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_live_options_come_from_the_defaults_file, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("play", tests, NULL, NULL);
}
