/* Calls an operation of the conformance suite's `call` steps through the C API's own
 * function for it (pleo_get_installation, ..., pleo_wait_for_status; refreshTokens through
 * pleo_client_call), timed with CLOCK_MONOTONIC. */
#ifndef CONFORMANCE_CALLS_H
#define CONFORMANCE_CALLS_H

#include <jansson.h>

#include "pleo_installations.h"

/* What the library returned: free both strings with pleo_string_free. */
struct call_answer {
    enum pleo_status status;
    char *out_json;
    char *error_json;
    /* The call's wall time, in whole milliseconds. */
    long long elapsed_ms;
};

/* Calls `operation` (an operationId, "waitForStatus" or "refreshTokens") with `request` (an
 * object) and fills *answer. Returns NULL, or, when the step cannot be run (an unknown
 * operation, a request the operation cannot take), why not (free it with free()); then
 * nothing was called. */
char *call_operation(const struct pleo_client *client, const char *operation, const json_t *request,
                     struct call_answer *answer);

#endif
