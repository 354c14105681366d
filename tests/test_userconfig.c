/* The user's defaults file: where it is, what it holds, and every problem
 * reported as FILE:LINE with the load failing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testaudio.h"
#include "user/userconfig.h"
#include "testreport.h"

static char *write_config(const char *text)
{
    char *path = testaudio_write_text(testaudio_dir, "config", text);
    assert_non_null(path);
    return path;
}

/* Loads text; returns the status and leaves what was printed in message. */
static int load_text(const char *text, userconfig *c, char *message, size_t size)
{
    char *path = write_config(text);
    FILE *err = fmemopen(message, size, "w");
    assert_non_null(err);
    int code = userconfig_load(path, c, REPORT_TO(err));
    fclose(err);
    free(path);
    return code;
}

static void test_path_follows_xdg_then_home(void **state)
{
    (void)state;
    char *path = userconfig_path("/x/config", "/home/ann");
    assert_string_equal(path, "/x/config/breathe/config");
    free(path);
    path = userconfig_path("", "/home/ann");
    assert_string_equal(path, "/home/ann/.config/breathe/config");
    free(path);
    path = userconfig_path(NULL, "/home/ann");
    assert_string_equal(path, "/home/ann/.config/breathe/config");
    free(path);
    assert_null(userconfig_path(NULL, ""));
    assert_null(userconfig_path(NULL, NULL));
}

static void test_missing_file_gives_defaults(void **state)
{
    (void)state;
    userconfig c;
    char *path = testaudio_path(testaudio_dir, "no-such-config");
    assert_int_equal(userconfig_load(path, &c, REPORT_TO_STDERR), 0);
    assert_null(c.device);
    assert_null(c.session);
    assert_true(c.volume_db == 0.0);
    assert_false(c.quiet);
    assert_true(c.history);
    assert_null(c.path);
    free(path);
    path = testaudio_path(testaudio_dir, "no-such-folder/config");
    assert_int_equal(userconfig_load(path, &c, REPORT_TO_STDERR), 0);
    free(path);
    assert_int_equal(userconfig_load(NULL, &c, REPORT_TO_STDERR), 0);
    assert_true(c.history);
}

static void test_every_setting_is_read(void **state)
{
    (void)state;
    userconfig c;
    char message[512] = "";
    assert_int_equal(load_text("# my defaults\n"
                               "device = \"pulse\";\n"
                               "volume = -7.5;\n"
                               "latency = 0.5;\n"
                               "quiet = true;\n"
                               "session = \"calm-breathing\";\n"
                               "history = false;\n"
                               "hr_device = \"Polar H10\";\n",
                               &c, message, sizeof message), 0);
    assert_string_equal(message, "");
    assert_string_equal(c.hr_device, "Polar H10");
    assert_string_equal(c.device, "pulse");
    assert_string_equal(c.session, "calm-breathing");
    assert_true(c.volume_db == -7.5);
    assert_true(c.latency_seconds == 0.5);
    char *path = testaudio_path(testaudio_dir, "config");
    assert_string_equal(c.path, path);
    free(path);
    assert_true(c.quiet);
    assert_false(c.history);
    userconfig_free(&c);
    assert_null(c.device);

    /* A whole number of dB is a volume too; an empty file changes nothing. */
    assert_int_equal(load_text("volume = 3;\n", &c, message, sizeof message), 0);
    assert_true(c.volume_db == 3.0);
    assert_true(c.history);
    userconfig_free(&c);
    assert_int_equal(load_text("", &c, message, sizeof message), 0);
    assert_null(c.device);
    assert_null(c.listen);
    assert_false(c.web_token);
    userconfig_free(&c);
    assert_int_equal(load_text("listen = \"[::1]:8089\";\nweb_token = true;\n"
                               "web_hosts = [ \"pi.example.org\", \"breathe\" ];\n",
                               &c, message, sizeof message), 0);
    assert_string_equal(c.listen, "[::1]:8089");
    assert_true(c.web_token);
    assert_int_equal(c.web_host_count, 2);
    assert_string_equal(c.web_hosts[0], "pi.example.org");
    assert_string_equal(c.web_hosts[1], "breathe");
    userconfig_free(&c);
}

/* Each case: a file, and the line and message it must be reported with. */
static void test_problems_are_reported_with_their_line(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line;
        const char *message;
    } cases[] = {
        { "device = \"pulse\";\n\nvolum = -6;\n", 3,
          "unknown setting 'volum'; the settings are device, volume, latency, quiet, session, history, hr_device, listen, web_token and web_hosts" },
        { "volume = \"loud\";\n", 1, "'volume' must be a gain in dB, like volume = -6.0;" },
        { "\n\nvolume = -130.0;\n", 3, "'volume' must be between -120 and 40 dB, not -130" },
        { "volume = 41;\n", 1, "'volume' must be between -120 and 40 dB, not 41" },
        { "latency = \"long\";\n", 1,
          "'latency' must be a time in seconds, like latency = 0.5;" },
        { "quiet = true;\nlatency = 0.001;\n", 2,
          "'latency' must be between 0.01 and 2 seconds, not 0.001" },
        { "latency = 3;\n", 1, "'latency' must be between 0.01 and 2 seconds, not 3" },
        { "device = 2;\n", 1, "'device' must be a string in double quotes, like device = \"pulse\";" },
        { "quiet = true;\ndevice = \"\";\n", 2,
          "'device' must not be empty; remove the line to use the default" },
        { "quiet = true;\nsession = box;\n", 2, "syntax error; write each setting as name = "
          "value; with text in double quotes, like device = \"pulse\";" },
        { "history = 0;\n", 1, "'history' must be true or false, like history = false;" },
        { "quiet = \"yes\";\n", 1, "'quiet' must be true or false, like quiet = true;" },
        { "hr_device = 7;\n", 1, "'hr_device' must be a string in double quotes, like hr_device = \"Polar H10\";" },
        { "hr_device = \"\";\n", 1, "'hr_device' must not be empty; remove the line to use the default" },
        { "volume = -6.0;\nvolume = -3.0;\n", 2, NULL },  /* libconfig: a duplicate */
        { "listen = 8089;\n", 1,
          "'listen' must be a string in double quotes, like listen = \"0.0.0.0:8089\";" },
        { "web_token = 1;\n", 1, "'web_token' must be true or false, like web_token = true;" },
        { "web_hosts = \"pi\";\n", 1, "'web_hosts' must be a list of host names in double "
          "quotes, like web_hosts = [ \"pi.example.org\" ];" },
        { "quiet = true;\nweb_hosts = [ \"pi/x\" ];\n", 2, "'web_hosts' must hold host names "
          "without a port, like \"pi.example.org\", not \"pi/x\"" },
        { "audio = { device = \"pulse\"; };\n", 1,
          "unknown setting 'audio'; the settings are device, volume, latency, quiet, session, history, hr_device, listen, web_token and web_hosts" },
    };
    char *path = testaudio_path(testaudio_dir, "config");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        userconfig c;
        char message[512] = "", expected[512];
        int code = load_text(cases[i].text, &c, message, sizeof message);
        if (code != 2)
            fail_msg("case %zu: status %d, message '%s'", i, code, message);
        snprintf(expected, sizeof expected, "%s:%d: %s\n", path, cases[i].line,
                 cases[i].message ? cases[i].message : "");
        if (cases[i].message ? strcmp(message, expected) != 0
                             : strncmp(message, expected, strlen(expected) - 1) != 0
                                   || strlen(message) <= strlen(expected))
            fail_msg("case %zu printed '%s', not '%s'", i, message, expected);
        assert_null(c.device);
        assert_null(c.session);
    }
    free(path);
}

static void test_a_folder_is_not_a_file(void **state)
{
    (void)state;
    char folder[600];
    snprintf(folder, sizeof folder, "%s/folder", testaudio_dir);
    assert_int_equal(mkdir(folder, 0700), 0);
    char message[512] = "", expected[700];
    FILE *err = fmemopen(message, sizeof message, "w");
    userconfig c;
    assert_int_equal(userconfig_load(folder, &c, REPORT_TO(err)), 2);
    fclose(err);
    snprintf(expected, sizeof expected, "%s: cannot read the settings file: Is a directory\n",
             folder);
    assert_string_equal(message, expected);
    rmdir(folder);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_follows_xdg_then_home),
        cmocka_unit_test(test_missing_file_gives_defaults),
        cmocka_unit_test(test_every_setting_is_read),
        cmocka_unit_test(test_problems_are_reported_with_their_line),
        cmocka_unit_test(test_a_folder_is_not_a_file),
    };
    return cmocka_run_group_tests(tests, testaudio_dir_setup, testaudio_dir_teardown);
}
