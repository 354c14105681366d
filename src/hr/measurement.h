/* measurement.h: the Bluetooth Heart Rate Measurement characteristic
 * (0x2A37 of the Heart Rate Service 0x180D), as a strap notifies it.
 *
 * A notification is a flags byte, then the heart rate (8 bits, or 16 bits
 * little-endian when flag bit 0 is set), then the energy expended (16 bits,
 * when bit 3 is set), then RR intervals (16 bits each in 1/1024 s, when bit
 * 4 is set) to the end. Bits 1 and 2 say whether the sensor touches the
 * skin. Pure: bytes in, a measurement or the reason it was rejected out. */
#ifndef BREATHE_HR_MEASUREMENT_H
#define BREATHE_HR_MEASUREMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most intervals one notification can hold: an attribute is at most
 * 512 bytes (Bluetooth Core, ATT). */
enum { HR_MEASUREMENT_MAX_BYTES = 512, HR_MEASUREMENT_MAX_INTERVALS = 255 };

typedef enum {
    HR_MEASUREMENT_OK,
    HR_MEASUREMENT_TOO_SHORT,       /* no flags byte and rate */
    HR_MEASUREMENT_TOO_LONG,        /* more than an attribute can hold */
    HR_MEASUREMENT_MISSING_RATE,    /* 16-bit rate flagged, one byte there */
    HR_MEASUREMENT_MISSING_ENERGY,  /* energy flagged, not there */
    HR_MEASUREMENT_NO_INTERVALS,    /* no RR field: not flagged, or flagged and empty */
    HR_MEASUREMENT_ODD_INTERVALS,   /* an RR field cut in the middle of an interval */
    HR_MEASUREMENT_ZERO_INTERVAL,   /* an interval of 0, which no heart beats */
} hr_measurement_result;

typedef struct {
    unsigned heart_rate;            /* beats a minute, as the strap counts them */
    bool contact_supported, contact; /* flag bits 2 and 1 */
    bool has_energy;
    unsigned energy_kilojoules;
    size_t interval_count;
    double interval_ms[HR_MEASUREMENT_MAX_INTERVALS];   /* oldest first */
} hr_measurement;

/* Parses one notification. On HR_MEASUREMENT_OK every field is set; on
 * HR_MEASUREMENT_NO_INTERVALS the rate (and energy) are set and there are
 * no intervals (a strap sends that when no beat ended since the last
 * notification); on anything else *out is unspecified. */
hr_measurement_result hr_measurement_parse(const uint8_t *bytes, size_t size,
                                           hr_measurement *out);

/* What a result means, in a few words ("flags promise a 16-bit rate that
 * is not there"). */
const char *hr_measurement_result_text(hr_measurement_result result);

#endif
