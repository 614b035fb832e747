/* A minimal HTTP/1.1 client for the tests: the emulator's admin API and its OAuth consent. */
#ifndef PLEO_TEST_HTTP_H
#define PLEO_TEST_HTTP_H

/* Sends `method path` with `body` (or none) to `base_url` ("http://127.0.0.1:PORT") and
 * returns the whole response (status line, headers, body) from malloc, or NULL when the
 * connection failed. Free it with free(). */
char *http_request(const char *base_url, const char *method, const char *path, const char *body);

/* The status code of a response from http_request, or -1. */
int http_status(const char *response);

#endif
