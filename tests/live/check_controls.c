/* check_controls: did a live control do what it should to the sound?
 *
 *   check_controls pause CAPTURE.raw REFERENCE.wav PAUSED_SECONDS
 *   check_controls skip CAPTURE.raw REFERENCE.wav NEXT.wav PRESSED_SECONDS
 *   check_controls volume CAPTURE.raw REFERENCE.wav DB
 *   check_controls stop CAPTURE.raw REFERENCE.wav STOPPED_SECONDS
 *   check_controls resume CAPTURE.raw REFERENCE.wav LOST_SECONDS
 *   check_controls heard CAPTURE.raw REFERENCE.wav RESUME_SECONDS
 *
 * CAPTURE.raw is what the null sink recorded (raw float32 stereo at the
 * reference's rate); REFERENCE.wav is the offline render of the whole
 * session; NEXT.wav the offline render with --start at the step a skip goes
 * to. The capture is located against the reference by the least squared
 * difference around where their sound starts, then:
 *  - pause: the capture holds one silent gap about PAUSED_SECONDS minus the
 *    fade long; the sound before it fades out, the sound after it is the
 *    reference again from the frame where it stopped (not from where the
 *    session would have been), to the end;
 *  - skip: the capture is the reference until a fade-out about
 *    PRESSED_SECONDS in, then at once, sample for sample, NEXT.wav to its end;
 *  - volume: the capture starts as the reference and ends as the reference
 *    times DB;
 *  - stop: the capture is the reference for about STOPPED_SECONDS, then fades
 *    out rather than cut off;
 *  - resume: the capture was started when the audio device came back after
 *    it was lost LOST_SECONDS into the session; it fades in and holds the
 *    reference from about there (not from the start, nor from where the
 *    session would be had it gone on while the device was away) to the end;
 *  - heard: the capture was stopped just before the sound server went away
 *    for good, so it ends where the sound did; RESUME_SECONDS, the --start
 *    that breathe printed (whole seconds, rounded down), is within a second
 *    of there, not ahead of it by what was still buffered.
 * Timing bounds are loose (keys and signals arrive when a shell sends them);
 * sample matches are tight: a live capture through the null sink is exact.
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
#define MATCH 1e-3           /* largest sample difference that counts as the same sound */
#define PAUSE_FADE 0.2       /* TRANSPORT_PAUSE_FADE_SECONDS */
#define SKIP_FADE 0.1        /* TRANSPORT_SKIP_FADE_SECONDS */
#define STOP_FADE 0.3        /* TRANSPORT_STOP_FADE_SECONDS */
/* When a key or signal lands, in the session's time: up to EARLY seconds
 * earlier or LATE seconds later than sent (the senders time them from when
 * the audio runs, which they see only within a tenth of a second or so). */
#define EARLY 0.5
#define LATE 0.5

typedef struct {
    float *data; /* interleaved stereo */
    int64_t frames;
} audio;

static int rate;
static bool failed;

static void check(bool ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    if (!ok)
        failed = true;
}

static bool read_raw(const char *path, audio *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "check_controls: %s: %s\n", path, strerror(errno));
        return false;
    }
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    out->frames = bytes > 0 ? bytes / (long)(2 * sizeof(float)) : 0;
    out->data = calloc((size_t)out->frames * 2 + 2, sizeof(float));
    size_t got = out->data ? fread(out->data, 2 * sizeof(float), (size_t)out->frames, f) : 0;
    fclose(f);
    out->frames = (int64_t)got;
    return out->data != NULL;
}

static bool read_wav(const char *path, audio *out)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *file = sf_open(path, SFM_READ, &info);
    if (file == NULL || info.channels != 2) {
        fprintf(stderr, "check_controls: %s: not a stereo file (%s)\n", path, sf_strerror(file));
        if (file)
            sf_close(file);
        return false;
    }
    out->data = calloc((size_t)info.frames * 2 + 2, sizeof(float));
    out->frames = out->data ? (int64_t)sf_readf_float(file, out->data, info.frames) : 0;
    rate = info.samplerate;
    sf_close(file);
    return out->data != NULL;
}

static double sample(const audio *a, int64_t frame, int channel)
{
    return frame >= 0 && frame < a->frames ? a->data[2 * frame + channel] : 0.0;
}

static bool sounds(const audio *a, int64_t frame)
{
    return fabs(sample(a, frame, 0)) > SILENCE || fabs(sample(a, frame, 1)) > SILENCE;
}

static int64_t first_sound(const audio *a, int64_t from)
{
    for (int64_t i = from; i < a->frames; i++)
        if (sounds(a, i))
            return i;
    return -1;
}

static int64_t last_sound(const audio *a)
{
    for (int64_t i = a->frames - 1; i >= 0; i--)
        if (sounds(a, i))
            return i;
    return -1;
}

/* Largest |cap[i + lag] * 1 - ref[i] * gain| over ref frames [from, to). */
static double max_difference(const audio *cap, const audio *ref, int64_t lag, int64_t from,
                             int64_t to, double gain)
{
    double worst = 0.0;
    for (int64_t i = from; i < to; i++)
        for (int ch = 0; ch < 2; ch++)
            worst = fmax(worst, fabs(sample(cap, i + lag, ch) - gain * sample(ref, i, ch)));
    return worst;
}

/* Sum of squared differences over ref frames [from, from + length) at a
 * lag, given up once past `enough`. */
static double squared_error(const audio *cap, const audio *ref, int64_t lag, int64_t from,
                            int64_t length, double enough)
{
    double error = 0.0;
    for (int64_t i = from; i < from + length && error < enough; i++)
        for (int ch = 0; ch < 2; ch++) {
            double d = sample(cap, i + lag, ch) - sample(ref, i, ch);
            error += d * d;
        }
    return error;
}

static int64_t best_lag(const audio *cap, const audio *ref, int64_t from, int64_t length,
                        int64_t lo, int64_t hi)
{
    int64_t best = lo;
    double best_error = INFINITY;
    for (int64_t lag = lo; lag <= hi; lag++) {
        double error = squared_error(cap, ref, lag, from, length, best_error);
        if (error < best_error) {
            best_error = error;
            best = lag;
        }
    }
    return best;
}

/* The lag (capture frame minus reference frame) within guess +- radius that
 * best matches ref frames [from, from + length): first on a short stretch
 * (fast), then on the whole stretch close to the best short one. */
static int64_t find_lag(const audio *cap, const audio *ref, int64_t from, int64_t length,
                        int64_t guess, int64_t radius)
{
    int64_t rough = best_lag(cap, ref, from, length < 256 ? length : 256, guess - radius,
                             guess + radius);
    return best_lag(cap, ref, from, length, rough - 16, rough + 16);
}

/* Where the reference starts in the capture, checked over its first 0.5 s. */
static int64_t locate_start(const audio *cap, const audio *ref)
{
    int64_t c0 = first_sound(cap, 0), r0 = first_sound(ref, 0);
    if (c0 < 0 || r0 < 0) {
        check(false, "the capture and the reference both hold sound");
        return 0;
    }
    int64_t lag = find_lag(cap, ref, r0, rate / 4, c0 - r0, rate / 20);
    double diff = max_difference(cap, ref, lag, r0, r0 + rate / 2, 1.0);
    printf("reference starts at capture frame %lld; first 0.5 s differ by at most %.2g\n",
           (long long)lag, diff);
    check(diff < MATCH, "the capture starts as the offline render");
    return lag;
}

static double peak(const audio *a, int64_t from, int64_t to)
{
    double p = 0.0;
    for (int64_t i = from; i < to; i++)
        p = fmax(p, fmax(fabs(sample(a, i, 0)), fabs(sample(a, i, 1))));
    return p;
}

/* A fade, not a cut: the last 10 ms before `end` are far quieter than the
 * sound just before the fade began. */
static void check_faded(const audio *cap, int64_t end, double fade_seconds)
{
    int64_t fade = (int64_t)(fade_seconds * rate);
    double before = peak(cap, end - fade - rate / 10, end - fade);
    double tail = peak(cap, end - rate / 100, end + 1);
    printf("peak %.4f before the fade, %.5f in its last 10 ms\n", before, tail);
    check(tail < 0.05 * before, "the sound fades out rather than stops");
}

static int check_pause(const audio *cap, const audio *ref, double paused_seconds)
{
    int64_t lag = locate_start(cap, ref);
    /* The longest silent stretch between the first and the last sound. */
    int64_t first = first_sound(cap, 0), last = last_sound(cap);
    int64_t gap_start = -1, gap_length = 0;
    for (int64_t i = first; i < last;) {
        if (sounds(cap, i)) {
            i++;
            continue;
        }
        int64_t j = i;
        while (j < last && !sounds(cap, j))
            j++;
        if (j - i > gap_length) {
            gap_start = i;
            gap_length = j - i;
        }
        i = j;
    }
    double gap_seconds = (double)gap_length / rate;
    double expected = paused_seconds - PAUSE_FADE;
    printf("silent gap of %.3f s at capture frame %lld (paused %.3f s, fade %.1f s)\n",
           gap_seconds, (long long)gap_start, paused_seconds, PAUSE_FADE);
    check(fabs(gap_seconds - expected) < LATE, "one silent gap about as long as the pause");
    if (gap_start < 0)
        return 1;
    int64_t gap_end = gap_start + gap_length;
    check(max_difference(cap, ref, lag, first - lag, gap_start - lag - (int64_t)(PAUSE_FADE * rate),
                         1.0) < MATCH,
          "before the pause, the sound is the offline render");
    check_faded(cap, gap_start, PAUSE_FADE);

    /* After the gap, the reference again: from where it stopped. */
    int64_t fade = (int64_t)(PAUSE_FADE * rate);
    int64_t stopped_at = gap_start - lag;
    int64_t guess = lag + gap_length;
    int64_t window = gap_end + fade + rate / 20 - guess;
    int64_t lag_after = find_lag(cap, ref, window, rate / 4, guess, rate / 5);
    int64_t resumed_at = gap_end - lag_after;
    printf("sound stops at session frame %lld and resumes at session frame %lld\n",
           (long long)stopped_at, (long long)resumed_at);
    check(llabs(resumed_at - stopped_at) < rate / 50,
          "it resumes where it stopped (within 20 ms, the fades' quiet ends)");
    double diff = max_difference(cap, ref, lag_after, gap_end + fade - lag_after,
                                 last_sound(ref) + 1, 1.0);
    printf("after the fade-in, differs from the render by at most %.2g\n", diff);
    check(diff < MATCH, "after resuming, the rest of the session is the offline render");
    return failed;
}

static int check_skip(const audio *cap, const audio *ref, const audio *next,
                      double pressed_seconds)
{
    int64_t lag = locate_start(cap, ref);
    /* The render from the next step ends the capture: locate it by its end. */
    int64_t next_last = last_sound(next), cap_last = last_sound(cap);
    int64_t next_lag = find_lag(cap, next, next_last - rate, rate / 4, cap_last - next_last,
                                rate / 20);
    double diff = max_difference(cap, next, next_lag, 0, next->frames, 1.0);
    double skipped_after = (double)(next_lag - lag) / rate;
    printf("the next step starts at capture frame %lld, %.3f s into the session's sound "
           "(key at %.3f s); it differs from its offline render by at most %.2g\n",
           (long long)next_lag, skipped_after, pressed_seconds, diff);
    check(diff < MATCH, "from the skip on, the capture is the render from the next step");
    double expected = pressed_seconds + SKIP_FADE;
    check(skipped_after > expected - EARLY && skipped_after < expected + LATE,
          "the skip happens when the key is pressed");
    int64_t fade = (int64_t)(SKIP_FADE * rate);
    check(max_difference(cap, ref, lag, first_sound(ref, 0), next_lag - lag - fade, 1.0) < MATCH,
          "before the skip, the capture is the offline render");
    check_faded(cap, next_lag - 1, SKIP_FADE);
    return failed;
}

static int check_volume(const audio *cap, const audio *ref, double db)
{
    int64_t lag = locate_start(cap, ref);
    double gain = pow(10.0, db / 20.0);
    int64_t end = last_sound(ref);
    int64_t from = end - 3 * rate, to = end - rate;
    double diff = max_difference(cap, ref, lag, from, to, gain);
    double sum_cap = 0.0, sum_ref = 0.0;
    for (int64_t i = from; i < to; i++)
        for (int ch = 0; ch < 2; ch++) {
            sum_cap += sample(cap, i + lag, ch) * sample(cap, i + lag, ch);
            sum_ref += sample(ref, i, ch) * sample(ref, i, ch);
        }
    double measured = 10.0 * log10(sum_cap / sum_ref);
    printf("near the end: %.3f dB against the render (want %.1f); samples within %.2g\n",
           measured, db, diff);
    check(fabs(measured - db) < 0.05, "the volume changed by what the keys asked");
    check(diff < MATCH, "the quieter sound is the render times the gain, sample for sample");
    return failed;
}

static int check_stop(const audio *cap, const audio *ref, double stopped_seconds)
{
    int64_t lag = locate_start(cap, ref);
    int64_t first = first_sound(cap, 0), last = last_sound(cap);
    double seconds = (double)(last - first) / rate;
    printf("%.3f s of sound (stopped at %.3f s, fade %.1f s)\n", seconds, stopped_seconds,
           STOP_FADE);
    double expected = stopped_seconds + STOP_FADE;
    check(seconds > expected - EARLY && seconds < expected + LATE,
          "the sound lasts until the stop and its fade");
    check(max_difference(cap, ref, lag, first - lag, last - lag - (int64_t)(STOP_FADE * rate),
                         1.0) < MATCH,
          "until the stop, the sound is the offline render");
    check_faded(cap, last, STOP_FADE);
    return failed;
}

static int check_resume(const audio *cap, const audio *ref, double lost_seconds)
{
    int64_t first = first_sound(cap, 0);
    if (first < 0) {
        check(false, "the capture holds sound");
        return 1;
    }
    /* Past the fade-in, the capture is the reference from some frame on:
     * search every frame from 1.5 s before the loss to 6 s after it. */
    int64_t fade = (int64_t)(PAUSE_FADE * rate);
    int64_t probe = first + fade + rate / 20;
    int64_t lost = (int64_t)(lost_seconds * rate);
    int64_t lo = lost - 3 * rate / 2, hi = lost + 6 * rate;
    int64_t center = (lo + hi) / 2;
    int64_t lag = find_lag(cap, ref, center, rate / 4, probe - center, (hi - lo) / 2);
    int64_t resumed_at = first - lag;
    printf("the capture plays the session from %.3f s (lost at %.0f s, shown rounded)\n",
           (double)resumed_at / rate, lost_seconds);
    check(resumed_at > lost - rate && resumed_at < lost + 3 * rate / 2,
          "it plays on from about where the device was lost");
    double diff = max_difference(cap, ref, lag, first + fade - lag, last_sound(ref) + 1, 1.0);
    printf("after the fade-in, differs from the render by at most %.2g\n", diff);
    check(diff < MATCH, "then the rest of the session is the offline render");
    double head = peak(cap, first, first + rate / 100);
    double later = peak(cap, first + fade + rate / 10, first + fade + rate / 5);
    printf("peak %.5f in the first 10 ms, %.4f after the fade-in\n", head, later);
    check(head < 0.05 * later, "the sound fades in rather than starts at full level");
    return failed;
}

static int check_heard(const audio *cap, const audio *ref, double resume_seconds)
{
    int64_t lag = locate_start(cap, ref);
    double heard = (double)(cap->frames - lag) / rate;
    printf("the sound stopped %.3f s into the session; breathe says --start %.0f\n", heard,
           resume_seconds);
    check(resume_seconds > heard - 1.25 && resume_seconds < heard + 0.25,
          "the position to resume from is where the sound stopped, within a second");
    return failed;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: check_controls pause|skip|volume|stop|resume|heard CAPTURE.raw "
                        "REFERENCE.wav [NEXT.wav] NUMBER\n");
        return 2;
    }
    const char *mode = argv[1];
    audio cap, ref, next = { NULL, 0 };
    if (!read_wav(argv[3], &ref) || !read_raw(argv[2], &cap))
        return 2;
    if (strcmp(mode, "pause") == 0)
        return check_pause(&cap, &ref, atof(argv[4])) ? 1 : 0;
    if (strcmp(mode, "volume") == 0)
        return check_volume(&cap, &ref, atof(argv[4])) ? 1 : 0;
    if (strcmp(mode, "resume") == 0)
        return check_resume(&cap, &ref, atof(argv[4])) ? 1 : 0;
    if (strcmp(mode, "stop") == 0)
        return check_stop(&cap, &ref, atof(argv[4])) ? 1 : 0;
    if (strcmp(mode, "heard") == 0)
        return check_heard(&cap, &ref, atof(argv[4])) ? 1 : 0;
    if (strcmp(mode, "skip") == 0 && argc == 6) {
        if (!read_wav(argv[4], &next))
            return 2;
        return check_skip(&cap, &ref, &next, atof(argv[5])) ? 1 : 0;
    }
    fprintf(stderr, "check_controls: unknown mode or arguments\n");
    return 2;
}
