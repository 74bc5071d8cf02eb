// Bolt connections: each reads on its strand (handshake, then chunks into a queue of
// messages), hands the queued messages to the worker pool as one job (so pipelined RUN +
// PULL are answered together), and writes the job's responses back on the strand. A
// session is only ever used by one job at a time. A PULL whose rows or commit are not there
// yet suspends the session: the job ends (its worker is free while the commit waits for the
// WAL), and the session's waker posts a job that resumes it.
#include <lora/errors.hpp>
#include <lora/lora.hpp>
#include <lora/net/bolt/chunking.hpp>
#include <lora/net/bolt/handshake.hpp>
#include <lora/net/bolt/packstream.hpp>
#include <lora/net/bolt/server.hpp>
#include <lora/net/bolt/session.hpp>
#include <lora/net/connection_limit.hpp>
#include <lora/net/listener.hpp>
#include <lora/net/metrics.hpp>
#include <lora/net/tls.hpp>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace lora::net::bolt {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;

class Connection;

struct Server::Impl {
    ServerOptions options;
    Database& db;
    std::optional<asio::io_context> ioc;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::optional<tcp::acceptor> acceptor;
    std::unique_ptr<asio::thread_pool> workers;
    std::vector<std::thread> io_threads;
    std::atomic<bool> draining{false};
    std::atomic<int64_t> running_jobs{0};
    std::atomic<uint64_t> next_id{0};
    uint16_t bound_port = 0;
    bool running = false;
    std::mutex connections_mu;
    std::map<uint64_t, std::weak_ptr<Connection>> connections;

    Impl(ServerOptions o, Database& d) : options(std::move(o)), db(d) {}
    void accept();
};

namespace {

// Messages queued beyond this many bytes pause reading until the worker catches up.
constexpr size_t kMaxQueuedBytes = 1u << 20;

}  // namespace

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket&& socket, Server::Impl& server, uint64_t id,
               ConnectionLimiter::Slot slot)
        : socket_(std::move(socket), server.options.tls.get()),
          server_(server),
          id_(id),
          read_timer_(socket_.get_executor()),
          write_timer_(socket_.get_executor()),
          dechunker_(server.options.max_message_bytes),
          slot_(std::move(slot)) {}

    void run() {
        asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
            self->arm_read_timer(self->server_.options.handshake_timeout);
            if (!self->socket_.is_tls()) return self->read_preamble();
            self->socket_.async_handshake([self](error_code ec) {
                if (!ec) return self->read_preamble();
                self->read_timer_.cancel();
                if (self->server_.options.metrics)
                    self->server_.options.metrics->record_refused_connection(
                        Metrics::Refusal::TlsHandshake);
                spdlog::warn("refused Bolt connection {} from {}: TLS handshake failed ({})",
                             self->id_, self->peer_text(), tls_failure_text(ec));
                self->close();
            });
        });
    }

    // From another thread: closes the connection on its strand, interrupting its work.
    void shutdown() {
        asio::post(socket_.get_executor(), [self = shared_from_this()] {
            if (self->session_) self->session_->interrupt();
            self->close();
        });
    }

    // A worker's blocking write of part of a job's responses.
    bool write_blocking(std::string bytes) {
        auto p = std::make_shared<std::promise<bool>>();
        auto f = p->get_future();
        asio::post(socket_.get_executor(),
                   [self = shared_from_this(), p, b = std::move(bytes)]() mutable {
                       self->write(std::move(b), [p](bool ok) { p->set_value(ok); });
                   });
        return f.get();
    }

private:
    // Responses gathered on the strand: written when the resume ends.
    class StrandSink : public Sink {
    public:
        bool flush() override { return true; }
        bool can_block() const override { return false; }
    };

    class JobSink : public Sink {
    public:
        explicit JobSink(Connection& c) : c_(c) {}
        bool flush() override {
            if (buffer.empty()) return true;
            bool ok = c_.write_blocking(std::move(buffer));
            buffer.clear();
            return ok;
        }

    private:
        Connection& c_;
    };

    MaybeTlsStream<tcp::socket> socket_;
    Server::Impl& server_;
    uint64_t id_;
    asio::steady_timer read_timer_;
    asio::steady_timer write_timer_;
    std::array<char, 20> hello_{};
    std::string handshake_rest_;
    // Per connection, so kept small: a large message takes a few reads more.
    std::array<char, 16 * 1024> buf_{};
    Dechunker dechunker_;
    std::unique_ptr<Session> session_;
    std::deque<std::string> queue_;
    size_t queued_bytes_ = 0;
    bool reading_ = false;
    bool processing_ = false;
    bool suspended_ = false;  // the session waits for its waker
    bool woken_ = false;      // the waker ran since the last job started
    bool resume_ = false;     // the next job starts with Session::resume
    // Responses of a job that suspended (a RUN's SUCCESS before its PULL): written with the
    // PULL's, so a pipelined RUN + PULL costs one write, not two.
    std::string held_;
    bool closing_ = false;
    bool closed_ = false;
    ConnectionLimiter::Slot slot_;  // the connection's place under the per-client limit

    void read_preamble() {
        asio::async_read(
            socket_, asio::buffer(hello_),
            [self = shared_from_this()](error_code ec, size_t) { self->on_preamble(ec); });
    }

    std::string peer_text() {
        error_code ec;
        auto peer = socket_.next_layer().remote_endpoint(ec);
        return ec ? std::string("an unknown address") : endpoint_text(peer);
    }

    void arm_read_timer(std::chrono::milliseconds after) {
        read_timer_.expires_after(after);
        read_timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (ec) return;
            spdlog::debug("bolt connection {}: read timed out", self->id_);
            self->close();
        });
    }

    void on_preamble(error_code ec) {
        read_timer_.cancel();
        if (ec) return close();
        if (!std::equal(kMagic.begin(), kMagic.end(),
                        reinterpret_cast<const uint8_t*>(hello_.data()))) {
            spdlog::debug("bolt connection {}: not Bolt (wrong magic)", id_);
            return close();
        }
        HandshakeAnswer a = answer_proposals(std::string_view(hello_.data() + 4, 16));
        if (!a.manifest && a.version == Version{}) {
            return write(std::move(a.bytes), [self = shared_from_this()](bool) { self->close(); });
        }
        bool manifest = a.manifest;
        Version v = a.version;
        write(std::move(a.bytes), [self = shared_from_this(), manifest, v](bool ok) {
            if (!ok) return self->close();
            if (manifest) return self->read_manifest_choice();
            self->start_session(v, {});
        });
    }

    void read_manifest_choice() {
        arm_read_timer(server_.options.handshake_timeout);
        socket_.async_read_some(
            asio::buffer(buf_), [self = shared_from_this()](error_code ec, size_t n) {
                self->read_timer_.cancel();
                if (ec) return self->close();
                self->handshake_rest_.append(self->buf_.data(), n);
                size_t used = 0;
                std::optional<Version> v;
                try {
                    v = parse_manifest_choice(self->handshake_rest_, used);
                } catch (const ProtocolError& e) {
                    spdlog::debug("bolt connection {}: {}", self->id_, e.what());
                    return self->close();
                }
                if (!v) {
                    if (self->handshake_rest_.size() > 64) return self->close();
                    return self->read_manifest_choice();
                }
                self->start_session(*v, self->handshake_rest_.substr(used));
            });
    }

    void start_session(Version v, std::string rest) {
        SessionOptions so;
        so.auth_token = server_.options.auth_token;
        so.read_token = server_.options.read_token;
        so.connection_id = "bolt-" + std::to_string(id_);
        boost::system::error_code ec;
        auto peer = socket_.next_layer().remote_endpoint(ec);
        if (!ec) so.client_address = endpoint_text(peer);
        so.advertised_address =
            server_.options.host + ":" + std::to_string(static_cast<unsigned>(server_.bound_port));
        session_ = std::make_unique<Session>(server_.db, v, std::move(so));
        session_->set_waker([weak = weak_from_this()] {
            if (auto self = weak.lock())
                asio::post(self->socket_.get_executor(), [self] { self->on_wake(); });
        });
        if (!rest.empty() && !take_bytes(rest)) return;
        read_more();
    }

    // Feeds received bytes to the dechunker; false when the connection was closed.
    bool take_bytes(std::string_view bytes) {
        std::deque<std::string> fresh;
        try {
            dechunker_.feed(bytes, fresh);
        } catch (const ProtocolError& e) {
            spdlog::debug("bolt connection {}: {}", id_, e.what());
            std::string out;
            write_failure(out, request_invalid(e.what()), session_->version());
            closing_ = true;
            if (!processing_)
                write(std::move(out), [self = shared_from_this()](bool) { self->close(); });
            return false;
        }
        for (auto& m : fresh) {
            // Before the RESET is queued, so the job that reaches it has seen the interrupt.
            if (is_reset(m)) session_->interrupt();
            queued_bytes_ += m.size();
            queue_.push_back(std::move(m));
        }
        process();
        return true;
    }

    void read_more() {
        if (closing_ || reading_ || queued_bytes_ > kMaxQueuedBytes) return;
        reading_ = true;
        arm_read_timer(dechunker_.mid_message() ? server_.options.message_timeout
                                                : server_.options.idle_timeout);
        socket_.async_read_some(asio::buffer(buf_),
                                [self = shared_from_this()](error_code ec, size_t n) {
                                    self->reading_ = false;
                                    self->read_timer_.cancel();
                                    if (ec) return self->peer_gone();
                                    if (!self->take_bytes(std::string_view(self->buf_.data(), n)))
                                        return;
                                    self->read_more();
                                });
    }

    // The client closed or reset: interrupt the running statement, then close.
    void peer_gone() {
        if (session_) session_->interrupt();
        closing_ = true;
        if (!processing_) close();
    }

    void on_wake() {
        woken_ = true;
        if (suspended_ && !processing_) continue_suspended();
    }

    void continue_suspended() {
        suspended_ = false;
        server_.running_jobs.fetch_sub(1);
        if (queue_.empty() && !closed_) return resume_here();
        resume_ = true;
        process();
        read_more();
    }

    // A resumed PULL with no message after it goes on right here on the strand: it only
    // takes the rows the cursor holds (Cursor::poll), and its sink never blocks, so no
    // worker is needed for the PULL's end (the usual case: a write's commit is durable).
    void resume_here() {
        processing_ = true;
        woken_ = false;
        server_.running_jobs.fetch_add(1);
        StrandSink sink;
        sink.buffer = std::exchange(held_, {});
        bool keep = true;
        try {
            keep = session_->resume(sink);
        } catch (const std::exception& e) {
            spdlog::error("bolt connection {}: {}", id_, e.what());
            keep = false;
        }
        server_.running_jobs.fetch_sub(1);
        finish_job(keep, keep && session_->suspended(), std::move(sink.buffer), {});
        read_more();
    }

    void process() {
        if (processing_ || suspended_ || closed_ || (queue_.empty() && !resume_)) return;
        processing_ = true;
        woken_ = false;
        bool resume = std::exchange(resume_, false);
        std::string held = std::exchange(held_, {});
        std::vector<std::string> batch(std::make_move_iterator(queue_.begin()),
                                       std::make_move_iterator(queue_.end()));
        queue_.clear();
        queued_bytes_ = 0;
        server_.running_jobs.fetch_add(1);
        asio::post(*server_.workers, [self = shared_from_this(), batch = std::move(batch), resume,
                                      held = std::move(held)]() mutable {
            JobSink sink(*self);
            sink.buffer = std::move(held);
            Session& session = *self->session_;
            bool keep = true;
            size_t done = 0;
            try {
                if (resume) keep = session.resume(sink);
                while (keep && !session.suspended() && done < batch.size())
                    keep = session.handle(batch[done++], sink);
            } catch (const std::exception& e) {
                // Session::handle answers every error of a statement itself; this is a fault
                // of the session (e.g. no memory for a response): end this connection only.
                spdlog::error("bolt connection {}: {}", self->id_, e.what());
                keep = false;
            }
            bool suspended = keep && session.suspended();
            batch.erase(batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(done));
            std::string out = std::move(sink.buffer);
            asio::post(self->socket_.get_executor(), [self, keep, suspended, out = std::move(out),
                                                      rest = std::move(batch)]() mutable {
                self->server_.running_jobs.fetch_sub(1);
                self->finish_job(keep, suspended, std::move(out), std::move(rest));
            });
        });
    }

    // `rest`: the messages after the one that suspended the session, in order.
    void finish_job(bool keep, bool suspended, std::string out, std::vector<std::string> rest) {
        for (auto it = rest.rbegin(); it != rest.rend(); ++it) {
            queued_bytes_ += it->size();
            queue_.push_front(std::move(*it));
        }
        // A suspended PULL counts as running work, so stop() gives it its grace period.
        suspended_ = suspended;
        if (suspended) server_.running_jobs.fetch_add(1);
        if (suspended && session_->waiting() == Session::Wait::Rows) {
            held_ = std::move(out);
            out.clear();
        }
        auto done = [self = shared_from_this(), keep](bool ok) {
            self->processing_ = false;
            if (!ok || !keep || self->closing_) return self->close();
            if (self->suspended_ &&
                (self->woken_ || self->session_->waiting() == Session::Wait::Output))
                return self->continue_suspended();
            self->process();
            self->read_more();
        };
        if (out.empty()) return done(true);
        write(std::move(out), std::move(done));
    }

    void write(std::string bytes, std::function<void(bool)> done) {
        if (closed_) return done(false);
        auto buf = std::make_shared<std::string>(std::move(bytes));
        write_timer_.expires_after(server_.options.write_timeout);
        write_timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (ec) return;
            spdlog::debug("bolt connection {}: write timed out", self->id_);
            error_code ignored;
            self->socket_.next_layer().cancel(ignored);
        });
        asio::async_write(
            socket_, asio::buffer(*buf),
            [self = shared_from_this(), buf, done = std::move(done)](error_code ec, size_t) {
                self->write_timer_.cancel();
                done(!ec);
            });
    }

    void close() {
        if (closed_) return;
        closed_ = true;
        if (suspended_) {
            suspended_ = false;
            server_.running_jobs.fetch_sub(1);
        }
        closing_ = true;
        read_timer_.cancel();
        write_timer_.cancel();
        error_code ec;
        socket_.next_layer().shutdown(tcp::socket::shutdown_both, ec);
        socket_.next_layer().close(ec);
        std::lock_guard lock(server_.connections_mu);
        server_.connections.erase(id_);
    }
};

void Server::Impl::accept() {
    acceptor->async_accept(asio::make_strand(*ioc), [this](error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
        if (ec) {
            spdlog::warn("bolt accept failed: {}", ec.message());
        } else if (!draining.load()) {
            error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            ConnectionLimiter::Slot slot;
            if (options.limiter) {
                auto peer = socket.remote_endpoint(ignored);
                auto admitted = ignored ? std::nullopt
                                        : options.limiter->admit(peer.address(),
                                                                 options.tls ? "Bolt+TLS" : "Bolt");
                if (!admitted) {
                    socket.close(ignored);
                    return accept();
                }
                slot = std::move(*admitted);
            }
            uint64_t id = next_id.fetch_add(1) + 1;
            auto c = std::make_shared<Connection>(std::move(socket), *this, id, std::move(slot));
            {
                std::lock_guard lock(connections_mu);
                connections[id] = c;
            }
            c->run();
        }
        accept();
    });
}

Server::Server(ServerOptions options, Database& db)
    : impl_(std::make_unique<Impl>(std::move(options), db)) {}

Server::~Server() {
    if (impl_->running) stop(std::chrono::milliseconds(0));
}

void Server::start() {
    auto& s = *impl_;
    s.ioc.emplace();
    s.acceptor.emplace(asio::make_strand(*s.ioc));
    listen_on(*s.acceptor, s.options.host, s.options.port, "--bolt");
    s.bound_port = s.acceptor->local_endpoint().port();

    unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    // A worker waits for the engine (and the WAL's fsync) for as long as its connection's
    // statement streams, so the pool bounds the statements in flight. More workers let more
    // commits share an fsync, but every worker a long result's PULLs land on keeps its own
    // allocator cache: 128 workers grew lorad by ~44 MB over a 1,000,000-row stream, 32 by 6.
    unsigned nw = s.options.worker_threads ? s.options.worker_threads : std::max(32u, 8 * hw);
    s.workers = std::make_unique<asio::thread_pool>(nw);
    s.work.emplace(s.ioc->get_executor());
    s.accept();
    unsigned nio = std::max(1u, s.options.io_threads);
    for (unsigned i = 0; i < nio; ++i) s.io_threads.emplace_back([&s] { s.ioc->run(); });
    s.running = true;
}

uint16_t Server::port() const { return impl_->bound_port; }
const std::string& Server::host() const { return impl_->options.host; }

bool Server::stop(std::chrono::milliseconds grace) {
    auto& s = *impl_;
    if (!s.running) return true;
    s.running = false;
    s.draining.store(true);
    asio::post(s.acceptor->get_executor(), [&s] {
        error_code ec;
        s.acceptor->close(ec);
    });
    auto wait_jobs = [&](Clock::time_point until) {
        while (s.running_jobs.load() > 0 && Clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    };
    wait_jobs(Clock::now() + grace);
    // Interrupt what still runs and close every connection (on its strand).
    std::vector<std::shared_ptr<Connection>> open;
    {
        std::lock_guard lock(s.connections_mu);
        for (auto& [id, w] : s.connections)
            if (auto c = w.lock()) open.push_back(std::move(c));
    }
    for (auto& c : open) c->shutdown();
    open.clear();
    wait_jobs(Clock::now() + std::chrono::seconds(2));
    bool drained = s.running_jobs.load() == 0;
    s.work.reset();
    s.ioc->stop();
    for (auto& t : s.io_threads) t.join();
    s.io_threads.clear();
    if (drained) {
        s.workers->join();
    } else {
        spdlog::warn("bolt shutdown: {} job(s) still running after {} ms", s.running_jobs.load(),
                     grace.count());
        s.workers->stop();
    }
    // Destroying the I/O context destroys the handlers that hold the connections, and with
    // them their sessions: open transactions roll back before the database closes.
    s.acceptor.reset();
    if (drained) s.ioc.reset();
    return drained;
}

}  // namespace lora::net::bolt
