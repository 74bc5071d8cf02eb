// Route lookup and the mapping of errors to HTTP statuses and JSON bodies.
#include <lora/net/router.hpp>

#include <lora/net/json_format.hpp>

#include <nlohmann/json.hpp>

namespace lora::net {

namespace {

// Matches `path` against `pattern` segment by segment; a "{name}" segment takes any
// non-empty segment (never a '/'), so ids cannot smuggle extra path components.
bool match_pattern(std::string_view pattern, std::string_view path,
                   std::map<std::string, std::string>& params) {
    if (pattern.find('{') == std::string_view::npos) return pattern == path;
    params.clear();
    size_t pi = 0, si = 0;
    while (pi < pattern.size() && si < path.size()) {
        size_t pe = pattern.find('/', pi), se = path.find('/', si);
        if (pe == std::string_view::npos) pe = pattern.size();
        if (se == std::string_view::npos) se = path.size();
        std::string_view pseg = pattern.substr(pi, pe - pi), sseg = path.substr(si, se - si);
        if (pseg.size() >= 2 && pseg.front() == '{' && pseg.back() == '}') {
            if (sseg.empty()) return false;
            params[std::string(pseg.substr(1, pseg.size() - 2))] = std::string(sseg);
        } else if (pseg != sseg) {
            return false;
        }
        if ((pe == pattern.size()) != (se == path.size())) return false;
        pi = pe + 1;
        si = se + 1;
        if (pe == pattern.size()) return true;
    }
    return pi >= pattern.size() && si >= path.size();
}

}  // namespace

void Router::add(Route route) { routes_.push_back(std::move(route)); }

Router::Match Router::find(std::string_view method, std::string_view path) const {
    Match m;
    bool path_known = false;
    std::map<std::string, std::string> params;
    for (const auto& r : routes_) {
        if (!match_pattern(r.path, path, params)) continue;
        if (!path_known) m.pattern = r.path;
        path_known = true;
        if (r.method == method) {
            m.route = &r;
            m.params = std::move(params);
            return m;
        }
        if (!m.allow.empty()) m.allow += ", ";
        m.allow += r.method;
    }
    m.status = path_known ? 405 : 404;
    return m;
}

unsigned http_status(const Error& e) {
    switch (e.kind()) {
        case ErrorKind::TransactionNotFound: return 404;
        case ErrorKind::Forbidden: return 403;
        // A read-only database (after a WAL failure), one shutting down or at its limit, and a
        // query that found no memory is unavailable, not broken by this request: 503 tells
        // clients and balancers to go elsewhere or come back later.
        case ErrorKind::ReadOnly:
        case ErrorKind::ShuttingDown:
        case ErrorKind::Overloaded:
        case ErrorKind::MemoryLimit:
        case ErrorKind::OutOfMemory: return 503;
        default: break;
    }
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
