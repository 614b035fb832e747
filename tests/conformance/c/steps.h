/* Runs one scenario's steps (tests/conformance/README.md, "Steps") against the emulator
 * through the C API, and says what each step saw. */
#ifndef CONFORMANCE_STEPS_H
#define CONFORMANCE_STEPS_H

#include <jansson.h>

/* Resets the emulator at `base_url`, then runs `steps` (an array) in order up to and including
 * the first that fails. Returns a new array of the step outcomes of the README's outcome
 * file: "admin", "client", {"result": R}, {"error": E}, {"logs": [...]}, and
 * {"failed": "step N: why"} last when a step failed. */
json_t *steps_run(const char *base_url, const json_t *steps);

#endif
