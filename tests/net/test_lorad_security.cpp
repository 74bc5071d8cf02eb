// lorad's TLS listeners, its read-only credential and its per-client connection limit, end to
// end: a real lorad, certificates made by the openssl tool, curl over HTTPS, raw sockets.
#include "net_support.hpp"

#include <lora/error.hpp>
#include <lora/net/bolt/client.hpp>

#include <boost/asio/ssl.hpp>
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

using lora::test::HttpClient;
using lora::test::Lorad;
using lora::test::run_process;
using lora::test::TempDir;
using nlohmann::json;

namespace {

const std::string kOpenssl = "/usr/bin/openssl";
const std::string kCurl = "/usr/bin/curl";

// A self-signed certificate for 127.0.0.1 and its key, as PEM files in `dir`.
struct Cert {
    std::string cert, key;
};
Cert make_cert(const TempDir& dir, const std::string& name) {
    Cert c{(dir.path / (name + ".crt")).string(), (dir.path / (name + ".key")).string()};
    auto r = run_process(
        kOpenssl, {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                   "-nodes", "-keyout", c.key, "-out", c.cert, "-days", "2", "-subj",
                   "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
    REQUIRE(r.exit_code == 0);
    return c;
}

// curl over HTTPS, trusting `ca`; returns curl's result (its stdout is the body, and the
// status code follows on the last line).
lora::test::ProcessResult curl_https(uint16_t port, const std::string& ca, const std::string& body,
                                     const std::string& path = "/query") {
    std::vector<std::string> args = {"-sS", "--max-time",    "30", "--cacert", ca,
                                     "-w",  "\n%{http_code}"};
    if (!body.empty())
        args.insert(args.end(), {"-H", "Content-Type: application/json", "-d", body});
    args.push_back("https://127.0.0.1:" + std::to_string(port) + path);
    return run_process(kCurl, args);
}

size_t count_of(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// A plain TCP connection that reads what the server sends until it closes.
class RawSocket {
public:
    explicit RawSocket(uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(fd_ >= 0);
        timeval tv{30, 0};
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    ~RawSocket() { close(); }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    void send(const std::string& bytes) {
        REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(bytes.size()));
    }
    // `n` bytes; fewer when the server closed or sent nothing more within 30 s.
    std::string read_exact(size_t n) {
        std::string out(n, '\0');
        size_t got = 0;
        while (got < n) {
            ssize_t r = ::recv(fd_, out.data() + got, n - got, 0);
            if (r <= 0) break;
            got += static_cast<size_t>(r);
        }
        out.resize(got);
        return out;
    }
    // Everything until the server closes; nullopt when it did not close within 30 s.
    std::optional<std::string> read_to_close() {
        std::string out;
        char buf[4096];
        for (;;) {
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n == 0) return out;
            if (n < 0) return errno == ECONNRESET ? std::optional<std::string>(out) : std::nullopt;
            out.append(buf, static_cast<size_t>(n));
        }
    }

private:
    int fd_ = -1;
};

}  // namespace

TEST_CASE("lorad serves HTTPS only when given a certificate", "[net][lorad][tls]") {
    TempDir dir;
    Cert c = make_cert(dir, "server");
    Lorad d({"--tls-cert", c.cert, "--tls-key", c.key});

    auto ok = curl_https(d.port(), c.cert, R"({"query": "RETURN 1 + 1 AS two"})");
    INFO(ok.err);
    REQUIRE(ok.exit_code == 0);
    CHECK(ok.out.substr(ok.out.rfind('\n') + 1) == "200");
    CHECK(json::parse(ok.out.substr(0, ok.out.rfind('\n')))["rows"] ==
          json::array({json::array({2})}));

    // Without the certificate curl refuses the server (it is not a public one) and ends the
    // handshake: lorad logs and counts that as a failed handshake.
    auto untrusted = run_process(
        kCurl,
        {"-sS", "--max-time", "30", "https://127.0.0.1:" + std::to_string(d.port()) + "/health"});
    CHECK(untrusted.exit_code != 0);

    // Plain HTTP to the TLS port: the connection is closed, one line says why, and the daemon
    // goes on serving.
    {
        RawSocket plain(d.port());
        plain.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        auto got = plain.read_to_close();
        REQUIRE(got);
        CHECK(got->find("HTTP/1.1") == std::string::npos);
    }
    auto again = curl_https(d.port(), c.cert, "", "/health");
    CHECK(again.exit_code == 0);
    CHECK(again.out.substr(again.out.rfind('\n') + 1) == "200");
    std::string log = d.stderr_text();
    CHECK(count_of(log, "TLS handshake failed") == 2);

    auto metrics =
        run_process(kCurl, {"-sS", "--max-time", "30", "--cacert", c.cert,
                            "https://127.0.0.1:" + std::to_string(d.port()) + "/metrics"});
    CHECK(metrics.out.find("lora_connections_refused_total{reason=\"tls_handshake\"} 2") !=
          std::string::npos);

    // The Bolt port speaks TLS only too: lora's client connects with bolt+ssc:// (any
    // certificate) and bolt+s:// (a trusted one), and plain Bolt is cut off at its handshake.
    using lora::net::bolt::TlsMode;
    const lora::net::bolt::Endpoint bolt{"127.0.0.1", d.bolt_port()};
    auto bolt_options = [&](TlsMode mode, std::string ca = {}) {
        lora::net::bolt::ClientOptions o;
        o.timeout = std::chrono::seconds(30);
        o.tls = mode;
        o.ca_file = std::move(ca);
        return o;
    };
    {
        lora::net::bolt::Client ssc(bolt, bolt_options(TlsMode::Unverified));
        CHECK(ssc.run("RETURN 41 + 1 AS x").rows.at(0).at(0).as_int() == 42);
        lora::net::bolt::Client trusted(bolt, bolt_options(TlsMode::Verified, c.cert));
        CHECK(trusted.run("RETURN 'tls' AS x").rows.at(0).at(0).as_string() == "tls");
    }
    try {
        lora::net::bolt::Client untrusted_bolt(bolt, bolt_options(TlsMode::Verified));
        FAIL("a self-signed certificate was trusted");
    } catch (const lora::Error& e) {
        CHECK(e.message().find("not trusted") != std::string::npos);
    }
    CHECK_THROWS_AS(lora::net::bolt::Client(bolt, bolt_options(TlsMode::Off)), lora::Error);
    auto shell = run_process(lora::test::kLoraShell,
                             {"--connect", "bolt+ssc://127.0.0.1:" + std::to_string(d.bolt_port()),
                              "-e", "RETURN 7 AS seven"});
    CHECK(shell.exit_code == 0);
    CHECK(shell.out.find("7") != std::string::npos);

    // The shell over HTTPS verifies the server: with the certificate as its CA it connects,
    // without it (the system's CAs do not sign a self-signed certificate) it refuses.
    const std::string https = "https://127.0.0.1:" + std::to_string(d.port());
    auto over_https = run_process(lora::test::kLoraShell, {"--connect", https, "--ca-file", c.cert,
                                                           "-e", "RETURN 6 * 7 AS answer"});
    INFO(over_https.err);
    CHECK(over_https.exit_code == 0);
    CHECK(over_https.out.find("42") != std::string::npos);
    auto unverified = run_process(lora::test::kLoraShell, {"--connect", https, "-e", "RETURN 1"});
    CHECK(unverified.exit_code != 0);
    CHECK(unverified.err.find("certificate verify failed") != std::string::npos);
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad ends an HTTPS connection with close_notify", "[net][lorad][tls]") {
    namespace asio = boost::asio;
    TempDir dir;
    Cert c = make_cert(dir, "server");
    Lorad d({"--tls-cert", c.cert, "--tls-key", c.key});

    asio::io_context ioc;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.load_verify_file(c.cert);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    asio::ssl::stream<asio::ip::tcp::socket> tls(ioc, ctx);
    tls.next_layer().connect({asio::ip::make_address("127.0.0.1"), d.port()});
    timeval tv{30, 0};
    setsockopt(tls.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    tls.handshake(asio::ssl::stream_base::client);
    asio::write(tls, asio::buffer(std::string(
                         "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")));
    std::string got;
    boost::system::error_code ec;
    char buf[4096];
    for (;;) {
        size_t n = tls.read_some(asio::buffer(buf), ec);
        got.append(buf, n);
        if (ec) break;
    }
    CHECK(got.rfind("HTTP/1.1 200", 0) == 0);
    // eof is the peer's close_notify; a TCP close without it is stream_truncated.
    CHECK(ec == asio::error::eof);
    CHECK(d.stop() == 0);
}

TEST_CASE("lorad refuses to start with an unusable certificate or key", "[net][lorad][tls]") {
    TempDir dir;
    Cert a = make_cert(dir, "a");
    Cert b = make_cert(dir, "b");
    const std::string lorad = lora::test::kLorad;
    const std::string data = (dir.path / "data").string();
    auto start = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--data", data, "--http", "127.0.0.1:0", "--bolt", "off"});
        return run_process(lorad, args);
    };

    auto missing = start({"--tls-cert", a.cert, "--tls-key", (dir.path / "nope.key").string()});
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("nope.key") != std::string::npos);

    auto mismatch = start({"--tls-cert", a.cert, "--tls-key", b.key});
    CHECK(mismatch.exit_code == 2);
    CHECK(mismatch.err.find(b.key) != std::string::npos);
    CHECK(mismatch.err.find(a.cert) != std::string::npos);

    auto not_pem = start({"--tls-cert", a.key, "--tls-key", a.key});
    CHECK(not_pem.exit_code == 2);
    CHECK(not_pem.err.find("--tls-cert") != std::string::npos);

    auto half = start({"--tls-cert", a.cert});
    CHECK(half.exit_code == 2);
    CHECK(half.err.find("--tls-key") != std::string::npos);

    auto read_alone = start({"--read-token", "r"});
    CHECK(read_alone.exit_code == 2);
    CHECK(read_alone.err.find("--auth-token") != std::string::npos);
}

TEST_CASE("a read-only token runs reads and is refused every change over HTTP",
          "[net][lorad][read-token]") {
    const std::string full = "full-secret-1", read = "read-secret-2";
    Lorad d({"--auth-token", full, "--read-token", read});
    HttpClient c(d.port());
    const std::map<std::string, std::string> as_full{{"Authorization", "Bearer " + full}},
        as_read{{"Authorization", "Bearer " + read}};
    REQUIRE(c.query({{"query", "CREATE (:P {n: 1})-[:R]->(:P {n: 2})"}}, as_full).status == 200);

    auto r = c.query({{"query", "MATCH (p:P) RETURN count(p) AS n"}}, as_read);
    REQUIRE(r.status == 200);
    CHECK(r.json()["rows"] == json::array({json::array({2})}));
    CHECK(c.request("POST", "/explain", json{{"query", "CREATE (:X)"}}.dump(), as_read).status ==
          200);
    CHECK(c.request("GET", "/admin/wal/status", "", as_read).status == 200);

    const std::vector<std::string> writes = {
        "CREATE (:P {n: 3})",
        "MERGE (:P {n: 4})",
        "MATCH (p:P) SET p.n = 0",
        "MATCH (p:P) DETACH DELETE p",
        "MATCH (p:P) REMOVE p:P",
        "MATCH (p:P) RETURN p.n AS n UNION MATCH (q:P) SET q.x = 1 RETURN q.n AS n",
        "CREATE INDEX FOR (p:P) ON (p.n)",
        "CREATE CONSTRAINT FOR (p:P) REQUIRE p.n IS UNIQUE",
        "LOAD CSV FROM 'file:///none.csv' AS line CREATE (:P {n: line[0]})",
        "UNWIND [1, 2] AS i CALL { WITH i CREATE (:P {n: i}) } IN TRANSACTIONS OF 1 ROW",
        "TERMINATE TRANSACTION 'neo4j-transaction-1'",
    };
    for (const auto& q : writes) {
        INFO(q);
        auto w = c.query({{"query", q}}, as_read);
        CHECK(w.status == 403);
        CHECK(w.json()["error"]["code"] == "Security.Forbidden");
    }
    auto profile = c.request("POST", "/profile", json{{"query", "CREATE (:P)"}}.dump(), as_read);
    CHECK(profile.status == 403);
    auto stream =
        c.request("POST", "/query/stream", json{{"query", "CREATE (:P)"}}.dump(), as_read);
    CHECK(stream.status == 403);
    for (const std::string route : {"/admin/checkpoint", "/admin/snapshot/save"}) {
        INFO(route);
        auto a = c.request("POST", route, json{{"path", "s.snap"}}.dump(), as_read);
        CHECK(a.status == 403);
        CHECK(a.json()["error"]["code"] == "Security.Forbidden");
    }

    // In an explicit transaction, reads go on and a write is refused.
    auto tx = c.request("POST", "/tx", "", as_read);
    REQUIRE(tx.status == 201);
    const std::string id = tx.json()["id"];
    CHECK(c.request("POST", "/tx/" + id + "/query", json{{"query", "MATCH (p) RETURN p"}}.dump(),
                    as_read)
              .status == 200);
    auto txw =
        c.request("POST", "/tx/" + id + "/query", json{{"query", "CREATE (:P)"}}.dump(), as_read);
    CHECK(txw.status == 403);
    CHECK(txw.json()["error"]["code"] == "Security.Forbidden");
    c.request("POST", "/tx/" + id + "/rollback", "", as_read);

    // A wrong token is still refused, and the full token keeps every right.
    CHECK(c.query({{"query", "RETURN 1"}}, {{"Authorization", "Bearer nope"}}).status == 401);
    auto check = c.query({{"query", "MATCH (n) RETURN count(n) AS n, sum(n.n) AS s"}}, as_full);
    CHECK(check.json()["rows"] == json::array({json::array({2, 3})}));
    CHECK(c.request("POST", "/admin/checkpoint", "", as_full).status == 200);

    const std::string log = d.stderr_text();
    CHECK(log.find("read-only credential") != std::string::npos);
    CHECK(log.find("invalid bearer token") != std::string::npos);
    CHECK(log.find(full) == std::string::npos);
    CHECK(log.find(read) == std::string::npos);
}

TEST_CASE("a read-only token is refused writes over Bolt with Security.Forbidden",
          "[net][lorad][read-token]") {
    const std::string full = "full-secret-1", read = "read-secret-2";
    Lorad d({"--auth-token", full, "--read-token", read});
    auto client = [&](const std::string& token) {
        lora::net::bolt::ClientOptions o;
        o.auth_token = token;
        o.timeout = std::chrono::seconds(60);
        return std::make_unique<lora::net::bolt::Client>(
            lora::net::bolt::Endpoint{"127.0.0.1", d.bolt_port()}, o);
    };
    client(full)->run("CREATE (:P {n: 1})");
    auto ro = client(read);
    CHECK(ro->run("MATCH (p:P) RETURN p.n AS n").rows.size() == 1);
    for (const std::string q :
         {"CREATE (:P)", "MATCH (p:P) SET p.n = 2", "MATCH (p) DELETE p",
          "CREATE INDEX FOR (p:P) ON (p.n)", "TERMINATE TRANSACTION 'neo4j-transaction-1'"}) {
        INFO(q);
        try {
            ro->run(q);
            FAIL("the write ran");
        } catch (const lora::Error& e) {
            CHECK(e.code() == "Security.Forbidden");
            CHECK(e.kind() == lora::ErrorKind::Forbidden);
        }
    }
    ro->begin();
    CHECK(ro->run("MATCH (p:P) RETURN p").rows.size() == 1);
    CHECK_THROWS_AS(ro->run("CREATE (:P)"), lora::Error);
    ro.reset();
    auto check = client(full)->run("MATCH (n) RETURN count(n) AS n, sum(n.n) AS s");
    REQUIRE(check.rows.size() == 1);
    CHECK(check.rows[0][0].as_int() == 1);
    CHECK(check.rows[0][1].as_int() == 1);
    CHECK_THROWS_AS(client("wrong"), lora::Error);
    const std::string log = d.stderr_text();
    CHECK(log.find("refused a statement of bolt-") != std::string::npos);
    CHECK(log.find("refused Bolt authentication") != std::string::npos);
    CHECK(log.find(read) == std::string::npos);
    CHECK(log.find(full) == std::string::npos);
}

TEST_CASE("a client address over its connection limit is closed at once, logged once",
          "[net][lorad][limits]") {
    Lorad d({"--max-connections-per-client", "3"});
    std::vector<std::unique_ptr<RawSocket>> held;
    for (int i = 0; i < 2; ++i) held.push_back(std::make_unique<RawSocket>(d.port()));
    // HTTP and Bolt count together. The Bolt listener accepts on its own: its handshake
    // answer shows this connection was admitted before the ones below.
    held.push_back(std::make_unique<RawSocket>(d.bolt_port()));
    held.back()->send(std::string("\x60\x60\xb0\x17\x00\x00\x04\x04", 8) + std::string(12, '\0'));
    REQUIRE(held.back()->read_exact(4) == std::string("\x00\x00\x04\x04", 4));
    // One listener takes its connections in order, so the HTTP ones above count first.
    RawSocket over_http(d.port());
    auto got = over_http.read_to_close();
    REQUIRE(got);
    CHECK(got->rfind("HTTP/1.1 503", 0) == 0);
    CHECK(got->find("Request.TooManyConnections") != std::string::npos);
    RawSocket over_bolt(d.bolt_port());
    auto bolt_got = over_bolt.read_to_close();
    REQUIRE(bolt_got);
    CHECK(bolt_got->empty());

    // One place freed: a new connection is served, and /metrics counts both refusals.
    held.front()->close();
    held.erase(held.begin());
    std::optional<lora::test::Reply> metrics;
    for (int attempt = 0; attempt < 100 && !metrics; ++attempt) {
        // The server sees the close when it reads; until then the place may still be held.
        RawSocket probe(d.port());
        probe.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        auto text = probe.read_to_close();
        if (text && text->rfind("HTTP/1.1 200", 0) == 0) {
            metrics.emplace();
            metrics->body = *text;
        }
    }
    REQUIRE(metrics);
    CHECK(metrics->body.find("lora_connections_refused_total{reason=\"connection_limit\"} ") !=
          std::string::npos);
    CHECK(metrics->body.find("lora_connections_refused_total{reason=\"connection_limit\"} 0") ==
          std::string::npos);
    const std::string log = d.stderr_text();
    // Both refusals belong to one burst (no connection of the address was admitted between).
    CHECK(count_of(log, "refused HTTP connection from 127.0.0.1") +
              count_of(log, "refused Bolt connection from 127.0.0.1") ==
          1);
}
