// Route lookup and the mapping of errors to HTTP statuses and JSON bodies.
#include <lora/net/router.hpp>

#include "json_format.hpp"

#include <nlohmann/json.hpp>

namespace lora::net {

void Router::add(Route route) { routes_.push_back(std::move(route)); }

Router::Match Router::find(std::string_view method, std::string_view path) const {
    Match m;
    bool path_known = false;
    for (const auto& r : routes_) {
        if (r.path != path) continue;
        path_known = true;
        if (r.method == method) {
            m.route = &r;
            return m;
        }
        if (!m.allow.empty()) m.allow += ", ";
        m.allow += r.method;
    }
    m.status = path_known ? 405 : 404;
    return m;
}

unsigned http_status(const Error& e) {
    // A read-only database (after a WAL failure) is unavailable for writes, not broken
    // by this request: 503 tells clients and balancers to go elsewhere.
    if (e.detail() == "ReadOnly") return 503;
    switch (e.error_class()) {
        case ErrorClass::Syntax:
        case ErrorClass::Semantic:
        case ErrorClass::Constraint: return 400;
        case ErrorClass::Transient: return 409;
        case ErrorClass::Database: return 500;
    }
    return 500;
}

Response request_error(unsigned status, std::string_view code, std::string_view message) {
    nlohmann::json j;
    j["error"]["code"] = code;
    j["error"]["class"] = "request";
    j["error"]["message"] = message;
    Response r;
    r.status = status;
    r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

Response engine_error(const Error& e) {
    Response r;
    r.status = http_status(e);
    r.body = json::error_to_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

}  // namespace lora::net
