/* The installation lifecycle from C: create, configure, activate, inspect, delete.
 *
 *   pleo-installations mock --port 8080 &      # or the real API, with your key
 *   PLEO_BASE_URL=http://127.0.0.1:8080 PLEO_API_KEY=pleo-mock-api-key ./lifecycle
 */
#include <stdio.h>
#include <stdlib.h>

#include "pleo_installations.h"

/* Prints a step's result (when it has one), or its error and exits. */
static void show(const char *step, pleo_status status, char *out, char *error) {
    if (status != PLEO_STATUS_OK) {
        fprintf(stderr, "%s failed: %s %s\n", step, pleo_status_name(status), error ? error : "");
        pleo_string_free(error);
        exit(1);
    }
    if (out) printf("%-10s %s\n", step, out);
    pleo_string_free(out);
}

int main(void) {
    const char *base_url = getenv("PLEO_BASE_URL"), *api_key = getenv("PLEO_API_KEY");
    if (!base_url || !api_key) {
        fprintf(stderr, "set PLEO_BASE_URL and PLEO_API_KEY\n");
        return 2;
    }
    char config[1024];
    snprintf(config, sizeof config, "{\"base_url\":\"%s\",\"api_key\":\"%s\",\"user_agent\":\"erp-connector/1.0\"}",
             base_url, api_key);

    pleo_client *client = NULL;
    char *out = NULL, *error = NULL;
    pleo_status status = pleo_client_new(config, &client, &error);
    show("client", status, NULL, error);
    printf("libpleo_installations %s\n", pleo_version());

    status = pleo_create_installation(client, "{\"status\":\"AUTHORIZED\"}", &out, &error);
    show("create", status, out, error);
    status = pleo_update_installation(
        client, "{\"status\":\"PENDING_INTEGRATION\",\"metadata\":{\"externalConfigurationId\":\"42\"}}", &out, &error);
    show("update", status, out, error);
    status = pleo_activate_installation(client, &out, &error);
    show("activate", status, out, error);
    const char *wanted[] = {"ACTIVATED"};
    status = pleo_wait_for_status(client, wanted, 1, 10000, &out, &error);
    show("wait", status, out, error);
    status = pleo_introspect(client, &out, &error);
    show("introspect", status, out, error);
    status = pleo_delete_installation(client, &out, &error);
    show("delete", status, out, error);

    /* Errors are statuses plus a JSON object with kind, message, HTTP status, request id. */
    status = pleo_get_installation(client, "{}", &out, &error);
    if (status == PLEO_STATUS_NOT_FOUND) printf("get        %s (as expected): %s\n", pleo_status_name(status), error);
    pleo_string_free(out);
    pleo_string_free(error);
    pleo_client_free(client);
    return status == PLEO_STATUS_NOT_FOUND ? 0 : 1;
}
