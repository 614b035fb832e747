/* The log callback of the runner (see logs.h). */
#define _GNU_SOURCE
#include "logs.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pleo_installations.h"
#include "text.h"

static const char *const LEVELS[] = {"off", "error", "warn", "info", "debug"};
enum { LEVEL_COUNT = sizeof LEVELS / sizeof *LEVELS };

/* The lines collected, as event objects; the callback may run on any thread. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *events;

/* The README's event object of `line`. */
static json_t *event_of(pleo_log_level level, const char *line) {
    json_t *event = json_object();
    char *words = strdup(line), *rest = words, *word;
    int first = 1;
    while ((word = strsep(&rest, " "))) {
        if (first) {
            json_object_set_new(event, "event", json_string(word));
            json_object_set_new(event, "level", json_string(level > 0 && level < LEVEL_COUNT ? LEVELS[level] : "?"));
            first = 0;
            continue;
        }
        char *value = strchr(word, '=');
        if (value) *value++ = '\0';
        int volatile_value = strcmp(word, "elapsed_ms") == 0 || strcmp(word, "request_id") == 0;
        json_object_set_new(event, word, json_string(volatile_value ? "<volatile>" : value ? value : ""));
    }
    free(words);
    return event;
}

static void collect(void *user_data, pleo_log_level level, const char *line) {
    (void)user_data;
    json_t *event = event_of(level, line);
    pthread_mutex_lock(&lock);
    json_array_append_new(events, event);
    pthread_mutex_unlock(&lock);
}

char *logs_collect(const char *level) {
    pleo_log_level max_level = PLEO_LOG_LEVEL_OFF;
    if (level) {
        max_level = LEVEL_COUNT;
        for (int index = 1; index < LEVEL_COUNT; index++)
            if (strcmp(LEVELS[index], level) == 0) max_level = index;
        if (max_level == LEVEL_COUNT) return text_format("log_level \"%s\" is not a level", level);
    }
    char *error = NULL;
    enum pleo_status status = pleo_set_log_callback(collect, NULL, max_level, &error);
    char *why = status == PLEO_STATUS_OK ? NULL : text_format("pleo_set_log_callback: %s", error ? error : "NULL");
    pleo_string_free(error);
    json_decref(logs_take());
    return why;
}

json_t *logs_take(void) {
    pthread_mutex_lock(&lock);
    json_t *taken = events ? events : json_array();
    events = json_array();
    pthread_mutex_unlock(&lock);
    return taken;
}
