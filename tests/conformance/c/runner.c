/* The C runner of the conformance suite (tests/conformance/README.md): every scenario of the
 * *.json files of SCENARIO_DIR (files in name order, scenarios in file order) through the C
 * API against the emulator at BASE_URL (`pleo-installations mock`, started by run.sh), one
 * line per scenario, the outcomes written to $CONFORMANCE_OUT/c.json (default
 * target/conformance/c.json). CONFORMANCE_FILTER=<text> runs only the scenarios whose key
 * contains it.
 *
 * Usage: runner BASE_URL [SCENARIO_DIR]   (default tests/conformance/scenarios)
 * Exit status: 0 when every step met its expectation, 1 when one did not, 2 when the
 * scenarios cannot be read or the outcomes cannot be written.
 *
 * Files: steps.c runs a scenario's steps, calls.c maps operations onto the C API, admin.c
 * talks to the emulator's admin API, pattern.c matches patterns and normalises results. */
#define _GNU_SOURCE /* environ, strndup */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "steps.h"
#include "text.h"

static const char DEFAULT_SCENARIOS[] = "tests/conformance/scenarios";
static const char DEFAULT_OUT[] = "target/conformance";

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the *.json files in `dir`, sorted, NULL-terminated; NULL when `dir` cannot
 * be read. Free each and the array. */
static char **scenario_files(const char *dir) {
    DIR *listing = opendir(dir);
    if (!listing) return NULL;
    size_t count = 0;
    char **names = calloc(1, sizeof *names);
    for (struct dirent *entry; names && (entry = readdir(listing));) {
        size_t length = strlen(entry->d_name);
        if (length <= 5 || strcmp(entry->d_name + length - 5, ".json") != 0) continue;
        char **more = realloc(names, (count + 2) * sizeof *names);
        if (!more) break;
        names = more;
        names[count++] = text_format("%s", entry->d_name);
        names[count] = NULL;
    }
    closedir(listing);
    qsort(names, count, sizeof *names, by_name);
    return names;
}

/* Adds the scenarios of one file to `suite` (key "<file stem>/<name>" to its steps), or says
 * what is wrong with the file. */
static char *load_file(const char *dir, const char *name, json_t *suite) {
    char *path = text_format("%s/%s", dir, name);
    json_error_t problem;
    json_t *document = json_load_file(path, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &problem);
    const json_t *scenarios = json_object_get(document, "scenarios");
    char *error = NULL;
    if (!document) {
        error = text_format("%s:%d:%d: not JSON: %s", path, problem.line, problem.column, problem.text);
    } else if (!json_is_array(scenarios)) {
        error = text_format("%s: no \"scenarios\" array", path);
    }
    size_t index;
    const json_t *scenario;
    json_array_foreach(scenarios, index, scenario) {
        const char *scenario_name = json_string_value(json_object_get(scenario, "name"));
        const json_t *steps = json_object_get(scenario, "steps");
        if (!scenario_name) {
            error = text_format("%s: scenario %zu has no \"name\" string", path, index);
            break;
        }
        char *key = text_format("%.*s/%s", (int)(strlen(name) - 5), name, scenario_name);
        if (!json_is_array(steps)) {
            error = text_format("%s: scenario \"%s\" has no \"steps\" array", path, scenario_name);
        } else if (json_object_get(suite, key)) {
            error = text_format("%s: two scenarios are named \"%s\"", path, scenario_name);
        } else {
            json_object_set(suite, key, (json_t *)steps);
        }
        free(key);
    }
    json_decref(document);
    free(path);
    return error;
}

/* Every scenario of every file of `dir`: an object from scenario key to steps, in order.
 * NULL with *error set when a file cannot be read or is not a valid scenario file. */
static json_t *load_suite(const char *dir, char **error) {
    char **names = scenario_files(dir);
    if (!names) {
        *error = text_format("%s: %s", dir, strerror(errno));
        return NULL;
    }
    json_t *suite = json_object();
    for (char **name = names; *name; name++) {
        if (!*error) *error = load_file(dir, *name, suite);
        free(*name);
    }
    free(names);
    if (*error) {
        json_decref(suite);
        return NULL;
    }
    return suite;
}

/* The README: the process environment has no PLEO_* variable. */
static void clear_pleo_environment(void) {
    for (size_t index = 0; environ[index];) {
        if (strncmp(environ[index], "PLEO_", 5) != 0) {
            index++;
            continue;
        }
        char *name = strndup(environ[index], strcspn(environ[index], "="));
        unsetenv(name);
        free(name);
        index = 0;
    }
}

/* mkdir -p */
static int make_directories(const char *path) {
    char *partial = text_format("%s", path);
    int ok = 1;
    for (char *slash = partial; ok && slash;) {
        slash = strchr(slash + 1, '/');
        if (slash) *slash = '\0';
        ok = mkdir(partial, 0777) == 0 || errno == EEXIST;
        if (slash) *slash = '/';
    }
    free(partial);
    return ok;
}

static const char *outcome_dir(void) {
    const char *dir = getenv("CONFORMANCE_OUT");
    return dir && *dir ? dir : DEFAULT_OUT;
}

/* Removes an earlier run's c.json, so that a run that stops early leaves none stale. */
static void remove_outcomes(void) {
    char *path = text_format("%s/c.json", outcome_dir());
    unlink(path);
    free(path);
}

static int write_outcomes(const json_t *outcomes) {
    char *path = text_format("%s/c.json", outcome_dir());
    int ok = make_directories(outcome_dir()) && json_dump_file(outcomes, path, JSON_INDENT(2)) == 0;
    if (!ok) fprintf(stderr, "conformance: cannot write %s: %s\n", path, strerror(errno));
    free(path);
    return ok;
}

/* Runs the scenarios whose key contains `filter`, printing a line for each; how many failed. */
static size_t run_suite(const char *base_url, json_t *suite, const char *filter, json_t *outcomes) {
    size_t failures = 0;
    const char *key;
    json_t *steps;
    json_object_foreach(suite, key, steps) {
        if (!strstr(key, filter)) continue;
        json_t *outcome = steps_run(base_url, steps);
        const json_t *why = json_object_get(json_array_get(outcome, json_array_size(outcome) - 1), "failed");
        if (why) {
            printf("FAILED %s: %s\n", key, json_string_value(why));
            failures++;
        } else {
            printf("ok     %s\n", key);
        }
        fflush(stdout);
        json_object_set_new(outcomes, key, outcome);
    }
    return failures;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s BASE_URL [SCENARIO_DIR]\n", argv[0]);
        return 2;
    }
    clear_pleo_environment();
    remove_outcomes();
    const char *dir = argc == 3 ? argv[2] : DEFAULT_SCENARIOS;
    const char *filter = getenv("CONFORMANCE_FILTER");
    char *error = NULL;
    json_t *suite = load_suite(dir, &error);
    if (!suite) {
        fprintf(stderr, "conformance: %s\n", error);
        free(error);
        return 2;
    }
    json_t *outcomes = json_object();
    size_t failures = run_suite(argv[1], suite, filter ? filter : "", outcomes);
    int written = write_outcomes(outcomes);
    printf("conformance: %zu passed, %zu failed\n", json_object_size(outcomes) - failures, failures);
    json_decref(outcomes);
    json_decref(suite);
    if (!written) return 2;
    return failures ? 1 : 0;
}
