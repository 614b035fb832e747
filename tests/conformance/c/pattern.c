/* The conformance suite's patterns, substitutions and result normalisation (see pattern.h). */
#define _DEFAULT_SOURCE /* strsep */
#include "pattern.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Matches any value except null or a missing key. */
static const char ANY[] = "<any>";
/* In an object pattern: the key is missing or null. */
static const char ABSENT[] = "<absent>";
/* Result fields that differ from run to run. */
static const char *const VOLATILE[] = {"id", "createdAt", "updatedAt"};

static int is_text(const json_t *value, const char *text) {
    return json_is_string(value) && strcmp(json_string_value(value), text) == 0;
}

static char *mismatch_at(const char *path, const json_t *pattern, const json_t *actual);

static char *expected_got(const char *path, const json_t *pattern, const json_t *actual) {
    char *want = text_json(pattern), *got = text_json(actual);
    char *message = text_format("%s: expected %s, got %s", path, want, got);
    free(want);
    free(got);
    return message;
}

static char *object_mismatch(const char *path, const json_t *pattern, const json_t *actual) {
    const char *key;
    const json_t *expected;
    json_object_foreach((json_t *)pattern, key, expected) {
        char *inner = text_format("%s.%s", path, key);
        const json_t *value = json_object_get(actual, key);
        char *message = NULL;
        if (is_text(expected, ABSENT)) {
            if (value && !json_is_null(value)) {
                char *got = text_json(value);
                message = text_format("%s: expected absent, got %s", inner, got);
                free(got);
            }
        } else if (!value) {
            message = text_format("%s: missing", inner);
        } else {
            message = mismatch_at(inner, expected, value);
        }
        free(inner);
        if (message) return message;
    }
    return NULL;
}

static char *array_mismatch(const char *path, const json_t *pattern, const json_t *actual) {
    size_t want = json_array_size(pattern), got = json_array_size(actual);
    if (want != got) {
        char *text = text_json(actual);
        char *message = text_format("%s: expected %zu items, got %zu: %s", path, want, got, text);
        free(text);
        return message;
    }
    for (size_t index = 0; index < want; index++) {
        char *inner = text_format("%s[%zu]", path, index);
        char *message = mismatch_at(inner, json_array_get(pattern, index), json_array_get(actual, index));
        free(inner);
        if (message) return message;
    }
    return NULL;
}

static char *mismatch_at(const char *path, const json_t *pattern, const json_t *actual) {
    if (is_text(pattern, ANY)) {
        return json_is_null(actual) ? text_format("%s: expected a value, got null", path) : NULL;
    }
    if (json_is_object(pattern) && json_is_object(actual)) return object_mismatch(path, pattern, actual);
    if (json_is_array(pattern) && json_is_array(actual)) return array_mismatch(path, pattern, actual);
    if (json_is_number(pattern) && json_is_number(actual)) {
        if (json_number_value(pattern) == json_number_value(actual)) return NULL;
    } else if (json_equal(pattern, actual)) {
        return NULL;
    }
    return expected_got(path, pattern, actual);
}

char *pattern_mismatch(const json_t *pattern, const json_t *actual) {
    if (!actual) return text_format("$: missing");
    return mismatch_at("$", pattern, actual);
}

/* The text a reference such as "tokens.refresh_token" stands for, or NULL. */
static char *lookup(const char *reference, const json_t *vars) {
    char *parts = text_format("%s", reference), *rest = parts;
    const json_t *value = vars;
    for (char *name = strsep(&rest, "."); value && name; name = strsep(&rest, ".")) {
        value = json_object_get(value, name);
    }
    free(parts);
    if (!value) return NULL;
    return json_is_string(value) ? text_format("%s", json_string_value(value)) : text_json(value);
}

static char *substitute_text(const char *text, const json_t *vars, char **error) {
    char *out = text_format("%s", "");
    const char *rest = text, *start, *end;
    while ((start = strstr(rest, "${")) && (end = strchr(start, '}'))) {
        char *reference = text_format("%.*s", (int)(end - start - 2), start + 2);
        char *replacement = lookup(reference, vars);
        if (!replacement) {
            *error = text_format("${%s} refers to nothing saved", reference);
            free(reference);
            free(out);
            return NULL;
        }
        char *longer = text_format("%s%.*s%s", out, (int)(start - rest), rest, replacement);
        free(out);
        free(replacement);
        free(reference);
        out = longer;
        rest = end + 1;
    }
    char *whole = text_format("%s%s", out, rest);
    free(out);
    return whole;
}

json_t *pattern_substitute(const json_t *value, const json_t *vars, char **error) {
    if (json_is_string(value)) {
        char *text = substitute_text(json_string_value(value), vars, error);
        if (!text) return NULL;
        json_t *string = json_string(text);
        free(text);
        return string;
    }
    if (json_is_array(value)) {
        json_t *array = json_array();
        size_t index;
        const json_t *item;
        json_array_foreach(value, index, item) {
            json_t *copy = pattern_substitute(item, vars, error);
            if (!copy) {
                json_decref(array);
                return NULL;
            }
            json_array_append_new(array, copy);
        }
        return array;
    }
    if (json_is_object(value)) {
        json_t *object = json_object();
        const char *key;
        const json_t *item;
        json_object_foreach((json_t *)value, key, item) {
            json_t *copy = pattern_substitute(item, vars, error);
            if (!copy) {
                json_decref(object);
                return NULL;
            }
            json_object_set_new(object, key, copy);
        }
        return object;
    }
    return json_incref((json_t *)value);
}

static int is_volatile(const char *key) {
    for (size_t i = 0; i < sizeof VOLATILE / sizeof *VOLATILE; i++) {
        if (strcmp(key, VOLATILE[i]) == 0) return 1;
    }
    return 0;
}

json_t *pattern_normalise_result(json_t *result) {
    if (!json_is_object(result)) return json_incref(result);
    json_t *normalised = json_object();
    const char *key;
    json_t *value;
    json_object_foreach(result, key, value) {
        json_object_set_new(normalised, key, is_volatile(key) ? json_string("<volatile>") : json_incref(value));
    }
    return normalised;
}
