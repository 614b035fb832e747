// Tests of the C++ wrapper pleo_installations.hpp against the emulator.
// Usage: test_hpp EMULATOR_URL. Exits non-zero when a check failed.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pleo_installations.hpp"

extern "C" {
#include "../c/http.h"
}

#ifndef PLEO_EXPECTED_VERSION  // the workspace version, from run.sh
#error "build with -DPLEO_EXPECTED_VERSION='\"x.y.z\"'"
#endif

static int failures = 0;

#define CHECK(cond, what)                                                                       \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            failures++;                                                                         \
            std::fprintf(stderr, "%s:%d: check failed: %s: %s\n", __FILE__, __LINE__, #cond,   \
                         std::string(what).c_str());                                            \
        }                                                                                       \
    } while (0)

static bool has(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

/** `text` as a JSON string literal (it holds no control characters). */
static std::string quoted(const std::string &text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

/** A message with every escape of RFC 8259 section 7, as JSON, and decoded (UTF-8). */
static const char ESCAPED[] =
    R"(cr\r lf\n tab\t quote\" backslash\\ slash\/ bs\b ff\f us\u001f e\u00e9 E\u00C9 euro\u20ac astral\ud83d\ude00 end)";
static const char DECODED[] =
    "cr\r lf\n tab\t quote\" backslash\\ slash/ bs\b ff\f us\x1f e\xc3\xa9 E\xc3\x89 euro\xe2\x82\xac "
    "astral\xf0\x9f\x98\x80 end";

/** pleo::Error reads every field of an error JSON right, whatever its escapes, and refuses
 * malformed JSON clearly (the status's name as the message, no fields). */
static void test_error_fields() {
    const std::string json = std::string(R"({"kind":"bad_request","message":")") + ESCAPED +
                             R"(","status":400,"request_id":"req\u002d1","retryable":false,"attempts":1,)"
                             R"("body":"{\"message\":\"inner\"}","retry_after":null})";
    pleo::Error error(PLEO_STATUS_BAD_REQUEST, json);
    CHECK(std::string(error.what()) == DECODED, error.what());
    CHECK(error.kind() == "bad_request" && error.request_id() == "req-1", error.kind() + " " + error.request_id());
    CHECK(error.http_status() == 400 && error.json() == json, error.json());

    // Only top-level fields count, wherever a nested one with the same name comes.
    pleo::Error nested(PLEO_STATUS_SERVER,
                       R"({"body":{"message":"inner","status":500,"kind":"x"},"kind":"server","message":"outer",)"
                       R"("request_id":null,"status":null})");
    CHECK(std::string(nested.what()) == "outer" && nested.kind() == "server", nested.what());
    CHECK(!nested.http_status().has_value() && nested.request_id().empty(), nested.json());

    for (const char *malformed : {R"({"kind":"server","message":"lone \ud83d surrogate"})",
                                  R"({"kind":"server","message":"bad \x escape"})",
                                  R"({"kind":"server","message":"cut short)", R"(["message"])", ""}) {
        pleo::Error refused(PLEO_STATUS_SERVER, malformed);
        CHECK(std::string(refused.what()) == "PLEO_STATUS_SERVER", std::string(malformed) + " -> " + refused.what());
        CHECK(refused.kind() == "server" && !refused.http_status().has_value(), malformed);
    }
    // The kind comes from the status, whatever the JSON says.
    CHECK(pleo::Error(PLEO_STATUS_NULL_ARGUMENT, "").kind() == "invalid_argument", "NULL argument");
    CHECK(pleo::Error(PLEO_STATUS_CANCELLED, "").kind() == "cancelled", "cancelled");
    CHECK(pleo::Error(PLEO_STATUS_REAUTHENTICATION_REQUIRED, R"({"kind":"x"})").kind() == "reauthentication_required",
          "reauthentication_required");
}

/** The log handler: its lines, and that it is never called once replaced; a handler that
 *  throws does not take the process down. */
static void test_log_handler(const std::string &url) {
    std::mutex lock;
    std::vector<std::pair<pleo::log_level, std::string>> lines;
    pleo::set_log_callback(
        [&](pleo::log_level level, std::string_view line) {
            std::lock_guard<std::mutex> guard(lock);
            lines.emplace_back(level, std::string(line));
        },
        pleo::log_level::info);
    pleo::Client client("{\"base_url\":\"" + url + "\",\"api_key\":\"pleo-mock-api-key\"}");
    std::free(http_request(url.c_str(), "POST", "/__mock/faults", "{\"status\":503,\"retry_after\":\"0\"}"));
    client.introspect();
    CHECK(lines.size() == 1 && lines[0].first == pleo::log_level::info &&
              lines[0].second == "retry n=1 operation=introspect kind=server status=503 delay_ms=0",
          lines.empty() ? "no line" : lines[0].second);
    pleo::set_log_callback([](pleo::log_level, std::string_view) { throw std::runtime_error("a bad handler"); },
                           pleo::log_level::debug);
    CHECK(has(client.introspect(), "API_KEY"), "a call with a throwing handler");
    pleo::set_log_callback(nullptr, pleo::log_level::off);
    std::free(http_request(url.c_str(), "POST", "/__mock/faults", "{\"status\":503,\"retry_after\":\"0\"}"));
    client.introspect();
    CHECK(lines.size() == 1, "a line after the handler was replaced");
    try {
        pleo::set_log_callback([](pleo::log_level, std::string_view) {}, static_cast<pleo::log_level>(9));
        CHECK(false, "level 9 was accepted");
    } catch (const pleo::Error &e) {
        CHECK(e.pleo_status() == PLEO_STATUS_INVALID_ARGUMENT && has(e.what(), "max_level"), e.json());
    }
}

/** A handler that calls `set_log_callback` while another thread is setting a handler gets
 *  `pleo::Error` (invalid argument) at once, and the other thread's call completes: neither
 *  waits for the other (a deadlock here hangs the test until run.sh's timeout). */
static void test_set_from_inside_handler(const std::string &url) {
    std::atomic<bool> inside{false}, setting{false};
    std::atomic<int> inner_status{-1};
    pleo::set_log_callback(
        [&](pleo::log_level, std::string_view) {
            if (inside.exchange(true)) return;
            while (!setting) std::this_thread::yield();
            // Time for the other thread to reach pleo_set_log_callback and wait for this call.
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            try {
                pleo::set_log_callback(nullptr, pleo::log_level::off);
            } catch (const pleo::Error &e) {
                inner_status = e.pleo_status();
            }
        },
        pleo::log_level::info);
    pleo::Client client("{\"base_url\":\"" + url + "\",\"api_key\":\"pleo-mock-api-key\"}");
    std::free(http_request(url.c_str(), "POST", "/__mock/faults", "{\"status\":503,\"retry_after\":\"0\"}"));
    std::thread caller([&client] { client.introspect(); });
    while (!inside) std::this_thread::yield();
    setting = true;
    pleo::set_log_callback(nullptr, pleo::log_level::off);
    caller.join();
    CHECK(inner_status == PLEO_STATUS_INVALID_ARGUMENT, "status " + std::to_string(inner_status));
}

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s EMULATOR_URL\n", argv[0]);
        return 2;
    }
    const std::string url = argv[1];
    test_error_fields();
    test_log_handler(url);
    test_set_from_inside_handler(url);
    CHECK(pleo::version() == PLEO_EXPECTED_VERSION, pleo::version());
    try {
        pleo::Client("{\"api_key\":\"k\",\"colour\":\"blue\"}");
        CHECK(false, "an unknown key was accepted");
    } catch (const pleo::Error &e) {
        CHECK(e.pleo_status() == PLEO_STATUS_INVALID_ARGUMENT && e.kind() == "invalid_argument", e.json());
        CHECK(has(e.what(), "colour"), e.what());
        CHECK(!e.http_status().has_value(), "an HTTP status without an answer: " + e.json());
    }

    pleo::Client client("{\"base_url\":\"" + url + "\",\"api_key\":\"pleo-mock-api-key\"}");
    try {
        client.delete_installation();
    } catch (const pleo::Error &e) {
        CHECK(e.pleo_status() == PLEO_STATUS_NOT_FOUND && e.http_status() == 404, e.json());  // none yet: fine
    }
    CHECK(has(client.create_installation("{\"status\":\"AUTHORIZED\"}"), "\"status\":\"AUTHORIZED\""), "create");
    try {
        client.create_installation();
        CHECK(false, "a second create succeeded");
    } catch (const pleo::Error &e) {
        CHECK(e.pleo_status() == PLEO_STATUS_CONFLICT && e.kind() == "conflict", e.json());
        CHECK(e.http_status() == 409, e.json());
        CHECK(e.request_id().rfind("mock-", 0) == 0, "request id " + e.request_id());
        CHECK(has(e.what(), "already exists"), e.what());
    }
    // A server's error message with every escape, through the library's error JSON.
    const std::string body = std::string(R"({"message":")") + ESCAPED + "\"}";
    char *faulted = http_request(url.c_str(), "POST", "/__mock/faults",
                                 ("{\"status\":400,\"body\":" + quoted(body) + "}").c_str());
    CHECK(faulted && http_status(faulted) == 200, faulted ? faulted : "no answer");
    std::free(faulted);
    try {
        client.get_installation();
        CHECK(false, "the fault did not apply");
    } catch (const pleo::Error &e) {
        CHECK(e.pleo_status() == PLEO_STATUS_BAD_REQUEST && e.http_status() == 400, e.json());
        CHECK(has(e.what(), std::string("HTTP 400 Bad Request: ") + DECODED), e.what());
    }
    pleo::Client moved = std::move(client);
    CHECK(client.get() == nullptr && moved.get() != nullptr, "move");
    CHECK(has(moved.update_installation("{\"status\":\"PENDING_INTEGRATION\"}"), "PENDING_INTEGRATION"), "update");
    CHECK(has(moved.activate_installation(), "\"status\":\"ACTIVATED\""), "activate");
    CHECK(has(moved.wait_for_status({"ACTIVATED"}, std::chrono::milliseconds(2000)), "ACTIVATED"), "wait");
    CHECK(has(moved.introspect(), "API_KEY"), "introspect");
    CHECK(has(moved.call("getClientInstallation"), "ACTIVATED"), "call");
    try {
        moved.call("getClientInstallation", "{\"company_id\":\"nope\"}");
        CHECK(false, "a bad UUID was accepted");
    } catch (const pleo::Error &e) {
        CHECK(e.pleo_status() == PLEO_STATUS_INVALID_ARGUMENT && has(e.what(), "\"nope\" is not a UUID"), e.what());
    }
    try {
        moved.wait_for_status({}, std::chrono::milliseconds(10));
        CHECK(false, "waiting for no status was accepted");
    } catch (const pleo::Error &e) {
        CHECK(e.pleo_status() == PLEO_STATUS_INVALID_ARGUMENT && has(e.what(), "statuses is empty"), e.json());
    }
    std::vector<std::thread> threads;
    int failed[4] = {0};
    for (int t = 0; t < 4; t++)
        threads.emplace_back([&moved, &failed, t] {
            for (int i = 0; i < 50; i++)
                if (!has(moved.get_installation(), "\"id\":")) failed[t]++;
        });
    for (std::thread &thread : threads) thread.join();
    CHECK(failed[0] + failed[1] + failed[2] + failed[3] == 0, "threads");
    // cancel() from another thread ends a call in flight (retried every 50 ms: under a
    // sanitizer the call may start late).
    faulted = http_request(url.c_str(), "POST", "/__mock/faults", "{\"delay_ms\":10000}");
    std::free(faulted);
    std::atomic<bool> returned{false};
    std::thread canceller([&moved, &returned] {
        while (!returned) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            moved.cancel();
        }
    });
    try {
        moved.get_installation();
        CHECK(false, "the cancelled call succeeded");
    } catch (const pleo::Error &e) {
        CHECK(e.pleo_status() == PLEO_STATUS_CANCELLED && e.kind() == "cancelled", e.json());
    }
    returned = true;
    canceller.join();
    std::free(http_request(url.c_str(), "DELETE", "/__mock/faults", nullptr));
    moved.delete_installation();
    CHECK(has(pleo::oauth_call("newCodeVerifier", "{}"), "code_verifier"), "oauth");

    // Hooks: a refresh token the emulator never issued is rejected before the hook runs.
    static int refreshed = 0;
    pleo_hooks hooks = {};
    hooks.tokens_refreshed = [](const char *, void *) { return ++refreshed, 0; };
    try {
        pleo::Client("{\"base_url\":\"" + url + "\",\"api_key\":\"k\"}", hooks);
        CHECK(false, "a refresh hook with an API key was accepted");
    } catch (const pleo::Error &e) {
        CHECK(e.pleo_status() == PLEO_STATUS_INVALID_ARGUMENT && has(e.what(), "need an OAuth credential"), e.json());
    }
    pleo::Client oauth("{\"base_url\":\"" + url +
                       "\",\"oauth\":{\"client_id\":\"pleo-mock-oauth-client\",\"client_secret\":"
                       "\"pleo-mock-oauth-secret\",\"access_token\":\"at_x\",\"refresh_token\":\"rt_x\","
                       "\"expires_in\":0}}",
                       hooks);
    try {
        oauth.introspect();
        CHECK(false, "a rejected refresh token worked");
    } catch (const pleo::Error &e) {
        CHECK(e.pleo_status() == PLEO_STATUS_REAUTHENTICATION_REQUIRED && e.kind() == "reauthentication_required",
              e.json());
        CHECK(refreshed == 0, "the hook ran");
    }
    std::printf("C++ wrapper: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
