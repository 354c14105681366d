/* fuzz_clip.c: libFuzzer harness for audio file loading (our side of it).
 *
 * The first byte of each input picks the output sample rate; the rest is
 * written to a file and loaded with audio_clip_load(), which goes through
 * libsndfile's format detection and decoding, our channel mixdown, libsamplerate
 * conversion, cleaning and edge fades. The same file is then opened as a
 * streamed clip and read through an audio_clip_reader from the start and
 * from the middle, as long files are played. A crash, a leak, undefined
 * behaviour, a hang, an allocation far beyond what the file can hold, a
 * sample that is not finite or is beyond full scale, or a streamed clip
 * that reads to another length than it promised is a finding. (A streamed
 * file that ends before its header says plays silence to the promised end,
 * so it may be longer than the same file decoded in memory.) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/clip.h"

static char folder[] = "/tmp/breathe-fuzz-clip-XXXXXX";
static char clip_path[sizeof folder + 16];
static const int output_rates[] = { 48000, 44100, 8000, 22050, 96000, 192000 };

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void remove_folder(void)
{
    unlink(clip_path);
    rmdir(folder);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (mkdtemp(folder) == NULL) {
        perror("mkdtemp");
        abort();
    }
    snprintf(clip_path, sizeof clip_path, "%s/input", folder);
    atexit(remove_folder);
    return 0;
}

static void check_samples(const float *samples, int64_t count)
{
    for (int64_t i = 0; i < count; i++) {
        if (!isfinite(samples[i]) || fabsf(samples[i]) > 1.0f) {
            fprintf(stderr, "fuzz_clip: sample %lld is %g\n", (long long)i, (double)samples[i]);
            abort();
        }
    }
}

/* Reads the streamed clip from `position` to its end; returns the frames. */
static int64_t read_streamed(const audio_clip *clip, int rate, int64_t position)
{
    enum { PIECE = 4096 };
    static float piece[PIECE * 2];
    audio_clip_reader *reader = NULL;
    char why[256];
    if (audio_clip_reader_open(clip, rate, position, &reader, why, sizeof why) != 0)
        return -1;
    int64_t total = 0, got;
    while ((got = audio_clip_reader_read(reader, piece, PIECE)) > 0) {
        check_samples(piece, 2 * got);
        total += got;
    }
    audio_clip_reader_close(reader);
    return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int rate = output_rates[data[0] % (sizeof output_rates / sizeof output_rates[0])];
    FILE *file = fopen(clip_path, "wb");
    if (file == NULL || fwrite(data + 1, 1, size - 1, file) != size - 1 || fclose(file) != 0) {
        perror("fuzz_clip: writing the input");
        abort();
    }

    audio_clip *clip = NULL;
    char why[256];
    int64_t decoded_frames = -1;
    if (audio_clip_load(clip_path, rate, &clip, why, sizeof why) == 0) {
        if (clip->frames < 1)
            abort();
        check_samples(clip->samples, clip->frames * 2);
        decoded_frames = clip->frames;
    }
    audio_clip_free(clip);

    /* Streamed (nothing preloaded): it reads to exactly the length it
     * promised, and never less than the file decodes to. */
    clip = NULL;
    if (audio_clip_open(clip_path, rate, 0, &clip, why, sizeof why) == 0) {
        int64_t whole = read_streamed(clip, rate, 0);
        if (whole >= 0 && (whole != clip->frames || whole < decoded_frames)) {
            fprintf(stderr, "fuzz_clip: streamed %lld of %lld frames, decoded %lld\n",
                    (long long)whole, (long long)clip->frames, (long long)decoded_frames);
            abort();
        }
        if (clip->frames > 1)
            read_streamed(clip, rate, clip->frames / 2);
    }
    audio_clip_free(clip);
    return 0;
}
