// lora-bench writers --via http: each writer thread owns one keep-alive connection and its
// own io_context, so connections never share a lock; Beast does the HTTP framing.
#include "lora_bench_http.hpp"
#include "lora_bench_remote.hpp"

#include <lora/errors.hpp>
#include <lora/net/json_format.hpp>
#include <lora/net/remote.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <charconv>

namespace lora::bench {

namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

[[noreturn]] void fail(const std::string& message) { throw errors::database("Http", message); }

}  // namespace

HttpTarget parse_http_url(const std::string& url) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0)
        fail("--url must start with http:// (https is not supported), got '" + url + "'");
    std::string rest = url.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    if (rest.find('/') != std::string::npos)
        fail("--url must be http://HOST:PORT without a path, got '" + url + "'");
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size())
        fail("--url needs a host and a port, as in http://127.0.0.1:4747, got '" + url + "'");
    HttpTarget t;
    t.host = rest.substr(0, colon);
    const std::string port = rest.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
        fail("--url has a bad port '" + port + "' (1..65535)");
    t.port = static_cast<uint16_t>(value);
    return t;
}

struct HttpConnection::Impl {
    HttpTarget target;
    std::string auth;
    std::chrono::seconds timeout;
    boost::asio::io_context ioc;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;

    void connect() {
        stream.emplace(ioc);
        buffer.clear();
        tcp::resolver resolver(ioc);
        beast::error_code ec;
        auto endpoints = resolver.resolve(target.host, std::to_string(target.port), ec);
        if (ec) fail("cannot resolve " + target.host + ": " + ec.message());
        stream->expires_after(timeout);
        beast::error_code cec;
        stream->async_connect(endpoints,
                              [&](beast::error_code e, const tcp::endpoint&) { cec = e; });
        ioc.restart();
        ioc.run();
        if (cec)
            fail("cannot connect to " + target.host + ":" + std::to_string(target.port) + ": " +
                 cec.message());
    }

    // One exchange; false when the connection turned out to be closed before any reply.
    bool exchange(http::request<http::string_body>& req, HttpReply& out) {
        beast::error_code wec, rec;
        stream->expires_after(timeout);
        http::async_write(*stream, req, [&](beast::error_code e, size_t) { wec = e; });
        ioc.restart();
        ioc.run();
        if (wec == beast::error::timeout) fail("HTTP write timed out");
        if (wec) return false;
        http::response_parser<http::string_body> parser;
        parser.body_limit(1u << 30);
        stream->expires_after(timeout);
        http::async_read(*stream, buffer, parser, [&](beast::error_code e, size_t) { rec = e; });
        ioc.restart();
        ioc.run();
        if (rec == beast::error::timeout) fail("HTTP read timed out");
        if (rec) return false;
        auto res = parser.release();
        out.status = res.result_int();
        out.body = std::move(res.body());
        if (!res.keep_alive()) stream.reset();
        return true;
    }
};

HttpConnection::HttpConnection(const HttpTarget& target, std::string auth_token,
                               std::chrono::seconds timeout)
    : impl_(std::make_unique<Impl>()) {
    impl_->target = target;
    impl_->auth = std::move(auth_token);
    impl_->timeout = timeout;
    impl_->connect();
}

HttpConnection::~HttpConnection() = default;

HttpReply HttpConnection::request(const std::string& method, const std::string& target,
                                  const std::string& body) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, impl_->target.host);
    req.keep_alive(true);
    if (!impl_->auth.empty()) req.set(http::field::authorization, "Bearer " + impl_->auth);
    if (method == "POST") {
        req.set(http::field::content_type, "application/json");
        req.body() = body;
    }
    req.prepare_payload();
    HttpReply out;
    // A kept-alive connection the server closed meanwhile gets one fresh attempt; a
    // request is only resent when no reply to it was read.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!impl_->stream) impl_->connect();
        if (impl_->exchange(req, out)) return out;
        impl_->stream.reset();
    }
    fail("the server at " + impl_->target.host + ":" + std::to_string(impl_->target.port) +
         " closed the connection without answering " + method + " " + target);
}

namespace {

WalFigures wal_figures(HttpConnection& conn) {
    WalFigures f;
    try {
        HttpReply r = conn.request("GET", "/admin/wal/status");
        if (r.status != 200) return f;
        auto j = nlohmann::json::parse(r.body);
        if (!j.value("enabled", false)) return f;
        f.known = true;
        f.fsyncs = j.value("fsyncs", uint64_t{0});
        f.batches = j.value("batches", uint64_t{0});
        f.records = j.value("records", uint64_t{0});
        f.bytes = j.value("bytes", uint64_t{0});
    } catch (const std::exception&) {
        // The figures are extras: a server without the route still gets measured.
    }
    return f;
}

int64_t count_relationships(HttpConnection& conn) {
    HttpReply r = conn.request(
        "POST", "/query", R"({"query":"MATCH (:W)-[r:R]->(:W) RETURN count(r) AS c","params":{}})");
    if (r.status != 200)
        fail("counting relationships failed: HTTP " + std::to_string(r.status) + " " + r.body);
    return nlohmann::json::parse(r.body).at("rows").at(0).at(0).get<int64_t>();
}

std::string error_text(const HttpReply& r) {
    try {
        auto j = nlohmann::json::parse(r.body);
        if (j.contains("error"))
            return j["error"].value("code", std::string("?")) + ": " +
                   j["error"].value("message", std::string());
    } catch (const std::exception&) {}
    return r.body.substr(0, 200);
}

class HttpWriter : public RemoteWriter {
public:
    HttpWriter(const HttpTarget& target, const std::string& token) : conn_(target, token) {}
    Outcome commit(uint32_t w, uint64_t s, std::string& error) override {
        const std::string body = R"({"query":")" + std::string(kWriteQuery) +
                                 R"(","params":{"w":)" + std::to_string(w) + R"(,"s":)" +
                                 std::to_string(s) + "}}";
        HttpReply r = conn_.request("POST", "/query", body);
        if (r.status == 200) return Outcome::Committed;
        // 409 is a transient conflict: the client is asked to retry.
        if (r.status == 409) return Outcome::Retry;
        error = "HTTP " + std::to_string(r.status) + " " + error_text(r);
        return Outcome::Failed;
    }

private:
    HttpConnection conn_;
};

}  // namespace

WritersResult run_writers_http(const WritersConfig& config, const std::string& url,
                               const std::string& auth_token) {
    const HttpTarget target = parse_http_url(url);
    HttpConnection control(target, auth_token);
    RemoteControl rc;
    rc.connect = [&] { return std::make_unique<HttpWriter>(target, auth_token); };
    rc.wal = [&] { return wal_figures(control); };
    rc.count_relationships = [&] { return count_relationships(control); };
    return run_writers_remote(config, "http", rc);
}

ReadStatement http_reader(const std::string& url, const std::string& auth_token) {
    auto conn = std::make_shared<HttpConnection>(parse_http_url(url), auth_token);
    return [conn](const std::string& q, const Params& p) {
        nlohmann::json body{{"query", q}, {"params", nlohmann::json::object()}};
        for (const auto& [k, v] : p) body["params"][k] = lora::json::to_json(v);
        HttpReply r = conn->request("POST", "/query", body.dump());
        auto j = nlohmann::json::parse(r.body, nullptr, false);
        if (r.status != 200) throw net::error_from_json(r.status, j);
        return net::result_from_json(j);
    };
}

}  // namespace lora::bench
