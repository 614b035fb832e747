// The installation lifecycle from C++ with the header-only RAII wrapper.
//
//   pleo-installations mock --port 8080 &
//   PLEO_BASE_URL=http://127.0.0.1:8080 PLEO_API_KEY=pleo-mock-api-key ./lifecycle_cpp
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "pleo_installations.hpp"

int main() {
    const char *base_url = std::getenv("PLEO_BASE_URL"), *api_key = std::getenv("PLEO_API_KEY");
    if (!base_url || !api_key) {
        std::cerr << "set PLEO_BASE_URL and PLEO_API_KEY\n";
        return 2;
    }
    try {
        pleo::Client client(std::string("{\"base_url\":\"") + base_url + "\",\"api_key\":\"" + api_key +
                            "\",\"user_agent\":\"erp-connector/1.0\"}");
        std::cout << "create     " << client.create_installation("{\"status\":\"AUTHORIZED\"}") << '\n';
        std::cout << "update     "
                  << client.update_installation(
                         R"({"status":"PENDING_INTEGRATION","metadata":{"externalConfigurationId":"42"}})")
                  << '\n';
        std::cout << "activate   " << client.activate_installation() << '\n';
        std::cout << "wait       " << client.wait_for_status({"ACTIVATED"}, std::chrono::seconds(10)) << '\n';
        std::cout << "introspect " << client.introspect() << '\n';
        client.delete_installation();
        std::cout << "delete     done\n";
        try {
            client.get_installation();
        } catch (const pleo::Error &e) {  // kind, C status, request id and the message
            std::cout << "get        " << e.kind() << " (as expected), request " << e.request_id() << ": "
                      << e.what() << '\n';
            if (e.pleo_status() != PLEO_STATUS_NOT_FOUND) return 1;
        }
    } catch (const pleo::Error &e) {
        std::cerr << "failed: " << e.kind() << ": " << e.what() << '\n';
        return 1;
    }
    return 0;
}
