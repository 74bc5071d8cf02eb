// The HTTP client behind `lora --connect`: one short-lived connection per request, so an idle
// shell never trips over a keep-alive connection the server has already dropped; https://
// verifies the server's certificate and name like curl does.
#include <lora/errors.hpp>
#include <lora/net/remote.hpp>

#include <lora/net/json_format.hpp>
#include <lora/net/tls.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>

namespace lora::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Json = nlohmann::json;

namespace {

[[noreturn]] void client_error(std::string detail, std::string message) {
    throw errors::database(std::move(detail), std::move(message));
}

bool has_exactly(const Json& j, std::initializer_list<const char*> keys) {
    if (j.size() != keys.size()) return false;
    for (const char* k : keys)
        if (!j.contains(k)) return false;
    return true;
}

Map map_from_json(const Json& j) {
    Map m;
    if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it)
            m.emplace(it.key(), value_from_json(it.value()));
    return m;
}

std::optional<Node> node_from_json(const Json& j) {
    if (!j.is_object() || !has_exactly(j, {"id", "labels", "properties"})) return std::nullopt;
    if (!j["id"].is_number_unsigned() || !j["labels"].is_array() || !j["properties"].is_object())
        return std::nullopt;
    auto data = std::make_shared<NodeData>();
    for (const auto& l : j["labels"]) {
        if (!l.is_string()) return std::nullopt;
        data->labels.push_back(l.get<std::string>());
    }
    data->properties = map_from_json(j["properties"]);
    return Node{j["id"].get<uint64_t>(), std::move(data)};
}

std::optional<Relationship> rel_from_json(const Json& j) {
    if (!j.is_object() || !has_exactly(j, {"id", "type", "start", "end", "properties"}))
        return std::nullopt;
    if (!j["id"].is_number_unsigned() || !j["type"].is_string() ||
        !j["start"].is_number_unsigned() || !j["end"].is_number_unsigned() ||
        !j["properties"].is_object())
        return std::nullopt;
    auto data = std::make_shared<RelData>();
    data->type = j["type"].get<std::string>();
    data->properties = map_from_json(j["properties"]);
    Relationship r;
    r.id = j["id"].get<uint64_t>();
    r.start = j["start"].get<uint64_t>();
    r.end = j["end"].get<uint64_t>();
    r.data = std::move(data);
    return r;
}

std::optional<Path> path_from_json(const Json& j) {
    if (!j.is_object() || !has_exactly(j, {"nodes", "relationships"})) return std::nullopt;
    if (!j["nodes"].is_array() || !j["relationships"].is_array()) return std::nullopt;
    if (j["nodes"].size() != j["relationships"].size() + 1) return std::nullopt;
    Path p;
    for (const auto& n : j["nodes"]) {
        auto node = node_from_json(n);
        if (!node) return std::nullopt;
        p.nodes.push_back(std::move(*node));
    }
    for (const auto& r : j["relationships"]) {
        auto rel = rel_from_json(r);
        if (!rel) return std::nullopt;
        p.rels.push_back(std::move(*rel));
    }
    return p;
}

ErrorClass class_from_name(std::string_view name) {
    if (name == "syntax") return ErrorClass::Syntax;
    if (name == "semantic") return ErrorClass::Semantic;
    if (name == "constraint") return ErrorClass::Constraint;
    if (name == "transient") return ErrorClass::Transient;
    return ErrorClass::Database;
}

}  // namespace

ServerAddress parse_server_url(std::string_view url, std::string_view scheme, uint16_t default_port,
                               std::string_view expected) {
    const std::string text(url);
    if (url.substr(0, scheme.size()) != scheme)
        client_error("InvalidOption", "'" + text + "' must start with " + std::string(expected));
    std::string_view rest = url.substr(scheme.size());
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find('/') != std::string_view::npos)
        client_error("InvalidOption", "'" + text + "' must not have a path (give " +
                                          std::string(scheme) + "HOST:PORT)");
    ServerAddress ep;
    ep.port = default_port;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string_view::npos)
            client_error("InvalidOption", "'" + text + "': unclosed '['");
        ep.host = std::string(rest.substr(1, close - 1));
        rest = rest.substr(close + 1);
        if (!rest.empty() && rest.front() == ':')
            port = rest.substr(1);
        else if (!rest.empty())
            client_error("InvalidOption", "'" + text + "': expected ':PORT' after ']'");
    } else {
        auto colon = rest.rfind(':');
        ep.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) port = rest.substr(colon + 1);
    }
    if (ep.host.empty()) client_error("InvalidOption", "'" + text + "' has no host");
    if (!port.empty() || rest.find(':') != std::string_view::npos) {
        unsigned p = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
        if (port.empty() || ec != std::errc() || end != port.data() + port.size() || p == 0 ||
            p > 65535)
            client_error("InvalidOption", "'" + text + "' has a bad port");
        ep.port = static_cast<uint16_t>(p);
    }
    return ep;
}

HttpEndpoint parse_http_url(std::string_view url) {
    if (url.substr(0, 8) == "https://") return parse_server_url(url, "https://", 4747, "https://");
    return parse_server_url(url, "http://", 4747, "http:// or https://");
}

Value value_from_json(const Json& j) {
    switch (j.type()) {
        case Json::value_t::array: {
            List l;
            for (const auto& x : j) l.push_back(value_from_json(x));
            return Value(std::move(l));
        }
        case Json::value_t::object: {
            if (auto n = node_from_json(j)) return Value(std::move(*n));
            if (auto r = rel_from_json(j)) return Value(std::move(*r));
            if (auto p = path_from_json(j)) return Value(std::move(*p));
            if (auto t = lora::json::temporal_from_json(j)) return std::move(*t);
            return Value(map_from_json(j));
        }
        default: return lora::json::from_json(j);
    }
}

Result result_from_json(const Json& j) {
    if (!j.is_object() || !j.contains("columns") || !j["columns"].is_array() ||
        !j.contains("rows") || !j["rows"].is_array())
        client_error("BadResponse", "the server's answer has no \"columns\" and \"rows\"");
    Result r;
    for (const auto& c : j["columns"])
        r.columns.push_back(c.is_string() ? c.get<std::string>() : c.dump());
    for (const auto& row : j["rows"]) {
        std::vector<Value> values;
        if (row.is_array())
            for (const auto& v : row) values.push_back(value_from_json(v));
        r.rows.push_back(std::move(values));
    }
    if (auto s = j.find("stats"); s != j.end() && s->is_object()) {
        auto get = [&](const char* k) {
            return s->contains(k) && (*s)[k].is_number_integer() ? (*s)[k].get<int64_t>() : 0;
        };
        r.stats.nodes_created = get("nodes_created");
        r.stats.nodes_deleted = get("nodes_deleted");
        r.stats.relationships_created = get("relationships_created");
        r.stats.relationships_deleted = get("relationships_deleted");
        r.stats.properties_set = get("properties_set");
        r.stats.labels_added = get("labels_added");
        r.stats.labels_removed = get("labels_removed");
    }
    return r;
}

Error error_from_json(unsigned status, const Json& j) {
    if (!j.is_object() || !j.contains("error") || !j["error"].is_object())
        return errors::database(
            "BadResponse",
            "the server answered HTTP " + std::to_string(status) + " without an error body");
    const Json& e = j["error"];
    auto str = [&](const char* k) {
        return e.contains(k) && e[k].is_string() ? e[k].get<std::string>() : std::string();
    };
    std::string code = str("code");
    auto dot = code.find('.');
    std::string type = dot == std::string::npos ? code : code.substr(0, dot);
    std::string detail = dot == std::string::npos ? std::string() : code.substr(dot + 1);
    int line = e.contains("line") && e["line"].is_number_integer() ? e["line"].get<int>() : 0;
    int column =
        e.contains("column") && e["column"].is_number_integer() ? e["column"].get<int>() : 0;
    return Error(class_from_name(str("class")), ErrorPhase::Runtime, type, detail, str("message"),
                 line, column);
}

RemoteDatabase::RemoteDatabase(std::string url, std::string token, std::string ca_file)
    : url_(std::move(url)),
      endpoint_(parse_http_url(url_)),
      token_(std::move(token)),
      tls_(url_.rfind("https://", 0) == 0),
      ca_file_(std::move(ca_file)) {}

namespace {

// The exchange of one request and its response over `stream` (a socket or a TLS stream).
template <class Stream>
http::response<http::string_body> exchange(Stream& stream,
                                           const http::request<http::string_body>& req,
                                           const std::string& url) {
    beast::error_code ec;
    http::write(stream, req, ec);
    if (ec) client_error("ConnectionFailed", "sending to " + url + " failed: " + ec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    http::read(stream, buffer, parser, ec);
    if (ec)
        client_error("ConnectionFailed",
                     "reading the answer from " + url + " failed: " + ec.message());
    return parser.release();
}

}  // namespace

Json RemoteDatabase::post(const std::string& target, const std::string& body) {
    asio::io_context ioc;
    asio::ip::tcp::socket socket(ioc);
    beast::error_code ec;
    asio::ip::tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(endpoint_.host, std::to_string(endpoint_.port), ec);
    if (!ec) asio::connect(socket, endpoints, ec);
    if (ec) client_error("ConnectionFailed", "cannot connect to " + url_ + ": " + ec.message());

    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, endpoint_.host);
    req.set(http::field::user_agent, "lora-shell");
    req.set(http::field::content_type, "application/json");
    if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
    req.keep_alive(false);
    req.body() = body;
    req.prepare_payload();

    http::response<http::string_body> res;
    if (tls_) {
        asio::ssl::context ctx(asio::ssl::context::tls_client);
        ctx.set_options(asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        if (ca_file_.empty())
            ctx.set_default_verify_paths(ec);
        else
            ctx.load_verify_file(ca_file_, ec);
        if (ec)
            client_error("ConnectionFailed",
                         ca_file_.empty() ? "cannot load the system's CA certificates"
                                          : "cannot load the CA certificates in " + ca_file_);
        ctx.set_verify_mode(asio::ssl::verify_peer);
        ctx.set_verify_callback(asio::ssl::host_name_verification(endpoint_.host));
        asio::ssl::stream<asio::ip::tcp::socket&> tls(socket, ctx);
        beast::error_code addr_ec;
        asio::ip::make_address(endpoint_.host, addr_ec);
        if (addr_ec)  // a name, not an address: say it in the handshake (SNI)
            SSL_set_tlsext_host_name(tls.native_handle(), endpoint_.host.c_str());
        tls.handshake(asio::ssl::stream_base::client, ec);
        if (ec)
            client_error("ConnectionFailed",
                         "TLS with " + url_ + " failed: " + tls_failure_text(ec));
        res = exchange(tls, req, url_);
        tls.shutdown(ec);
    } else {
        res = exchange(socket, req, url_);
    }
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);

    Json j = Json::parse(res.body(), nullptr, false);
    if (res.result_int() != 200) {
        if (j.is_discarded())
            client_error("BadResponse",
                         url_ + target + " answered HTTP " + std::to_string(res.result_int()));
        throw error_from_json(res.result_int(), j);
    }
    if (j.is_discarded())
        client_error("BadResponse", url_ + target + " answered with invalid JSON");
    return j;
}

Result RemoteDatabase::execute(const std::string& query, const Params& params) {
    Json body;
    body["query"] = query;
    Json p = Json::object();
    for (const auto& [k, v] : params) p[k] = lora::json::to_json(v);
    body["params"] = std::move(p);
    return result_from_json(
        post("/query", body.dump(-1, ' ', false, Json::error_handler_t::replace)));
}

uint64_t RemoteDatabase::checkpoint() {
    Json j = post("/admin/checkpoint", "{}");
    if (!j.contains("checkpoint_lsn") || !j["checkpoint_lsn"].is_number_unsigned())
        client_error("BadResponse", "the checkpoint answer has no \"checkpoint_lsn\"");
    return j["checkpoint_lsn"].get<uint64_t>();
}

}  // namespace lora::net
