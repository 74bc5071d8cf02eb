// The Bolt client: a blocking POSIX socket whose reads wait with poll() (bounded by the
// client's timeout), the requests and PackStream of the server's own code, records decoded
// with their graph values.
#include <lora/errors.hpp>
#include <lora/net/bolt/client.hpp>
#include <lora/net/bolt/messages.hpp>
#include <lora/net/bolt/packstream.hpp>
#include <lora/net/bolt/status.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace lora::net::bolt {

namespace {

constexpr auto kSuccess = static_cast<uint8_t>(Response::Success);
constexpr auto kRecord = static_cast<uint8_t>(Response::Record);
constexpr auto kIgnored = static_cast<uint8_t>(Response::Ignored);

std::string request(Signature s, const std::vector<Value>& fields = {}) {
    std::string out;
    write_request(out, s, fields);
    return out;
}

const std::string* string_entry(const Map& m, const char* key) {
    auto it = m.find(key);
    return it != m.end() && it->second.is_string() ? &it->second.as_string() : nullptr;
}

// Neo4j's counter names (session.cpp's stats_map) back into lora's counters.
QueryStats stats_of(const Map& summary) {
    QueryStats s;
    auto it = summary.find("stats");
    if (it == summary.end() || !it->second.is_map()) return s;
    const Map& m = it->second.as_map();
    auto get = [&](const char* name) {
        auto v = m.find(name);
        return v != m.end() && v->second.is_int() ? v->second.as_int() : 0;
    };
    s.nodes_created = get("nodes-created");
    s.nodes_deleted = get("nodes-deleted");
    s.relationships_created = get("relationships-created");
    s.relationships_deleted = get("relationships-deleted");
    s.properties_set = get("properties-set");
    s.labels_added = get("labels-added");
    s.labels_removed = get("labels-removed");
    return s;
}

}  // namespace

namespace {

constexpr std::array<std::pair<std::string_view, TlsMode>, 6> kSchemes = {{
    {"bolt://", TlsMode::Off},
    {"neo4j://", TlsMode::Off},
    {"bolt+s://", TlsMode::Verified},
    {"neo4j+s://", TlsMode::Verified},
    {"bolt+ssc://", TlsMode::Unverified},
    {"neo4j+ssc://", TlsMode::Unverified},
}};

}  // namespace

Endpoint parse_bolt_url(std::string_view url) {
    constexpr std::string_view kExpected =
        "bolt://, neo4j:// (or with +s or +ssc: bolt+s://, bolt+ssc://, ...)";
    for (const auto& [scheme, mode] : kSchemes)
        if (url.rfind(scheme, 0) == 0) return parse_server_url(url, scheme, 7687, kExpected);
    return parse_server_url(url, "bolt://", 7687, kExpected);
}

TlsMode bolt_url_tls(std::string_view url) {
    for (const auto& [scheme, mode] : kSchemes)
        if (url.rfind(scheme, 0) == 0) return mode;
    return TlsMode::Off;
}

Client::Client(const Endpoint& endpoint, ClientOptions options)
    : where_(std::string(options.tls == TlsMode::Off        ? "bolt://"
                         : options.tls == TlsMode::Verified ? "bolt+s://"
                                                            : "bolt+ssc://") +
             endpoint.host + ":" + std::to_string(endpoint.port)),
      options_(std::move(options)) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = getaddrinfo(endpoint.host.c_str(), std::to_string(endpoint.port).c_str(), &hints,
                             &found);
        rc != 0)
        throw errors::database("ConnectionFailed", "cannot connect to " + where_ +
                                                       ": cannot resolve " + endpoint.host + ": " +
                                                       gai_strerror(rc));
    for (addrinfo* a = found; a && fd_ < 0; a = a->ai_next) {
        fd_ = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd_ >= 0 && ::connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    freeaddrinfo(found);
    if (fd_ < 0)
        throw errors::database("ConnectionFailed",
                               "cannot connect to " + where_ + ": connection refused");
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    try {
        if (options_.tls != TlsMode::Off) {
            int wait =
                options_.timeout.count() > 0 ? static_cast<int>(options_.timeout.count()) : -1;
            tls_ = std::make_unique<TlsChannel>(fd_, endpoint.host, options_.tls, options_.ca_file,
                                                wait, where_);
        }
        handshake();
    } catch (...) {
        tls_.reset();
        // No destructor runs for a constructor that throws.
        ::close(fd_);
        fd_ = -1;
        throw;
    }
}

// The version (5.8 down to 5.0, then 4.4), then HELLO and, from 5.1, LOGON.
void Client::handshake() {
    std::string hello(kMagic.begin(), kMagic.end());
    hello += std::string("\x00\x08\x08\x05\x00\x00\x04\x04", 8) + std::string(8, '\0');
    send(hello);
    std::string answer;
    while (answer.size() < 4) {
        int wait = options_.timeout.count() > 0 ? static_cast<int>(options_.timeout.count()) : -1;
        if (wait_readable(wait) <= 0) connection_error("no handshake answer");
        char buf[4];
        ssize_t n = receive(buf, 4 - answer.size());
        if (n == -2) continue;
        if (n <= 0) connection_error("the server closed the connection during the handshake");
        answer.append(buf, static_cast<size_t>(n));
    }
    version_ = Version{static_cast<uint8_t>(answer[3]), static_cast<uint8_t>(answer[2])};
    if (!supported(version_))
        connection_error("the server speaks no Bolt version this client does (5.0-5.8, 4.4)");

    Map auth{{"scheme", Value("none")}};
    if (!options_.auth_token.empty())
        auth = Map{{"scheme", Value("bearer")}, {"credentials", Value(options_.auth_token)}};
    Map hello_extra{{"user_agent", Value(options_.user_agent)},
                    {"bolt_agent", Value(Map{{"product", Value(options_.user_agent)}})}};
    bool logon = version_.major == 5 && version_.minor >= 1;
    if (!logon) hello_extra.insert(auth.begin(), auth.end());
    std::string out = request(Signature::Hello, {Value(hello_extra)});
    if (logon) out += request(Signature::Logon, {Value(auth)});
    send(out);
    for (int i = 0; i < (logon ? 2 : 1); ++i) {
        Reply r = read_reply();
        if (r.signature != kSuccess) failed(r);  // the server closes after a refusal
    }
}

Client::~Client() {
    if (fd_ < 0) return;
    std::string bye = request(Signature::Goodbye);
    if (tls_)
        (void)tls_->send(bye.data(), bye.size());
    else
        (void)::send(fd_, bye.data(), bye.size(), MSG_NOSIGNAL);
    tls_.reset();
    ::close(fd_);
}

void Client::connection_error(const std::string& message) {
    throw errors::database("ConnectionFailed", where_ + ": " + message);
}

void Client::send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = tls_ ? tls_->send(bytes.data() + off, bytes.size() - off)
                         : ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n <= 0) connection_error("writing to the server failed");
        off += static_cast<size_t>(n);
    }
}

ssize_t Client::receive(char* buf, size_t size) {
    return tls_ ? tls_->recv(buf, size) : ::recv(fd_, buf, size, 0);
}

int Client::wait_readable(int wait_ms) {
    if (tls_ && tls_->pending()) return 1;
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, wait_ms);
}

Client::Reply Client::read_reply() {
    using Clock = std::chrono::steady_clock;
    const bool bounded = options_.timeout.count() > 0;
    const auto deadline = Clock::now() + options_.timeout;
    while (received_.empty()) {
        int wait = -1;
        if (bounded) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            wait = static_cast<int>(std::max<int64_t>(0, left.count()));
        }
        int ready = wait_readable(wait);
        if (ready == 0)
            connection_error("no answer within " + std::to_string(options_.timeout.count()) +
                             " ms");
        if (ready < 0) connection_error("waiting for the server failed");
        char buf[64 * 1024];
        ssize_t n = receive(buf, sizeof buf);
        if (n == -2) continue;
        if (n <= 0) connection_error("the server closed the connection");
        try {
            dechunker_.feed(std::string_view(buf, static_cast<size_t>(n)), received_);
        } catch (const ProtocolError& e) {
            throw errors::database("BadResponse", where_ + ": bad framing: " + e.what());
        }
    }
    const std::string m = std::move(received_.front());
    received_.pop_front();
    Reply r;
    try {
        Decoder dec(m, true);
        size_t fields = 0;
        r.signature = dec.struct_header(fields);
        if (fields == 1) r.field = dec.value();
    } catch (const std::exception& e) {
        throw errors::database("BadResponse", where_ + ": an answer does not decode: " + e.what());
    }
    return r;
}

void Client::failed(const Reply& r) {
    if (r.signature == kIgnored)
        throw errors::database("BadResponse", where_ + ": a request was IGNORED");
    std::string code = "Neo.DatabaseError.General.UnknownError", message = "unknown failure";
    if (r.field.is_map()) {
        const Map& m = r.field.as_map();
        if (const std::string* c = string_entry(m, "neo4j_code"))
            code = *c;
        else if (const std::string* c2 = string_entry(m, "code"))
            code = *c2;
        if (const std::string* msg = string_entry(m, "message")) message = *msg;
    }
    throw error_of_failure(code, message);
}

void Client::reset_and_throw(const Reply& failure) {
    // FAILED until RESET, which also ends a transaction.
    send(request(Signature::Reset));
    in_tx_ = false;
    if (read_reply().signature != kSuccess)
        throw errors::database("BadResponse", where_ + ": RESET was not answered SUCCESS");
    failed(failure);
}

Map Client::call(Signature s, const std::vector<Value>& fields) {
    send(request(s, fields));
    Reply r = read_reply();
    if (r.signature != kSuccess) reset_and_throw(r);
    return r.field.is_map() ? r.field.as_map() : Map{};
}

Result Client::run(const std::string& query, const Params& params, const Map& extra) {
    send(request(Signature::Run, {Value(query), Value(params), Value(extra)}) +
         request(Signature::Pull, {Value(Map{{"n", Value(int64_t{-1})}})}));
    Result result;
    std::optional<Reply> failure;
    Reply head = read_reply();
    if (head.signature == kSuccess && head.field.is_map()) {
        auto it = head.field.as_map().find("fields");
        if (it != head.field.as_map().end() && it->second.is_list())
            for (const auto& c : it->second.as_list())
                result.columns.push_back(c.is_string() ? c.as_string() : c.to_string());
    } else if (head.signature != kSuccess) {
        failure = std::move(head);
    }
    for (;;) {
        Reply r = read_reply();
        if (r.signature == kRecord) {
            if (!r.field.is_list())
                throw errors::database("BadResponse", where_ + ": a RECORD holds no list");
            result.rows.push_back(r.field.as_list());
            continue;
        }
        if (r.signature == kSuccess) {
            const Map meta = r.field.is_map() ? r.field.as_map() : Map{};
            result.stats = stats_of(meta);
            if (const std::string* b = string_entry(meta, "bookmark")) bookmark_ = *b;
        } else if (!failure && r.signature != kIgnored) {
            failure = std::move(r);
        }
        break;
    }
    if (failure) reset_and_throw(*failure);
    return result;
}

void Client::begin(const Map& extra) {
    call(Signature::Begin, {Value(extra)});
    in_tx_ = true;
}

std::string Client::commit() {
    Map meta = call(Signature::Commit);
    in_tx_ = false;
    if (const std::string* b = string_entry(meta, "bookmark")) bookmark_ = *b;
    return bookmark_;
}

void Client::rollback() {
    call(Signature::Rollback);
    in_tx_ = false;
}

BoltRemote::BoltRemote(std::string url, std::string token, std::string ca_file)
    : url_(std::move(url)),
      endpoint_(parse_bolt_url(url_)),
      token_(std::move(token)),
      ca_file_(std::move(ca_file)) {}

BoltRemote::~BoltRemote() = default;

Result BoltRemote::execute(const std::string& query, const Params& params) {
    if (!client_) {
        ClientOptions o;
        o.auth_token = token_;
        o.user_agent = "lora-shell/1";
        o.tls = bolt_url_tls(url_);
        o.ca_file = ca_file_;
        client_ = std::make_unique<Client>(endpoint_, std::move(o));
    }
    try {
        return client_->run(query, params);
    } catch (const Error& e) {
        // A connection that failed is dropped; the next statement connects again.
        if (e.error_class() == ErrorClass::Database &&
            (e.detail() == "ConnectionFailed" || e.detail() == "BadResponse"))
            client_.reset();
        throw;
    }
}

uint64_t BoltRemote::checkpoint() {
    throw errors::not_supported(
        "CHECKPOINT over Bolt: it is lorad's HTTP admin request (POST "
        "/admin/checkpoint); connect with http:// to run it");
}

}  // namespace lora::net::bolt
