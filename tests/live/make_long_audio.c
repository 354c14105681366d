/* make_long_audio: writes a long test recording, quickly.
 *
 *   make_long_audio PATH SECONDS RATE CHANNELS
 *
 * A 16-bit WAV of two tones (220 and 330 Hz) under slow, unrelated swells,
 * so no stretch of it repeats a nearby one: an hour at 16 kHz mono takes
 * about a second to write and 115 MB of disk. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <sndfile.h>

#include "../testaudio.h"

static double long_signal(int64_t frame, int channel, void *context)
{
    double t = (double)frame / *(const int *)context;
    double swell_a = 0.55 + 0.45 * sin(2 * M_PI * 0.173 * t);
    double swell_b = 0.55 + 0.45 * sin(2 * M_PI * 0.0619 * t + channel);
    return 0.35 * swell_a * sin(2 * M_PI * 220.0 * t) + 0.25 * swell_b * sin(2 * M_PI * 330.0 * t);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: make_long_audio PATH SECONDS RATE CHANNELS\n");
        return 2;
    }
    double seconds = atof(argv[2]);
    int rate = atoi(argv[3]), channels = atoi(argv[4]);
    if (seconds <= 0 || rate < 1000 || channels < 1 || channels > 8) {
        fprintf(stderr, "make_long_audio: bad length, rate or channels\n");
        return 2;
    }
    int64_t frames = (int64_t)llround(seconds * rate);
    return testaudio_write(argv[1], SF_FORMAT_WAV | SF_FORMAT_PCM_16, rate, channels, frames,
                           long_signal, &rate) == 0 ? 0 : 1;
}
