#define _XOPEN_SOURCE 700   /* nftw */
#include "testaudio.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WRITE_BLOCK 4096

int testaudio_write(const char *path, int sf_format, int rate, int channels, int64_t frames,
                    testaudio_sample_fn sample, void *context)
{
    SF_INFO info = { .samplerate = rate, .channels = channels, .format = sf_format };
    SNDFILE *file = sf_open(path, SFM_WRITE, &info);
    if (file == NULL) {
        fprintf(stderr, "testaudio: cannot write %s: %s\n", path, sf_strerror(NULL));
        return -1;
    }
    /* Keep values as given: no clipping, no normalisation surprises. */
    sf_command(file, SFC_SET_CLIPPING, NULL, SF_FALSE);
    double *block = malloc(sizeof(double) * (size_t)channels * WRITE_BLOCK);
    if (block == NULL) {
        sf_close(file);
        return -1;
    }
    int status = 0;
    for (int64_t done = 0; done < frames && status == 0;) {
        int64_t n = frames - done < WRITE_BLOCK ? frames - done : WRITE_BLOCK;
        for (int64_t i = 0; i < n; i++)
            for (int c = 0; c < channels; c++)
                block[i * channels + c] = sample(done + i, c, context);
        if (sf_writef_double(file, block, n) != n) {
            fprintf(stderr, "testaudio: cannot write %s: %s\n", path, sf_strerror(file));
            status = -1;
        }
        done += n;
    }
    free(block);
    int closed = sf_close(file);
    if (closed != 0) {
        fprintf(stderr, "testaudio: cannot close %s: %s\n", path, sf_error_number(closed));
        status = -1;
    }
    return status;
}

double testaudio_burst_at(const testaudio_burst *burst, double seconds)
{
    double start = (double)burst->start / burst->rate;
    double length = (double)burst->length / burst->rate;
    double t = seconds - start;
    if (t < 0.0 || t >= length)
        return 0.0;
    double ramp = TESTAUDIO_BURST_RAMP_SECONDS;
    double envelope = 1.0;
    if (t < ramp)
        envelope = 0.5 - 0.5 * cos(M_PI * t / ramp);
    else if (length - t < ramp)
        envelope = 0.5 - 0.5 * cos(M_PI * (length - t) / ramp);
    return burst->amplitude * envelope * sin(2.0 * M_PI * burst->hz * t);
}

static double burst_sample(int64_t frame, int channel, void *context)
{
    const testaudio_burst *burst = context;
    return testaudio_burst_at(burst, (double)frame / burst->rate);
}

int testaudio_write_burst(const char *path, int sf_format, int channels, int64_t frames,
                          const testaudio_burst *burst)
{
    testaudio_burst copy = *burst;
    return testaudio_write(path, sf_format, burst->rate, channels, frames, burst_sample, &copy);
}

int testaudio_read(const char *path, float **samples, int64_t *frames, int *channels,
                   int *rate)
{
    *samples = NULL;
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *file = sf_open(path, SFM_READ, &info);
    if (file == NULL) {
        fprintf(stderr, "testaudio: cannot read %s: %s\n", path, sf_strerror(NULL));
        return -1;
    }
    /* Count by reading: the header's count is a hint for some formats. */
    size_t capacity = info.frames > 0 ? (size_t)info.frames : WRITE_BLOCK;
    float *data = malloc(sizeof(float) * (size_t)info.channels * capacity);
    int64_t total = 0;
    while (data != NULL) {
        if ((size_t)total == capacity) {
            capacity *= 2;
            float *grown = realloc(data, sizeof(float) * (size_t)info.channels * capacity);
            if (grown == NULL) {
                free(data);
                data = NULL;
                break;
            }
            data = grown;
        }
        sf_count_t got = sf_readf_float(file, data + total * info.channels,
                                        (sf_count_t)(capacity - (size_t)total));
        if (got <= 0)
            break;
        total += got;
    }
    sf_close(file);
    if (data == NULL)
        return -1;
    *samples = data;
    *frames = total;
    *channels = info.channels;
    *rate = info.samplerate;
    return 0;
}

char *testaudio_temp_dir(void)
{
    char *dir = strdup("/tmp/breathe-test-XXXXXX");
    if (dir != NULL && mkdtemp(dir) == NULL) {
        fprintf(stderr, "testaudio: mkdtemp: %s\n", strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

char *testaudio_path(const char *dir, const char *name)
{
    size_t size = strlen(dir) + strlen(name) + 2;
    char *path = malloc(size);
    if (path != NULL)
        snprintf(path, size, "%s/%s", dir, name);
    return path;
}

int testaudio_remove_dir(const char *dir)
{
    DIR *folder = opendir(dir);
    if (folder == NULL)
        return -1;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(folder)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        count++;
        char *path = testaudio_path(dir, entry->d_name);
        if (path != NULL && unlink(path) != 0)
            rmdir(path);
        free(path);
    }
    closedir(folder);
    rmdir(dir);
    return count;
}

static double music_sample(int64_t frame, int channel, void *context)
{
    int rate = *(const int *)context;
    double t = (double)frame / rate;
    double swell = 0.6 + 0.3 * sin(2 * M_PI * 0.37 * t);
    return swell * (0.5 * sin(2 * M_PI * (channel ? 331.0 : 220.0) * t)
                    + 0.2 * sin(2 * M_PI * 1234.5 * t + channel));
}

char *testaudio_write_music(const char *dir, const char *name, int rate, int channels,
                            double seconds)
{
    char *path = testaudio_path(dir, name);
    if (path == NULL)
        return NULL;
    int format = strstr(name, ".flac") ? SF_FORMAT_FLAC | SF_FORMAT_PCM_24
                                       : SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    if (testaudio_write(path, format, rate, channels, (int64_t)llround(seconds * rate),
                        music_sample, &rate) != 0) {
        free(path);
        return NULL;
    }
    return path;
}

char *testaudio_read_stream(FILE *stream, size_t *size)
{
    size_t used = 0, capacity = 4096;
    char *text = malloc(capacity);
    size_t n;
    while (text != NULL && (n = fread(text + used, 1, capacity - used - 1, stream)) > 0) {
        used += n;
        if (capacity - used < 2) {
            capacity *= 2;
            char *grown = realloc(text, capacity);
            if (grown == NULL)
                free(text);
            text = grown;
        }
    }
    if (text == NULL) {
        fprintf(stderr, "testaudio: out of memory reading a stream\n");
        return NULL;
    }
    text[used] = '\0';
    if (size != NULL)
        *size = used;
    return text;
}

char *testaudio_read_text(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "testaudio: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *text = testaudio_read_stream(file, size);
    fclose(file);
    return text;
}

int testaudio_read_into(const char *path, char *buffer, size_t size)
{
    buffer[0] = '\0';
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return -1;
    size_t n = fread(buffer, 1, size - 1, file);
    buffer[n] = '\0';
    fclose(file);
    return 0;
}

static void put_le(unsigned char *at, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; i++)
        at[i] = (unsigned char)(value >> (8 * i));
}

int testaudio_write_sparse_wav(const char *path, int format_tag, int channels, int rate,
                               int bits, uint64_t data_bytes)
{
    int block_align = channels * bits / 8;
    unsigned char header[44] = "RIFF____WAVEfmt ";
    put_le(header + 4, 36 + data_bytes, 4);
    put_le(header + 16, 16, 4);   /* fmt chunk size */
    put_le(header + 20, (uint64_t)format_tag, 2);
    put_le(header + 22, (uint64_t)channels, 2);
    put_le(header + 24, (uint64_t)rate, 4);
    put_le(header + 28, (uint64_t)rate * (uint64_t)block_align, 4);   /* bytes per second */
    put_le(header + 32, (uint64_t)block_align, 2);
    put_le(header + 34, (uint64_t)bits, 2);
    memcpy(header + 36, "data", 4);
    put_le(header + 40, data_bytes, 4);
    FILE *file = fopen(path, "wb");
    bool written = file != NULL && fwrite(header, 1, sizeof header, file) == sizeof header
                   && ftruncate(fileno(file), (off_t)(sizeof header + data_bytes)) == 0;
    if (file != NULL && fclose(file) != 0)
        written = false;
    if (!written) {
        fprintf(stderr, "testaudio: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int testaudio_count_entries(const char *dir)
{
    DIR *folder = opendir(dir);
    int count = 0;
    struct dirent *entry;
    while (folder != NULL && (entry = readdir(folder)) != NULL)
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            count++;
    if (folder != NULL)
        closedir(folder);
    return count;
}

char *testaudio_dir;

int testaudio_dir_setup(void **state)
{
    testaudio_dir = testaudio_temp_dir();
    *state = testaudio_dir;
    return testaudio_dir ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *info, int type, struct FTW *where)
{
    (void)info;
    (void)type;
    (void)where;
    if (remove(path) != 0) {
        fprintf(stderr, "testaudio: cannot remove %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int testaudio_dir_teardown(void **state)
{
    (void)state;
    /* Depth first, so each folder is empty by the time it is removed. */
    int status = nftw(testaudio_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(testaudio_dir);
    testaudio_dir = NULL;
    return status == 0 ? 0 : -1;
}

char *testaudio_write_text(const char *dir, const char *name, const char *text)
{
    char *path = testaudio_path(dir, name);
    if (path == NULL)
        return NULL;
    FILE *file = fopen(path, "w");
    bool written = file != NULL && fputs(text, file) != EOF;
    if (file != NULL && fclose(file) != 0)
        written = false;
    if (!written) {
        fprintf(stderr, "testaudio: cannot write %s: %s\n", path, strerror(errno));
        free(path);
        return NULL;
    }
    return path;
}

long testaudio_status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long kb = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            kb = strtol(line + n + 1, NULL, 10);
    fclose(f);
    return kb;
}

double testaudio_rms(const float *samples, int channels, int channel, int64_t from, int64_t to)
{
    if (to <= from)
        return 0.0;
    double sum = 0.0;
    for (int64_t i = from; i < to; i++) {
        double x = samples[i * channels + channel];
        sum += x * x;
    }
    return sqrt(sum / (double)(to - from));
}
