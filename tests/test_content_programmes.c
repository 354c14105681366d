/* The bundled programmes as a follower gets them (suite "content"): every
 * file in programmes/ loads; its header cites its sources
 * (docs/research/evidence.md) and says that results take weeks; every
 * session it names is a bundled session; and every week's dose of each
 * session lies inside the range its header gives for it, in lines
 *
 *   # dose: NAME days_per_week MIN-MAX times_per_day MIN-MAX (sources)
 *
 * one for each session the programme names, and none for a session it does
 * not name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/programme.h"
#include "testreport.h"

enum { MAX_RANGES = 64, NAME_MAX_LENGTH = 128 };

typedef struct {
    char session[NAME_MAX_LENGTH];
    int days_min, days_max, times_min, times_max;
    int line;
    bool used;
} dose_range;

static const char *source_dir;

/* The `# dose:` lines of the file's header; false (after printing why) when
 * one is malformed. */
static bool read_ranges(const char *path, dose_range *ranges, int *count, bool *cites,
                        bool *says_weeks)
{
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    char line[1024];
    bool ok = true;
    *count = 0;
    *cites = *says_weeks = false;
    for (int number = 1; fgets(line, sizeof line, file); number++) {
        if (line[0] != '#')
            break;   /* the header is the comment at the top */
        *cites = *cites || strstr(line, "evidence.md");
        *says_weeks = *says_weeks || strstr(line, "take weeks");
        if (strncmp(line, "# dose:", 7) != 0)
            continue;
        dose_range *r = &ranges[*count];
        memset(r, 0, sizeof *r);
        r->line = number;
        if (*count == MAX_RANGES
            || sscanf(line, "# dose: %127s days_per_week %d-%d times_per_day %d-%d", r->session,
                      &r->days_min, &r->days_max, &r->times_min, &r->times_max) != 5
            || r->days_min < 1 || r->days_max > 7 || r->days_min > r->days_max
            || r->times_min < 1 || r->times_min > r->times_max || !strchr(line, '(')) {
            print_error("%s:%d: write '# dose: NAME days_per_week MIN-MAX times_per_day "
                        "MIN-MAX (sources)'\n", path, number);
            ok = false;
            continue;
        }
        ++*count;
    }
    fclose(file);
    return ok;
}

static bool session_is_bundled(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/sessions/%s.cfg", source_dir, name);
    return access(path, R_OK) == 0;
}

/* Every check of one programme; the number of problems found. */
static int check_programme(const char *file_name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/programmes/%s", source_dir, file_name);
    programme *p = NULL;
    if (programme_load(path, &p, REPORT_TO_STDERR) != 0)
        return 1;
    dose_range ranges[MAX_RANGES];
    int range_count;
    bool cites, says_weeks;
    int problems = !read_ranges(path, ranges, &range_count, &cites, &says_weeks);
    if (!cites || !says_weeks) {
        print_error("%s: the header must cite docs/research/evidence.md and say that results "
                    "take weeks of regular practice\n", path);
        problems++;
    }
    for (int w = 0; w < p->week_count; w++) {
        for (int i = 0; i < p->weeks[w].session_count; i++) {
            const programme_dose *dose = &p->weeks[w].sessions[i];
            if (!session_is_bundled(dose->session)) {
                print_error("%s: week %d names '%s', which is not in sessions/\n", path, w + 1,
                            dose->session);
                problems++;
            }
            dose_range *range = NULL;
            for (int r = 0; r < range_count && !range; r++)
                if (strcmp(ranges[r].session, dose->session) == 0)
                    range = &ranges[r];
            if (!range) {
                print_error("%s: no '# dose:' line gives the range for '%s'\n", path,
                            dose->session);
                problems++;
                continue;
            }
            range->used = true;
            if (dose->days_per_week < range->days_min || dose->days_per_week > range->days_max
                || dose->times_per_day < range->times_min
                || dose->times_per_day > range->times_max) {
                print_error("%s: week %d gives '%s' %d days a week, %d a day, outside its "
                            "range at line %d (%d-%d days, %d-%d a day)\n", path, w + 1,
                            dose->session, dose->days_per_week, dose->times_per_day,
                            range->line, range->days_min, range->days_max, range->times_min,
                            range->times_max);
                problems++;
            }
        }
    }
    for (int r = 0; r < range_count; r++) {
        if (!ranges[r].used) {
            print_error("%s:%d: '%s' has a dose range but no week names it\n", path,
                        ranges[r].line, ranges[r].session);
            problems++;
        }
    }
    programme_free(p);
    return problems;
}

static void every_bundled_programme_is_sound(void **state)
{
    (void)state;
    char folder[4096];
    snprintf(folder, sizeof folder, "%s/programmes", source_dir);
    DIR *dir = opendir(folder);
    assert_non_null(dir);
    int found = 0, problems = 0;
    for (struct dirent *entry; (entry = readdir(dir));) {
        size_t length = strlen(entry->d_name);
        if (length <= 4 || strcmp(entry->d_name + length - 4, ".cfg") != 0)
            continue;
        found++;
        problems += check_programme(entry->d_name);
    }
    closedir(dir);
    assert_true(found >= 1);
    if (problems)
        fail_msg("%d problems in the bundled programmes", problems);
}

/* The checks themselves find what they are for: a dose out of its range, a
 * session that is not bundled, a session with no range. */
static void the_checks_find_each_problem(void **state)
{
    (void)state;
    static const char text[] =
        "# A test programme; docs/research/evidence.md. Results take weeks.\n"
        "# dose: neck-stretch days_per_week 3-7 times_per_day 1-1 (test)\n"
        "# dose: heat days_per_week 1-2 times_per_day 1-1 (test)\n"
        "title = \"t\";\n"
        "weeks = ( { sessions = (\n"
        "  { session = \"neck-stretch\"; days_per_week = 2; },\n"
        "  { session = \"no-such-session\"; days_per_week = 1; },\n"
        "  { session = \"cold\"; days_per_week = 1; } ); } );\n";
    char folder[] = "/tmp/breathe-content-programme-XXXXXX";
    assert_non_null(mkdtemp(folder));
    char programmes[sizeof folder + 16], path[sizeof folder + 32];
    snprintf(programmes, sizeof programmes, "%s/programmes", folder);
    snprintf(path, sizeof path, "%s/bad.cfg", programmes);
    /* A folder laid out like the source tree, with its sessions linked in. */
    char sessions_link[sizeof folder + 16], sessions[4096];
    snprintf(sessions_link, sizeof sessions_link, "%s/sessions", folder);
    snprintf(sessions, sizeof sessions, "%s/sessions", source_dir);
    assert_int_equal(symlink(sessions, sessions_link), 0);
    assert_int_equal(mkdir(programmes, 0700), 0);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
    const char *kept = source_dir;
    source_dir = folder;
    /* neck-stretch 2 days < 3; no-such-session not bundled and no range;
     * cold no range; heat a range no week uses. */
    assert_int_equal(check_programme("bad.cfg"), 5);
    source_dir = kept;
    unlink(path);
    rmdir(programmes);
    unlink(sessions_link);
    rmdir(folder);
}

int main(void)
{
    source_dir = getenv("BREATHE_SOURCE_DIR");
    if (!source_dir) {
        fprintf(stderr, "test_content_programmes: set BREATHE_SOURCE_DIR\n");
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_checks_find_each_problem),
        cmocka_unit_test(every_bundled_programme_is_sound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
