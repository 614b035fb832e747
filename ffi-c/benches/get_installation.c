/* get_installation (GET /v1/installations/me with the API key, keep-alive) against the
 * emulator at PLEO_BASE_URL: latency with one caller, throughput with several, for the
 * SDK's C API (pleo_get_installation, one pleo_client shared by every thread) and for
 * libcurl (one easy handle per thread, each keeping its connection alive). Callers are
 * threads.
 *
 * `make bench-c` runs it through tests/bench/run.sh, which starts the emulator and sets the
 * plan (BENCH_*, described in core/benches/get_installation/plan.rs). Prints one JSON line
 * of raw results per client for tests/bench/report.py, and notes on the clients. */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pleo_installations.h"

#define MAX_CALLER_COUNTS 8

/* A client under measurement: new_caller gives what one caller calls with. */
struct contender {
    const char *name, *client, *role;
    void *(*new_caller)(void);
    void (*call)(void *caller);
    void (*free_caller)(void *caller);
};

static void fail(const char *what) {
    fprintf(stderr, "get_installation bench: %s\n", what);
    exit(1);
}

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static long env_number(const char *name) {
    const char *value = getenv(name);
    if (value == NULL) fail(name);
    return strtol(value, NULL, 10);
}

/* ---- the SDK: one client shared by every caller ---- */

static pleo_client *sdk;

static void *sdk_caller(void) { return sdk; }

static void sdk_call(void *client) {
    char *json = NULL;
    if (pleo_get_installation(client, "{}", &json, NULL) != PLEO_STATUS_OK) fail("SDK call");
    pleo_string_free(json);
}

static void no_free(void *caller) { (void)caller; }

/* ---- libcurl: one easy handle per caller; the body gathered, not parsed ---- */

static char endpoint[512], userpwd[256];

struct curl_caller {
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    size_t length, capacity;
};

static size_t gather(char *data, size_t size, size_t count, void *user) {
    struct curl_caller *c = user;
    size_t n = size * count;
    if (c->length + n > c->capacity) {
        c->capacity = 2 * (c->length + n);
        c->body = realloc(c->body, c->capacity);
        if (c->body == NULL) fail("out of memory");
    }
    memcpy(c->body + c->length, data, n);
    c->length += n;
    return n;
}

static void *curl_caller(void) {
    struct curl_caller *c = calloc(1, sizeof *c);
    if (c == NULL || (c->easy = curl_easy_init()) == NULL) fail("curl_easy_init");
    c->headers = curl_slist_append(NULL, "Accept: application/json");
    curl_easy_setopt(c->easy, CURLOPT_URL, endpoint);
    curl_easy_setopt(c->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(c->easy, CURLOPT_USERPWD, userpwd);
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, gather);
    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L); /* required with threads */
    return c;
}

static void curl_call(void *caller) {
    struct curl_caller *c = caller;
    long status = 0;
    c->length = 0;
    if (curl_easy_perform(c->easy) != CURLE_OK) fail("curl_easy_perform");
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200 || c->length == 0) fail("libcurl: not a 200 with a body");
}

static void curl_free_caller(void *caller) {
    struct curl_caller *c = caller;
    curl_easy_cleanup(c->easy);
    curl_slist_free_all(c->headers);
    free(c->body);
    free(c);
}

/* ---- the plan ---- */

/* One throughput run's caller thread: calls until `end`, counting the calls that end
 * at or after `counted`. */
struct run {
    const struct contender *contender;
    double counted, end;
    long calls;
};

static void *caller_thread(void *arg) {
    struct run *run = arg;
    void *caller = run->contender->new_caller();
    for (;;) {
        run->contender->call(caller);
        double now = now_us();
        if (now >= run->end) break;
        if (now >= run->counted) run->calls++;
    }
    run->contender->free_caller(caller);
    return NULL;
}

/* Calls per second of `callers` threads calling `contender`. */
static double throughput(const struct contender *contender, long callers, double warmup_us,
                         double window_us) {
    pthread_t *threads = calloc((size_t)callers, sizeof *threads);
    struct run *runs = calloc((size_t)callers, sizeof *runs);
    if (threads == NULL || runs == NULL) fail("out of memory");
    double counted = now_us() + warmup_us;
    long calls = 0;
    for (long i = 0; i < callers; i++) {
        runs[i] = (struct run){contender, counted, counted + window_us, 0};
        if (pthread_create(&threads[i], NULL, caller_thread, &runs[i]) != 0) fail("thread");
    }
    for (long i = 0; i < callers; i++) {
        pthread_join(threads[i], NULL);
        calls += runs[i].calls;
    }
    free(threads);
    free(runs);
    return (double)calls / (window_us / 1e6);
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void) {
    const char *url = getenv("PLEO_BASE_URL"), *key = getenv("PLEO_API_KEY");
    if (url == NULL || key == NULL) fail("set PLEO_BASE_URL and PLEO_API_KEY");
    long warmup_calls = env_number("BENCH_WARMUP_CALLS"), rounds = env_number("BENCH_ROUNDS"),
         round_calls = env_number("BENCH_ROUND_CALLS"), reps = env_number("BENCH_REPS");
    double warmup_us = (double)env_number("BENCH_WARMUP_MS") * 1e3,
           window_us = (double)env_number("BENCH_WINDOW_MS") * 1e3;
    long callers[MAX_CALLER_COUNTS];
    int caller_counts = 0;
    const char *setting = getenv("BENCH_CALLERS");
    char *list = setting ? strdup(setting) : NULL, *rest;
    if (list == NULL) fail("BENCH_CALLERS");
    for (char *word = strtok_r(list, " ", &rest); word != NULL; word = strtok_r(NULL, " ", &rest)) {
        if (caller_counts == MAX_CALLER_COUNTS) fail("too many counts in BENCH_CALLERS");
        callers[caller_counts++] = strtol(word, NULL, 10);
    }
    free(list);

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) fail("curl_global_init");
    snprintf(endpoint, sizeof endpoint, "%s/v1/installations/me", url);
    snprintf(userpwd, sizeof userpwd, "%s:", key);
    char config[1024];
    snprintf(config, sizeof config, "{\"base_url\": \"%s\", \"api_key\": \"%s\"}", url, key);
    if (pleo_client_new(config, &sdk, NULL) != PLEO_STATUS_OK) fail("pleo_client_new");

    const struct contender contenders[] = {
        {"SDK", "SDK `pleo_get_installation` + `pleo_string_free`", "sdk", sdk_caller, sdk_call,
         no_free},
        {"libcurl", "libcurl easy handle, body into a buffer", "reference", curl_caller, curl_call,
         curl_free_caller},
    };
    enum { COUNT = sizeof contenders / sizeof contenders[0] };

    /* Latency: one caller each, the clients taking turns round by round. */
    size_t samples = (size_t)(rounds * round_calls);
    double *latency[COUNT];
    void *caller[COUNT];
    for (int c = 0; c < COUNT; c++) {
        latency[c] = malloc(samples * sizeof(double));
        if (latency[c] == NULL) fail("out of memory");
        caller[c] = contenders[c].new_caller();
        for (long i = 0; i < warmup_calls; i++) contenders[c].call(caller[c]);
    }
    for (long round = 0; round < rounds; round++) {
        for (int c = 0; c < COUNT; c++) {
            for (long i = 0; i < round_calls; i++) {
                double start = now_us();
                contenders[c].call(caller[c]);
                latency[c][round * round_calls + i] = now_us() - start;
            }
        }
    }
    for (int c = 0; c < COUNT; c++) contenders[c].free_caller(caller[c]);

    /* Throughput: per caller count, `reps` runs per client, taking turns. */
    double *calls_per_s[COUNT];
    for (int c = 0; c < COUNT; c++) {
        calls_per_s[c] = malloc((size_t)(caller_counts * reps) * sizeof(double));
        if (calls_per_s[c] == NULL) fail("out of memory");
    }
    for (int n = 0; n < caller_counts; n++)
        for (long rep = 0; rep < reps; rep++)
            for (int c = 0; c < COUNT; c++)
                calls_per_s[c][n * reps + rep] =
                    throughput(&contenders[c], callers[n], warmup_us, window_us);

    for (int c = 0; c < COUNT; c++) {
        printf("{\"client\": \"%s\", \"name\": \"%s\", \"role\": \"%s\", \"latency_us\": [",
               contenders[c].client, contenders[c].name, contenders[c].role);
        for (size_t i = 0; i < samples; i++) printf("%s%.3f", i ? ", " : "", latency[c][i]);
        printf("], \"throughput\": {");
        for (int n = 0; n < caller_counts; n++) {
            printf("%s\"%ld\": [", n ? ", " : "", callers[n]);
            for (long rep = 0; rep < reps; rep++)
                printf("%s%.1f", rep ? ", " : "", calls_per_s[c][n * reps + rep]);
            printf("]");
        }
        printf("}}\n");
        free(latency[c]);
        free(calls_per_s[c]);
    }
    /* What one more client costs to create (the first one already exists). */
    enum { BUILDS = 200 };
    double builds[BUILDS];
    for (int i = 0; i < BUILDS; i++) {
        pleo_client *another = NULL;
        double start = now_us();
        if (pleo_client_new(config, &another, NULL) != PLEO_STATUS_OK) fail("pleo_client_new");
        builds[i] = now_us() - start;
        pleo_client_free(another);
    }
    qsort(builds, BUILDS, sizeof builds[0], compare_doubles);
    printf("- SDK: one `pleo_client` shared by every thread; the call returns the installation's "
           "JSON as a string (the body as received, once the core has decoded it as an "
           "installation).\n"
           "- A second `pleo_client_new` takes %.1f µs (median of %d; no CA store is read for an "
           "`http://` URL, nor for `https://` before the first call).\n",
           builds[BUILDS / 2], BUILDS);
    printf("- libcurl %s (Debian's libcurl4-openssl-dev): one easy handle per thread, each "
           "keeping its own connection alive; the body is gathered into a buffer, not parsed.\n",
           curl_version_info(CURLVERSION_NOW)->version);
    pleo_client_free(sdk);
    curl_global_cleanup();
    return 0;
}
