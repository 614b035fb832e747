/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/**
 * @file pleo_installations.hpp
 * Header-only C++17 wrapper of pleo_installations.h: an owning, movable `pleo::Client`,
 * `std::string` JSON results, and `pleo::Error` exceptions carrying the error's kind, C
 * status, HTTP status and request id.
 *
 * Thread safety: as in C, one `pleo::Client` may be used by many threads at once; moving
 * or destroying it while another thread uses it is not allowed.
 */
#ifndef PLEO_INSTALLATIONS_HPP
#define PLEO_INSTALLATIONS_HPP

#include <cctype>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pleo_installations.h"

namespace pleo {

namespace detail {

/** Owns a string from the library. */
using owned_string = std::unique_ptr<char, decltype(&pleo_string_free)>;

/** The top-level field `name` of an error JSON, decoded by the library
 * (`pleo_error_field`): a string's text, any other value's JSON text; empty when the field
 * is absent or null, or when `json` is not a JSON object. */
inline std::optional<std::string> error_field(const std::string &json, const char *name) {
    char *value = nullptr;
    if (pleo_error_field(json.c_str(), name, &value) != PLEO_STATUS_OK) return std::nullopt;
    owned_string owned(value, &pleo_string_free);
    if (!owned) return std::nullopt;
    return std::string(owned.get());
}

/** The HTTP status in an error JSON; empty when absent, null or not an HTTP status. */
inline std::optional<int> http_status(const std::string &json) {
    std::optional<std::string> text = error_field(json, "status");
    if (!text || text->empty() || text->size() > 3) return std::nullopt;
    int status = 0;
    for (char digit : *text) {
        if (digit < '0' || digit > '9') return std::nullopt;
        status = status * 10 + (digit - '0');
    }
    return status;
}

/** The stable kind of a status (`PLEO_STATUS_NOT_FOUND` gives `"not_found"`); a NULL
 * argument is a bad argument (`"invalid_argument"`); empty for OK and unknown values. */
inline std::string kind_of(::pleo_status status) {
    if (status == PLEO_STATUS_NULL_ARGUMENT) return "invalid_argument";
    const std::string prefix = "PLEO_STATUS_";
    std::string name = pleo_status_name(status);
    if (status == PLEO_STATUS_OK || name == "PLEO_STATUS_UNKNOWN" || name.rfind(prefix, 0) != 0) return "";
    name.erase(0, prefix.size());
    for (char &c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

}  // namespace detail

/** A failed call: `what()` is the message; the full error JSON is `json()`. */
class Error : public std::runtime_error {
public:
    /** An error from a status and the library's error JSON (may be empty). The kind comes
     * from the status; the other fields are read by the library (`pleo_error_field`): the
     * wrapper parses no JSON itself. When `json` is not a JSON object, `what()` is the
     * status's name and those fields are empty. */
    Error(::pleo_status status, std::string json)
        : std::runtime_error(detail::error_field(json, "message").value_or(pleo_status_name(status))),
          pleo_status_(status),
          kind_(detail::kind_of(status)),
          http_status_(detail::http_status(json)),
          request_id_(detail::error_field(json, "request_id").value_or("")),
          json_(std::move(json)) {}

    /** The C status, e.g. `PLEO_STATUS_NOT_FOUND`. */
    ::pleo_status pleo_status() const noexcept { return pleo_status_; }
    /** The stable kind, e.g. `"not_found"` (see the API contract). */
    const std::string &kind() const noexcept { return kind_; }
    /** The HTTP status of the server's answer, e.g. 404; empty when there was no answer. */
    std::optional<int> http_status() const noexcept { return http_status_; }
    /** The server's request id, or empty when there was no response. */
    const std::string &request_id() const noexcept { return request_id_; }
    /** The whole error JSON: kind, message, status, request_id, retryable, attempts, body,
     * retry_after. */
    const std::string &json() const noexcept { return json_; }

private:
    ::pleo_status pleo_status_;
    std::string kind_;
    std::optional<int> http_status_;
    std::string request_id_;
    std::string json_;
};

namespace detail {

/** Turns a call's outcome into its result, or throws `pleo::Error`. */
inline std::string check(pleo_status status, char *out, char *error) {
    owned_string result(out, &pleo_string_free), failure(error, &pleo_string_free);
    if (status != PLEO_STATUS_OK) throw Error(status, failure ? failure.get() : "");
    return result ? result.get() : "null";
}

}  // namespace detail

/** A client of the Installations API; owns its `pleo_client`. Move-only. */
class Client {
public:
    /** Creates a client from the JSON configuration; throws `pleo::Error`. */
    explicit Client(const std::string &config_json) {
        char *error = nullptr;
        pleo_status status = pleo_client_new(config_json.c_str(), &client_, &error);
        detail::check(status, nullptr, error);
    }

    /** Creates a client with OAuth hooks (see `pleo_client_new_with_hooks`; they need an
     * `oauth` configuration); throws `pleo::Error`. */
    Client(const std::string &config_json, const pleo_hooks &hooks) {
        char *error = nullptr;
        pleo_status status = pleo_client_new_with_hooks(config_json.c_str(), &hooks, &client_, &error);
        detail::check(status, nullptr, error);
    }

    /** Takes over `other`'s client; `other` is left empty (its destructor frees nothing). */
    Client(Client &&other) noexcept : client_(std::exchange(other.client_, nullptr)) {}
    /** Swaps clients with `other`, whose destructor then frees this one's former client. */
    Client &operator=(Client &&other) noexcept {
        std::swap(client_, other.client_);
        return *this;
    }
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;
    ~Client() { pleo_client_free(client_); }

    /** Ends every call of this client in flight now (from any thread): each throws a
     *  `pleo::Error` of kind `cancelled`. Later calls run as usual. */
    void cancel() const noexcept { pleo_client_cancel(client_); }

    /** Any operation by its operationId, JSON in and out. */
    std::string call(const std::string &operation_id, const std::string &request_json = "{}") const {
        return run(pleo_client_call, operation_id.c_str(), request_json.c_str());
    }
    /** GET /v1/installations/me; `{"company_id": "<uuid>"}` for another company. */
    std::string get_installation(const std::string &request_json = "{}") const {
        return run(pleo_get_installation, request_json.c_str());
    }
    /** POST /v1/installations/me with `{"status"?, "metadata"?}`. */
    std::string create_installation(const std::string &request_json = "{}") const {
        return run(pleo_create_installation, request_json.c_str());
    }
    /** PUT /v1/installations/me with `{"status", "metadata"?, "errorCode"?}`. */
    std::string update_installation(const std::string &request_json) const {
        return run(pleo_update_installation, request_json.c_str());
    }
    /** DELETE /v1/installations/me. */
    void delete_installation() const { run(pleo_delete_installation); }
    /** POST /v1/installations/me:activate. */
    std::string activate_installation() const { return run(pleo_activate_installation); }
    /** PUT /v1/installations/completions. */
    [[deprecated("deprecated by the API: use activate_installation")]] std::string complete_installation() const {
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
        return run(pleo_complete_installation);
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
    }
    /** GET /v1/introspect. */
    std::string introspect() const { return run(pleo_introspect); }
    /** Polls until the installation's status is one of `statuses` (none is an
     * `invalid_argument` error), at most `timeout`. */
    std::string wait_for_status(const std::vector<std::string> &statuses, std::chrono::milliseconds timeout) const {
        std::vector<const char *> names;
        for (const std::string &status : statuses) names.push_back(status.c_str());
        return run(pleo_wait_for_status, names.data(), names.size(), static_cast<uint64_t>(timeout.count()));
    }

    /** The C handle, still owned by this object. */
    pleo_client *get() const noexcept { return client_; }

private:
    template <typename Function, typename... Args>
    std::string run(Function function, Args... args) const {
        char *out = nullptr, *error = nullptr;
        pleo_status status = function(client_, args..., &out, &error);
        return detail::check(status, out, error);
    }

    pleo_client *client_ = nullptr;
};

/** An OAuth helper by name (see `pleo_oauth_call`), JSON in and out. */
inline std::string oauth_call(const std::string &function, const std::string &request_json) {
    char *out = nullptr, *error = nullptr;
    pleo_status status = pleo_oauth_call(function.c_str(), request_json.c_str(), &out, &error);
    return detail::check(status, out, error);
}

/** The library's version. */
inline std::string version() { return pleo_version(); }

/** A level of the log handler: the C `PLEO_LOG_LEVEL_*` values. */
enum class log_level : int {
    off = PLEO_LOG_LEVEL_OFF,
    error = PLEO_LOG_LEVEL_ERROR,
    warn = PLEO_LOG_LEVEL_WARN,
    info = PLEO_LOG_LEVEL_INFO,
    debug = PLEO_LOG_LEVEL_DEBUG,
};

/** Receives one log line of the SDK (see `pleo_log_fn`): on any thread, on several at once;
 *  the line is valid during the call only. An exception it throws is dropped. */
using log_handler = std::function<void(log_level, std::string_view)>;

namespace detail {

/** The handler installed by `set_log_callback`, alive while it may be called. */
inline std::shared_ptr<log_handler> &installed_log_handler() {
    static std::shared_ptr<log_handler> handler;
    return handler;
}

/** Whether this thread is running a `log_handler`. */
inline bool &in_log_handler() {
    thread_local bool inside = false;
    return inside;
}

/** The C callback of every `log_handler`: no exception crosses into the library. */
inline void call_log_handler(void *handler, pleo_log_level level, const char *line) noexcept {
    in_log_handler() = true;
    try {
        (*static_cast<log_handler *>(handler))(static_cast<log_level>(level), line);
    } catch (...) {
    }
    in_log_handler() = false;
}

}  // namespace detail

/** Sets the process's log handler (see `pleo_set_log_callback`): the SDK's lines up to
 *  `max_level`; an empty handler or `log_level::off` turns logging off. Throws `pleo::Error`,
 *  also when called from inside a handler. Once it returns, the previous handler is never
 *  called again and is destroyed. */
inline void set_log_callback(log_handler handler, log_level max_level = log_level::info) {
    static std::mutex setting;
    // Inside a handler the library refuses the call and changes nothing, so `setting` is not
    // needed; taking it could wait for a setter that is itself waiting for this handler.
    std::unique_lock<std::mutex> lock(setting, std::defer_lock);
    if (!detail::in_log_handler()) lock.lock();
    std::shared_ptr<log_handler> next;
    if (handler) next = std::make_shared<log_handler>(std::move(handler));
    char *error = nullptr;
    pleo_status status = pleo_set_log_callback(next ? detail::call_log_handler : nullptr, next.get(),
                                               static_cast<pleo_log_level>(max_level), &error);
    detail::check(status, nullptr, error);
    detail::installed_log_handler() = std::move(next);
}

}  // namespace pleo

#endif /* PLEO_INSTALLATIONS_HPP */
