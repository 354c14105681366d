/* fuzz_clip.c: libFuzzer harness for audio file loading (our side of it).
 *
 * The first byte of each input picks the output sample rate; the rest is
 * written to a file and loaded with audio_clip_load(), which goes through
 * libsndfile's format detection and decoding, our channel mixdown, libsamplerate
 * conversion, cleaning and edge fades. A crash, a leak, undefined behaviour,
 * a hang, an allocation far beyond what the file can hold, or a sample that
 * is not finite or is beyond full scale is a finding. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clip.h"

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
    if (audio_clip_load(clip_path, rate, &clip, why, sizeof why) == 0) {
        if (clip->frames < 1)
            abort();
        for (int64_t i = 0; i < clip->frames * 2; i++) {
            if (!isfinite(clip->samples[i]) || fabsf(clip->samples[i]) > 1.0f) {
                fprintf(stderr, "fuzz_clip: sample %lld is %g\n", (long long)i,
                        (double)clip->samples[i]);
                abort();
            }
        }
    }
    audio_clip_free(clip);
    return 0;
}
