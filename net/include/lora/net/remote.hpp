// A client of lorad's HTTP/JSON API with the embedding API's shape (execute -> Result, errors
// as lora::Error), so the lora shell renders a remote result exactly like a local one.
#pragma once

#include <lora/lora.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace lora::net {

struct HttpEndpoint {
    std::string host;
    uint16_t port = 4747;
};

// "http://HOST[:PORT][/]" -> endpoint (port 4747 when omitted). Throws lora::Error
// (InvalidOption) for another scheme, a path, or a bad port.
HttpEndpoint parse_http_url(std::string_view url);

// A JSON value from lorad back into a Value. Objects shaped like lorad's nodes
// ({id, labels, properties}), relationships ({id, type, start, end, properties}) and paths
// ({nodes, relationships}) become those values again; other objects become maps.
Value value_from_json(const nlohmann::json& j);
// {"columns", "rows", "stats"?} -> Result.
Result result_from_json(const nlohmann::json& j);
// lorad's {"error": {"code", "class", "message", "line"?, "column"?}} -> lora::Error.
Error error_from_json(unsigned status, const nlohmann::json& j);

class RemoteDatabase {
public:
    // No connection is made until the first call. `token` is sent as a bearer token.
    explicit RemoteDatabase(std::string url, std::string token = {});

    // POST /query. Throws the server's error as lora::Error, or a DatabaseError
    // (ConnectionFailed, BadResponse) when the server cannot be reached or understood.
    Result execute(const std::string& query, const Params& params = {});
    // POST /admin/checkpoint; returns the checkpoint's LSN.
    uint64_t checkpoint();

    const std::string& url() const { return url_; }

private:
    std::string url_;
    HttpEndpoint endpoint_;
    std::string token_;

    nlohmann::json post(const std::string& target, const std::string& body);
};

}  // namespace lora::net
