/* compare_capture: does a live capture hold the same sound as the offline render?
 *
 *   compare_capture [--min-corr X] [--max-length-error X] [--max-cut-ms X]
 *                   CAPTURE.raw REFERENCE.wav
 *
 * CAPTURE.raw is raw interleaved float32 stereo at the reference's sample rate
 * (as written by `pacat --record --raw --format=float32le --channels=2`).
 * REFERENCE.wav is what `breathe -o` rendered for the same session.
 *
 * The capture starts with some silence (the recorder runs before the player
 * starts), so the reference is located in it: a coarse search on block
 * envelopes over the plausible lags (from the first sound, up to 2 s later),
 * then an exact search of the normalised cross-correlation around the best
 * coarse lag. Reports the sound's length in both, the correlation at the best
 * lag over the whole reference, the largest sample difference there and how
 * much of the reference's end is missing (digital silence in the capture
 * where the reference still sounds, however quietly).
 * Exit status: 0 pass, 1 fail, 2 usage or unreadable input. */
#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SILENCE 1e-4
#define SEARCH_SECONDS 2.0
#define EARLY_SECONDS 0.05
#define BLOCK 64

typedef struct {
    float *data; /* interleaved stereo */
    int64_t frames;
} audio;

static void *xmalloc(size_t size)
{
    void *p = malloc(size == 0 ? 1 : size);
    if (p == NULL) {
        fprintf(stderr, "compare_capture: out of memory\n");
        exit(2);
    }
    return p;
}

static bool read_raw(const char *path, audio *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "compare_capture: %s: %s\n", path, strerror(errno));
        return false;
    }
    size_t capacity = 1 << 20, used = 0;
    float *data = xmalloc(capacity * sizeof *data);
    for (;;) {
        if (used == capacity) {
            capacity *= 2;
            float *grown = realloc(data, capacity * sizeof *data);
            if (grown == NULL) {
                free(data);
                fclose(f);
                fprintf(stderr, "compare_capture: out of memory\n");
                return false;
            }
            data = grown;
        }
        size_t got = fread(data + used, sizeof *data, capacity - used, f);
        used += got;
        if (got == 0)
            break;
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) {
        fprintf(stderr, "compare_capture: cannot read %s\n", path);
        free(data);
        return false;
    }
    out->data = data;
    out->frames = (int64_t)(used / 2);
    return true;
}

static bool read_wav(const char *path, audio *out, int *rate)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *file = sf_open(path, SFM_READ, &info);
    if (file == NULL) {
        fprintf(stderr, "compare_capture: %s: %s\n", path, sf_strerror(NULL));
        return false;
    }
    if (info.channels < 1 || info.channels > 2) {
        fprintf(stderr, "compare_capture: %s: %d channels (want 1 or 2)\n", path,
                info.channels);
        sf_close(file);
        return false;
    }
    float *raw = xmalloc((size_t)info.frames * (size_t)info.channels * sizeof *raw);
    sf_count_t got = sf_readf_float(file, raw, info.frames);
    sf_close(file);
    if (got < 0)
        got = 0;
    float *data = raw;
    if (info.channels == 1) {
        data = xmalloc((size_t)got * 2 * sizeof *data);
        for (sf_count_t i = 0; i < got; i++)
            data[2 * i] = data[2 * i + 1] = raw[i];
        free(raw);
    }
    out->data = data;
    out->frames = (int64_t)got;
    *rate = info.samplerate;
    return true;
}

/* First and last frame with a sample above SILENCE; false when all silent. */
static bool sound_span(const audio *a, int64_t *first, int64_t *last)
{
    int64_t f = -1, l = -1;
    for (int64_t i = 0; i < a->frames; i++)
        if (fabsf(a->data[2 * i]) > SILENCE || fabsf(a->data[2 * i + 1]) > SILENCE) {
            f = i;
            break;
        }
    if (f < 0)
        return false;
    for (int64_t i = a->frames - 1; i >= f; i--)
        if (fabsf(a->data[2 * i]) > SILENCE || fabsf(a->data[2 * i + 1]) > SILENCE) {
            l = i;
            break;
        }
    *first = f;
    *last = l;
    return true;
}

/* Mean absolute level of each BLOCK frames from frame `from`. */
static double *envelope(const audio *a, int64_t from, int64_t blocks)
{
    double *env = xmalloc((size_t)blocks * sizeof *env);
    for (int64_t b = 0; b < blocks; b++) {
        double sum = 0.0;
        for (int64_t i = from + b * BLOCK; i < from + (b + 1) * BLOCK; i++)
            if (i >= 0 && i < a->frames)
                sum += fabsf(a->data[2 * i]) + fabsf(a->data[2 * i + 1]);
        env[b] = sum / (2.0 * BLOCK);
    }
    return env;
}

/* Pearson correlation of ref_env against cap_env shifted by `shift` blocks. */
static double envelope_correlation(const double *cap_env, int64_t cap_blocks,
                                   const double *ref_env, int64_t ref_blocks, int64_t shift)
{
    double sc = 0, sr = 0, scc = 0, srr = 0, scr = 0;
    for (int64_t b = 0; b < ref_blocks; b++) {
        double c = b + shift < cap_blocks ? cap_env[b + shift] : 0.0;
        double r = ref_env[b];
        sc += c;
        sr += r;
        scc += c * c;
        srr += r * r;
        scr += c * r;
    }
    double n = (double)ref_blocks;
    double cov = scr - sc * sr / n;
    double vc = scc - sc * sc / n, vr = srr - sr * sr / n;
    if (vc <= 0 || vr <= 0)
        return 0.0;
    return cov / sqrt(vc * vr);
}

/* Normalised cross-correlation of the whole reference with the capture
 * from frame `lag` (capture frames past its end count as silence). */
static double correlation_at(const audio *cap, const audio *ref, int64_t lag)
{
    double cr = 0, cc = 0, rr = 0;
    for (int64_t i = 0; i < ref->frames; i++) {
        int64_t j = lag + i;
        for (int ch = 0; ch < 2; ch++) {
            double r = ref->data[2 * i + ch];
            double c = j >= 0 && j < cap->frames ? cap->data[2 * j + ch] : 0.0;
            cr += c * r;
            cc += c * c;
            rr += r * r;
        }
    }
    if (cc <= 0 || rr <= 0)
        return 0.0;
    return cr / sqrt(cc * rr);
}

static void usage(void)
{
    fprintf(stderr, "usage: compare_capture [--min-corr X] [--max-length-error X] "
                    "[--max-cut-ms X] CAPTURE.raw REFERENCE.wav\n");
}

int main(int argc, char **argv)
{
    double min_corr = 0.9, max_length_error = 0.01, max_cut_ms = 5.0;
    const char *paths[2];
    int npaths = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--min-corr") == 0 && i + 1 < argc)
            min_corr = atof(argv[++i]);
        else if (strcmp(argv[i], "--max-length-error") == 0 && i + 1 < argc)
            max_length_error = atof(argv[++i]);
        else if (strcmp(argv[i], "--max-cut-ms") == 0 && i + 1 < argc)
            max_cut_ms = atof(argv[++i]);
        else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            usage();
            return 2;
        } else if (npaths < 2)
            paths[npaths++] = argv[i];
        else {
            usage();
            return 2;
        }
    }
    if (npaths != 2) {
        usage();
        return 2;
    }

    audio cap, ref;
    int rate = 0;
    if (!read_raw(paths[0], &cap) || !read_wav(paths[1], &ref, &rate))
        return 2;
    printf("capture:   %lld frames (%.3f s)\n", (long long)cap.frames,
           (double)cap.frames / rate);
    printf("reference: %lld frames (%.3f s) at %d Hz\n", (long long)ref.frames,
           (double)ref.frames / rate, rate);

    int64_t ref_first, ref_last, cap_first, cap_last;
    if (!sound_span(&ref, &ref_first, &ref_last)) {
        printf("FAIL: the reference is silent\n");
        return 1;
    }
    if (!sound_span(&cap, &cap_first, &cap_last)) {
        printf("FAIL: the capture is silent\n");
        return 1;
    }

    /* Plausible lags: from just before the capture's first sound lines up
     * with the reference's, up to SEARCH_SECONDS later. */
    int64_t lag_min = cap_first - ref_first - (int64_t)(EARLY_SECONDS * rate);
    if (lag_min < 0)
        lag_min = 0;
    int64_t lag_max = lag_min + (int64_t)(SEARCH_SECONDS * rate);
    if (lag_max > cap.frames)
        lag_max = cap.frames;

    /* Coarse: envelopes in blocks. */
    int64_t ref_blocks = ref.frames / BLOCK;
    int64_t shifts = (lag_max - lag_min) / BLOCK + 1;
    int64_t cap_blocks = ref_blocks + shifts;
    int64_t coarse = lag_min;
    if (ref_blocks >= 4) {
        double *ref_env = envelope(&ref, 0, ref_blocks);
        double *cap_env = envelope(&cap, lag_min, cap_blocks);
        double best = -2.0;
        for (int64_t s = 0; s < shifts; s++) {
            double c = envelope_correlation(cap_env, cap_blocks, ref_env, ref_blocks, s);
            if (c > best) {
                best = c;
                coarse = lag_min + s * BLOCK;
            }
        }
        free(ref_env);
        free(cap_env);
    }

    /* Fine: every lag within two blocks of the coarse one, and around the
     * lag that lines up the first sounds. */
    int64_t best_lag = lag_min;
    double best_corr = -2.0;
    int64_t first_lag = cap_first - ref_first;
    int64_t ranges[2][2] = { { coarse - 2 * BLOCK, coarse + 2 * BLOCK },
                             { first_lag - 8, first_lag + 8 } };
    for (int r = 0; r < 2; r++)
        for (int64_t lag = ranges[r][0]; lag <= ranges[r][1]; lag++) {
            if (lag < lag_min || lag > lag_max)
                continue;
            double c = correlation_at(&cap, &ref, lag);
            if (c > best_corr) {
                best_corr = c;
                best_lag = lag;
            }
        }

    double max_diff = 0.0;
    int64_t max_diff_at = 0, differing = 0, first_differing = -1, last_differing = -1;
    for (int64_t i = 0; i < ref.frames; i++) {
        int64_t j = best_lag + i;
        for (int ch = 0; ch < 2; ch++) {
            double c = j < cap.frames ? cap.data[2 * j + ch] : 0.0;
            double d = fabs(c - ref.data[2 * i + ch]);
            if (d > max_diff) {
                max_diff = d;
                max_diff_at = i;
            }
            if (d > 0.0) {
                differing++;
                if (first_differing < 0)
                    first_differing = i;
                last_differing = i;
            }
        }
    }

    /* The end: the reference's last non-zero frame against the capture's
     * last non-zero frame before it (after alignment). */
    int64_t ref_end = -1, cap_end = -1;
    for (int64_t i = ref.frames - 1; i >= 0 && ref_end < 0; i--)
        if (ref.data[2 * i] != 0.0f || ref.data[2 * i + 1] != 0.0f)
            ref_end = i;
    for (int64_t i = ref_end; i >= 0 && cap_end < 0; i--) {
        int64_t j = best_lag + i;
        if (j < cap.frames && (cap.data[2 * j] != 0.0f || cap.data[2 * j + 1] != 0.0f))
            cap_end = i;
    }
    double cut_ms = 1000.0 * (double)(ref_end - cap_end) / rate;

    int64_t ref_len = ref_last - ref_first + 1;
    int64_t cap_len = cap_last - cap_first + 1;
    double ratio = (double)cap_len / (double)ref_len;
    int64_t covered = cap.frames - best_lag;
    printf("offset:    %lld frames (%.3f s) into the capture\n", (long long)best_lag,
           (double)best_lag / rate);
    printf("sound:     captured %lld frames (%.3f s), reference %lld frames (%.3f s), "
           "ratio %.5f\n",
           (long long)cap_len, (double)cap_len / rate, (long long)ref_len,
           (double)ref_len / rate, ratio);
    printf("after:     %.3f s of capture after the reference's end\n",
           (double)(covered - ref.frames) / rate);
    printf("end cut:   %lld frames (%.2f ms) of the reference's end missing\n",
           (long long)(ref_end - cap_end), cut_ms);
    printf("correlation: %.6f (minimum %.3f)\n", best_corr, min_corr);
    printf("max difference: %.3g at %.3f s\n", max_diff, (double)max_diff_at / rate);
    if (differing > 0)
        printf("differing samples: %lld, from %.4f s to %.4f s\n", (long long)differing,
               (double)first_differing / rate, (double)last_differing / rate);
    else
        printf("differing samples: none (bit-exact)\n");

    bool pass = true;
    if (fabs(ratio - 1.0) > max_length_error) {
        printf("FAIL: the captured sound's length differs by %.2f %% (limit %.2f %%)\n",
               100.0 * fabs(ratio - 1.0), 100.0 * max_length_error);
        pass = false;
    }
    if (covered < ref.frames) {
        printf("FAIL: the capture ends %.3f s before the reference does\n",
               (double)(ref.frames - covered) / rate);
        pass = false;
    }
    if (cut_ms > max_cut_ms) {
        printf("FAIL: the end of the sound is cut off (%.2f ms, limit %.2f ms)\n", cut_ms,
               max_cut_ms);
        pass = false;
    }
    if (best_corr < min_corr) {
        printf("FAIL: correlation %.6f below %.3f\n", best_corr, min_corr);
        pass = false;
    }
    printf("%s\n", pass ? "PASS" : "FAIL");
    free(cap.data);
    free(ref.data);
    return pass ? 0 : 1;
}
