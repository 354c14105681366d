/* The plan of a programme from the history (play/plan.c): the first day, a
 * week completed and the next one, a partly done week, a missed week
 * repeated, several sessions a day, a gap of months, a clock that went
 * backwards, and the end of the programme. The programme is built here, so
 * each test states its dose; days are counted from a Monday. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/plan.h"

enum { MAX_RECORDS = 4096 };

/* Three weeks: strengthening on named days and range of motion on any two;
 * level 2 with movement breaks three times a day; stretches daily. */
static programme test_programme;
static history_record records[MAX_RECORDS];
static size_t record_count;
static int64_t monday;     /* 2026-11-30 */

static void set_dose(programme_dose *dose, const char *name, int days_per_week, int per_day)
{
    memset(dose, 0, sizeof *dose);
    dose->session = (char *)name;
    dose->days_per_week = days_per_week;
    dose->times_per_day = per_day;
}

static void set_days(programme_dose *dose, const char *name, const weekday *days, int count)
{
    set_dose(dose, name, count, 1);
    dose->fixed_days = true;
    for (int i = 0; i < count; i++)
        dose->on_day[days[i]] = true;
}

static int setup(void **state)
{
    (void)state;
    static const weekday mon_wed_fri[] = { WEEKDAY_MON, WEEKDAY_WED, WEEKDAY_FRI };
    programme *p = &test_programme;
    memset(p, 0, sizeof *p);
    p->title = (char *)"test";
    p->move_on = 100;
    p->week_count = 3;
    p->weeks[0].session_count = 2;
    set_days(&p->weeks[0].sessions[0], "strength", mon_wed_fri, 3);
    set_dose(&p->weeks[0].sessions[1], "rom", 2, 1);
    p->weeks[1].session_count = 2;
    set_days(&p->weeks[1].sessions[0], "strength-2", mon_wed_fri, 3);
    set_dose(&p->weeks[1].sessions[1], "break", 5, 3);
    p->weeks[2].session_count = 1;
    set_dose(&p->weeks[2].sessions[0], "stretch", 7, 1);
    record_count = 0;
    monday = history_day_number(2026, 11, 30);
    return 0;
}

/* A history line for `session` played on `day` at 09:00 in a zone an hour
 * east of UTC. */
static void played(int64_t day, const char *session, history_outcome outcome)
{
    assert_true(record_count < MAX_RECORDS);
    history_record *r = &records[record_count++];
    memset(r, 0, sizeof *r);
    r->utc_offset = 3600;
    r->start = day * 86400 + 9 * 3600 - r->utc_offset;
    r->outcome = outcome;
    r->planned_seconds = r->played_seconds = 300;
    snprintf(r->session, sizeof r->session, "%s", session);
}

static void completed(int64_t day, const char *session)
{
    played(day, session, HISTORY_COMPLETED);
}

/* The whole of week 1's dose in the period from `first`. */
static void do_week_one(int64_t first)
{
    completed(first + 0, "strength");
    completed(first + 2, "strength");
    completed(first + 4, "strength");
    completed(first + 1, "rom");
    completed(first + 3, "rom");
}

static void do_week_two(int64_t first)
{
    completed(first + 0, "strength-2");
    completed(first + 2, "strength-2");
    completed(first + 4, "strength-2");
    for (int d = 0; d < 5; d++)
        for (int i = 0; i < 3; i++)
            completed(first + d, "break");
}

static plan plan_on(int64_t today)
{
    plan result;
    assert_int_equal(plan_compute(&test_programme, monday, records, record_count, today, &result),
                     0);
    return result;
}

static void weekdays_and_names(void **state)
{
    (void)state;
    assert_int_equal(plan_weekday(0), WEEKDAY_THU);
    assert_int_equal(plan_weekday(-1), WEEKDAY_WED);
    assert_int_equal(plan_weekday(monday), WEEKDAY_MON);
    assert_int_equal(plan_weekday(monday + 6), WEEKDAY_SUN);
    assert_true(plan_names_session("neck-stretch", "neck-stretch"));
    assert_true(plan_names_session("/home/a/sessions/neck-stretch.cfg", "neck-stretch"));
    assert_true(plan_names_session("neck-stretch.cfg", "neck-stretch"));
    assert_false(plan_names_session("neck-stretch-2", "neck-stretch"));
    assert_false(plan_names_session("/x/my-neck-stretch.cfg", "neck-stretch"));
    assert_false(plan_names_session("neck", "neck-stretch"));
}

static void the_first_day_is_week_one_with_everything_due(void **state)
{
    (void)state;
    plan p = plan_on(monday);
    assert_int_equal(p.week, 0);
    assert_int_equal(p.day_in_week, 0);
    assert_int_equal(p.week_start, monday);
    assert_false(p.finished);
    assert_false(p.clock_behind);
    assert_int_equal(p.weeks[0].periods, 1);
    assert_int_equal(p.weeks[0].completed, -1);
    assert_int_equal(p.doses[0].needed, 3);
    assert_int_equal(p.doses[0].done, 0);
    assert_true(p.doses[0].due_today);     /* Monday is a named day */
    assert_true(p.doses[1].due_today);     /* any two days */
    assert_int_equal(p.next, 0);
}

static void a_named_day_session_is_not_due_on_other_days(void **state)
{
    (void)state;
    completed(monday, "strength");
    completed(monday, "rom");
    plan p = plan_on(monday + 1);   /* Tuesday: strength done Monday, not due */
    assert_int_equal(p.doses[0].done, 1);
    assert_int_equal(p.doses[0].missed, 0);
    assert_false(p.doses[0].due_today);
    assert_true(p.doses[1].due_today);
    assert_int_equal(p.next, 1);
    completed(monday + 1, "rom");
    p = plan_on(monday + 1);
    assert_false(p.doses[1].due_today);
    assert_int_equal(p.doses[1].done_today, 1);
    assert_int_equal(p.next, -1);   /* nothing is due today */
}

static void a_completed_week_moves_on(void **state)
{
    (void)state;
    do_week_one(monday);
    plan p = plan_on(monday + 6);   /* the last day: still week 1, all done */
    assert_int_equal(p.week, 0);
    assert_int_equal(p.doses[0].done, 3);
    assert_int_equal(p.doses[1].done, 2);
    assert_int_equal(p.next, -1);
    p = plan_on(monday + 7);
    assert_int_equal(p.week, 1);
    assert_int_equal(p.weeks[0].completed, monday + 6);
    assert_int_equal(p.weeks[0].periods, 1);
    assert_int_equal(p.weeks[1].periods, 1);
    assert_int_equal(p.week_start, monday + 7);
    assert_int_equal(p.doses[1].needed, 15);
    assert_int_equal(p.next, 0);
}

static void a_partly_done_week_catches_up_then_repeats(void **state)
{
    (void)state;
    completed(monday, "strength");
    completed(monday + 2, "strength");
    completed(monday + 1, "rom");
    completed(monday + 3, "rom");
    completed(monday + 3, "strength");    /* Thursday is no named day: it still counts */
    plan p = plan_on(monday + 5);   /* Saturday: Friday's was missed */
    assert_int_equal(p.doses[0].done, 3);
    assert_false(p.doses[0].due_today);
    /* Without Thursday's catch-up, Friday's is missed and due on Saturday. */
    record_count--;
    p = plan_on(monday + 5);
    assert_int_equal(p.doses[0].done, 2);
    assert_int_equal(p.doses[0].missed, 1);
    assert_true(p.doses[0].due_today);
    assert_true(p.doses[0].reachable);
    assert_int_equal(p.next, 0);
    /* The week ends short: it is repeated, not skipped. */
    p = plan_on(monday + 7);
    assert_int_equal(p.week, 0);
    assert_int_equal(p.weeks[0].periods, 2);
    assert_int_equal(p.weeks[0].completed, -1);
    assert_int_equal(p.doses[0].done, 0);
}

static void a_share_of_the_dose_moves_on_when_the_programme_says_so(void **state)
{
    (void)state;
    test_programme.move_on = 60;   /* 2 of 3 strength, 2 of 2 rom (60 % of 2 is 1.2: 2) */
    completed(monday, "strength");
    completed(monday + 2, "strength");
    completed(monday + 1, "rom");
    plan p = plan_on(monday + 7);
    assert_int_equal(p.week, 0);
    completed(monday + 3, "rom");
    p = plan_on(monday + 7);
    assert_int_equal(p.week, 1);
}

static void a_missed_week_repeats_rather_than_jumps_ahead(void **state)
{
    (void)state;
    /* Nothing in the first period; week 1 done in the second. */
    do_week_one(monday + 7);
    plan p = plan_on(monday + 8);
    assert_int_equal(p.week, 0);
    assert_int_equal(p.weeks[0].periods, 2);
    p = plan_on(monday + 14);
    assert_int_equal(p.week, 1);
    assert_int_equal(p.weeks[0].completed, monday + 13);
    /* Week 2 missed entirely: still week 2 a period later, never week 3. */
    p = plan_on(monday + 21);
    assert_int_equal(p.week, 1);
    assert_int_equal(p.weeks[1].periods, 2);
    /* Sessions of a later week do not count for this one. */
    for (int d = 21; d < 28; d++)
        completed(monday + d, "stretch");
    p = plan_on(monday + 28);
    assert_int_equal(p.week, 1);
}

static void several_sessions_a_day_count_up_to_the_daily_dose(void **state)
{
    (void)state;
    do_week_one(monday);
    int64_t first = monday + 7;
    completed(first, "break");
    completed(first, "break");
    plan p = plan_on(first);
    assert_int_equal(p.doses[1].done_today, 2);
    assert_true(p.doses[1].due_today);
    completed(first, "break");
    completed(first, "break");   /* a fourth on the same day does not count */
    completed(first, "break");
    p = plan_on(first);
    assert_int_equal(p.doses[1].done_today, 3);
    assert_int_equal(p.doses[1].done, 3);
    assert_false(p.doses[1].due_today);
    assert_int_equal(p.next, 0);
    /* Five a day on three days is not a week of three a day on five. */
    for (int d = 1; d < 3; d++)
        for (int i = 0; i < 5; i++)
            completed(first + d, "break");
    completed(first, "strength-2");
    completed(first + 2, "strength-2");
    completed(first + 4, "strength-2");
    p = plan_on(first + 7);
    assert_int_equal(p.week, 1);
    assert_int_equal(p.weeks[1].periods, 2);
}

static void a_day_too_late_to_reach_the_dose_says_so(void **state)
{
    (void)state;
    do_week_one(monday);
    plan p = plan_on(monday + 7 + 3);   /* Thursday of week 2, no breaks yet: 4 days x 3 < 15 */
    assert_int_equal(p.week, 1);
    assert_false(p.doses[1].reachable);
    assert_true(p.doses[1].due_today);
}

static void stopped_sessions_and_those_before_following_do_not_count(void **state)
{
    (void)state;
    played(monday, "strength", HISTORY_STOPPED);
    completed(monday - 1, "strength");
    completed(monday - 30, "rom");
    plan p = plan_on(monday);
    assert_int_equal(p.doses[0].done, 0);
    assert_int_equal(p.doses[1].done, 0);
    assert_false(p.clock_behind);
}

static void a_gap_of_months_keeps_the_week_or_steps_back(void **state)
{
    (void)state;
    do_week_one(monday);
    do_week_two(monday + 7);
    int64_t later = monday + 14 + 120;   /* four months on */
    plan p = plan_on(later);
    assert_int_equal(p.week, 2);
    assert_int_equal(p.weeks[2].periods, 120 / 7 + 1);
    assert_int_equal(p.stepped_back, 0);
    assert_true(p.week_start <= later && later < p.week_start + 7);
    assert_int_equal(p.day_in_week, (int)(later - p.week_start));

    test_programme.step_back_after = 4;
    p = plan_on(later);
    assert_int_equal(p.week, 0);          /* 17 idle periods: back two weeks, no further */
    assert_int_equal(p.stepped_back, 2);
    assert_int_equal(p.next, p.doses[0].due_today ? 0 : p.next);
    /* Three idle weeks are not enough. */
    p = plan_on(monday + 14 + 21);
    assert_int_equal(p.week, 2);
    p = plan_on(monday + 14 + 28);
    assert_int_equal(p.week, 1);
}

static void a_clock_that_went_backwards_never_takes_the_plan_back(void **state)
{
    (void)state;
    do_week_one(monday);
    completed(monday + 9, "strength-2");
    plan p = plan_on(monday + 3);     /* the clock says Thursday of week 1 */
    assert_true(p.clock_behind);
    assert_int_equal(p.today, monday + 9);
    assert_int_equal(p.week, 1);
    assert_int_equal(p.doses[0].done, 1);
    assert_int_equal(p.doses[0].done_today, 1);   /* planned as of that latest day */
    assert_false(p.doses[0].due_today);

    record_count = 0;
    p = plan_on(monday - 40);         /* before following began */
    assert_true(p.clock_behind);
    assert_int_equal(p.today, monday);
    assert_int_equal(p.week, 0);
    assert_int_equal(p.day_in_week, 0);
    assert_int_equal(p.next, 0);
}

static void the_last_week_completed_finishes_and_goes_on(void **state)
{
    (void)state;
    do_week_one(monday);
    do_week_two(monday + 7);
    for (int d = 14; d < 21; d++)
        completed(monday + d, "stretch");
    plan p = plan_on(monday + 20);
    assert_false(p.finished);
    p = plan_on(monday + 21);
    assert_true(p.finished);
    assert_int_equal(p.week, 2);
    assert_int_equal(p.weeks[2].completed, monday + 20);
    assert_int_equal(p.next, 0);          /* the last week's dose goes on */
    p = plan_on(monday + 60);
    assert_true(p.finished);
    assert_int_equal(p.week, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(weekdays_and_names, setup),
        cmocka_unit_test_setup(the_first_day_is_week_one_with_everything_due, setup),
        cmocka_unit_test_setup(a_named_day_session_is_not_due_on_other_days, setup),
        cmocka_unit_test_setup(a_completed_week_moves_on, setup),
        cmocka_unit_test_setup(a_partly_done_week_catches_up_then_repeats, setup),
        cmocka_unit_test_setup(a_share_of_the_dose_moves_on_when_the_programme_says_so, setup),
        cmocka_unit_test_setup(a_missed_week_repeats_rather_than_jumps_ahead, setup),
        cmocka_unit_test_setup(several_sessions_a_day_count_up_to_the_daily_dose, setup),
        cmocka_unit_test_setup(a_day_too_late_to_reach_the_dose_says_so, setup),
        cmocka_unit_test_setup(stopped_sessions_and_those_before_following_do_not_count, setup),
        cmocka_unit_test_setup(a_gap_of_months_keeps_the_week_or_steps_back, setup),
        cmocka_unit_test_setup(a_clock_that_went_backwards_never_takes_the_plan_back, setup),
        cmocka_unit_test_setup(the_last_week_completed_finishes_and_goes_on, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
