/* Whole files by way of a temporary file: a new file gets the permissions
 * of a new file, a replaced one keeps those of the file it replaces,
 * SAVEFILE_NEW never replaces anything, a failure leaves the destination as
 * it was, and no temporary file is ever left beside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/savefile.h"
#include "testaudio.h"

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void assert_holds(const char *path, const char *text)
{
    char buffer[256];
    assert_int_equal(testaudio_read_into(path, buffer, sizeof buffer), 0);
    assert_string_equal(buffer, text);
}

static void test_new_file_has_new_file_permissions(void **state)
{
    (void)state;
    mode_t old_mask = umask(027);
    char *path = testaudio_path(testaudio_dir, "new.txt");
    assert_int_equal(savefile_write(path, "hello", 5, SAVEFILE_REPLACE), 0);
    umask(old_mask);
    assert_holds(path, "hello");
    assert_int_equal(mode_of(path), 0666 & ~027);
    /* Only the file itself: the temporary file is gone. */
    assert_int_equal(testaudio_count_entries(testaudio_dir), 1);
    free(path);
}

static void test_replace_keeps_permissions(void **state)
{
    (void)state;
    char *path = testaudio_write_text(testaudio_dir, "old.txt", "old text");
    assert_non_null(path);
    assert_int_equal(chmod(path, 0604), 0);
    assert_int_equal(savefile_write(path, "new", 3, SAVEFILE_REPLACE), 0);
    assert_holds(path, "new");
    assert_int_equal(mode_of(path), 0604);
    assert_int_equal(testaudio_count_entries(testaudio_dir), 1);
    free(path);
}

static void test_new_never_replaces(void **state)
{
    (void)state;
    char *path = testaudio_write_text(testaudio_dir, "taken.txt", "first");
    assert_non_null(path);
    assert_int_equal(savefile_write(path, "second", 6, SAVEFILE_NEW), EEXIST);
    assert_holds(path, "first");
    char *fresh = testaudio_path(testaudio_dir, "fresh.txt");
    assert_int_equal(savefile_write(fresh, "made", 4, SAVEFILE_NEW), 0);
    assert_holds(fresh, "made");
    /* taken.txt and fresh.txt: no temporary file beside them. */
    assert_int_equal(testaudio_count_entries(testaudio_dir), 2);
    free(fresh);
    free(path);
}

static void test_failure_reports_errno_and_leaves_nothing(void **state)
{
    (void)state;
    char *path = testaudio_path(testaudio_dir, "missing-folder/file.txt");
    assert_int_equal(savefile_write(path, "x", 1, SAVEFILE_REPLACE), ENOENT);
    free(path);
    /* A folder where the file should go: the rename fails, nothing changes. */
    char *folder = testaudio_path(testaudio_dir, "folder");
    assert_int_equal(mkdir(folder, 0700), 0);
    assert_int_equal(savefile_write(folder, "x", 1, SAVEFILE_REPLACE), EISDIR);
    struct stat st;
    assert_int_equal(stat(folder, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(rmdir(folder), 0);
    /* Nothing left in the test's folder. */
    assert_int_equal(testaudio_count_entries(testaudio_dir), 0);
    free(folder);
}

static void test_open_temp_beside_the_destination(void **state)
{
    (void)state;
    char *path = testaudio_path(testaudio_dir, "render.wav");
    char *temp = NULL;
    int fd = savefile_open_temp(path, &temp);
    assert_true(fd >= 0);
    assert_non_null(temp);
    /* FOLDER/.render.wav. and six characters from mkstemp. */
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s/.render.wav.", testaudio_dir);
    assert_int_equal(strncmp(temp, prefix, strlen(prefix)), 0);
    assert_int_equal(strlen(temp), strlen(prefix) + 6);
    /* With the permissions of a new file, not mkstemp's private ones. */
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(mode_of(temp), 0666 & ~mask);
    assert_int_equal(close(fd), 0);
    assert_int_equal(unlink(temp), 0);
    free(temp);
    free(path);
}

/* The folders above a path are made, mode 0700, and the path itself is
 * not; folders already there are fine; a file in the way is ENOTDIR. */
static void test_make_parents(void **state)
{
    (void)state;
    char *path = testaudio_path(testaudio_dir, "a/b/c/file.txt");
    assert_int_equal(savefile_make_parents(path), 0);
    char *folder = testaudio_path(testaudio_dir, "a/b/c");
    assert_int_equal(mode_of(folder), 0700);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(savefile_make_parents(path), 0);
    assert_int_equal(savefile_write(path, "x", 1, SAVEFILE_REPLACE), 0);
    char *below_file = testaudio_path(testaudio_dir, "a/b/c/file.txt/d/e");
    assert_int_equal(savefile_make_parents(below_file), -1);
    assert_int_equal(errno, ENOTDIR);
    free(below_file);
    free(folder);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TESTAUDIO_TEST_IN_DIR(test_new_file_has_new_file_permissions),
        TESTAUDIO_TEST_IN_DIR(test_replace_keeps_permissions),
        TESTAUDIO_TEST_IN_DIR(test_new_never_replaces),
        TESTAUDIO_TEST_IN_DIR(test_failure_reports_errno_and_leaves_nothing),
        TESTAUDIO_TEST_IN_DIR(test_open_temp_beside_the_destination),
        TESTAUDIO_TEST_IN_DIR(test_make_parents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
