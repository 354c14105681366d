/* Where a person's files live: the XDG variable when it is set, the folder
 * under $HOME that the XDG Base Directory rules name when it is unset,
 * empty or relative, and nothing when neither is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "user/xdgpath.h"

static void expect_path(xdgpath_kind kind, const char *xdg_home, const char *home,
                        const char *name, const char *expected)
{
    char *path = xdgpath_user(kind, xdg_home, home, name);
    assert_non_null(path);
    assert_string_equal(path, expected);
    free(path);
}

static void test_variable_set_wins_over_home(void **state)
{
    (void)state;
    expect_path(XDGPATH_CONFIG, "/x/config", "/home/ann", "config", "/x/config/breathe/config");
    expect_path(XDGPATH_STATE, "/x/state", "/home/ann", "history", "/x/state/breathe/history");
    expect_path(XDGPATH_DATA, "/x/data", "/home/ann", "sessions", "/x/data/breathe/sessions");
    expect_path(XDGPATH_DATA, "/x/data", NULL, "audio", "/x/data/breathe/audio");
}

static void test_empty_variable_falls_back_to_home(void **state)
{
    (void)state;
    expect_path(XDGPATH_CONFIG, "", "/home/ann", "config", "/home/ann/.config/breathe/config");
    expect_path(XDGPATH_STATE, "", "/home/ann", "history",
                "/home/ann/.local/state/breathe/history");
    expect_path(XDGPATH_DATA, "", "/home/ann", "sessions",
                "/home/ann/.local/share/breathe/sessions");
}

static void test_unset_variable_falls_back_to_home(void **state)
{
    (void)state;
    expect_path(XDGPATH_CONFIG, NULL, "/home/ann", "config", "/home/ann/.config/breathe/config");
    expect_path(XDGPATH_STATE, NULL, "/home/ann", "history",
                "/home/ann/.local/state/breathe/history");
    expect_path(XDGPATH_DATA, NULL, "/home/ann", "audio", "/home/ann/.local/share/breathe/audio");
}

/* The XDG rules: a relative path in the variable is ignored. */
static void test_relative_variable_falls_back_to_home(void **state)
{
    (void)state;
    expect_path(XDGPATH_CONFIG, "config", "/home/ann", "config",
                "/home/ann/.config/breathe/config");
    expect_path(XDGPATH_STATE, "./state", "/home/ann", "history",
                "/home/ann/.local/state/breathe/history");
    expect_path(XDGPATH_DATA, "~/data", "/home/ann", "sessions",
                "/home/ann/.local/share/breathe/sessions");
    assert_null(xdgpath_user(XDGPATH_DATA, "data", NULL, "audio"));
}

static void test_nothing_without_variable_or_home(void **state)
{
    (void)state;
    assert_null(xdgpath_user(XDGPATH_CONFIG, NULL, NULL, "config"));
    assert_null(xdgpath_user(XDGPATH_STATE, "", "", "history"));
    assert_null(xdgpath_user(XDGPATH_DATA, NULL, "", "sessions"));
    assert_null(xdgpath_user(XDGPATH_DATA, "", NULL, "audio"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variable_set_wins_over_home),
        cmocka_unit_test(test_empty_variable_falls_back_to_home),
        cmocka_unit_test(test_unset_variable_falls_back_to_home),
        cmocka_unit_test(test_relative_variable_falls_back_to_home),
        cmocka_unit_test(test_nothing_without_variable_or_home),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
