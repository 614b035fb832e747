/* The four kinds of step (admin, client, call, logs), each checked against its expectation and
 * turned into its outcome (see steps.h). */
#include "steps.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "calls.h"
#include "logs.h"
#include "pattern.h"
#include "pleo_installations.h"
#include "text.h"

/* One scenario's state: the client of the last client step and the answers saved so far. */
struct run {
    const char *base_url;
    struct pleo_client *client;
    json_t *saved;
};

/* Each step kind returns a new reference to the step's outcome, or NULL with *reason set. */
typedef json_t *(*step_fn)(struct run *run, const json_t *step, char **reason);

static json_t *admin_step(struct run *run, const json_t *step, char **reason);
static json_t *client_step(struct run *run, const json_t *step, char **reason);
static json_t *call_step(struct run *run, const json_t *step, char **reason);
static json_t *logs_step(struct run *run, const json_t *step, char **reason);

/* A step has exactly one of these keys, which says its kind and which other keys it takes. */
static const struct {
    const char *name;
    step_fn run;
    const char *keys[8]; /* NULL-terminated */
} KINDS[] = {
    {"admin", admin_step, {"admin", "body", "expect", "save"}},
    {"client", client_step, {"client", "error", "log_level"}},
    {"call", call_step, {"call", "request", "result", "error", "exact", "max_ms", "min_ms"}},
    {"logs", logs_step, {"logs"}},
};
enum { KIND_COUNT = sizeof KINDS / sizeof *KINDS };

static int takes_key(size_t kind, const char *key) {
    for (const char *const *name = KINDS[kind].keys; *name; name++) {
        if (strcmp(*name, key) == 0) return 1;
    }
    return 0;
}

/* Which of KINDS `step` is, or KIND_COUNT with *reason set. */
static size_t kind_of(const json_t *step, char **reason) {
    size_t kind = KIND_COUNT, found = 0;
    for (size_t index = 0; index < KIND_COUNT; index++) {
        if (json_object_get(step, KINDS[index].name)) {
            kind = index;
            found++;
        }
    }
    if (!json_is_object(step) || found != 1) {
        char *text = text_json(step);
        *reason = text_format("a step needs exactly one of admin, client, call and logs: %s", text);
        free(text);
        return KIND_COUNT;
    }
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)step, key, value) {
        if (!takes_key(kind, key)) {
            *reason = text_format("a %s step has no key \"%s\"", KINDS[kind].name, key);
            return KIND_COUNT;
        }
    }
    return kind;
}

static json_t *run_step(struct run *run, const json_t *step, char **reason) {
    size_t kind = kind_of(step, reason);
    if (kind == KIND_COUNT) return NULL;
    json_t *vars = json_copy(run->saved);
    json_object_set_new(vars, "base_url", json_string(run->base_url));
    json_t *substituted = pattern_substitute(step, vars, reason);
    json_decref(vars);
    if (!substituted) return NULL;
    json_t *outcome = KINDS[kind].run(run, substituted, reason);
    json_decref(substituted);
    return outcome;
}

/* {"failed": why}, taking `why`. */
static json_t *failed(char *why) {
    json_t *text = json_string(why);
    free(why);
    return json_pack("{s:o}", "failed", text ? text : json_string("(a reason that is not UTF-8)"));
}

json_t *steps_run(const char *base_url, const json_t *steps) {
    struct run run = {base_url, NULL, json_object()};
    json_t *outcomes = json_array();
    char *reason = NULL;
    json_t *reset = admin_request(base_url, "POST /__mock/reset", NULL, &reason);
    if (reset && (reason = logs_collect(NULL))) {
        json_decref(reset);
        reset = NULL;
    }
    if (!reset) {
        json_array_append_new(outcomes, failed(text_format("reset: %s", reason)));
        free(reason);
    } else {
        json_decref(reset);
        size_t index;
        const json_t *step;
        json_array_foreach(steps, index, step) {
            json_t *outcome = run_step(&run, step, &reason);
            if (!outcome) {
                json_array_append_new(outcomes, failed(text_format("step %zu: %s", index, reason)));
                free(reason);
                break;
            }
            json_array_append_new(outcomes, outcome);
        }
    }
    pleo_client_free(run.client);
    json_decref(run.saved);
    free(logs_collect(NULL));
    return outcomes;
}

/* ---- admin ---- */

static json_t *admin_step(struct run *run, const json_t *step, char **reason) {
    const json_t *request = json_object_get(step, "admin"), *save = json_object_get(step, "save");
    const json_t *expect = json_object_get(step, "expect");
    if (!json_is_string(request)) {
        *reason = text_format("admin: not a string");
        return NULL;
    }
    if (save && !json_is_string(save)) {
        *reason = text_format("save: not a string");
        return NULL;
    }
    json_t *answer = admin_request(run->base_url, json_string_value(request), json_object_get(step, "body"), reason);
    if (!answer) return NULL;
    char *mismatch = expect ? pattern_mismatch(expect, answer) : NULL;
    if (mismatch) {
        *reason = text_format("%s: %s", json_string_value(request), mismatch);
        free(mismatch);
        json_decref(answer);
        return NULL;
    }
    if (save) json_object_set(run->saved, json_string_value(save), answer);
    json_decref(answer);
    return json_string("admin");
}

/* ---- errors, as client and call steps see them ---- */

/* The error outcome E of the README: the fields every language exposes, null where absent. */
static json_t *error_fields(const json_t *error) {
    static const char *const FIELDS[] = {"kind", "status", "attempts", "retryable", "retry_after"};
    json_t *fields = json_object();
    for (size_t index = 0; index < sizeof FIELDS / sizeof *FIELDS; index++) {
        json_t *value = json_object_get(error, FIELDS[index]);
        json_object_set_new(fields, FIELDS[index], value ? json_incref(value) : json_null());
    }
    return fields;
}

/* Whether `status` is the pleo_status of the error kind `kind`, e.g. PLEO_STATUS_NOT_FOUND
 * for "not_found". */
static int status_is_kind(enum pleo_status status, const char *kind) {
    char *expected = text_format("PLEO_STATUS_%s", kind);
    for (char *c = expected; *c; c++) *c = (char)toupper((unsigned char)*c);
    int same = strcmp(pleo_status_name((int)status), expected) == 0;
    free(expected);
    return same;
}

/* {"error": E} for a failure the library returned as `status` and `error_json`, when it
 * matches `pattern`; else NULL with *reason set. */
static json_t *error_outcome(enum pleo_status status, const char *error_json, const json_t *pattern, char **reason) {
    json_t *error = error_json ? json_loads(error_json, JSON_ALLOW_NUL, NULL) : NULL;
    const char *kind = json_string_value(json_object_get(error, "kind"));
    json_t *outcome = NULL;
    char *mismatch = NULL;
    if (!kind) {
        *reason = text_format("%s came with no error JSON with a kind: %s", pleo_status_name((int)status),
                              error_json ? error_json : "NULL");
    } else if (!status_is_kind(status, kind)) {
        *reason = text_format("%s returned for an error of kind \"%s\"", pleo_status_name((int)status), kind);
    } else if ((mismatch = pattern_mismatch(pattern, error))) {
        *reason = text_format("error: %s (%s)", mismatch, error_json);
    } else {
        outcome = json_pack("{s:o}", "error", error_fields(error));
    }
    free(mismatch);
    json_decref(error);
    return outcome;
}

/* ---- client ---- */

static json_t *client_step(struct run *run, const json_t *step, char **reason) {
    const json_t *config = json_object_get(step, "client"), *expected = json_object_get(step, "error");
    const json_t *log_level = json_object_get(step, "log_level");
    pleo_client_free(run->client);
    run->client = NULL;
    if (!json_is_object(config)) {
        *reason = text_format("client: not an object");
        return NULL;
    }
    if (log_level && !json_is_string(log_level)) {
        *reason = text_format("log_level: not a string");
        return NULL;
    }
    if ((*reason = logs_collect(json_string_value(log_level)))) return NULL;
    json_t *full = json_copy((json_t *)config);
    if (!json_object_get(full, "base_url") && !json_object_get(full, "environment"))
        json_object_set_new(full, "base_url", json_string(run->base_url));
    char *config_json = text_json(full);
    json_decref(full);
    struct pleo_client *client = NULL;
    char *error_json = NULL;
    enum pleo_status status = pleo_client_new(config_json, &client, &error_json);
    free(config_json);
    json_t *outcome = NULL;
    if (status == PLEO_STATUS_OK && !expected) {
        run->client = client;
        outcome = json_string("client");
    } else if (status == PLEO_STATUS_OK) {
        pleo_client_free(client);
        *reason = text_format("the client was built, an error was expected");
    } else if (!expected) {
        *reason = text_format("building the client: %s: %s", pleo_status_name((int)status), error_json ? error_json : "NULL");
    } else {
        outcome = error_outcome(status, error_json, expected, reason);
    }
    pleo_string_free(error_json);
    return outcome;
}

/* ---- call ---- */

/* The step's `name` bound (max_ms or min_ms) into *millis, -1 when absent; or why not. */
static char *bound(const json_t *step, const char *name, long long *millis) {
    const json_t *value = json_object_get(step, name);
    *millis = value ? json_integer_value(value) : -1;
    if (value && !(json_is_integer(value) && *millis >= 0))
        return text_format("%s: not a whole number of milliseconds", name);
    return NULL;
}

/* Why the call step cannot be run as written, or NULL. */
static char *call_step_problem(const struct run *run, const json_t *step) {
    const json_t *request = json_object_get(step, "request");
    if (!json_is_string(json_object_get(step, "call"))) return text_format("call: not a string");
    if (request && !json_is_object(request) && !json_is_null(request)) return text_format("request: not an object");
    if (!json_object_get(step, "result") == !json_object_get(step, "error"))
        return text_format("a call step needs exactly one of result and error");
    if (!run->client) return text_format("a call before any client step");
    return NULL;
}

/* Whether the call's wall time is within the step's max_ms and min_ms; else *reason says how. */
static int within_time(long long max_ms, long long min_ms, long long elapsed_ms, char **reason) {
    if (max_ms >= 0 && elapsed_ms > max_ms) {
        *reason = text_format("took %lld ms, more than max_ms %lld", elapsed_ms, max_ms);
    } else if (min_ms >= 0 && elapsed_ms < min_ms) {
        *reason = text_format("took %lld ms, less than min_ms %lld", elapsed_ms, min_ms);
    }
    return *reason == NULL;
}

/* {"result": R} for a result the library returned as `out_json`, when an error was not
 * expected and it matches `pattern`; else NULL with *reason set. */
static json_t *result_outcome(const char *out_json, const json_t *pattern, char **reason) {
    json_error_t problem;
    json_t *result = json_loads(out_json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &problem);
    json_t *outcome = NULL;
    char *mismatch = NULL;
    if (!result) {
        *reason = text_format("the result is not JSON (%s): %s", problem.text, out_json);
    } else if (!pattern) {
        *reason = text_format("expected an error, got %s", out_json);
    } else if ((mismatch = pattern_mismatch(pattern, result))) {
        *reason = text_format("result: %s", mismatch);
    } else {
        outcome = json_pack("{s:o}", "result", pattern_normalise_result(result));
    }
    free(mismatch);
    json_decref(result);
    return outcome;
}

/* The outcome of what the library returned, checked against the step. */
static json_t *answer_outcome(const struct call_answer *answer, const json_t *step, char **reason) {
    const json_t *result = json_object_get(step, "result"), *error = json_object_get(step, "error");
    int ok = answer->status == PLEO_STATUS_OK;
    if (ok != (answer->out_json != NULL) || ok == (answer->error_json != NULL)) {
        *reason = text_format("%s with out_json %s and error_json %s: the header's contract is broken",
                              pleo_status_name((int)answer->status), answer->out_json ? "set" : "NULL",
                              answer->error_json ? "set" : "NULL");
        return NULL;
    }
    if (ok) return result_outcome(answer->out_json, result, reason);
    if (!error) {
        *reason = text_format("expected a result, got %s", answer->error_json);
        return NULL;
    }
    return error_outcome(answer->status, answer->error_json, error, reason);
}

static json_t *call_step(struct run *run, const json_t *step, char **reason) {
    long long max_ms, min_ms;
    if ((*reason = call_step_problem(run, step)) || (*reason = bound(step, "max_ms", &max_ms)) ||
        (*reason = bound(step, "min_ms", &min_ms)))
        return NULL;
    const json_t *operation = json_object_get(step, "call"), *request = json_object_get(step, "request");
    json_t *empty = json_object();
    struct call_answer answer = {0};
    /* As in every runner, a request that is null or absent is {}. */
    *reason = call_operation(run->client, json_string_value(operation), json_is_object(request) ? request : empty,
                             &answer);
    json_decref(empty);
    json_t *outcome = NULL;
    if (!*reason && within_time(max_ms, min_ms, answer.elapsed_ms, reason)) {
        outcome = answer_outcome(&answer, step, reason);
        if (!outcome) {
            /* How long the call took helps to tell a slow machine from a wrong SDK. */
            char *timed = text_format("%s [the call took %lld ms]", *reason, answer.elapsed_ms);
            free(*reason);
            *reason = timed;
        }
    }
    pleo_string_free(answer.out_json);
    pleo_string_free(answer.error_json);
    return outcome;
}

/* ---- logs ---- */

static json_t *logs_step(struct run *run, const json_t *step, char **reason) {
    (void)run;
    const json_t *pattern = json_object_get(step, "logs");
    if (!json_is_array(pattern)) {
        *reason = text_format("logs: not a list of events");
        return NULL;
    }
    json_t *events = logs_take();
    char *mismatch = pattern_mismatch(pattern, events);
    if (mismatch) {
        char *seen = text_json(events);
        *reason = text_format("logs: %s in %s", mismatch, seen);
        free(seen);
        free(mismatch);
        json_decref(events);
        return NULL;
    }
    return json_pack("{s:o}", "logs", events);
}
