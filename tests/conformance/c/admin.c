/* The emulator's admin HTTP API, over the C tests' tiny HTTP client (see admin.h). */
#include "admin.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "text.h"

/* http.c formats its request head into 512 bytes: a method and path longer than this would
 * not fit. */
enum { MAX_REQUEST_LINE = 300 };

/* The answer's JSON from a whole HTTP response, or NULL with *error set. */
static json_t *answer_json(const char *request, const char *response, char **error) {
    const char *body = strstr(response, "\r\n\r\n");
    body = body ? body + 4 : "";
    int status = http_status(response);
    if (status < 200 || status > 299) {
        *error = text_format("%s: HTTP %d: %s", request, status, body);
        return NULL;
    }
    if (!*body) return json_null();
    json_error_t problem;
    json_t *answer = json_loads(body, JSON_DECODE_ANY | JSON_ALLOW_NUL, &problem);
    if (!answer) *error = text_format("%s: the answer is not JSON (%s): %s", request, problem.text, body);
    return answer;
}

json_t *admin_request(const char *base_url, const char *request, const json_t *body, char **error) {
    const char *space = strchr(request, ' ');
    if (!space || space == request || space[1] != '/') {
        *error = text_format("\"%s\" is not \"METHOD /path\"", request);
        return NULL;
    }
    if (strlen(request) > MAX_REQUEST_LINE) {
        *error = text_format("\"%.40s...\" is longer than the %d characters http.c can send", request, MAX_REQUEST_LINE);
        return NULL;
    }
    char *method = text_format("%.*s", (int)(space - request), request);
    char *body_text = body ? text_json(body) : NULL;
    char *response = http_request(base_url, method, space + 1, body_text);
    free(method);
    free(body_text);
    if (!response) {
        *error = text_format("%s: could not reach the emulator at %s", request, base_url);
        return NULL;
    }
    json_t *answer = answer_json(request, response, error);
    free(response);
    return answer;
}
