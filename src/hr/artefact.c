/* artefact.c: see artefact.h. */
#include "hr/artefact.h"

#include <math.h>
#include <string.h>

void hr_artefact_reset(hr_artefact *a)
{
    memset(a, 0, sizeof *a);
}

double hr_artefact_median(double *values, size_t count)
{
    /* At most a window's worth: insertion sort is plenty. */
    for (size_t i = 1; i < count; i++) {
        double v = values[i];
        size_t j = i;
        for (; j > 0 && values[j - 1] > v; j--)
            values[j] = values[j - 1];
        values[j] = v;
    }
    return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2.0;
}

static void remember_clean(hr_artefact *a, double interval)
{
    a->clean[a->clean_next] = interval;
    a->clean_next = (a->clean_next + 1) % HR_ARTEFACT_WINDOW;
    if (a->clean_count < HR_ARTEFACT_WINDOW)
        a->clean_count++;
}

/* The flagged run agrees among itself: every one within the threshold of
 * the run's median. */
static bool flagged_run_agrees(const hr_artefact *a)
{
    double run[HR_ARTEFACT_RESET];
    memcpy(run, a->flagged, sizeof run);
    double median = hr_artefact_median(run, HR_ARTEFACT_RESET);
    for (size_t i = 0; i < HR_ARTEFACT_RESET; i++) {
        if (fabs(a->flagged[i] - median) > HR_ARTEFACT_THRESHOLD_MS)
            return false;
    }
    return true;
}

bool hr_artefact_check(hr_artefact *a, double raw, double *corrected)
{
    *corrected = raw;
    if (a->clean_count < HR_ARTEFACT_LEAST) {
        remember_clean(a, raw);
        return false;
    }
    double window[HR_ARTEFACT_WINDOW];
    size_t count = a->clean_count;
    memcpy(window, a->clean, count * sizeof *window);
    double median = hr_artefact_median(window, count);
    if (fabs(raw - median) <= HR_ARTEFACT_THRESHOLD_MS) {
        a->flagged_count = 0;
        remember_clean(a, raw);
        return false;
    }
    a->flagged[a->flagged_count++] = raw;
    if (a->flagged_count == HR_ARTEFACT_RESET) {
        if (flagged_run_agrees(a)) {
            /* A new pace: these beats are the reference from now on, and
             * this one is taken as it is. */
            double run[HR_ARTEFACT_RESET];
            memcpy(run, a->flagged, sizeof run);
            hr_artefact_reset(a);
            for (size_t i = 0; i < HR_ARTEFACT_RESET; i++)
                remember_clean(a, run[i]);
            return false;
        }
        memmove(a->flagged, a->flagged + 1, (HR_ARTEFACT_RESET - 1) * sizeof *a->flagged);
        a->flagged_count--;
    }
    *corrected = median;
    return true;
}
