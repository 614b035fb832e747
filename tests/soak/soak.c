/* The C row of `make soak`: one client makes SOAK_CALLS (100 000) pleo_get_installation
 * calls against the emulator at PLEO_BASE_URL with PLEO_API_KEY, freeing every result, and
 * prints one JSON line with the wall time and the resident memory (VmRSS) after a warm-up
 * of SOAK_WARMUP (1 000) calls and at the end. tests/soak/run.sh builds and runs it. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <pleo_installations.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long env_long(const char *name, long fallback) {
    const char *value = getenv(name);
    return value ? atol(value) : fallback;
}

/* This process's resident memory in KiB (VmRSS of /proc/self/status), -1 if unknown. */
static long rss_kib(void) {
    FILE *status = fopen("/proc/self/status", "r");
    if (!status) return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, status))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
    fclose(status);
    return kib;
}

/* `calls` calls; 0 when all succeeded, else the status of the first failure. */
static int get_many(const pleo_client *client, long calls) {
    for (long i = 0; i < calls; i++) {
        char *out = NULL, *error = NULL;
        pleo_status status = pleo_get_installation(client, "{}", &out, &error);
        if (status != PLEO_STATUS_OK) {
            fprintf(stderr, "call %ld: %s %s\n", i, pleo_status_name(status), error);
            pleo_string_free(error);
            return status;
        }
        pleo_string_free(out);
    }
    return 0;
}

int main(void) {
    const char *url = getenv("PLEO_BASE_URL"), *key = getenv("PLEO_API_KEY");
    if (!url || !key) {
        fputs("set PLEO_BASE_URL and PLEO_API_KEY\n", stderr);
        return 2;
    }
    long calls = env_long("SOAK_CALLS", 100000), warmup = env_long("SOAK_WARMUP", 1000);
    char config[1024];
    snprintf(config, sizeof config, "{\"base_url\": \"%s\", \"api_key\": \"%s\"}", url, key);
    pleo_client *client = NULL;
    char *error = NULL;
    if (pleo_client_new(config, &client, &error) != PLEO_STATUS_OK) {
        fprintf(stderr, "pleo_client_new: %s\n", error);
        pleo_string_free(error);
        return 1;
    }
    if (get_many(client, warmup) != 0) return 1;
    long rss_start = rss_kib();
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (get_many(client, calls) != 0) return 1;
    clock_gettime(CLOCK_MONOTONIC, &end);
    long rss_end = rss_kib();
    pleo_client_free(client);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("{\"binding\": \"C\", \"calls\": %ld, \"seconds\": %.2f, \"rss_start_kib\": %ld, \"rss_end_kib\": %ld}\n",
           calls, seconds, rss_start, rss_end);
    return 0;
}
