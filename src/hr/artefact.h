/* artefact.h: the live check of each RR interval, Kubios' threshold method
 * (Tarvainen et al. 2014, "Kubios HRV - Heart rate variability analysis
 * software", Comput Methods Programs Biomed 113:210), "medium" threshold.
 *
 * An interval that differs from the median of the clean intervals before
 * it (the last HR_ARTEFACT_WINDOW of them) by more than
 * HR_ARTEFACT_THRESHOLD_MS is flagged and replaced by that median: an
 * ectopic, missed or extra beat does not throw the heart rate shown or the
 * swing of a breath. The raw interval is kept by the caller (the
 * recording's rr_raw_ms). Two guards keep the reference honest: the first
 * HR_ARTEFACT_LEAST intervals are taken as they are (there is nothing to
 * compare them with), and HR_ARTEFACT_RESET flagged intervals in a row
 * that agree among themselves mean the heart has changed pace, not that
 * every beat is wrong: the reference starts again from them. After a gap
 * in the beats, hr_artefact_reset() starts it afresh.
 * Pure: no clock, no I/O. */
#ifndef BREATHE_HR_ARTEFACT_H
#define BREATHE_HR_ARTEFACT_H

#include <stdbool.h>
#include <stddef.h>

#define HR_ARTEFACT_THRESHOLD_MS 250.0
enum { HR_ARTEFACT_WINDOW = 11, HR_ARTEFACT_LEAST = 1, HR_ARTEFACT_RESET = 5 };

typedef struct {
    double clean[HR_ARTEFACT_WINDOW];   /* a ring of the last clean intervals */
    size_t clean_count, clean_next;
    double flagged[HR_ARTEFACT_RESET];  /* raw intervals flagged in a row */
    size_t flagged_count;
} hr_artefact;

void hr_artefact_reset(hr_artefact *a);

/* Checks one interval (ms, > 0). Returns true when it is an artefact, with
 * *corrected the median it is replaced by; else *corrected = raw. */
bool hr_artefact_check(hr_artefact *a, double raw, double *corrected);

/* The median of count values (count >= 1); the values are reordered. */
double hr_artefact_median(double *values, size_t count);

#endif
