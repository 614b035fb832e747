/* Tests of the log callback (pleo_set_log_callback) through the C header, against the
 * emulator: the lines and their levels, the level filter, turning it off, a bad level, a
 * call from inside the callback, and that a replaced callback is never called again.
 *
 * Usage: test_logs EMULATOR_URL. Prints one line per failed check; exits non-zero when any
 * failed. A process of its own: the callback is process-wide. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "pleo_installations.h"

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

#define MAX_LINES 64

/* The lines a callback received, in order. */
typedef struct {
    pthread_mutex_t lock;
    int count;
    int levels[MAX_LINES];
    char *lines[MAX_LINES];
} received;

static received seen = {PTHREAD_MUTEX_INITIALIZER, 0, {0}, {0}};

static void keep(void *user_data, pleo_log_level level, const char *line) {
    received *into = user_data;
    pthread_mutex_lock(&into->lock);
    if (into->count < MAX_LINES) {
        into->levels[into->count] = level;
        into->lines[into->count] = strdup(line);
        into->count++;
    }
    pthread_mutex_unlock(&into->lock);
}

static void forget(received *r) {
    pthread_mutex_lock(&r->lock);
    for (int i = 0; i < r->count; i++) free(r->lines[i]);
    r->count = 0;
    pthread_mutex_unlock(&r->lock);
}

static int starts(const char *text, const char *prefix) {
    return text && strncmp(text, prefix, strlen(prefix)) == 0;
}

static void admin(const char *method, const char *path, const char *body) {
    char *response = http_request(url, method, path, body);
    CHECK(http_status(response) == 200, "%s %s: %s", method, path, response ? response : "(no connection)");
    free(response);
}

static pleo_client *new_client(void) {
    char *config = NULL;
    if (asprintf(&config, "{\"base_url\":\"%s\",\"api_key\":\"pleo-mock-api-key\",\"max_retries\":1}", url) < 0)
        abort();
    pleo_client *client = NULL;
    pleo_status status = pleo_client_new(config, &client, NULL);
    CHECK(status == PLEO_STATUS_OK, "pleo_client_new: %d", status);
    free(config);
    return client;
}

/* pleo_introspect with one 503 (Retry-After: 0) before it (`faults` of them). */
static pleo_status introspect_after_503s(pleo_client *client, int faults) {
    char fault[96];
    snprintf(fault, sizeof fault, "{\"status\":503,\"retry_after\":\"0\",\"times\":%d}", faults);
    admin("POST", "/__mock/faults", fault);
    char *out = NULL;
    pleo_status status = pleo_introspect(client, &out, NULL);
    pleo_string_free(out);
    return status;
}

static void set(pleo_log_fn callback, void *user_data, pleo_log_level level) {
    char *error = NULL;
    pleo_status status = pleo_set_log_callback(callback, user_data, level, &error);
    CHECK(status == PLEO_STATUS_OK && !error, "pleo_set_log_callback(%d): %s", level, error);
    pleo_string_free(error);
}

static void test_lines_and_levels(pleo_client *client) {
    set(keep, &seen, PLEO_LOG_LEVEL_DEBUG);
    CHECK(introspect_after_503s(client, 1) == PLEO_STATUS_OK, "introspect");
    CHECK(seen.count == 3, "%d lines", seen.count);
    if (seen.count == 3) {
        CHECK(seen.levels[0] == PLEO_LOG_LEVEL_DEBUG &&
                  starts(seen.lines[0], "attempt n=1 operation=introspect method=GET path=/v1/introspect "
                                        "status=503 kind=server elapsed_ms="),
              "%d %s", seen.levels[0], seen.lines[0]);
        CHECK(seen.levels[1] == PLEO_LOG_LEVEL_INFO &&
                  strcmp(seen.lines[1], "retry n=1 operation=introspect kind=server status=503 delay_ms=0") == 0,
              "%d %s", seen.levels[1], seen.lines[1]);
        CHECK(seen.levels[2] == PLEO_LOG_LEVEL_DEBUG && starts(seen.lines[2], "attempt n=2 ") &&
                  strstr(seen.lines[2], " status=200 "),
              "%d %s", seen.levels[2], seen.lines[2]);
    }
    for (int i = 0; i < seen.count; i++)
        CHECK(!strstr(seen.lines[i], "pleo-mock-api-key"), "a secret in %s", seen.lines[i]);
    forget(&seen);

    set(keep, &seen, PLEO_LOG_LEVEL_WARN);
    CHECK(introspect_after_503s(client, 2) == PLEO_STATUS_SERVER, "introspect after two 503s");
    CHECK(seen.count == 1 && seen.levels[0] == PLEO_LOG_LEVEL_WARN &&
              strcmp(seen.lines[0],
                     "give_up operation=introspect attempts=2 kind=server status=503 reason=max_retries") == 0,
          "%d lines, the first %s", seen.count, seen.count ? seen.lines[0] : "");
    forget(&seen);
}

static void test_off(pleo_client *client) {
    set(keep, &seen, PLEO_LOG_LEVEL_OFF);
    introspect_after_503s(client, 1);
    set(NULL, &seen, PLEO_LOG_LEVEL_DEBUG);
    introspect_after_503s(client, 1);
    CHECK(seen.count == 0, "%d lines while off", seen.count);
    forget(&seen);
}

static void test_bad_levels(void) {
    int bad[] = {-1, 5, 1000};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *error = NULL;
        pleo_status status = pleo_set_log_callback(keep, &seen, bad[i], &error);
        CHECK(status == PLEO_STATUS_INVALID_ARGUMENT, "level %d: %d", bad[i], status);
        CHECK(error && strstr(error, "max_level") && strstr(error, "invalid_argument"), "%s", error);
        pleo_string_free(error);
    }
}

/* The status of a pleo_set_log_callback made from inside the callback, and whether its
 * error JSON said why. */
static atomic_int inner_status = -1;
static atomic_int inner_error_says_why = 0;

static void set_from_inside(void *user_data, pleo_log_level level, const char *line) {
    (void)user_data, (void)level, (void)line;
    char *error = NULL;
    atomic_store(&inner_status, pleo_set_log_callback(NULL, NULL, PLEO_LOG_LEVEL_OFF, &error));
    atomic_store(&inner_error_says_why, error && strstr(error, "inside the log callback") != NULL);
    pleo_string_free(error);
}

static void test_set_from_inside(pleo_client *client) {
    set(set_from_inside, NULL, PLEO_LOG_LEVEL_INFO);
    introspect_after_503s(client, 1);
    CHECK(atomic_load(&inner_status) == PLEO_STATUS_INVALID_ARGUMENT, "%d", atomic_load(&inner_status));
    CHECK(atomic_load(&inner_error_says_why), "the error JSON does not say the call came from the callback");
    set(NULL, NULL, PLEO_LOG_LEVEL_OFF);
}

/* Set once the callback `retired_callback` was replaced; it fails a check if called after. */
static atomic_int retired = 0;
static atomic_int retired_calls = 0;

static void retired_callback(void *user_data, pleo_log_level level, const char *line) {
    (void)user_data, (void)level, (void)line;
    atomic_fetch_add(&retired_calls, 1);
    CHECK(!atomic_load(&retired), "the replaced callback was called: %s", line);
}

static void ignore(void *user_data, pleo_log_level level, const char *line) {
    (void)user_data, (void)level, (void)line;
}

static atomic_int stop = 0;

static void *calling(void *client) {
    while (!atomic_load(&stop)) {
        char *out = NULL;
        pleo_introspect(client, &out, NULL);
        pleo_string_free(out);
    }
    return NULL;
}

static void test_replaced_callback_is_never_called_again(pleo_client *client) {
    set(retired_callback, NULL, PLEO_LOG_LEVEL_DEBUG);
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) pthread_create(&threads[i], NULL, calling, client);
    while (atomic_load(&retired_calls) < 20) sched_yield();
    set(ignore, NULL, PLEO_LOG_LEVEL_DEBUG);
    atomic_store(&retired, 1);
    for (int i = 0; i < 20; i++) {
        char *out = NULL;
        pleo_introspect(client, &out, NULL);
        pleo_string_free(out);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
    set(NULL, NULL, PLEO_LOG_LEVEL_OFF);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s EMULATOR_URL\n", argv[0]);
        return 2;
    }
    url = argv[1];
    pleo_client *client = new_client();
    test_lines_and_levels(client);
    test_off(client);
    test_bad_levels();
    test_set_from_inside(client);
    test_replaced_callback_is_never_called_again(client);
    pleo_client_free(client);
    printf("logs: %d checks, %d failed\n", atomic_load(&checks), atomic_load(&failures));
    return atomic_load(&failures) != 0;
}
