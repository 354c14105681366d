/* setting_words.h: how a libconfig value is named in an error message
 * ("'volume' must be a number, not a string"), the same in every file
 * format breathe reads: sessions and programmes. */
#ifndef BREATHE_FORMAT_SETTING_WORDS_H
#define BREATHE_FORMAT_SETTING_WORDS_H

#include <libconfig.h>

/* "a group", "a number", "a string", "true" or "false", "an array",
 * "a list", or "nothing". */
const char *setting_type_phrase(const config_setting_t *s);

#endif
