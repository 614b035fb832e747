/* The emulator's admin HTTP API (mock/README.md, "Admin HTTP API"), for the runner's admin
 * steps and the reset before each scenario. */
#ifndef CONFORMANCE_ADMIN_H
#define CONFORMANCE_ADMIN_H

#include <jansson.h>

/* Sends `request` ("METHOD /__mock/...") with `body` as JSON (or none when NULL) to the
 * emulator at `base_url`. Returns a new reference to the answer's JSON (null when the answer
 * is empty), or NULL when the request could not be sent, the answer is not 2xx or not JSON;
 * then *error says so (free it with free()). */
json_t *admin_request(const char *base_url, const char *request, const json_t *body, char **error);

#endif
