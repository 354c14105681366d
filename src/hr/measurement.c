/* measurement.c: see measurement.h. */
#include "hr/measurement.h"

#include <string.h>

enum {
    FLAG_RATE_16_BITS = 1 << 0,
    FLAG_CONTACT = 1 << 1,
    FLAG_CONTACT_SUPPORTED = 1 << 2,
    FLAG_ENERGY = 1 << 3,
    FLAG_INTERVALS = 1 << 4,
};

static unsigned little_endian_16(const uint8_t *bytes)
{
    return (unsigned)bytes[0] | (unsigned)bytes[1] << 8;
}

hr_measurement_result hr_measurement_parse(const uint8_t *bytes, size_t size,
                                           hr_measurement *out)
{
    if (size < 2)
        return HR_MEASUREMENT_TOO_SHORT;
    if (size > HR_MEASUREMENT_MAX_BYTES)
        return HR_MEASUREMENT_TOO_LONG;
    memset(out, 0, sizeof *out);
    unsigned flags = bytes[0];
    size_t at = 1;
    if (flags & FLAG_RATE_16_BITS) {
        if (size < at + 2)
            return HR_MEASUREMENT_MISSING_RATE;
        out->heart_rate = little_endian_16(bytes + at);
        at += 2;
    } else {
        out->heart_rate = bytes[at++];
    }
    out->contact_supported = (flags & FLAG_CONTACT_SUPPORTED) != 0;
    out->contact = (flags & FLAG_CONTACT) != 0;
    if (flags & FLAG_ENERGY) {
        if (size < at + 2)
            return HR_MEASUREMENT_MISSING_ENERGY;
        out->has_energy = true;
        out->energy_kilojoules = little_endian_16(bytes + at);
        at += 2;
    }
    if (!(flags & FLAG_INTERVALS) || at == size)
        return HR_MEASUREMENT_NO_INTERVALS;
    if ((size - at) % 2 != 0)
        return HR_MEASUREMENT_ODD_INTERVALS;
    for (; at < size; at += 2) {
        unsigned ticks = little_endian_16(bytes + at);
        if (ticks == 0)
            return HR_MEASUREMENT_ZERO_INTERVAL;
        out->interval_ms[out->interval_count++] = ticks * 1000.0 / 1024.0;
    }
    return HR_MEASUREMENT_OK;
}

const char *hr_measurement_result_text(hr_measurement_result result)
{
    switch (result) {
    case HR_MEASUREMENT_OK: return "a measurement";
    case HR_MEASUREMENT_TOO_SHORT: return "shorter than a flags byte and a rate";
    case HR_MEASUREMENT_TOO_LONG: return "longer than an attribute can be";
    case HR_MEASUREMENT_MISSING_RATE: return "the flags promise a 16-bit rate that is not there";
    case HR_MEASUREMENT_MISSING_ENERGY: return "the flags promise an energy field that is not there";
    case HR_MEASUREMENT_NO_INTERVALS: return "no RR intervals";
    case HR_MEASUREMENT_ODD_INTERVALS: return "the RR field ends in the middle of an interval";
    case HR_MEASUREMENT_ZERO_INTERVAL: return "an RR interval of 0";
    }
    return "";
}
