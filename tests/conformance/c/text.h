/* Small string helpers shared by the conformance runner's files: formatted messages and
 * JSON as text, both from malloc. */
#ifndef CONFORMANCE_TEXT_H
#define CONFORMANCE_TEXT_H

#include <jansson.h>

/* printf into a new string (free it with free()); exits the process when out of memory. */
char *text_format(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* `value` as compact JSON (any value, scalars included), in a new string. */
char *text_json(const json_t *value);

#endif
