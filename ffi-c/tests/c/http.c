#include "http.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

char *http_request(const char *base_url, const char *method, const char *path, const char *body) {
    int port = 0;
    if (sscanf(base_url, "http://127.0.0.1:%d", &port) != 1) return NULL;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return NULL;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return NULL;
    }
    size_t body_len = body ? strlen(body) : 0;
    char head[512];
    int head_len = snprintf(head, sizeof head,
                            "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                            "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                            method, path, body_len);
    if (head_len < 0 || (size_t)head_len >= sizeof head) { /* a path too long for the buffer */
        close(fd);
        return NULL;
    }
    if (write(fd, head, (size_t)head_len) != head_len ||
        (body_len && write(fd, body, body_len) != (ssize_t)body_len)) {
        close(fd);
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *response = malloc(cap);
    ssize_t n;
    while (response && (n = read(fd, response + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 1024) {
            char *grown = realloc(response, cap *= 2);
            if (!grown) free(response);
            response = grown;
        }
    }
    close(fd);
    if (response) response[len] = '\0';
    return response;
}

int http_status(const char *response) {
    int status = -1;
    if (!response || sscanf(response, "HTTP/1.1 %d", &status) != 1) return -1;
    return status;
}
