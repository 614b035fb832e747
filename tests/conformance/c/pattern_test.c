/* Unit tests of pattern.c: patterns accept what they state and reject every difference,
 * substitutions fill strings anywhere, normalisation masks what varies. Exits 1 on failure. */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"

static int failures;

static json_t *parse(const char *text) {
    json_error_t problem;
    json_t *value = json_loads(text, JSON_DECODE_ANY, &problem);
    if (!value) {
        fprintf(stderr, "pattern_test: bad test JSON %s: %s\n", text, problem.text);
        exit(2);
    }
    return value;
}

static void check(int ok, const char *what, const char *detail) {
    if (!ok) {
        fprintf(stderr, "FAILED %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
        failures++;
    }
}

/* `pattern` against `actual` must match (want_match) or not. */
static void expect_match(const char *pattern_text, const char *actual_text, int want_match) {
    json_t *pattern = parse(pattern_text), *actual = parse(actual_text);
    char *mismatch = pattern_mismatch(pattern, actual);
    char *what = NULL;
    if (asprintf(&what, "%s against %s", pattern_text, actual_text) < 0) exit(2);
    check(want_match ? !mismatch : mismatch != NULL, what, mismatch ? mismatch : "matched");
    free(what);
    free(mismatch);
    json_decref(pattern);
    json_decref(actual);
}

static void patterns(void) {
    const char *actual = "{\"a\": 1, \"b\": [true, {\"c\": \"x\"}], \"d\": null}";
    expect_match("{\"a\": 1.0, \"b\": [true, {}]}", actual, 1);
    expect_match("{\"a\": \"<any>\", \"d\": \"<absent>\", \"e\": \"<absent>\"}", actual, 1);
    expect_match("{}", actual, 1);
    expect_match("null", "null", 1);
    expect_match("2.5", "2.5", 1);
    expect_match("{\"a\": 2}", actual, 0);
    expect_match("{\"a\": \"1\"}", actual, 0);
    expect_match("{\"d\": \"<any>\"}", actual, 0);
    expect_match("{\"a\": \"<absent>\"}", actual, 0);
    expect_match("{\"b\": [true]}", actual, 0);
    expect_match("{\"b\": [true, {\"c\": \"y\"}]}", actual, 0);
    expect_match("{\"z\": 1}", actual, 0);
    expect_match("{\"z\": \"<any>\"}", actual, 0);
    expect_match("null", "{}", 0);
    expect_match("{}", "[]", 0);
    expect_match("[]", "{}", 0);
    expect_match("\"<any>\"", "null", 0);
    expect_match("true", "1", 0);
    expect_match("1", "1.5", 0);
    expect_match("\"<absent>\"", "\"x\"", 0);
}

static void substitutions(void) {
    json_t *vars = parse("{\"base_url\": \"http://h\", \"tokens\": {\"access_token\": \"at\", \"n\": 3}}");
    json_t *step = parse("{\"x\": [\"${base_url}/oauth/token\", \"${tokens.access_token}\", \"${tokens.n}\", \"${open\"]}");
    json_t *want = parse("{\"x\": [\"http://h/oauth/token\", \"at\", \"3\", \"${open\"]}");
    char *error = NULL;
    json_t *got = pattern_substitute(step, vars, &error);
    check(got && json_equal(got, want), "substitution fills strings anywhere", error);
    json_decref(got);
    free(error);
    error = NULL;
    json_t *unknown = parse("[\"${nothing.here}\"]");
    got = pattern_substitute(unknown, vars, &error);
    check(!got && error && strstr(error, "${nothing.here}"), "a reference to nothing is an error", error);
    json_decref(got);
    free(error);
    json_decref(unknown);
    json_decref(want);
    json_decref(step);
    json_decref(vars);
}

static void normalisation(void) {
    json_t *result = parse("{\"id\": \"1\", \"createdAt\": \"t\", \"status\": \"A\", \"errorCode\": null, \"metadata\": {\"id\": 1, \"n\": null}}");
    json_t *want = parse("{\"id\": \"<volatile>\", \"createdAt\": \"<volatile>\", \"status\": \"A\", \"errorCode\": null, \"metadata\": {\"id\": 1, \"n\": null}}");
    json_t *got = pattern_normalise_result(result);
    check(json_equal(got, want), "normalising masks volatile fields and keeps nulls", NULL);
    json_decref(got);
    json_t *null = json_null();
    got = pattern_normalise_result(null);
    check(json_is_null(got), "normalising null keeps null", NULL);
    json_decref(got);
    json_decref(want);
    json_decref(result);
}

int main(void) {
    patterns();
    substitutions();
    normalisation();
    if (failures) return 1;
    puts("pattern tests: ok");
    return 0;
}
