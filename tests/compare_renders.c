/* compare_renders: are two renders of the same session the same sound?
 *
 *   compare_renders [--max-diff X] [--min-corr X] A B
 *
 * A and B are audio files that libsndfile reads, for example the same session
 * rendered by the native build and by a cross build run under qemu. They must
 * have the same sample rate, channel count and length in frames (breathe's
 * timeline is in integer frames, so a different length is a real difference,
 * not rounding). Then, sample by sample at the same position, it reports the
 * largest absolute difference, how many samples differ at all, the
 * correlation (cosine similarity of the two signals) and the level of the
 * difference relative to full scale.
 *
 * Passes when max |A - B| <= --max-diff (default 0: bit-exact) and the
 * correlation >= --min-corr (default 0.999999).
 * Exit status: 0 pass, 1 fail, 2 usage or unreadable input. */
#include <math.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_FRAMES 4096

static SNDFILE *open_audio(const char *path, SF_INFO *info)
{
    memset(info, 0, sizeof *info);
    SNDFILE *file = sf_open(path, SFM_READ, info);
    if (file == NULL)
        fprintf(stderr, "compare_renders: %s: %s\n", path, sf_strerror(NULL));
    return file;
}

static void usage(void)
{
    fprintf(stderr, "usage: compare_renders [--max-diff X] [--min-corr X] A B\n");
}

int main(int argc, char **argv)
{
    double max_allowed = 0.0, min_corr = 0.999999;
    const char *paths[2];
    int npaths = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--max-diff") == 0 && i + 1 < argc)
            max_allowed = atof(argv[++i]);
        else if (strcmp(argv[i], "--min-corr") == 0 && i + 1 < argc)
            min_corr = atof(argv[++i]);
        else if (argv[i][0] == '-' || npaths == 2) {
            usage();
            return 2;
        } else
            paths[npaths++] = argv[i];
    }
    if (npaths != 2) {
        usage();
        return 2;
    }

    SF_INFO info_a, info_b;
    SNDFILE *a = open_audio(paths[0], &info_a);
    SNDFILE *b = open_audio(paths[1], &info_b);
    if (a == NULL || b == NULL) {
        if (a)
            sf_close(a);
        if (b)
            sf_close(b);
        return 2;
    }
    bool pass = true;
    if (info_a.samplerate != info_b.samplerate || info_a.channels != info_b.channels) {
        printf("FAIL: %d Hz, %d channels against %d Hz, %d channels\n", info_a.samplerate,
               info_a.channels, info_b.samplerate, info_b.channels);
        sf_close(a);
        sf_close(b);
        return 1;
    }
    if (info_a.frames != info_b.frames) {
        printf("FAIL: %lld frames against %lld frames\n", (long long)info_a.frames,
               (long long)info_b.frames);
        pass = false;
    }

    const int channels = info_a.channels;
    float *chunk_a = malloc(sizeof(float) * CHUNK_FRAMES * (size_t)channels);
    float *chunk_b = malloc(sizeof(float) * CHUNK_FRAMES * (size_t)channels);
    if (chunk_a == NULL || chunk_b == NULL) {
        fprintf(stderr, "compare_renders: out of memory\n");
        return 2;
    }
    /* Sums in double: a 16-minute session has 92 million samples. */
    double sum_ab = 0.0, sum_aa = 0.0, sum_bb = 0.0, sum_dd = 0.0;
    double max_diff = 0.0, peak_a = 0.0, peak_b = 0.0;
    int64_t max_diff_frame = 0, differing = 0, frames = 0;
    for (;;) {
        sf_count_t got_a = sf_readf_float(a, chunk_a, CHUNK_FRAMES);
        sf_count_t got_b = sf_readf_float(b, chunk_b, CHUNK_FRAMES);
        sf_count_t got = got_a < got_b ? got_a : got_b;
        if (got <= 0)
            break;
        for (sf_count_t i = 0; i < got * channels; i++) {
            double x = chunk_a[i], y = chunk_b[i], d = fabs(x - y);
            sum_ab += x * y;
            sum_aa += x * x;
            sum_bb += y * y;
            sum_dd += d * d;
            peak_a = fmax(peak_a, fabs(x));
            peak_b = fmax(peak_b, fabs(y));
            if (d > 0.0)
                differing++;
            if (d > max_diff) {
                max_diff = d;
                max_diff_frame = frames + i / channels;
            }
        }
        frames += got;
    }
    free(chunk_a);
    free(chunk_b);
    sf_close(a);
    sf_close(b);

    double rate = info_a.samplerate;
    double correlation = sum_aa > 0.0 && sum_bb > 0.0 ? sum_ab / sqrt(sum_aa * sum_bb)
                         : (sum_aa == sum_bb ? 1.0 : 0.0);
    int64_t samples = frames * channels;
    printf("compared:       %lld frames (%.3f s), %d channels at %d Hz\n", (long long)frames,
           frames / rate, channels, info_a.samplerate);
    printf("peaks:          %.6f and %.6f\n", peak_a, peak_b);
    printf("max difference: %.3g (%.1f dBFS) at %.4f s (limit %.3g)\n", max_diff,
           max_diff > 0.0 ? 20.0 * log10(max_diff) : -INFINITY, max_diff_frame / rate,
           max_allowed);
    printf("differing:      %lld of %lld samples\n", (long long)differing, (long long)samples);
    if (samples > 0 && sum_dd > 0.0)
        printf("difference rms: %.1f dBFS\n", 10.0 * log10(sum_dd / (double)samples));
    printf("correlation:    %.9f, 1 - r = %.2g (minimum %.9f)\n", correlation, 1.0 - correlation,
           min_corr);
    if (max_diff > max_allowed) {
        printf("FAIL: samples differ by up to %.3g, more than %.3g\n", max_diff, max_allowed);
        pass = false;
    }
    if (correlation < min_corr) {
        printf("FAIL: correlation %.9f below %.9f\n", correlation, min_corr);
        pass = false;
    }
    printf("%s\n", pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}
