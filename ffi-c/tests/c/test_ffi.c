/* Tests of libpleo_installations through its C header, against the emulator.
 *
 * Usage: test_ffi EMULATOR_URL [CALLS_PER_THREAD]
 * The emulator is `pleo-installations mock --port 0`; faults and state are set through its
 * admin API. Prints one line per failed check and exits non-zero when any failed. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "pleo_installations.h"

#ifndef PLEO_EXPECTED_VERSION /* the workspace version, from run.sh */
#error "build with -DPLEO_EXPECTED_VERSION='\"x.y.z\"'"
#endif

/* Atomic: CHECK also runs in callbacks, which may run on any thread. */
static atomic_int failures = 0;
static atomic_int checks = 0;
static const char *url;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        checks++;                                                              \
        if (!(cond)) {                                                         \
            failures++;                                                        \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
        }                                                                      \
    } while (0)

/* Whether `text` (possibly NULL) contains `part`. */
static int has(const char *text, const char *part) { return text && strstr(text, part); }

/* An admin request that must succeed. */
static void admin(const char *method, const char *path, const char *body) {
    char *response = http_request(url, method, path, body);
    CHECK(http_status(response) == 200, "%s %s: %s", method, path, response ? response : "(no connection)");
    free(response);
}

/* Queues one fault on the emulator. */
static void fault(const char *json) { admin("POST", "/__mock/faults", json); }

static char *config_for(const char *credential_json, const char *extra) {
    char *config = NULL;
    if (asprintf(&config, "{\"base_url\":\"%s\",%s%s%s}", url, credential_json, extra ? "," : "",
                 extra ? extra : "") < 0)
        abort();
    return config;
}

static pleo_client *new_client(const char *extra) {
    char *config = config_for("\"api_key\":\"pleo-mock-api-key\"", extra);
    pleo_client *client = NULL;
    char *error = NULL;
    pleo_status status = pleo_client_new(config, &client, &error);
    CHECK(status == PLEO_STATUS_OK && client && !error, "pleo_client_new: %s", error);
    pleo_string_free(error);
    free(config);
    return client;
}

/* The outcome of one call: its status, result and error, freed by `done`. */
typedef struct {
    pleo_status status;
    char *out;
    char *error;
} outcome;

static void done(outcome *o) {
    pleo_string_free(o->out);
    pleo_string_free(o->error);
}

/* Checks that `o` failed with `status`, an error JSON of `kind` and no result. */
static void expect_error(outcome o, pleo_status status, const char *kind, const char *what) {
    char want[64];
    snprintf(want, sizeof want, "\"kind\":\"%s\"", kind);
    CHECK(o.status == status, "%s: %s, not %s: %s", what, pleo_status_name(o.status),
          pleo_status_name(status), o.error);
    CHECK(has(o.error, want), "%s: error %s lacks %s", what, o.error, want);
    CHECK(o.out == NULL, "%s: result %s on failure", what, o.out);
    done(&o);
}

/* Checks that `o` succeeded with a result containing `part`. */
static void expect_ok(outcome o, const char *part, const char *what) {
    CHECK(o.status == PLEO_STATUS_OK, "%s: %s: %s", what, pleo_status_name(o.status), o.error);
    CHECK(o.error == NULL, "%s: error set on success", what);
    CHECK(has(o.out, part), "%s: result %s lacks %s", what, o.out, part);
    done(&o);
}

static outcome call(pleo_client *client, const char *operation, const char *request) {
    outcome o = {0};
    o.status = pleo_client_call(client, operation, request, &o.out, &o.error);
    return o;
}

static outcome get(pleo_client *client) {
    outcome o = {0};
    o.status = pleo_get_installation(client, "{}", &o.out, &o.error);
    return o;
}

static void test_constants(void) {
    CHECK(strcmp(pleo_version(), PLEO_EXPECTED_VERSION) == 0, "version %s, not %s", pleo_version(),
          PLEO_EXPECTED_VERSION);
    CHECK(strcmp(PLEO_VERSION_STRING, pleo_version()) == 0, "header %s, library %s", PLEO_VERSION_STRING,
          pleo_version());
    CHECK(PLEO_VERSION_NUMBER == PLEO_VERSION_MAJOR * 1000000 + PLEO_VERSION_MINOR * 1000 + PLEO_VERSION_PATCH,
          "version number %d", PLEO_VERSION_NUMBER);
    CHECK(strcmp(pleo_status_name(PLEO_STATUS_OK), "PLEO_STATUS_OK") == 0, "OK name");
    CHECK(strcmp(pleo_status_name(PLEO_STATUS_REAUTHENTICATION_REQUIRED),
                 "PLEO_STATUS_REAUTHENTICATION_REQUIRED") == 0, "name");
    CHECK(strcmp(pleo_status_name(PLEO_STATUS_NULL_ARGUMENT), "PLEO_STATUS_NULL_ARGUMENT") == 0, "name");
    CHECK(strcmp(pleo_status_name(-1), "PLEO_STATUS_UNKNOWN") == 0, "unknown status");
    CHECK(strcmp(pleo_status_name(PLEO_STATUS_CANCELLED), "PLEO_STATUS_CANCELLED") == 0, "name");
    CHECK(strcmp(pleo_status_name(16), "PLEO_STATUS_UNKNOWN") == 0, "unknown status");
    CHECK(PLEO_STATUS_INTERNAL == 13 && PLEO_STATUS_NULL_ARGUMENT == 14 && PLEO_STATUS_CANCELLED == 15,
          "fixed values");
    pleo_string_free(NULL);
    pleo_client_free(NULL);
}

static void test_client_new(void) {
    struct { const char *config; const char *message; } bad[] = {
        {"{", "EOF"},
        {"[]", "invalid"},
        {"{\"api_key\":\"k\",\"colour\":\"blue\"}", "colour"},
        {"{\"base_url\":\"http://127.0.0.1:1\"}", "credential"},
        {"{\"api_key\":\"k\",\"access_token\":\"t\"}", "one"},
        {"{\"api_key\":\"k\",\"base_url\":\"http://example.com\"}", "http"},
        {"{\"api_key\":\"k\",\"max_retries\":\"two\"}", "max_retries"},
        {"{\"api_key\":\"\xff\xfe\"}", "UTF-8"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pleo_client *client = (pleo_client *)&client; /* must be overwritten with NULL */
        char *error = NULL;
        pleo_status status = pleo_client_new(bad[i].config, &client, &error);
        CHECK(status == PLEO_STATUS_INVALID_ARGUMENT, "config %s: %s", bad[i].config, pleo_status_name(status));
        CHECK(client == NULL, "config %s: client not NULL", bad[i].config);
        CHECK(has(error, "\"kind\":\"invalid_argument\"") && has(error, bad[i].message),
              "config %s: error %s lacks %s", bad[i].config, error, bad[i].message);
        pleo_string_free(error);
    }
    /* error_json may be NULL; every other pointer is required. */
    pleo_client *client = NULL;
    CHECK(pleo_client_new("{", &client, NULL) == PLEO_STATUS_INVALID_ARGUMENT, "no error_json");
    char *error = NULL;
    CHECK(pleo_client_new(NULL, &client, &error) == PLEO_STATUS_NULL_ARGUMENT, "NULL config");
    CHECK(has(error, "config_json is NULL"), "%s", error);
    pleo_string_free(error);
    CHECK(pleo_client_new("{\"api_key\":\"k\"}", NULL, &error) == PLEO_STATUS_NULL_ARGUMENT, "NULL out");
    CHECK(has(error, "client is NULL"), "%s", error);
    pleo_string_free(error);
    pleo_hooks hooks = {0};
    client = (pleo_client *)&client; /* must be overwritten with NULL */
    CHECK(pleo_client_new_with_hooks("{\"api_key\":\"k\"}", NULL, &client, &error) == PLEO_STATUS_NULL_ARGUMENT,
          "NULL hooks");
    CHECK(has(error, "hooks is NULL") && client == NULL, "%s", error);
    pleo_string_free(error);
    CHECK(pleo_client_new_with_hooks(NULL, &hooks, &client, NULL) == PLEO_STATUS_NULL_ARGUMENT, "NULL config");
    CHECK(pleo_client_new_with_hooks("{\"api_key\":\"k\"}", &hooks, NULL, NULL) == PLEO_STATUS_NULL_ARGUMENT,
          "NULL out");
    CHECK(pleo_client_new_with_hooks("{", &hooks, &client, &error) == PLEO_STATUS_INVALID_ARGUMENT && !client,
          "bad config with hooks");
    CHECK(has(error, "\"kind\":\"invalid_argument\""), "%s", error);
    pleo_string_free(error);
    pleo_token_store incomplete = {0};
    hooks.token_store = &incomplete;
    CHECK(pleo_client_new_with_hooks("{\"api_key\":\"k\"}", &hooks, &client, &error) == PLEO_STATUS_NULL_ARGUMENT,
          "store without callbacks");
    CHECK(has(error, "token_store->load is NULL") && client == NULL, "%s", error);
    pleo_string_free(error);
}

static void test_lifecycle(pleo_client *client) {
    admin("POST", "/__mock/reset", NULL);
    outcome o = {0};
    expect_error(get(client), PLEO_STATUS_NOT_FOUND, "not_found", "get before create");
    o.status = pleo_create_installation(client, "{\"metadata\":{\"erp\":\"c\"}}", &o.out, &o.error);
    expect_ok(o, "\"status\":\"ACTIVATED\"", "create");
    o = (outcome){0};
    o.status = pleo_create_installation(client, "{}", &o.out, &o.error);
    expect_error(o, PLEO_STATUS_CONFLICT, "conflict", "second create");
    o = (outcome){0};
    o.status = pleo_update_installation(client, "{\"status\":\"PENDING_INTEGRATION\"}", &o.out, &o.error);
    expect_ok(o, "\"status\":\"PENDING_INTEGRATION\"", "update");
    o = (outcome){0};
    o.status = pleo_get_installation(client, "{\"company_id\":\"7c1e5a2b-3d4f-4e6a-9b8c-0d1e2f3a4b5c\"}", &o.out,
                                     &o.error);
    expect_ok(o, "\"erp\":\"c\"", "get by company");
    o = (outcome){0};
    o.status = pleo_activate_installation(client, &o.out, &o.error);
    expect_ok(o, "\"status\":\"ACTIVATED\"", "activate");
    o = (outcome){0};
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    o.status = pleo_complete_installation(client, &o.out, &o.error);
#pragma GCC diagnostic pop
    expect_ok(o, "\"status\":\"ACTIVATED\"", "complete");
    o = (outcome){0};
    o.status = pleo_introspect(client, &o.out, &o.error);
    expect_ok(o, "\"authMethod\":\"API_KEY\"", "introspect");
    const char *statuses[] = {"PENDING_INTEGRATION", "ACTIVATED"};
    o = (outcome){0};
    o.status = pleo_wait_for_status(client, statuses, 2, 5000, &o.out, &o.error);
    expect_ok(o, "\"status\":\"ACTIVATED\"", "wait");
    expect_ok(call(client, "getClientInstallation", ""), "\"status\":\"ACTIVATED\"", "call with empty request");
    o = (outcome){0};
    o.status = pleo_delete_installation(client, &o.out, &o.error);
    CHECK(o.status == PLEO_STATUS_OK && o.out && strcmp(o.out, "null") == 0, "delete: %s %s", o.out, o.error);
    done(&o);
    expect_error(call(client, "deleteClientInstallation", "null"), PLEO_STATUS_NOT_FOUND, "not_found",
                 "second delete");
    o = (outcome){0};
    o.status = pleo_wait_for_status(client, statuses, 2, 300, &o.out, &o.error);
    expect_error(o, PLEO_STATUS_TIMEOUT, "timeout", "wait without installation");
}

static void test_invalid_input(pleo_client *client) {
    expect_error(call(client, "launchRocket", "{}"), PLEO_STATUS_INVALID_ARGUMENT, "invalid_argument",
                 "unknown operation");
    outcome o = call(client, "launchRocket", "{}");
    CHECK(has(o.error, "launchRocket"), "error names the operation: %s", o.error);
    done(&o);
    expect_error(call(client, "getClientInstallation", "{"), PLEO_STATUS_INVALID_ARGUMENT, "invalid_argument",
                 "bad JSON");
    expect_error(call(client, "getClientInstallation", "[1]"), PLEO_STATUS_INVALID_ARGUMENT, "invalid_argument",
                 "array request");
    expect_error(call(client, "getClientInstallation", "{\"company_id\":\"nope\"}"), PLEO_STATUS_INVALID_ARGUMENT,
                 "invalid_argument", "bad UUID");
    expect_error(call(client, "updateClientInstallation", "{\"status\":\"FLYING\"}"), PLEO_STATUS_INVALID_ARGUMENT,
                 "invalid_argument", "unknown status");
    expect_error(call(client, "getClientInstallation\xc3\x28", "{}"), PLEO_STATUS_INVALID_ARGUMENT,
                 "invalid_argument", "invalid UTF-8 operation");
    o = call(client, "getClientInstallation", "{\"company_id\":\"\xff\"}");
    CHECK(o.status == PLEO_STATUS_INVALID_ARGUMENT && has(o.error, "request_json is not valid UTF-8"), "%s",
          o.error);
    done(&o);
    const char *bad_statuses[] = {"ACTIVATED", "\xff"};
    o = (outcome){0};
    o.status = pleo_wait_for_status(client, bad_statuses, 2, 10, &o.out, &o.error);
    CHECK(o.status == PLEO_STATUS_INVALID_ARGUMENT && has(o.error, "statuses[1] is not valid UTF-8"), "%s", o.error);
    done(&o);
    /* No statuses: the core's message, whether the (unread) array is NULL or not. */
    const char *const *empty[] = {NULL, bad_statuses};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        o = (outcome){0};
        o.status = pleo_wait_for_status(client, empty[i], 0, 10, &o.out, &o.error);
        CHECK(has(o.error, "statuses is empty"), "no statuses (%zu): %s", i, o.error);
        expect_error(o, PLEO_STATUS_INVALID_ARGUMENT, "invalid_argument", "no statuses");
    }
}

/* Every pointer of every client function, NULL in turn. */
static void test_null_arguments(pleo_client *client) {
    char *out = (char *)&out, *error = NULL;
    const char *one[] = {"ACTIVATED"};
    const char *with_null[] = {"ACTIVATED", NULL};
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#define NULL_CASE(expr, name)                                                             \
    do {                                                                                  \
        out = (char *)&out;                                                               \
        pleo_status status = (expr);                                                      \
        CHECK(status == PLEO_STATUS_NULL_ARGUMENT, "%s: %s", #expr, pleo_status_name(status)); \
        CHECK(has(error, name " is NULL"), "%s: error %s", #expr, error);                \
        if (strcmp(name, "out_json") == 0) /* out is not passed: left as it was */      \
            CHECK(out == (char *)&out, "%s: out written through another pointer", #expr); \
        else                                                                              \
            CHECK(out == NULL, "%s: out not reset to NULL", #expr);                       \
        pleo_string_free(error);                                                          \
        error = NULL;                                                                     \
    } while (0)
    NULL_CASE(pleo_client_call(NULL, "introspect", "{}", &out, &error), "client");
    NULL_CASE(pleo_client_call(client, NULL, "{}", &out, &error), "operation_id");
    NULL_CASE(pleo_client_call(client, "introspect", NULL, &out, &error), "request_json");
    NULL_CASE(pleo_client_call(client, "introspect", "{}", NULL, &error), "out_json");
    NULL_CASE(pleo_get_installation(NULL, "{}", &out, &error), "client");
    NULL_CASE(pleo_get_installation(client, NULL, &out, &error), "request_json");
    NULL_CASE(pleo_get_installation(client, "{}", NULL, &error), "out_json");
    NULL_CASE(pleo_create_installation(NULL, "{}", &out, &error), "client");
    NULL_CASE(pleo_create_installation(client, NULL, &out, &error), "request_json");
    NULL_CASE(pleo_create_installation(client, "{}", NULL, &error), "out_json");
    NULL_CASE(pleo_update_installation(NULL, "{}", &out, &error), "client");
    NULL_CASE(pleo_update_installation(client, NULL, &out, &error), "request_json");
    NULL_CASE(pleo_update_installation(client, "{}", NULL, &error), "out_json");
    NULL_CASE(pleo_delete_installation(NULL, &out, &error), "client");
    NULL_CASE(pleo_delete_installation(client, NULL, &error), "out_json");
    NULL_CASE(pleo_activate_installation(NULL, &out, &error), "client");
    NULL_CASE(pleo_activate_installation(client, NULL, &error), "out_json");
    NULL_CASE(pleo_complete_installation(NULL, &out, &error), "client");
    NULL_CASE(pleo_complete_installation(client, NULL, &error), "out_json");
    NULL_CASE(pleo_introspect(NULL, &out, &error), "client");
    NULL_CASE(pleo_introspect(client, NULL, &error), "out_json");
    NULL_CASE(pleo_wait_for_status(NULL, one, 1, 10, &out, &error), "client");
    NULL_CASE(pleo_wait_for_status(client, NULL, 1, 10, &out, &error), "statuses");
    NULL_CASE(pleo_wait_for_status(client, with_null, 2, 10, &out, &error), "statuses[1]");
    NULL_CASE(pleo_wait_for_status(client, one, 1, 10, NULL, &error), "out_json");
    NULL_CASE(pleo_oauth_call(NULL, "{}", &out, &error), "function");
    NULL_CASE(pleo_oauth_call("newCodeVerifier", NULL, &out, &error), "request_json");
    NULL_CASE(pleo_oauth_call("newCodeVerifier", "{}", NULL, &error), "out_json");
#undef NULL_CASE
    /* Without error_json the status alone tells. */
    CHECK(pleo_introspect(NULL, &out, NULL) == PLEO_STATUS_NULL_ARGUMENT, "NULL client, no error_json");
    CHECK(pleo_complete_installation(client, NULL, NULL) == PLEO_STATUS_NULL_ARGUMENT, "no out, no error_json");
#pragma GCC diagnostic pop
}

/* Every error kind the server side can cause, through faults and bad credentials. */
static void test_error_kinds(pleo_client *client) {
    admin("POST", "/__mock/reset", NULL);
    pleo_client *quick = new_client("\"max_retries\":0,\"timeout_ms\":300");
    fault("{\"status\":403}");
    expect_error(get(quick), PLEO_STATUS_PERMISSION_DENIED, "permission_denied", "403");
    fault("{\"status\":422}");
    expect_error(get(quick), PLEO_STATUS_BAD_REQUEST, "bad_request", "422");
    fault("{\"status\":429}");
    expect_error(get(quick), PLEO_STATUS_RATE_LIMITED, "rate_limited", "429");
    fault("{\"status\":503}");
    outcome o = get(quick);
    CHECK(has(o.error, "\"status\":503") && has(o.error, "\"request_id\":\"mock-"), "server error details: %s",
          o.error);
    expect_error(o, PLEO_STATUS_SERVER, "server", "503");
    fault("{\"delay_ms\":1500}");
    expect_error(get(quick), PLEO_STATUS_TIMEOUT, "timeout", "slow answer");
    fault("{\"malformed\":true}");
    expect_error(get(quick), PLEO_STATUS_DECODE, "decode", "malformed body");
    fault("{\"drop\":true}");
    expect_error(get(quick), PLEO_STATUS_CONNECTION, "connection", "dropped connection");
    /* Retries by default: two 503s then the answer. */
    fault("{\"status\":503,\"times\":2}");
    expect_error(get(client), PLEO_STATUS_NOT_FOUND, "not_found", "after two retried 503s");
    expect_error(call(client, "activateMyInstallation", "{}"), PLEO_STATUS_NOT_FOUND, "not_found", "activate");
    pleo_client_free(quick);

    char *config = config_for("\"api_key\":\"not-the-key-s3cret\"", NULL);
    pleo_client *stranger = NULL;
    CHECK(pleo_client_new(config, &stranger, NULL) == PLEO_STATUS_OK, "client with a wrong key");
    o = get(stranger);
    CHECK(!has(o.error, "s3cret"), "the key leaks into the error: %s", o.error);
    expect_error(o, PLEO_STATUS_AUTHENTICATION, "authentication", "wrong key");
    pleo_client_free(stranger);
    free(config);

    pleo_client *nowhere = NULL;
    CHECK(pleo_client_new("{\"base_url\":\"http://127.0.0.1:9\",\"api_key\":\"k\",\"max_retries\":0}", &nowhere,
                          NULL) == PLEO_STATUS_OK, "client to a closed port");
    expect_error(get(nowhere), PLEO_STATUS_CONNECTION, "connection", "closed port");
    pleo_client_free(nowhere);
}

/* What the OAuth hooks saw. */
typedef struct {
    pthread_mutex_t mutex;
    int refreshed;      /* calls of the tokens-refreshed hook */
    int fail;           /* what the hook returns */
    char *stored;       /* the store's tokens JSON, or NULL */
    int locks, unlocks; /* store lock calls */
    int lock_result;    /* what the store's lock returns */
} oauth_state;

static int on_refreshed(const char *tokens_json, void *user_data) {
    oauth_state *state = user_data;
    CHECK(has(tokens_json, "\"access_token\":\"at_") && has(tokens_json, "\"refresh_token\":\"rt_"), "%s",
          tokens_json);
    pthread_mutex_lock(&state->mutex);
    state->refreshed++;
    pthread_mutex_unlock(&state->mutex);
    return state->fail;
}

static int store_load(void *user_data, char **tokens_json) {
    oauth_state *state = user_data;
    pthread_mutex_lock(&state->mutex);
    *tokens_json = state->stored ? strdup(state->stored) : NULL;
    pthread_mutex_unlock(&state->mutex);
    return 0;
}

static int store_lock(void *user_data, uint64_t wait_ms) {
    (void)wait_ms;
    oauth_state *state = user_data;
    pthread_mutex_lock(&state->mutex);
    int result = state->lock_result;
    if (result == 0) state->locks++;
    pthread_mutex_unlock(&state->mutex);
    return result;
}

static void store_unlock(void *user_data) {
    oauth_state *state = user_data;
    pthread_mutex_lock(&state->mutex);
    state->unlocks++;
    pthread_mutex_unlock(&state->mutex);
}

static int store_cas(void *user_data, const char *expected, const char *tokens_json, int *swapped) {
    oauth_state *state = user_data;
    pthread_mutex_lock(&state->mutex);
    char want[128];
    snprintf(want, sizeof want, "\"refresh_token\":\"%s\"", expected);
    *swapped = !state->stored || has(state->stored, want);
    if (*swapped) {
        free(state->stored);
        state->stored = strdup(tokens_json);
    }
    pthread_mutex_unlock(&state->mutex);
    return 0;
}

/* A refresh hook or a token store with a credential that never refreshes (API key, access
 * token) is refused: it would never be called. */
static void test_hooks_need_oauth(void) {
    oauth_state state = {.mutex = PTHREAD_MUTEX_INITIALIZER};
    pleo_token_store store = {store_load, store_lock, store_unlock, store_cas, &state};
    const pleo_hooks cases[] = {{on_refreshed, &state, NULL}, {NULL, NULL, &store}};
    const char *credentials[] = {"\"api_key\":\"k\"", "\"access_token\":\"t\""};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t j = 0; j < sizeof credentials / sizeof credentials[0]; j++) {
            char *config = config_for(credentials[j], NULL);
            pleo_client *client = (pleo_client *)&client; /* must be overwritten with NULL */
            char *error = NULL;
            pleo_status status = pleo_client_new_with_hooks(config, &cases[i], &client, &error);
            CHECK(status == PLEO_STATUS_INVALID_ARGUMENT && client == NULL, "hooks %zu with %s: %s", i,
                  credentials[j], pleo_status_name(status));
            CHECK(has(error, "\"kind\":\"invalid_argument\"") && has(error, "need an OAuth credential"),
                  "hooks %zu with %s: %s", i, credentials[j], error);
            pleo_string_free(error);
            free(config);
        }
    CHECK(state.refreshed == 0 && state.stored == NULL && state.locks == 0, "a hook ran");
    /* Zeroed hooks are no hooks: fine with any credential. */
    pleo_hooks none = {0};
    char *config = config_for("\"api_key\":\"k\"", NULL);
    pleo_client *client = NULL;
    CHECK(pleo_client_new_with_hooks(config, &none, &client, NULL) == PLEO_STATUS_OK && client, "zeroed hooks");
    pleo_client_free(client);
    free(config);
}

/* Copies the string field `key` of compact JSON into `out` (64 bytes); "" when absent. */
static void field(const char *json, const char *key, char out[64]) {
    char pattern[80];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *at = json ? strstr(json, pattern) : NULL;
    out[0] = '\0';
    if (at) sscanf(at + strlen(pattern), "%63[^\"]", out);
}

/* How many refresh grants the emulator has answered. */
static int refreshes(void) {
    char *response = http_request(url, "GET", "/__mock/oauth/stats", NULL);
    const char *at = response ? strstr(response, "\"refreshes\":") : NULL;
    int count = -1;
    if (at) sscanf(at, "\"refreshes\":%d", &count);
    free(response);
    return count;
}

/* A fresh token family from the emulator, as the `oauth` object of a configuration whose
 * access token is due for refresh at once. */
static char *oauth_config(void) {
    char *response = http_request(url, "POST", "/__mock/oauth/tokens", "{}");
    char access[64], refresh[64];
    field(response, "access_token", access);
    field(response, "refresh_token", refresh);
    CHECK(access[0] && refresh[0], "token family: %s", response);
    free(response);
    char *credential = NULL;
    if (asprintf(&credential,
                 "\"oauth\":{\"client_id\":\"pleo-mock-oauth-client\",\"client_secret\":"
                 "\"pleo-mock-oauth-secret\",\"access_token\":\"%s\",\"refresh_token\":\"%s\","
                 "\"expires_in\":0}",
                 access, refresh) < 0)
        abort();
    char *config = config_for(credential, NULL);
    free(credential);
    return config;
}

static void test_oauth_hooks(void) {
    admin("POST", "/__mock/reset", NULL);
    oauth_state state = {.mutex = PTHREAD_MUTEX_INITIALIZER};
    pleo_token_store store = {store_load, store_lock, store_unlock, store_cas, &state};
    pleo_hooks hooks = {on_refreshed, &state, &store};
    char *config = oauth_config();
    pleo_client *client = NULL;
    char *error = NULL;
    CHECK(pleo_client_new_with_hooks(config, &hooks, &client, &error) == PLEO_STATUS_OK, "%s", error);
    pleo_string_free(error);
    expect_ok(call(client, "introspect", "{}"), "\"authMethod\":\"OAUTH2\"", "OAuth introspect");
    CHECK(state.refreshed == 1, "hook ran %d times", state.refreshed);
    char stored_refresh[64];
    field(state.stored, "refresh_token", stored_refresh);
    CHECK(stored_refresh[0] && !has(config, stored_refresh), "the store holds new tokens: %s", state.stored);
    CHECK(state.locks >= 1 && state.locks == state.unlocks, "locks %d, unlocks %d", state.locks, state.unlocks);
    expect_ok(call(client, "refreshTokens", "{}"), "null", "refresh on demand");
    CHECK(state.refreshed == 2 && refreshes() == 2, "hook ran %d times, %d refreshes", state.refreshed,
          refreshes());

    /* A second client (another process, in life) with the same store and the configured,
     * now rotated, tokens uses the stored ones instead of refreshing. */
    pleo_client *other = NULL;
    CHECK(pleo_client_new_with_hooks(config, &hooks, &other, NULL) == PLEO_STATUS_OK, "second client");
    expect_ok(call(other, "introspect", "{}"), "\"authMethod\":\"OAUTH2\"", "second client's call");
    CHECK(state.refreshed == 2 && refreshes() == 2, "the second client refreshed: hook %d, %d refreshes",
          state.refreshed, refreshes());
    pleo_client_free(other);

    /* A failing hook fails the call with kind internal. */
    state.fail = 7;
    outcome o = call(client, "refreshTokens", "{}");
    CHECK(has(o.error, "returned 7") || has(o.error, "callback"), "names the hook: %s", o.error);
    CHECK(!has(o.error, "rt_") && !has(o.error, "at_"), "a token leaks into the error: %s", o.error);
    expect_error(o, PLEO_STATUS_INTERNAL, "internal", "failing hook");
    /* A store whose lock is not free in time. */
    state.fail = 0;
    state.lock_result = PLEO_LOCK_TIMEOUT;
    expect_error(call(client, "refreshTokens", "{}"), PLEO_STATUS_TIMEOUT, "timeout", "store lock timeout");
    state.lock_result = 5;
    o = call(client, "refreshTokens", "{}");
    CHECK(o.status != PLEO_STATUS_OK && has(o.error, "lock callback returned 5"), "failing lock: %s", o.error);
    done(&o);
    pleo_client_free(client);
    free(config);
    free(state.stored);

    /* A rejected refresh token. */
    pleo_client *rejected = NULL;
    char *bad = config_for("\"oauth\":{\"client_id\":\"pleo-mock-oauth-client\",\"client_secret\":"
                           "\"pleo-mock-oauth-secret\",\"access_token\":\"at_x\",\"refresh_token\":\"rt_x\","
                           "\"expires_in\":0}",
                           NULL);
    CHECK(pleo_client_new(bad, &rejected, NULL) == PLEO_STATUS_OK, "OAuth client");
    expect_error(get(rejected), PLEO_STATUS_REAUTHENTICATION_REQUIRED, "reauthentication_required",
                 "rejected refresh token");
    pleo_client_free(rejected);
    free(bad);
}

static void test_oauth_helpers(void) {
    outcome o = {0};
    o.status = pleo_oauth_call("newCodeVerifier", "{}", &o.out, &o.error);
    expect_ok(o, "\"code_verifier\":\"", "new verifier");
    o = (outcome){0};
    o.status = pleo_oauth_call("codeChallenge", "{\"code_verifier\":\"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk\"}",
                               &o.out, &o.error);
    expect_ok(o, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "RFC 7636 example challenge");
    o = (outcome){0};
    o.status = pleo_oauth_call("flyAway", "{}", &o.out, &o.error);
    CHECK(has(o.error, "flyAway"), "names the function: %s", o.error);
    expect_error(o, PLEO_STATUS_INVALID_ARGUMENT, "invalid_argument", "unknown OAuth function");
    o = (outcome){0};
    o.status = pleo_oauth_call("codeChallenge", "{\"code_verifier\":", &o.out, &o.error);
    expect_error(o, PLEO_STATUS_INVALID_ARGUMENT, "invalid_argument", "bad OAuth JSON");
    o = (outcome){0};
    o.status = pleo_oauth_call("newCode\xffVerifier", "{}", &o.out, &o.error);
    CHECK(has(o.error, "function is not valid UTF-8"), "%s", o.error);
    expect_error(o, PLEO_STATUS_INVALID_ARGUMENT, "invalid_argument", "invalid UTF-8 function");

    /* The code flow: authorisation URL, consent (the emulator's user agrees at once), exchange. */
    char *request = NULL;
    if (asprintf(&request, "{\"client_id\":\"pleo-mock-oauth-client\",\"redirect_uri\":"
                           "\"http://localhost:8765/callback\",\"base_url\":\"%s\"}", url) < 0)
        abort();
    o = (outcome){0};
    o.status = pleo_oauth_call("authorizationUrl", request, &o.out, &o.error);
    CHECK(o.status == PLEO_STATUS_OK, "authorization URL: %s", o.error);
    free(request);
    char path[1024] = "", verifier[160] = "";
    const char *at = o.out ? strstr(o.out, "/oauth/authorize") : NULL;
    if (at) sscanf(at, "%1023[^\"]", path);
    at = o.out ? strstr(o.out, "\"code_verifier\":\"") : NULL;
    if (at) sscanf(at, "\"code_verifier\":\"%159[^\"]", verifier);
    done(&o);
    char *consent = http_request(url, "GET", path, NULL);
    char code[128] = "";
    at = consent ? strstr(consent, "code=") : NULL;
    if (at) sscanf(at, "code=%127[^&\r]", code);
    CHECK(http_status(consent) == 302 && code[0], "consent: %s", consent);
    free(consent);
    if (asprintf(&request,
                 "{\"client_id\":\"pleo-mock-oauth-client\",\"client_secret\":\"pleo-mock-oauth-secret\","
                 "\"code\":\"%s\",\"code_verifier\":\"%s\",\"redirect_uri\":\"http://localhost:8765/callback\","
                 "\"base_url\":\"%s\"}",
                 code, verifier, url) < 0)
        abort();
    o = (outcome){0};
    o.status = pleo_oauth_call("exchangeCode", request, &o.out, &o.error);
    expect_ok(o, "\"refresh_token\":\"rt_", "exchange");
    o = (outcome){0};
    o.status = pleo_oauth_call("exchangeCode", request, &o.out, &o.error); /* a used code */
    CHECK(o.status != PLEO_STATUS_OK && o.error, "reused code: %s", pleo_status_name(o.status));
    done(&o);
    free(request);
}

typedef struct {
    pleo_client *client;
    int calls;
    int failed;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    for (int i = 0; i < w->calls; i++) {
        char *out = NULL;
        if (pleo_get_installation(w->client, "{}", &out, NULL) != PLEO_STATUS_OK || !has(out, "\"id\":"))
            w->failed++;
        pleo_string_free(out);
    }
    return NULL;
}

typedef struct {
    pleo_client *client;
    atomic_int returned;
} cancelling;

/* Cancels the client's calls every 50 ms until the call under test has returned (a slow
 * machine, valgrind, may start it late: one cancel could come before it). */
static void *cancel_until_returned(void *arg) {
    cancelling *c = arg;
    struct timespec pause = {0, 50 * 1000000L};
    while (!atomic_load(&c->returned)) {
        nanosleep(&pause, NULL);
        pleo_client_cancel(c->client);
    }
    return NULL;
}

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Another thread stops a call in flight long before the server would answer; calls made
 * afterwards run as usual. */
static void test_cancel(void) {
    admin("POST", "/__mock/reset", NULL);
    pleo_client *client = new_client(NULL);
    fault("{\"delay_ms\":10000}");
    cancelling c = {client, 0};
    pthread_t canceller;
    CHECK(pthread_create(&canceller, NULL, cancel_until_returned, &c) == 0, "canceller thread");
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    expect_error(get(client), PLEO_STATUS_CANCELLED, "cancelled", "a call cancelled from another thread");
    double took = seconds_since(&start);
    atomic_store(&c.returned, 1);
    pthread_join(canceller, NULL);
    CHECK(took < 8.0, "the cancelled call took %.1f s", took);
    admin("POST", "/__mock/reset", NULL);
    expect_error(get(client), PLEO_STATUS_NOT_FOUND, "not_found", "a call after the cancel");
    pleo_client_cancel(NULL);
    pleo_client_free(client);
}

/* 16 threads share one client. */
static void test_threads(pleo_client *client, int calls) {
    admin("POST", "/__mock/reset", NULL);
    outcome o = {0};
    o.status = pleo_create_installation(client, "{}", &o.out, &o.error);
    expect_ok(o, "\"id\":", "create for threads");
    enum { THREADS = 16 };
    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){client, calls, 0};
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0, "thread %d", i);
    }
    int failed = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        failed += workers[i].failed;
    }
    CHECK(failed == 0, "%d of %d calls failed", failed, THREADS * calls);
    printf("threads: %d x %d calls on one client\n", THREADS, calls);
}

/* The succeeding TLS path against a loopback HTTPS server whose certificate the test CA
 * signed: trusted through `ca_bundle` (`ca_path`), or, when `ca_path` is NULL, through the
 * SSL_CERT_FILE this process was started with; refused when trusted by neither. */
static void test_tls(const char *https_url, const char *ca_path) {
    char config[1024];
    pleo_client *client = NULL;
    if (ca_path) {
        snprintf(config, sizeof config, "{\"base_url\":\"%s\",\"api_key\":\"k\"}", https_url);
        CHECK(pleo_client_new(config, &client, NULL) == PLEO_STATUS_OK, "client without ca_bundle");
        outcome o = {0};
        o.status = pleo_delete_installation(client, &o.out, &o.error);
        CHECK(has(o.error, "certificate"), "the untrusted server's error: %s", o.error);
        expect_error(o, PLEO_STATUS_CONNECTION, "connection", "an untrusted certificate");
        pleo_client_free(client);
        snprintf(config, sizeof config, "{\"base_url\":\"%s\",\"api_key\":\"k\",\"ca_bundle\":\"%s\"}",
                 https_url, ca_path);
    } else {
        snprintf(config, sizeof config, "{\"base_url\":\"%s\",\"api_key\":\"k\"}", https_url);
    }
    CHECK(pleo_client_new(config, &client, NULL) == PLEO_STATUS_OK, "client of the HTTPS server");
    outcome o = {0};
    o.status = pleo_delete_installation(client, &o.out, &o.error);
    expect_ok(o, "null", ca_path ? "trusted through ca_bundle" : "trusted through SSL_CERT_FILE");
    pleo_client_free(client);
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "tls") == 0) {
        test_tls(argv[2], argc > 3 ? argv[3] : NULL);
        printf("tls: %d checks, %d failed\n", atomic_load(&checks), atomic_load(&failures));
        return atomic_load(&failures) != 0;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: %s EMULATOR_URL [CALLS_PER_THREAD] | tls HTTPS_URL [CA_BUNDLE]\n", argv[0]);
        return 2;
    }
    url = argv[1];
    int calls = argc > 2 ? atoi(argv[2]) : 1000;
    test_constants();
    test_client_new();
    test_hooks_need_oauth();
    pleo_client *client = new_client(NULL);
    test_lifecycle(client);
    test_invalid_input(client);
    test_null_arguments(client);
    test_error_kinds(client);
    test_oauth_hooks();
    test_oauth_helpers();
    test_cancel();
    test_threads(client, calls);
    pleo_client_free(client);
    printf("%d checks, %d failed\n", atomic_load(&checks), atomic_load(&failures));
    return atomic_load(&failures) != 0;
}
