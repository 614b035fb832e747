/* Small string helpers shared by the conformance runner's files (see text.h). */
#define _GNU_SOURCE
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static char *checked(char *text) {
    if (!text) {
        fputs("conformance runner: out of memory\n", stderr);
        exit(2);
    }
    return text;
}

char *text_format(const char *format, ...) {
    va_list args;
    va_start(args, format);
    char *text = NULL;
    if (vasprintf(&text, format, args) < 0) text = NULL;
    va_end(args);
    return checked(text);
}

char *text_json(const json_t *value) {
    return checked(json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY));
}
