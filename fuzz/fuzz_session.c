/* fuzz_session.c: libFuzzer harness for the session loader.
 *
 * Each input is the text of a session file. It is written into a private
 * folder laid out like the source tree (sessions/ beside a link to the
 * source's audio/), so the bundled sessions used as seeds find their cue
 * files; then it is loaded, compiled to a timeline and rendered for a moment
 * at the start and at the end. A crash, a leak, undefined behaviour, a hang,
 * or a rendered sample that is not finite or is beyond full scale is a
 * finding. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "render/engine.h"
#include "format/session.h"
#include "render/timeline.h"

enum { RENDER_FRAMES = 2048 };

static char folder[] = "/tmp/breathe-fuzz-session-XXXXXX";
static char sessions_folder[sizeof folder + 16], audio_link[sizeof folder + 16];
static char session_path[sizeof folder + 32];
static const char *const audio_search_path[] = { BREATHE_SOURCE_DIR "/audio", NULL };

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void remove_folder(void)
{
    unlink(session_path);
    unlink(audio_link);
    rmdir(sessions_folder);
    rmdir(folder);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (mkdtemp(folder) == NULL) {
        perror("mkdtemp");
        abort();
    }
    snprintf(sessions_folder, sizeof sessions_folder, "%s/sessions", folder);
    snprintf(audio_link, sizeof audio_link, "%s/audio", folder);
    snprintf(session_path, sizeof session_path, "%s/input.cfg", sessions_folder);
    if (mkdir(sessions_folder, 0700) != 0
        || symlink(BREATHE_SOURCE_DIR "/audio", audio_link) != 0) {
        perror("fuzz_session: preparing the folder");
        abort();
    }
    atexit(remove_folder);
    session_audio_search_path = audio_search_path;
    return 0;
}

static void render_and_check(const timeline *t, int64_t start)
{
    static float out[RENDER_FRAMES * 2];
    engine_options options = { .volume_db = 0.0, .start = start, .length = RENDER_FRAMES };
    engine *e = engine_create(t, &options);
    if (e == NULL)
        return;
    size_t frames = engine_render(e, out, RENDER_FRAMES);
    for (size_t i = 0; i < frames * 2; i++) {
        if (!isfinite(out[i]) || fabsf(out[i]) > 1.0f) {
            fprintf(stderr, "fuzz_session: sample %zu is %g\n", i, (double)out[i]);
            abort();
        }
    }
    engine_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *file = fopen(session_path, "wb");
    if (file == NULL || fwrite(data, 1, size, file) != size || fclose(file) != 0) {
        perror("fuzz_session: writing the input");
        abort();
    }

    /* The messages are collected (and so formatted) and dropped. */
    report_buffer messages = { 0 };
    const report_sink *report = &(report_sink){ report_buffer_emit, &messages };
    session *s = NULL;
    timeline *t = NULL;
    if (session_load(session_path, &s, report) == 0 && timeline_build(s, &t, report) == 0) {
        render_and_check(t, 0);
        int64_t length = timeline_length(t);
        int64_t last = length == TIMELINE_FOREVER ? (int64_t)timeline_rate(t) * 36000 : length;
        if (last > RENDER_FRAMES)
            render_and_check(t, last - RENDER_FRAMES);
    }
    timeline_free(t);
    session_free(s);
    report_buffer_free(&messages);
    return 0;
}
