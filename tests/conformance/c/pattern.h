/* The conformance suite's patterns, substitutions and result normalisation
 * (tests/conformance/README.md, "Patterns", "Substitutions" and "The outcome file"). */
#ifndef CONFORMANCE_PATTERN_H
#define CONFORMANCE_PATTERN_H

#include <jansson.h>

/* NULL when `actual` matches `pattern`; otherwise where and how it differs, e.g.
 * "$.data.status: expected \"A\", got \"B\"" (free it with free()). `actual` may be NULL for
 * a missing value. */
char *pattern_mismatch(const json_t *pattern, const json_t *actual);

/* A new reference to `value` with `${name}` / `${name.key...}` replaced in every string by
 * the field of `vars` it names (a string as is, anything else as compact JSON). NULL when a
 * reference names nothing; then *error says which (free it with free()). */
json_t *pattern_substitute(const json_t *value, const json_t *vars, char **error);

/* A new reference to the result as the outcome file holds it: at the top level of an
 * object, keys whose value is null removed and `id`, `createdAt`, `updatedAt` masked as
 * "<volatile>". */
json_t *pattern_normalise_result(json_t *result);

#endif
