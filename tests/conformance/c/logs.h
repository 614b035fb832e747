/* The SDK's log lines for the runner's client and logs steps (tests/conformance/README.md,
 * "Steps"), collected through pleo_set_log_callback (process-wide). */
#ifndef CONFORMANCE_LOGS_H
#define CONFORMANCE_LOGS_H

#include <jansson.h>

/* Collects the lines up to `level` ("debug", "info", "warn" or "error") from now on, or none
 * when `level` is NULL; forgets those collected so far. Returns NULL, or why not (free it
 * with free()). */
char *logs_collect(const char *level);

/* A new array of the lines collected since the last call (or logs_collect), each as the
 * README's event object: "event", "level", and each key=value as strings, the values of
 * elapsed_ms and request_id masked as "<volatile>". */
json_t *logs_take(void);

#endif
