/* base/text.h: known names and near misses, the hints every "unknown
 * setting" message ends with (sessions, programmes). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "base/text.h"

static const char *const settings[] = { "title", "volume", "pacer", "steps", "type", NULL };

static void names_are_found_by_exact_match_only(void **state)
{
    assert_int_equal(text_find_name(settings, "title"), 0);
    assert_int_equal(text_find_name(settings, "steps"), 3);
    assert_int_equal(text_find_name(settings, "type"), 4);
    assert_int_equal(text_find_name(settings, "Title"), -1);
    assert_int_equal(text_find_name(settings, "titl"), -1);
    assert_int_equal(text_find_name(settings, ""), -1);
}

/* Two edits for a name of five letters or more, one for shorter ones,
 * and the nearest wins. */
static void a_typo_is_matched_within_its_allowance(void **state)
{
    assert_string_equal(text_closest_name(settings, "volme"), "volume");     /* 1: deleted */
    assert_string_equal(text_closest_name(settings, "vlome"), "volume");     /* 2: moved */
    assert_null(text_closest_name(settings, "vlom"));                        /* 3 */
    assert_string_equal(text_closest_name(settings, "typ"), "type");         /* 1, short */
    assert_null(text_closest_name(settings, "ty"));                          /* 2, short */
    assert_string_equal(text_closest_name(settings, "stepss"), "steps");
    assert_string_equal(text_closest_name(settings, "pacers"), "pacer");
}

static void a_name_too_long_to_be_a_setting_matches_nothing(void **state)
{
    char long_name[200];
    memset(long_name, 'v', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_null(text_closest_name(settings, long_name));
    assert_int_equal(text_find_name(settings, long_name), -1);
}

static void the_hint_names_the_typo_or_lists_the_names(void **state)
{
    char hint[128];
    assert_string_equal(text_name_hint(settings, "volum", hint, sizeof hint),
                        "; did you mean 'volume'?");
    assert_ptr_equal(text_name_hint(settings, "colour", hint, sizeof hint), hint);
    assert_string_equal(hint, "; expected one of title, volume, pacer, steps, type");
}

static void a_list_is_cut_to_its_buffer(void **state)
{
    char small[12];
    text_list_names(settings, small, sizeof small);
    assert_string_equal(small, "title, volu");
    char hint[24];
    text_name_hint(settings, "colour", hint, sizeof hint);
    assert_string_equal(hint, "; expected one of title");
}

/* Well-formed UTF-8 only: each length at its boundaries, and every kind
 * of malformed sequence refused. */
static void utf8_is_checked_character_by_character(void **state)
{
    (void)state;
    assert_int_equal(text_utf8_length("a"), 1);
    assert_int_equal(text_utf8_length("\xC3\xA9"), 2);           /* e acute */
    assert_int_equal(text_utf8_length("\xE2\x80\x94"), 3);       /* em dash */
    assert_int_equal(text_utf8_length("\xF0\x9F\x98\x80"), 4);   /* U+1F600 */
    assert_int_equal(text_utf8_length("\x80"), 0);               /* a continuation byte */
    assert_int_equal(text_utf8_length("\xC0\xAF"), 0);           /* overlong "/" */
    assert_int_equal(text_utf8_length("\xE0\x80\xAF"), 0);       /* overlong, 3 bytes */
    assert_int_equal(text_utf8_length("\xED\xA0\x80"), 0);       /* a surrogate */
    assert_int_equal(text_utf8_length("\xF4\x90\x80\x80"), 0);   /* past U+10FFFF */
    assert_int_equal(text_utf8_length("\xE2\x80"), 0);           /* cut short */
    assert_true(text_is_utf8(""));
    assert_true(text_is_utf8("Caf\xC3\xA9 \xE2\x80\x94 calm"));
    assert_false(text_is_utf8("Caf\xE9"));
    assert_false(text_is_utf8("end \xF0\x9F\x98"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_are_found_by_exact_match_only),
        cmocka_unit_test(a_typo_is_matched_within_its_allowance),
        cmocka_unit_test(a_name_too_long_to_be_a_setting_matches_nothing),
        cmocka_unit_test(the_hint_names_the_typo_or_lists_the_names),
        cmocka_unit_test(a_list_is_cut_to_its_buffer),
        cmocka_unit_test(utf8_is_checked_character_by_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
