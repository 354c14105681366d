/* testaudio.h: files for tests.
 *
 * Tests that need audio on disk write it here from a formula, in a fresh
 * folder under /tmp, and read rendered files back; sessions and other text
 * files are written the same way. Every function returns 0 (or a non-NULL
 * pointer) on success and prints the reason on stderr otherwise, so a test
 * can simply assert on the result. */
#ifndef BREATHE_TESTAUDIO_H
#define BREATHE_TESTAUDIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The value of one sample: frame counts from 0 at the file's own rate. */
typedef double (*testaudio_sample_fn)(int64_t frame, int channel, void *context);

/* Writes `frames` frames of `channels` channels at `rate` to path, in
 * libsndfile format sf_format (e.g. SF_FORMAT_WAV | SF_FORMAT_FLOAT). Values
 * are passed to libsndfile as double, unclamped: a float WAV keeps NaN or
 * 5.0 exactly. frames may be 0 (an empty but valid file). */
int testaudio_write(const char *path, int sf_format, int rate, int channels, int64_t frames,
                    testaudio_sample_fn sample, void *context);

/* A tone burst: silence, then amplitude * sin(2 pi hz (frame - start) / rate)
 * from frame `start` for `length` frames, then silence again; the same on
 * every channel. Onset and ending are shaped by a raised-cosine ramp of
 * TESTAUDIO_BURST_RAMP_SECONDS, so the burst has no clicks and its spectrum
 * stays far below the Nyquist frequency of any rate used in the tests. */
#define TESTAUDIO_BURST_RAMP_SECONDS 0.0005
typedef struct {
    int rate;
    int64_t start;
    int64_t length;
    double hz;
    double amplitude;
} testaudio_burst;

/* The burst's value at a time in seconds (continuous; 0 outside it). The
 * value at frame n of the file is testaudio_burst_at(b, n / (double)b->rate). */
double testaudio_burst_at(const testaudio_burst *burst, double seconds);

int testaudio_write_burst(const char *path, int sf_format, int channels, int64_t frames,
                          const testaudio_burst *burst);

/* Music for streaming tests: two tones, different on each channel, with a
 * slow swell, so no two nearby frames are alike and a frame read from the
 * wrong position shows. Written to dir/name, `seconds` long at `rate`: a
 * 24-bit FLAC when the name holds ".flac", else a float WAV. Returns the
 * path, allocated. */
char *testaudio_write_music(const char *dir, const char *name, int rate, int channels,
                            double seconds);

/* Everything left to read from a stream (a file, a pipe), as text with a
 * '\0' after it; its length in *size when size is not NULL. Allocated. */
char *testaudio_read_stream(FILE *stream, size_t *size);

/* The whole file at path, the same way. */
char *testaudio_read_text(const char *path, size_t *size);

/* At most size - 1 bytes of the file at path into buffer, with a '\0'
 * after them. A file that cannot be opened leaves buffer empty and
 * returns -1 (quietly: a test may expect no file there). */
int testaudio_read_into(const char *path, char *buffer, size_t size);

/* A WAV file of any length written in a moment: a 44-byte header that
 * announces data_bytes of samples (format_tag 1 for integer PCM, 3 for
 * IEEE float; `bits` per sample), then a sparse body of zeros as long as
 * announced. For files too large to write sample by sample. */
int testaudio_write_sparse_wav(const char *path, int format_tag, int channels, int rate,
                               int bits, uint64_t data_bytes);

/* Reads any file libsndfile can open as interleaved float (values as
 * libsndfile returns them). The caller frees *samples. */
int testaudio_read(const char *path, float **samples, int64_t *frames, int *channels,
                   int *rate);

/* A new empty folder under /tmp (mkdtemp); the caller frees the string. */
char *testaudio_temp_dir(void);

/* dir + "/" + name, allocated. */
char *testaudio_path(const char *dir, const char *name);

/* Removes the files directly inside dir, then dir itself; returns how many
 * entries it found besides "." and ".." (so a test can check that nothing
 * unexpected was left behind). */
int testaudio_remove_dir(const char *dir);

/* How many entries dir holds besides "." and ".." (0 when it cannot be
 * read), so a test can check that no stray file was left there. */
int testaudio_count_entries(const char *dir);

/* The test's own folder, as a cmocka fixture: testaudio_dir_setup makes a
 * fresh folder under /tmp and sets testaudio_dir (and *state) to it;
 * testaudio_dir_teardown removes it with everything in it. Use them for
 * each test (cmocka_unit_test_setup_teardown) or for the whole group
 * (cmocka_run_group_tests). */
extern char *testaudio_dir;
int testaudio_dir_setup(void **state);
int testaudio_dir_teardown(void **state);

/* A cmocka test that runs in a fresh testaudio_dir of its own. */
#define TESTAUDIO_TEST_IN_DIR(test) \
    cmocka_unit_test_setup_teardown(test, testaudio_dir_setup, testaudio_dir_teardown)

/* Writes text to dir/name, replacing any file there; returns the path,
 * allocated. */
char *testaudio_write_text(const char *dir, const char *name, const char *text);

/* A "Name: N kB" field of /proc/self/status, such as VmRSS (resident now)
 * or VmHWM (the peak so far), in kB; -1 when it cannot be read. */
long testaudio_status_kb(const char *field);

/* Root mean square of one channel of interleaved samples over [from, to). */
double testaudio_rms(const float *samples, int channels, int channel, int64_t from, int64_t to);

#endif
