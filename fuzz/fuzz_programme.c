/* fuzz_programme.c: libFuzzer harness for the programme loader and the plan.
 *
 * Each input is the text of a programme file, written to a private folder
 * and loaded. A programme that loads is then planned against a small
 * history made from its own sessions, on days before, at and long after
 * the day following began, and every number of the plan is checked to be
 * in range. A crash, a leak, undefined behaviour, a hang or a plan out of
 * range is a finding. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/programme.h"
#include "play/plan.h"

enum { HISTORY_RECORDS = 64 };

static char folder[] = "/tmp/breathe-fuzz-programme-XXXXXX";
static char programme_path[sizeof folder + 32];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void remove_folder(void)
{
    unlink(programme_path);
    rmdir(folder);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (mkdtemp(folder) == NULL) {
        perror("mkdtemp");
        abort();
    }
    snprintf(programme_path, sizeof programme_path, "%s/input.cfg", folder);
    atexit(remove_folder);
    return 0;
}

static void check_plan(const programme *p, const plan *pl)
{
    if (pl->week < 0 || pl->week >= p->week_count || pl->day_in_week < 0
        || pl->day_in_week > 6 || pl->next < -1 || pl->next >= p->weeks[pl->week].session_count)
        abort();
    for (int i = 0; i < p->weeks[pl->week].session_count; i++) {
        const plan_dose *d = &pl->doses[i];
        if (d->done < 0 || d->done > d->needed * 7 || d->done_today < 0 || d->missed < 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *file = fopen(programme_path, "wb");
    if (!file || fwrite(data, 1, size, file) != size || fclose(file) != 0)
        abort();
    programme *p = NULL;
    if (programme_load(programme_path, &p, NULL) != 0)
        return 0;
    /* A history of the programme's own sessions, one or two a day. */
    static history_record records[HISTORY_RECORDS];
    const int64_t start = 20000;
    size_t count = 0;
    for (int w = 0; w < p->week_count && count < HISTORY_RECORDS; w++)
        for (int i = 0; i < p->weeks[w].session_count && count < HISTORY_RECORDS; i++) {
            history_record *r = &records[count];
            memset(r, 0, sizeof *r);
            r->start = (start + (int64_t)count / 2) * 86400 + 36000;
            r->outcome = count % 5 ? HISTORY_COMPLETED : HISTORY_STOPPED;
            snprintf(r->session, sizeof r->session, "%s", p->weeks[w].sessions[i].session);
            count++;
        }
    static const int64_t days[] = { -400, 0, 3, 17, 40, 3650 };
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        plan pl;
        if (plan_compute(p, start, records, count, start + days[i], &pl) == 0)
            check_plan(p, &pl);
    }
    programme_free(p);
    return 0;
}
