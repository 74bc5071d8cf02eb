// Beast sessions: each connection reads one request at a time on its strand, answers cheap
// routes inline and hands blocking ones to the worker pool, then posts the answer back.
#include <lora/errors.hpp>
#include <lora/lora.hpp>
#include <lora/net/http_request.hpp>
#include <lora/net/http_server.hpp>
#include <lora/net/listener.hpp>
#include <lora/net/tls.hpp>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <sys/socket.h>

namespace lora::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct HttpServer::Impl {
    ServerOptions options;
    const Router& router;
    Metrics& metrics;
    asio::io_context ioc;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::optional<tcp::acceptor> acceptor;
    std::unique_ptr<asio::thread_pool> workers;
    std::vector<std::thread> io_threads;
    std::atomic<bool> draining{false};
    std::atomic<int64_t> pending_queries{0};  // queued or running on the worker pool
    std::atomic<int64_t> open_requests{0};    // read and not yet fully answered
    uint16_t bound_port = 0;
    bool running = false;
    // Cancel tokens of the queries running on the pool: a shutdown past its grace cancels them.
    std::mutex tokens_mu;
    std::set<std::shared_ptr<CancelToken>> tokens;

    Impl(ServerOptions o, const Router& r, Metrics& m)
        : options(std::move(o)), router(r), metrics(m) {}

    void accept();
    // A new connection: a session when the client's address is under its limit.
    void admit(tcp::socket&& socket);
    void refuse(tcp::socket&& socket);
};

namespace {

// How long one chunk of a streamed response may take to be written: a reader stalled longer
// is dropped (and its query cancelled).
constexpr auto kStreamWriteTimeout = std::chrono::seconds(30);

class Session;

// ResponseStream of a session: each call runs its write on the session's strand and waits.
class SessionStream : public ResponseStream {
public:
    explicit SessionStream(std::shared_ptr<Session> s) : s_(std::move(s)) {}
    bool begin(unsigned status, const std::string& content_type) override;
    bool write(std::string data) override;
    bool started = false;
    bool broken = false;

private:
    std::shared_ptr<Session> s_;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket&& socket, HttpServer::Impl& server, ConnectionLimiter::Slot slot)
        : stream_(std::move(socket), server.options.tls.get()),
          server_(server),
          timer_(stream_.get_executor()),
          slot_(std::move(slot)) {
        static std::atomic<uint64_t> next_id{1};
        connection_id_ = "http-" + std::to_string(next_id.fetch_add(1));
        beast::error_code ec;
        auto peer = stream_.next_layer().socket().remote_endpoint(ec);
        if (!ec) client_address_ = endpoint_text(peer);
    }

    void run() {
        if (!stream_.is_tls())
            return asio::dispatch(
                stream_.get_executor(),
                beast::bind_front_handler(&Session::read_header, shared_from_this()));
        // A handshake that stalls is dropped like a slow request header.
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
            self->stream_.next_layer().expires_after(self->server_.options.header_timeout);
            self->stream_.async_handshake([self](beast::error_code ec) {
                if (!ec) return self->read_header();
                self->server_.metrics.record_refused_connection(Metrics::Refusal::TlsHandshake);
                spdlog::warn("refused HTTPS connection from {}: TLS handshake failed ({})",
                             self->client_address_, tls_failure_text(ec));
                beast::error_code ignored;
                self->stream_.next_layer().socket().close(ignored);
            });
        });
    }

    // Runs `op` on the strand and waits for it to report (a worker thread only).
    bool on_strand(std::function<void(std::function<void(bool)>)> op) {
        auto p = std::make_shared<std::promise<bool>>();
        auto f = p->get_future();
        asio::post(stream_.get_executor(),
                   [op = std::move(op), p] { op([p](bool ok) { p->set_value(ok); }); });
        return f.get();
    }

    void write_stream_header(unsigned status, const std::string& content_type,
                             std::function<void(bool)> done) {
        // The client's own disconnect is now seen by the writes.
        stop_watching();
        auto res = std::make_shared<http::response<http::empty_body>>();
        res->version(11);
        res->result(status);
        res->set(http::field::server, "lorad");
        res->set(http::field::content_type, content_type);
        if (server_.draining.load()) keep_alive_ = false;
        res->keep_alive(keep_alive_);
        res->chunked(true);
        streamed_status_ = status;
        auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
        stream_.next_layer().expires_after(kStreamWriteTimeout);
        http::async_write_header(stream_, *sr,
                                 [res, sr, done](beast::error_code ec, size_t) { done(!ec); });
    }

    void write_stream_chunk(std::string data, std::function<void(bool)> done) {
        if (data.empty()) return done(true);  // an empty chunk would end the body
        auto buf = std::make_shared<std::string>(std::move(data));
        stream_.next_layer().expires_after(kStreamWriteTimeout);
        asio::async_write(stream_, http::make_chunk(asio::buffer(*buf)),
                          [buf, done](beast::error_code ec, size_t) { done(!ec); });
    }

private:
    MaybeTlsStream<beast::tcp_stream> stream_;
    std::string connection_id_;
    std::string client_address_;
    HttpServer::Impl& server_;
    beast::flat_buffer buffer_;
    std::optional<HttpRequestParser> parser_;
    asio::steady_timer timer_;
    http::response<http::string_body> res_;
    Clock::time_point started_;
    std::string route_label_;
    bool keep_alive_ = true;
    // Set while a worker runs this connection's query; the first of (result, deadline) to
    // arrive answers and clears it, so the other is dropped.
    uint64_t awaiting_ = 0;
    uint64_t seq_ = 0;
    std::array<char, 4096> discard_;
    unsigned streamed_status_ = 0;
    bool watching_ = false;
    bool tls_closed_ = false;       // close_notify was sent
    ConnectionLimiter::Slot slot_;  // the connection's place under the per-client limit

    // While a worker runs the query, a readable socket with nothing to read means the
    // client closed: cancel its query. (Pipelined bytes are left for the next read.)
    void watch_disconnect(std::shared_ptr<CancelToken> token) {
        watching_ = true;
        stream_.next_layer().socket().async_wait(
            tcp::socket::wait_read, [self = shared_from_this(), token](beast::error_code ec) {
                if (ec || !self->watching_) return;
                self->watching_ = false;
                char c;
                ssize_t n = ::recv(self->stream_.next_layer().socket().native_handle(), &c, 1,
                                   MSG_PEEK | MSG_DONTWAIT);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) token->cancel();
            });
    }
    void stop_watching() {
        if (!watching_) return;
        watching_ = false;
        beast::error_code ec;
        stream_.next_layer().socket().cancel(ec);
    }

    // A query's cancel token, known to the server until the request ends.
    std::shared_ptr<CancelToken> track_token() {
        auto token = std::make_shared<CancelToken>();
        std::lock_guard lock(server_.tokens_mu);
        server_.tokens.insert(token);
        return token;
    }
    void untrack_token(const std::shared_ptr<CancelToken>& token) { release_token(server_, token); }
    static void release_token(HttpServer::Impl& server, const std::shared_ptr<CancelToken>& token) {
        std::lock_guard lock(server.tokens_mu);
        server.tokens.erase(token);
    }
    // The server's side of a finished query: its token and its admission.
    static void release_query(HttpServer::Impl& server, const std::shared_ptr<CancelToken>& token) {
        release_token(server, token);
        server.pending_queries.fetch_sub(1);
    }

    void read_header() {
        if (server_.draining.load()) return close();
        parser_.emplace();
        limit_request_parser(*parser_, server_.options.max_request_bytes);
        stream_.next_layer().expires_after(server_.options.header_timeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                beast::bind_front_handler(&Session::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, size_t) {
        if (ec) {
            // body_limit here means the declared Content-Length is already too large.
            if (ec == http::error::body_limit) return begin_and_reject_size();
            if (ec == http::error::header_limit)
                return begin_and_reject(431, "Request.HeaderTooLarge",
                                        "request headers exceed 64 KiB");
            if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
                ec != http::error::end_of_stream && ec != http::error::partial_message)
                return begin_and_reject(400, "Request.BadHttp",
                                        "malformed HTTP request: " + ec.message());
            return close();
        }
        begin();
        if (parser_->is_done()) return handle();
        // Clients such as curl send Expect: 100-continue for large bodies and would otherwise
        // wait a second before sending the body.
        if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            stream_.next_layer().expires_after(server_.options.body_timeout);
            return asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                                     [self = shared_from_this()](beast::error_code ec, size_t) {
                                         if (ec) {
                                             self->finish_request();
                                             return self->close();
                                         }
                                         self->read_body();
                                     });
        }
        read_body();
    }

    void read_body() {
        stream_.next_layer().expires_after(server_.options.body_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&Session::on_body, shared_from_this()));
    }

    void on_body(beast::error_code ec, size_t) {
        if (ec == http::error::body_limit) return reject_size();
        if (ec) {
            finish_request();
            return close();
        }
        handle();
    }

    void begin() {
        started_ = Clock::now();
        route_label_ = "unmatched";
        server_.open_requests.fetch_add(1);
        server_.metrics.request_started();
    }
    void finish_request() {
        server_.metrics.request_finished();
        server_.open_requests.fetch_sub(1);
    }

    void begin_and_reject_size() {
        begin();
        reject_size();
    }
    void reject_size() {
        keep_alive_ = false;  // the unread body is still on the wire
        respond(request_error(413, "Request.TooLarge",
                              "request body exceeds the limit of " +
                                  std::to_string(server_.options.max_request_bytes) + " bytes"));
    }
    void begin_and_reject(unsigned status, std::string_view code, const std::string& message) {
        begin();
        keep_alive_ = false;
        respond(request_error(status, code, message));
    }

    void handle() {
        keep_alive_ = parser_->get().keep_alive();
        Request req = to_request(parser_->release());
        req.connection_id = connection_id_;
        req.client_address = client_address_;

        auto match = server_.router.find(req.method, req.path);
        if (!match.route) {
            if (match.status == 405) {
                route_label_ = match.pattern;
                Response r = request_error(405, "Request.MethodNotAllowed",
                                           req.method + " is not allowed on " + req.path +
                                               " (allowed: " + match.allow + ")");
                r.headers.emplace_back("Allow", match.allow);
                return respond(std::move(r));
            }
            return respond(request_error(404, "Request.NotFound", "no route for " + req.path));
        }
        const Route& route = *match.route;
        route_label_ = route.path;
        req.params = std::move(match.params);
        if (route.needs_auth && !server_.options.auth_token.empty()) {
            auto it = req.headers.find("authorization");
            std::string_view given = it == req.headers.end() ? std::string_view() : it->second;
            constexpr std::string_view kBearer = "Bearer ";
            const Credentials credentials{server_.options.auth_token, server_.options.read_token};
            const Access access = given.substr(0, kBearer.size()) == kBearer
                                      ? credentials.access_of(given.substr(kBearer.size()))
                                      : Access::Refused;
            if (access == Access::Refused) {
                const char* why = it == req.headers.end()
                                      ? "missing Authorization: Bearer <token> header"
                                      : "invalid bearer token";
                spdlog::warn("refused HTTP {} {} from {}: {}", req.method, req.path,
                             client_address_, why);
                Response r = request_error(401, "Request.Unauthorized", why);
                r.headers.emplace_back("WWW-Authenticate", "Bearer");
                return respond(std::move(r));
            }
            req.read_only = access == Access::Read;
            if (req.read_only && route.changes_state) {
                return respond(engine_error(errors::forbidden(
                    req.method + " " + route.path +
                    " changes the database, and this client may only read (a read-only "
                    "credential)")));
            }
        }
        if (route.dispatch == Dispatch::Inline) return respond(call(route, req));
        if (route.dispatch == Dispatch::Stream) return dispatch_stream(route, std::move(req));
        if (route.dispatch == Dispatch::Async) return dispatch_async(route, std::move(req));
        dispatch_to_worker(route, std::move(req));
    }

    static Response call(const Route& route, const Request& req) {
        return guarded(route, [&] { return route.handler(req); });
    }

    // Runs `f`, answering its exceptions as errors of the route.
    template <typename F>
    static Response guarded(const Route& route, F&& f) {
        try {
            return f();
        } catch (const Error& e) {
            return engine_error(e);
        } catch (const std::exception& e) {
            spdlog::error("handler for {} {} failed: {}", route.method, route.path, e.what());
            return request_error(500, "DatabaseError.Internal",
                                 std::string("internal error: ") + e.what());
        } catch (...) {
            spdlog::error("handler for {} {} failed with a non-standard exception", route.method,
                          route.path);
            return request_error(500, "DatabaseError.Internal", "internal error");
        }
    }

    // Admission shared by worker and stream dispatch: answers 503 (and returns nullptr) when
    // too many queries wait; otherwise the request becomes the awaited one (id) and gets its
    // cancel token and timed-out flag.
    std::shared_ptr<CancelToken> admit(Request& req, uint64_t& id) {
        if (server_.pending_queries.fetch_add(1) >=
            static_cast<int64_t>(server_.options.max_pending_queries)) {
            server_.pending_queries.fetch_sub(1);
            respond(request_error(503, "Request.Busy", "too many queries queued; retry later"));
            return nullptr;
        }
        id = ++seq_;
        awaiting_ = id;
        auto token = track_token();
        req.cancel = token;
        req.timed_out = std::make_shared<std::atomic<bool>>(false);
        return token;
    }

    // admit() for a query answered in one piece: its time limit armed, its client watched.
    std::shared_ptr<CancelToken> admit_watched(Request& req, uint64_t& id) {
        auto token = admit(req, id);
        if (!token) return nullptr;
        arm_deadline(id, token, req.timed_out);
        watch_disconnect(token);
        return token;
    }

    void dispatch_to_worker(const Route& route, Request req) {
        uint64_t id = 0;
        auto token = admit_watched(req, id);
        if (!token) return;
        asio::post(*server_.workers, [self = shared_from_this(), &route, req = std::move(req), id,
                                      token] { self->complete(id, token, call(route, req)); });
    }

    // Like dispatch_to_worker, but the handler only starts the query (on this I/O thread);
    // the answer is built on the pool once the engine calls back, and no thread waits.
    void dispatch_async(const Route& route, Request req) {
        uint64_t id = 0;
        auto token = admit_watched(req, id);
        if (!token) return;
        // The session stays alive until `finish` is called (nothing else may hold it while the
        // query runs), then `finish` lets go of it: the engine may drop its copy of `finish`
        // late, even after the server is gone.
        struct Pending {
            std::mutex mu;
            std::shared_ptr<Session> session;
            bool finished = false;
        };
        auto pending = std::make_shared<Pending>();
        pending->session = shared_from_this();
        Finish finish = [pending, server = &server_, &route, id,
                         token](std::function<Response()> build) {
            std::shared_ptr<Session> self;
            {
                std::lock_guard lock(pending->mu);
                if (pending->finished) return;  // a handler must finish once; never answer twice
                pending->finished = true;
                self = std::move(pending->session);
            }
            asio::post(*server->workers,
                       [self = std::move(self), &route, id, token, build = std::move(build)] {
                           self->complete(id, token, guarded(route, build));
                       });
        };
        try {
            route.async_handler(req, finish);
        } catch (...) {
            finish([e = std::current_exception()]() -> Response { std::rethrow_exception(e); });
        }
    }

    // A query's answer is ready (on a pool thread): frees its admission and answers on the
    // session's strand, unless the time limit answered 504 already.
    void complete(uint64_t id, const std::shared_ptr<CancelToken>& token, Response r) {
        release_query(server_, token);
        asio::post(stream_.get_executor(),
                   [self = shared_from_this(), id, r = std::move(r)]() mutable {
                       if (self->awaiting_ != id) return;  // already answered 504
                       self->awaiting_ = 0;
                       self->timer_.cancel();
                       self->stop_watching();
                       self->respond(std::move(r));
                   });
    }

    // The server's query time limit: past it the query is cancelled and answered 504.
    void arm_deadline(uint64_t id, const std::shared_ptr<CancelToken>& token,
                      const std::shared_ptr<std::atomic<bool>>& flag) {
        if (server_.options.query_timeout.count() > 0) {
            timer_.expires_after(server_.options.query_timeout);
            timer_.async_wait([self = shared_from_this(), id, token, flag](beast::error_code ec) {
                if (ec || self->awaiting_ != id) return;
                self->awaiting_ = 0;
                self->stop_watching();
                flag->store(true);
                token->cancel();
                self->server_.metrics.record_timeout();
                self->respond(
                    request_error(504, "Request.Timeout",
                                  "query did not finish within " +
                                      std::to_string(self->server_.options.query_timeout.count()) +
                                      " ms; it was cancelled (a write is rolled back)"));
            });
        }
    }

    // Like dispatch_to_worker, but the handler may stream: the time limit cancels the query
    // (the handler answers 504, or ends the stream with an error line), and the session
    // ends the chunked body once the handler returns.
    void dispatch_stream(const Route& route, Request req) {
        uint64_t id = 0;
        auto token = admit(req, id);
        if (!token) return;
        if (server_.options.query_timeout.count() > 0) {
            timer_.expires_after(server_.options.query_timeout);
            timer_.async_wait(
                [self = shared_from_this(), id, token, flag = req.timed_out](beast::error_code ec) {
                    if (ec || self->awaiting_ != id) return;
                    flag->store(true);
                    self->server_.metrics.record_timeout();
                    token->cancel();
                });
        }
        watch_disconnect(token);
        asio::post(
            *server_.workers, [self = shared_from_this(), &route, req = std::move(req), id, token] {
                SessionStream out(self);
                Response r = guarded(route, [&] { return route.stream_handler(req, out); });
                self->untrack_token(token);
                self->server_.pending_queries.fetch_sub(1);
                bool started = out.started, broken = out.broken;
                asio::post(self->stream_.get_executor(),
                           [self, id, r = std::move(r), started, broken]() mutable {
                               self->awaiting_ = 0;
                               self->timer_.cancel();
                               self->stop_watching();
                               (void)id;
                               if (!started) return self->respond(std::move(r));
                               if (broken) {
                                   self->finish_stream(self->streamed_status_);
                                   return self->close();
                               }
                               self->stream_.next_layer().expires_after(kStreamWriteTimeout);
                               asio::async_write(self->stream_, http::make_chunk_last(),
                                                 [self](beast::error_code ec, size_t) {
                                                     self->finish_stream(self->streamed_status_);
                                                     if (ec || !self->keep_alive_)
                                                         return self->close();
                                                     self->read_header();
                                                 });
                           });
            });
    }

    void finish_stream(unsigned status) {
        double secs = std::chrono::duration<double>(Clock::now() - started_).count();
        server_.metrics.record_request(route_label_, status, secs);
        finish_request();
    }

    void respond(Response r) {
        // The statement or route a read-only client may not run; the error says what.
        if (r.status == 403)
            spdlog::warn("refused HTTP {} from {}: read-only credential: {}", route_label_,
                         client_address_, r.body);
        res_ = {};
        res_.version(11);
        res_.result(r.status);
        res_.set(http::field::server, "lorad");
        res_.set(http::field::content_type, r.content_type);
        for (auto& [k, v] : r.headers) res_.set(k, v);
        if (server_.draining.load()) keep_alive_ = false;
        res_.keep_alive(keep_alive_);
        res_.body() = std::move(r.body);
        res_.prepare_payload();
        stream_.next_layer().expires_after(std::chrono::seconds(30));
        http::async_write(stream_, res_,
                          beast::bind_front_handler(&Session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, size_t) {
        double secs = std::chrono::duration<double>(Clock::now() - started_).count();
        server_.metrics.record_request(route_label_, res_.result_int(), secs);
        finish_request();
        if (ec || !keep_alive_) return close();
        read_header();
    }

    // A TLS connection says close_notify first, so the client can tell the end of the
    // connection from a truncation (OpenSSL 3 reports "unexpected eof" otherwise); a client
    // that does not answer it within the bound is closed all the same.
    void close() {
        if (!stream_.is_tls() || tls_closed_) return close_tcp();
        tls_closed_ = true;
        stream_.next_layer().expires_after(std::chrono::seconds(2));
        stream_.async_shutdown(
            [self = shared_from_this()](beast::error_code) { self->close_tcp(); });
    }

    // Closing with unread request bytes in the kernel buffer makes the kernel send a reset
    // that can destroy the response in flight (e.g. a 413 before the body was read); so
    // send FIN first and read what the client still sends, bounded in time.
    void close_tcp() {
        beast::error_code ec;
        stream_.next_layer().socket().shutdown(tcp::socket::shutdown_send, ec);
        if (ec) {
            stream_.next_layer().socket().close(ec);
            return;
        }
        stream_.next_layer().expires_after(std::chrono::seconds(2));
        drain();
    }

    void drain() {
        stream_.next_layer().async_read_some(
            asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, size_t) {
                if (!ec) return self->drain();
                beast::error_code ignored;
                self->stream_.next_layer().socket().close(ignored);
            });
    }
};

bool SessionStream::begin(unsigned status, const std::string& content_type) {
    if (broken) return false;
    started = true;
    bool ok = s_->on_strand([&](std::function<void(bool)> done) {
        s_->write_stream_header(status, content_type, std::move(done));
    });
    if (!ok) broken = true;
    return ok;
}

bool SessionStream::write(std::string data) {
    if (broken || !started) return false;
    bool ok = s_->on_strand([this, d = std::move(data)](std::function<void(bool)> done) mutable {
        s_->write_stream_chunk(std::move(d), std::move(done));
    });
    if (!ok) broken = true;
    return ok;
}

}  // namespace

void HttpServer::Impl::accept() {
    acceptor->async_accept(asio::make_strand(ioc),
                           [this](beast::error_code ec, tcp::socket socket) {
                               if (ec == asio::error::operation_aborted || !acceptor->is_open())
                                   return;
                               if (ec) {
                                   // Out of descriptors and the like: keep serving the open
                                   // connections.
                                   spdlog::warn("accept failed: {}", ec.message());
                               } else {
                                   admit(std::move(socket));
                               }
                               accept();
                           });
}

void HttpServer::Impl::admit(tcp::socket&& socket) {
    ConnectionLimiter::Slot slot;
    if (options.limiter) {
        beast::error_code ec;
        auto peer = socket.remote_endpoint(ec);
        if (ec) return;  // gone already
        auto admitted = options.limiter->admit(peer.address(), options.tls ? "HTTPS" : "HTTP");
        if (!admitted) return refuse(std::move(socket));
        slot = std::move(*admitted);
    }
    std::make_shared<Session>(std::move(socket), *this, std::move(slot))->run();
}

void HttpServer::Impl::refuse(tcp::socket&& socket) {
    // Plain HTTP gets a 503 on its way out; a TLS client would need a handshake first, so it
    // is only closed.
    if (options.tls) {
        beast::error_code ignored;
        socket.close(ignored);
        return;
    }
    static const std::string kBusy = [] {
        const std::string body =
            request_error(503, "Request.TooManyConnections",
                          "too many connections from this address (--max-connections-per-client)")
                .body;
        return "HTTP/1.1 503 Service Unavailable\r\nServer: lorad\r\n"
               "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    auto s = std::make_shared<tcp::socket>(std::move(socket));
    asio::async_write(*s, asio::buffer(kBusy), [s](beast::error_code, size_t) {
        beast::error_code ignored;
        s->shutdown(tcp::socket::shutdown_both, ignored);
        s->close(ignored);
    });
}

HttpServer::HttpServer(ServerOptions options, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}

HttpServer::~HttpServer() {
    if (impl_->running) stop(std::chrono::milliseconds(0));
}

void HttpServer::start() {
    auto& s = *impl_;
    s.acceptor.emplace(asio::make_strand(s.ioc));
    listen_on(*s.acceptor, s.options.host, s.options.port, "--http");
    s.bound_port = s.acceptor->local_endpoint().port();

    unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    // A worker mostly waits (for the engine's actors, for the WAL's fsync): more workers let
    // more commits share one fsync (64 HTTP writers: 3.6k commits/s with 4 workers, 7k with
    // 64, measured with lora-bench writers --via http).
    unsigned nq = s.options.query_threads ? s.options.query_threads : std::max(32u, 8 * hw);
    s.workers = std::make_unique<asio::thread_pool>(nq);
    s.work.emplace(s.ioc.get_executor());
    s.accept();
    unsigned nio = std::max(1u, s.options.io_threads);
    for (unsigned i = 0; i < nio; ++i) s.io_threads.emplace_back([&s] { s.ioc.run(); });
    s.running = true;
}

uint16_t HttpServer::port() const { return impl_->bound_port; }
const std::string& HttpServer::host() const { return impl_->options.host; }

bool HttpServer::stop(std::chrono::milliseconds grace) {
    auto& s = *impl_;
    if (!s.running) return true;
    s.running = false;
    s.draining.store(true);
    asio::post(s.acceptor->get_executor(), [&s] {
        beast::error_code ec;
        s.acceptor->close(ec);
    });
    auto deadline = Clock::now() + grace;
    while ((s.open_requests.load() > 0 || s.pending_queries.load() > 0) && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (s.open_requests.load() > 0 || s.pending_queries.load() > 0) {
        // Past the grace: cancel the running queries (writes roll back) and give them a
        // moment to end.
        std::vector<std::shared_ptr<CancelToken>> running;
        {
            std::lock_guard lock(s.tokens_mu);
            running.assign(s.tokens.begin(), s.tokens.end());
        }
        spdlog::warn("shutdown grace of {} ms expired; cancelling {} running quer(ies)",
                     grace.count(), running.size());
        for (auto& t : running) t->cancel();
        auto until = Clock::now() + std::chrono::seconds(2);
        while ((s.open_requests.load() > 0 || s.pending_queries.load() > 0) && Clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    bool drained = s.open_requests.load() == 0 && s.pending_queries.load() == 0;
    s.work.reset();
    s.ioc.stop();
    for (auto& t : s.io_threads) t.join();
    s.io_threads.clear();
    if (drained) {
        s.workers->join();
    } else {
        spdlog::warn("shutdown: {} request(s) and {} quer(ies) still running after {} ms",
                     s.open_requests.load(), s.pending_queries.load(), grace.count());
        // Queries cannot be cancelled; the workers finish or die with the process.
        s.workers->stop();
    }
    return drained;
}

}  // namespace lora::net
