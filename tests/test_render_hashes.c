/* The sound of every bundled and benchmark session, pinned (suite "hashes").
 *
 *   test_render_hashes SESSION     renders SESSION (a path under the source
 *                                  tree, as render-hashes.txt names it)
 *                                  whole, or its first hour when it repeats
 *                                  forever, and compares the frame count and
 *                                  a 64-bit FNV-1a hash of the float samples
 *                                  with the line render-hashes.txt has for it.
 *   test_render_hashes --all       every .cfg file in sessions/ and
 *                                  bench/sessions/ has a line there, so no
 *                                  session escapes.
 *   test_render_hashes --print SESSION...
 *                                  prints the lines for render-hashes.txt, for
 *                                  a change that is meant to alter the sound
 *                                  (say by how much, measured, when it lands).
 *
 * A refactor keeps every hash; a hash that changes is a sound that changed.
 * The render is the engine's own (the pure render core), in blocks of 4096
 * frames; the engine's output does not depend on the block size (the golden
 * suite proves that), so neither does the hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "render/engine.h"
#include "format/session.h"
#include "render/timeline.h"
#include "testreport.h"

#define FOREVER_SECONDS 3600
#define BLOCK_FRAMES 4096
#define TABLE "render-hashes.txt"

static const char *source_dir;
static const char *session_name;   /* as in the table: "sessions/box-breathing.cfg" */

typedef struct {
    int64_t frames;
    uint64_t hash;
} render_print;

static uint64_t fnv1a(uint64_t hash, const void *bytes, size_t size)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < size; i++) {
        hash ^= p[i];
        hash *= UINT64_C(0x100000001b3);
    }
    return hash;
}

static void set_audio_search_path(void)
{
    static char audio[4096];
    static const char *search[2];
    snprintf(audio, sizeof audio, "%s/audio", source_dir);
    search[0] = audio;
    search[1] = NULL;
    session_audio_search_path = search;
}

/* Renders the session at `relative` (under the source tree). */
static int render_session(const char *relative, render_print *out)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", source_dir, relative);
    session *s = NULL;
    if (session_load(path, &s, REPORT_TO_STDERR) != 0)
        return -1;
    timeline *t = NULL;
    if (timeline_build(s, &t, REPORT_TO_STDERR) != 0) {
        session_free(s);
        return -1;
    }
    int64_t length = timeline_length(t) == TIMELINE_FOREVER
                         ? (int64_t)FOREVER_SECONDS * timeline_rate(t)
                         : TIMELINE_FOREVER;
    engine_options options = { .volume_db = 0.0, .start = 0, .length = length };
    engine *e = engine_create(t, &options);
    if (!e) {
        timeline_free(t);
        session_free(s);
        return -1;
    }
    static float block[2 * BLOCK_FRAMES];
    out->frames = 0;
    out->hash = UINT64_C(0xcbf29ce484222325);
    size_t got;
    while ((got = engine_render(e, block, BLOCK_FRAMES)) > 0) {
        out->hash = fnv1a(out->hash, block, got * 2 * sizeof block[0]);
        out->frames += (int64_t)got;
        if (got < BLOCK_FRAMES)
            break;
    }
    engine_free(e);
    timeline_free(t);
    session_free(s);
    return 0;
}

/* The table's line for `relative`; false when it has none. */
static bool table_lookup(const char *relative, render_print *out)
{
    char path[4096], name[4096];
    snprintf(path, sizeof path, "%s/tests/%s", source_dir, TABLE);
    FILE *table = fopen(path, "r");
    if (!table) {
        print_error("cannot read %s\n", path);
        return false;
    }
    char line[8192];
    bool found = false;
    while (!found && fgets(line, sizeof line, table)) {
        long long frames;
        unsigned long long hash;
        if (line[0] == '#' || sscanf(line, "%4095s %lld %llx", name, &frames, &hash) != 3)
            continue;
        if (strcmp(name, relative) == 0) {
            out->frames = frames;
            out->hash = hash;
            found = true;
        }
    }
    fclose(table);
    return found;
}

static void test_render_matches_the_table(void **state)
{
    (void)state;
    render_print expected, got;
    if (!table_lookup(session_name, &expected))
        fail_msg("%s has no line in tests/%s (test_render_hashes --print %s)", session_name,
                 TABLE, session_name);
    assert_int_equal(render_session(session_name, &got), 0);
    if (got.frames != expected.frames || got.hash != expected.hash)
        print_error("%s: %" PRId64 " frames, hash %016" PRIx64 "; the table has %" PRId64
                    " frames, hash %016" PRIx64 "\n",
                    session_name, got.frames, got.hash, expected.frames, expected.hash);
    assert_int_equal(got.frames, expected.frames);
    assert_true(got.hash == expected.hash);
}

static int unlisted;

static void check_folder_listed(const char *folder)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", source_dir, folder);
    DIR *dir = opendir(path);
    assert_non_null(dir);
    int seen = 0;
    for (struct dirent *entry; (entry = readdir(dir));) {
        size_t n = strlen(entry->d_name);
        if (n <= 4 || strcmp(entry->d_name + n - 4, ".cfg") != 0)
            continue;
        char relative[4096];
        render_print ignored;
        snprintf(relative, sizeof relative, "%s/%s", folder, entry->d_name);
        seen++;
        if (!table_lookup(relative, &ignored)) {
            print_error("%s has no line in tests/%s\n", relative, TABLE);
            unlisted++;
        }
    }
    closedir(dir);
    assert_true(seen > 0);
}

static void test_every_session_is_listed(void **state)
{
    (void)state;
    unlisted = 0;
    check_folder_listed("sessions");
    check_folder_listed("bench/sessions");
    assert_int_equal(unlisted, 0);
}

int main(int argc, char **argv)
{
    source_dir = getenv("BREATHE_SOURCE_DIR");
    if (!source_dir) {
        fprintf(stderr, "test_render_hashes: BREATHE_SOURCE_DIR is not set\n");
        return 2;
    }
    set_audio_search_path();
    if (argc >= 2 && strcmp(argv[1], "--print") == 0) {
        for (int i = 2; i < argc; i++) {
            render_print p;
            if (render_session(argv[i], &p) != 0)
                return 1;
            printf("%s %" PRId64 " %016" PRIx64 "\n", argv[i], p.frames, p.hash);
        }
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--all") == 0) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_every_session_is_listed) };
        return cmocka_run_group_tests_name("every session has a hash", tests, NULL, NULL);
    }
    if (argc != 2) {
        fprintf(stderr, "usage: test_render_hashes SESSION | --all | --print SESSION...\n");
        return 2;
    }
    session_name = argv[1];
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_render_matches_the_table) };
    return cmocka_run_group_tests_name(session_name, tests, NULL, NULL);
}
