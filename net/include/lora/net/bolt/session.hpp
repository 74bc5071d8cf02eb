// The server side of one Bolt connection after the handshake: the state machine of the Bolt
// specification (NEGOTIATION, AUTHENTICATION, READY, STREAMING, TX_READY, TX_STREAMING,
// FAILED, INTERRUPTED, DEFUNCT) over the embedding API, free of socket code. Its calls may
// block on the engine (RUN until a result's columns are known, explicit transactions, a
// bookmark's wait), so the server runs them on its worker pool, one at a time; an
// auto-commit PULL with a waker suspends instead of waiting for rows or the commit.
#pragma once

#include <lora/lora.hpp>
#include <lora/net/bolt/handshake.hpp>
#include <lora/net/bolt/messages.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lora::net::bolt {

struct SessionOptions {
    std::string auth_token;  // empty: any credentials (and scheme none) are accepted
    std::string read_token;  // with auth_token: a credential whose statements may only read
    std::string connection_id = "bolt-0";
    std::string client_address;  // the peer's address (SHOW TRANSACTIONS)
    // host:port a ROUTE answer names when the client's routing context has no address.
    std::string advertised_address = "127.0.0.1:7687";
};

// Where a session's responses go. The session appends to `buffer` and calls flush() when
// it has much to say (a long PULL), so memory stays bounded by one buffer.
class Sink {
public:
    virtual ~Sink() = default;
    std::string buffer;
    // Writes `buffer` out and empties it (blocking); false once the client is gone.
    virtual bool flush() = 0;
    // False for a sink on an event loop, which must not block: a resumed PULL with a full
    // buffer then suspends until the buffer is written (Session::waiting() == Output).
    virtual bool can_block() const { return true; }
};

class Session {
public:
    Session(Database& db, Version version, SessionOptions options);
    ~Session();  // cancels an unfinished result and rolls back an open transaction

    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Handles one dechunked message, appending its responses to sink.buffer. Returns false
    // when the connection must close once the buffer is written (GOODBYE, failed
    // authentication, a malformed message).
    bool handle(std::string_view message, Sink& sink);

    // For a session on an event loop: an auto-commit PULL whose rows (or commit) are not
    // there yet suspends the session instead of waiting, and `wake` runs (on an engine
    // thread, once per suspension, maybe more often) when resume() can go on. Without a
    // waker, PULL waits.
    void set_waker(std::function<void()> wake) { waker_ = std::move(wake); }
    // What a suspended PULL waits for: its rows or commit (resume() once the waker ran), or
    // its responses to be written (resume() once the sink's buffer is out). Handle no
    // message before.
    enum class Wait { None, Rows, Output };
    Wait waiting() const { return pending_pull_ ? waiting_ : Wait::None; }
    bool suspended() const { return pending_pull_.has_value(); }
    // Goes on with the suspended PULL (maybe suspending again); returns like handle().
    bool resume(Sink& sink);

    // Called from any thread when a RESET has arrived but waits behind other messages: the
    // running statement is cancelled and every message before that RESET is IGNORED.
    void interrupt();

    Version version() const { return version_; }

private:
    enum class State {
        Negotiation,
        Authentication,
        Ready,
        Streaming,
        TxReady,
        TxStreaming,
        Failed,
        Defunct
    };
    // The rows of a result inside an explicit transaction (run to the end by RUN).
    struct Buffered {
        Result result;
        size_t next = 0;
    };

    // Where an auto-commit PULL is: the records it may still send and those it sent.
    struct PullState {
        int64_t n = -1;
        int64_t sent = 0;
        bool discard = false;
        std::chrono::steady_clock::time_point started;
    };

    template <typename F>
    bool guarded(F&& f, Sink& sink);
    bool dispatch(const Request& r, Sink& sink);
    bool hello(const Request& r, Sink& sink);
    bool logon(const Map& auth, Sink& sink);
    bool authenticate(const Map& auth, Sink& sink);
    void run(const Request& r, Sink& sink);
    void pull(const Request& r, Sink& sink, bool discard);
    void pull_auto(PullState p, Sink& sink);
    void pull_tx(int64_t n, int64_t qid, Sink& sink, bool discard);
    void begin(const Request& r, Sink& sink);
    void commit(Sink& sink);
    void rollback(Sink& sink);
    void route(const Request& r, Sink& sink);
    void reset();
    void fail(const Failure& f, Sink& sink);
    bool check_db(const Map& extra, Sink& sink);
    bool await_bookmarks(const Map& extra, Sink& sink);
    std::string bookmark() const;
    bool tx_expired();
    std::shared_ptr<CancelToken> new_token();
    // Who runs a RUN or BEGIN (SHOW TRANSACTIONS), with the message's tx_metadata.
    ClientInfo client_info(const Map& extra) const;

    Database& db_;
    Version version_;
    SessionOptions options_;
    std::string principal_;   // the user HELLO or LOGON named
    bool read_only_ = false;  // authenticated with the read-only token
    State state_ = State::Negotiation;
    std::atomic<int> interrupts_{0};
    std::mutex token_mu_;
    std::shared_ptr<CancelToken> token_;  // of the running auto-commit statement

    // Auto-commit result (STREAMING).
    std::unique_ptr<Cursor> cursor_;
    std::vector<std::vector<Value>> rows_;
    size_t row_next_ = 0;
    std::chrono::steady_clock::time_point run_started_;
    std::optional<PullState> pending_pull_;
    Wait waiting_ = Wait::None;
    std::function<void()> waker_;

    // Explicit transaction (TX_READY, TX_STREAMING).
    std::unique_ptr<Transaction> tx_;
    std::map<int64_t, Buffered> results_;
    int64_t next_qid_ = 0;
    std::chrono::steady_clock::time_point tx_deadline_{};
    bool tx_has_deadline_ = false;
};

}  // namespace lora::net::bolt
