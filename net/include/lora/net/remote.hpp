// A client of lorad's HTTP/JSON API with the embedding API's shape (execute -> Result, errors
// as lora::Error), so the lora shell renders a remote result exactly like a local one.
#pragma once

#include <lora/lora.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lora::net {

// A server's host (an IPv6 address without its brackets) and port.
struct ServerAddress {
    std::string host;
    uint16_t port = 0;
};
using HttpEndpoint = ServerAddress;

// "<scheme>HOST[:PORT][/]" (scheme such as "bolt://") -> address, `default_port` when the
// port is omitted. Throws lora::Error (InvalidOption) naming the problem: another scheme
// (the message names `expected`), a path, no host, a bad port.
ServerAddress parse_server_url(std::string_view url, std::string_view scheme, uint16_t default_port,
                               std::string_view expected);

// "http://HOST[:PORT][/]" or "https://..." -> endpoint (port 4747 when omitted).
HttpEndpoint parse_http_url(std::string_view url);

// A JSON value from lorad back into a Value. Objects shaped like lorad's nodes
// ({id, labels, properties}), relationships ({id, type, start, end, properties}) and paths
// ({nodes, relationships}) become those values again; other objects become maps.
Value value_from_json(const nlohmann::json& j);
// {"columns", "rows", "stats"?} -> Result.
Result result_from_json(const nlohmann::json& j);
// lorad's {"error": {"code", "class", "message", "line"?, "column"?}} -> lora::Error.
Error error_from_json(unsigned status, const nlohmann::json& j);

// What `lora --connect` talks to: a lorad over HTTP (RemoteDatabase) or Bolt
// (bolt::BoltRemote), with the embedding API's shape.
class Remote {
public:
    virtual ~Remote() = default;
    // Runs one statement (auto-commit). Throws the server's error as lora::Error, or a
    // DatabaseError (ConnectionFailed, BadResponse) when the server cannot be reached or
    // understood.
    virtual Result execute(const std::string& query, const Params& params = {}) = 0;
    // Writes a checkpoint; returns its LSN.
    virtual uint64_t checkpoint() = 0;
    virtual const std::string& url() const = 0;
};

// By the URL's scheme: http:// or https:// (RemoteDatabase), bolt:// or neo4j:// and their
// TLS forms (bolt::BoltRemote). `ca_file` (PEM) holds the CA certificates that verify the
// server of https://, bolt+s:// and neo4j+s:// (empty: the system's). No connection is made
// until the first call. Throws InvalidOption for another scheme or a malformed URL.
std::unique_ptr<Remote> open_remote(const std::string& url, const std::string& token,
                                    const std::string& ca_file = {});

class RemoteDatabase : public Remote {
public:
    // No connection is made until the first call. `token` is sent as a bearer token. An
    // https:// server must show a certificate for its host that the CA certificates in
    // `ca_file` (empty: the system's) sign.
    explicit RemoteDatabase(std::string url, std::string token = {}, std::string ca_file = {});

    // POST /query.
    Result execute(const std::string& query, const Params& params = {}) override;
    // POST /admin/checkpoint.
    uint64_t checkpoint() override;

    const std::string& url() const override { return url_; }

private:
    std::string url_;
    HttpEndpoint endpoint_;
    std::string token_;
    bool tls_;
    std::string ca_file_;

    nlohmann::json post(const std::string& target, const std::string& body);
};

}  // namespace lora::net
