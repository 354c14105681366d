/* fuzz_hr.c: libFuzzer harness for what a heart-rate source hands breathe.
 *
 * The first byte picks the parser. Odd: the rest is one Heart Rate
 * Measurement notification (hr/measurement.h), as a strap would send it;
 * on success every interval must be positive and at most 64 s (16 bits of
 * 1/1024 s), and the fields must account for every byte; the intervals then
 * go through the threshold check (hr/artefact.h), whose corrected interval
 * must be positive and finite. Even: the rest is RR text (hr/rr_text.h), a
 * line at a time, as `--hr FILE` reads it; every interval it accepts must
 * lie in the range it promises. A crash, undefined behaviour or a broken
 * promise is a finding. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hr/artefact.h"
#include "hr/measurement.h"
#include "hr/rr_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_measurement(const uint8_t *bytes, size_t size)
{
    hr_measurement m;
    hr_measurement_result result = hr_measurement_parse(bytes, size, &m);
    if (result != HR_MEASUREMENT_OK && result != HR_MEASUREMENT_NO_INTERVALS)
        return;
    size_t fields = 1 + ((bytes[0] & 1) ? 2 : 1) + (m.has_energy ? 2 : 0);
    if (result == HR_MEASUREMENT_OK && fields + 2 * m.interval_count != size)
        abort();
    if (m.interval_count > HR_MEASUREMENT_MAX_INTERVALS)
        abort();
    hr_artefact check;
    hr_artefact_reset(&check);
    for (size_t i = 0; i < m.interval_count; i++) {
        double interval = m.interval_ms[i];
        if (!(interval > 0.0) || interval > 65535 * 1000.0 / 1024.0)
            abort();
        double corrected;
        hr_artefact_check(&check, interval, &corrected);
        if (!isfinite(corrected) || corrected <= 0.0)
            abort();
    }
}

static void check_text(const uint8_t *bytes, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return;
    memcpy(text, bytes, size);
    text[size] = '\0';
    hr_rr_text reader;
    hr_rr_text_init(&reader);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        double interval = 0.0;
        char why[256];
        hr_rr_text_result r = hr_rr_text_line(&reader, line, &interval, why, sizeof why);
        if (r == HR_RR_TEXT_INTERVAL
            && !(interval >= HR_RR_TEXT_LEAST_MS && interval <= HR_RR_TEXT_MOST_MS))
            abort();
        if (r == HR_RR_TEXT_BAD && why[0] == '\0')
            abort();
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        check_measurement(data + 1, size - 1);
    else
        check_text(data + 1, size - 1);
    return 0;
}
