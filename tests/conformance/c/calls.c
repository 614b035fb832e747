/* The `call` steps' operations mapped onto the C API's functions (see calls.h). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "calls.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text.h"

/* As the Rust runner: a waitForStatus request without timeout_ms waits at most a minute. */
enum { DEFAULT_WAIT_TIMEOUT_MS = 60000 };

typedef enum pleo_status (*with_request_fn)(const struct pleo_client *, const char *, char **, char **);
typedef enum pleo_status (*without_request_fn)(const struct pleo_client *, char **, char **);

/* The operations with a function of their own that takes the request JSON, or nothing. The
 * deprecated completion is part of the API the suite checks. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static const struct {
    const char *id;
    with_request_fn with_request;
    without_request_fn without_request;
} OPERATIONS[] = {
    {"getClientInstallation", pleo_get_installation, NULL},
    {"createClientInstallation", pleo_create_installation, NULL},
    {"updateClientInstallation", pleo_update_installation, NULL},
    {"deleteClientInstallation", NULL, pleo_delete_installation},
    {"activateMyInstallation", NULL, pleo_activate_installation},
    {"completeInstallationExternalClientOnlyIdempotently", NULL, pleo_complete_installation},
    {"introspect", NULL, pleo_introspect},
};
#pragma GCC diagnostic pop
enum { OPERATION_COUNT = sizeof OPERATIONS / sizeof *OPERATIONS };

/* Where `id` is in OPERATIONS, or OPERATION_COUNT. */
static size_t operation_index(const char *id) {
    size_t index = 0;
    while (index < OPERATION_COUNT && strcmp(OPERATIONS[index].id, id) != 0) index++;
    return index;
}

/* One call, ready to be made: which function, with which arguments. */
struct prepared {
    with_request_fn with_request;
    without_request_fn without_request;
    int refresh_tokens;
    char *request_text;
    const char **statuses; /* waitForStatus when not NULL */
    size_t count;
    uint64_t timeout_ms;
};

/* waitForStatus's arguments from {"statuses": [..], "timeout_ms"?: n}, or why not. */
static char *prepare_wait(const json_t *request, struct prepared *call) {
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)request, key, value) {
        if (strcmp(key, "statuses") != 0 && strcmp(key, "timeout_ms") != 0)
            return text_format("waitForStatus takes no \"%s\"", key);
    }
    const json_t *statuses = json_object_get(request, "statuses");
    const json_t *timeout = json_object_get(request, "timeout_ms");
    if (!json_is_array(statuses)) return text_format("waitForStatus: \"statuses\" is not an array");
    if (timeout && !(json_is_integer(timeout) && json_integer_value(timeout) >= 0))
        return text_format("waitForStatus: \"timeout_ms\" is not a whole number of milliseconds");
    call->timeout_ms = timeout ? (uint64_t)json_integer_value(timeout) : DEFAULT_WAIT_TIMEOUT_MS;
    call->count = json_array_size(statuses);
    /* One element more, so that an empty list is still a valid pointer. */
    call->statuses = calloc(call->count + 1, sizeof *call->statuses);
    if (!call->statuses) return text_format("out of memory");
    for (size_t index = 0; index < call->count; index++) {
        const json_t *status = json_array_get(statuses, index);
        if (!json_is_string(status)) return text_format("waitForStatus: statuses[%zu] is not a string", index);
        call->statuses[index] = json_string_value(status);
    }
    return NULL;
}

/* Which function `operation` goes through, with which arguments, or why it cannot. */
static char *prepare(const char *operation, const json_t *request, struct prepared *call) {
    if (strcmp(operation, "waitForStatus") == 0) return prepare_wait(request, call);
    int takes_request = 0;
    if (strcmp(operation, "refreshTokens") == 0) {
        call->refresh_tokens = 1;
    } else {
        size_t index = operation_index(operation);
        if (index == OPERATION_COUNT) return text_format("unknown operation \"%s\"", operation);
        call->with_request = OPERATIONS[index].with_request;
        call->without_request = OPERATIONS[index].without_request;
        takes_request = call->with_request != NULL;
    }
    if (!takes_request && json_object_size(request) > 0) return text_format("%s takes no request fields", operation);
    call->request_text = text_json(request);
    return NULL;
}

static enum pleo_status invoke(const struct pleo_client *client, const struct prepared *call, char **out, char **error) {
    if (call->statuses) return pleo_wait_for_status(client, call->statuses, call->count, call->timeout_ms, out, error);
    /* C has no export of its own for refreshTokens: the header names pleo_client_call. */
    if (call->refresh_tokens) return pleo_client_call(client, "refreshTokens", call->request_text, out, error);
    if (call->with_request) return call->with_request(client, call->request_text, out, error);
    return call->without_request(client, out, error);
}

static long long millis_between(const struct timespec *start, const struct timespec *end) {
    long long nanos = (long long)(end->tv_sec - start->tv_sec) * 1000000000LL + (end->tv_nsec - start->tv_nsec);
    return nanos / 1000000;
}

char *call_operation(const struct pleo_client *client, const char *operation, const json_t *request,
                     struct call_answer *answer) {
    struct prepared call = {0};
    char *problem = prepare(operation, request, &call);
    if (!problem) {
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        answer->status = invoke(client, &call, &answer->out_json, &answer->error_json);
        clock_gettime(CLOCK_MONOTONIC, &end);
        answer->elapsed_ms = millis_between(&start, &end);
    }
    free(call.statuses);
    free(call.request_text);
    return problem;
}
