// The Bolt server state machine. Auto-commit results are the engine's streaming cursor,
// read only as far as PULL asks; results inside an explicit transaction are run to the end
// by RUN (Transaction::execute) and paged out by PULL. A bookmark is "lora:<ts>", the commit
// clock's visible timestamp once the write was acknowledged (so at or after its commit).
#include <lora/net/bolt/packstream.hpp>
#include <lora/net/bolt/session.hpp>
#include <lora/net/listener.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

namespace lora::net::bolt {

namespace {

using Clock = std::chrono::steady_clock;

// Bytes of responses a PULL gathers before it writes them out.
constexpr size_t kFlushBytes = 64 * 1024;

const std::string kDatabaseName = "neo4j";
const std::string kServerAgent = "Neo4j/5.26.0";

const Value* find(const Map& m, std::string_view key) {
    auto it = m.find(key);
    return it == m.end() || it->second.is_null() ? nullptr : &it->second;
}

const Map& map_field(const Request& r, size_t i) {
    static const Map kEmpty;
    if (i >= r.fields.size() || r.fields[i].is_null()) return kEmpty;
    if (!r.fields[i].is_map())
        throw ProtocolError(std::string(request_name(r.signature)) + " field " +
                            std::to_string(i + 1) + " must be a map");
    return r.fields[i].as_map();
}

int64_t int_entry(const Map& m, std::string_view key, int64_t fallback) {
    const Value* v = find(m, key);
    if (!v) return fallback;
    if (!v->is_int()) throw ProtocolError("'" + std::string(key) + "' must be an integer");
    return v->as_int();
}

int64_t millis_since(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// The counters Neo4j reports, by its names; zero counters are left out as Neo4j does.
Map stats_map(const QueryStats& s) {
    Map m;
    auto put = [&](const char* name, int64_t v) {
        if (v) m[name] = Value(v);
    };
    put("nodes-created", s.nodes_created);
    put("nodes-deleted", s.nodes_deleted);
    put("relationships-created", s.relationships_created);
    put("relationships-deleted", s.relationships_deleted);
    put("properties-set", s.properties_set);
    put("labels-added", s.labels_added);
    put("labels-removed", s.labels_removed);
    if (s.contains_updates()) m["contains-updates"] = Value(true);
    return m;
}

// How long BEGIN or RUN waits for the commits its bookmarks name when it gives no
// tx_timeout.
constexpr std::chrono::milliseconds kBookmarkWait{30000};
constexpr std::string_view kBookmarkPrefix = "lora:";

Map summary(const QueryStats& stats, bool has_columns, int64_t t_last) {
    Map m;
    bool writes = stats.contains_updates();
    m["type"] = Value(writes ? (has_columns ? "rw" : "w") : "r");
    if (writes) m["stats"] = Value(stats_map(stats));
    m["t_last"] = Value(t_last);
    m["db"] = Value(kDatabaseName);
    return m;
}

Value string_list(const std::vector<std::string>& v) {
    List l;
    l.reserve(v.size());
    for (const auto& s : v) l.emplace_back(s);
    return Value(std::move(l));
}

}  // namespace

Session::Session(Database& db, Version version, SessionOptions options)
    : db_(db), version_(version), options_(std::move(options)) {}

Session::~Session() { reset(); }

void Session::interrupt() {
    interrupts_.fetch_add(1);
    std::lock_guard lock(token_mu_);
    if (token_) token_->cancel();
}

ClientInfo Session::client_info(const Map& extra) const {
    ClientInfo c;
    c.protocol = "bolt";
    c.connection_id = options_.connection_id;
    c.address = options_.client_address;
    c.user = principal_;
    if (const Value* m = find(extra, "tx_metadata"); m && m->is_map()) c.metadata = m->as_map();
    return c;
}

std::shared_ptr<CancelToken> Session::new_token() {
    auto t = std::make_shared<CancelToken>();
    std::lock_guard lock(token_mu_);
    token_ = t;
    return t;
}

void Session::reset() {
    pending_pull_.reset();
    cursor_.reset();  // cancels an unfinished query (its writes roll back)
    rows_.clear();
    row_next_ = 0;
    results_.clear();
    if (tx_) {
        try {
            if (tx_->open()) tx_->rollback();
        } catch (const std::exception&) {
            // A transaction the engine already closed, or a database shutting down: nothing
            // of it is kept either way (destroying it rolls it back).
        }
        tx_.reset();
    }
    tx_has_deadline_ = false;
    std::lock_guard lock(token_mu_);
    token_.reset();
}

void Session::fail(const Failure& f, Sink& sink) {
    if (f.code == "Neo.ClientError.Security.Forbidden")
        spdlog::warn("refused a statement of {} from {}: {}", options_.connection_id,
                     options_.client_address, f.message);
    write_failure(sink.buffer, f, version_);
    reset();
    state_ = State::Failed;
}

// Runs a request, answering its errors: a malformed field ends the connection, an engine
// error fails the request.
template <typename F>
bool Session::guarded(F&& f, Sink& sink) {
    try {
        return f();
    } catch (const ProtocolError& e) {
        // A field of the wrong type: the request is not one we understand.
        write_failure(sink.buffer, request_invalid(e.what()), version_);
        reset();
        state_ = State::Defunct;
        return false;
    } catch (const Error& e) {
        fail(failure_of(e), sink);
        return true;
    } catch (const std::exception& e) {
        fail(unknown_failure(e.what()), sink);
        return true;
    }
}

bool Session::handle(std::string_view message, Sink& sink) {
    if (state_ == State::Defunct) return false;
    Request r;
    try {
        r = decode_request(message, version_);
    } catch (const ProtocolError& e) {
        write_failure(sink.buffer, request_invalid(e.what()), version_);
        state_ = State::Defunct;
        return false;
    }
    if (interrupts_.load() > 0) {
        if (r.signature != Signature::Reset) {
            write_ignored(sink.buffer);
            return true;
        }
        interrupts_.fetch_sub(1);
    }
    if (r.unsupported) {
        if (state_ == State::Failed) {
            write_ignored(sink.buffer);
            return true;
        }
        if (state_ == State::Negotiation || state_ == State::Authentication) {
            write_failure(sink.buffer, unsupported_value(*r.unsupported), version_);
            state_ = State::Defunct;
            return false;
        }
        fail(unsupported_value(*r.unsupported), sink);
        return true;
    }
    return guarded([&] { return dispatch(r, sink); }, sink);
}

bool Session::resume(Sink& sink) {
    if (!pending_pull_) return true;
    if (interrupts_.load() > 0) {
        // The RESET that follows ends the result.
        pending_pull_.reset();
        write_ignored(sink.buffer);
        return true;
    }
    PullState p = *pending_pull_;
    pending_pull_.reset();
    return guarded(
        [&] {
            pull_auto(p, sink);
            return state_ != State::Defunct;
        },
        sink);
}

bool Session::dispatch(const Request& r, Sink& sink) {
    const Signature s = r.signature;
    if (s == Signature::Goodbye) {
        reset();
        state_ = State::Defunct;
        return false;
    }
    auto not_here = [&](const char* where) {
        fail(request_invalid(std::string(request_name(s)) + " is not allowed " + where), sink);
        return true;
    };
    switch (state_) {
        case State::Negotiation:
            if (s != Signature::Hello) {
                write_failure(sink.buffer,
                              request_invalid("the first message must be HELLO, not " +
                                              std::string(request_name(s))),
                              version_);
                state_ = State::Defunct;
                return false;
            }
            return hello(r, sink);
        case State::Authentication:
            if (s == Signature::Logon) return logon(map_field(r, 0), sink);
            write_failure(sink.buffer,
                          request_invalid(std::string(request_name(s)) +
                                          " before LOGON: the connection is not authenticated"),
                          version_);
            state_ = State::Defunct;
            return false;
        case State::Failed:
            if (s == Signature::Reset) {
                reset();
                state_ = State::Ready;
                write_success(sink.buffer, {});
            } else {
                write_ignored(sink.buffer);
            }
            return true;
        default: break;
    }
    switch (s) {
        case Signature::Hello: return not_here("twice");
        case Signature::Logon: return not_here("on an authenticated connection");
        case Signature::Reset:
            reset();
            state_ = State::Ready;
            write_success(sink.buffer, {});
            return true;
        case Signature::Logoff:
            if (state_ != State::Ready) return not_here("inside a transaction or a result");
            state_ = State::Authentication;
            write_success(sink.buffer, {});
            return true;
        case Signature::Telemetry: write_success(sink.buffer, {}); return true;
        case Signature::Route:
            if (state_ != State::Ready) return not_here("inside a transaction or a result");
            route(r, sink);
            return true;
        case Signature::Run:
            if (state_ == State::Streaming) return not_here("while a result is open");
            run(r, sink);
            return true;
        case Signature::Pull:
        case Signature::Discard:
            if (state_ != State::Streaming && state_ != State::TxStreaming)
                return not_here("without an open result");
            pull(r, sink, s == Signature::Discard);
            return true;
        case Signature::Begin:
            if (state_ != State::Ready) return not_here("inside a transaction or a result");
            begin(r, sink);
            return true;
        case Signature::Commit:
            if (state_ != State::TxReady && state_ != State::TxStreaming)
                return not_here("outside a transaction");
            commit(sink);
            return true;
        case Signature::Rollback:
            if (state_ != State::TxReady && state_ != State::TxStreaming)
                return not_here("outside a transaction");
            rollback(sink);
            return true;
        case Signature::Goodbye: break;
    }
    return true;
}

bool Session::hello(const Request& r, Sink& sink) {
    const Map& extra = map_field(r, 0);
    bool logon_separately = version_.major > 5 || (version_.major == 5 && version_.minor >= 1);
    if (logon_separately) {
        state_ = State::Authentication;
    } else {
        // Bolt 4.4 and 5.0 carry the credentials in HELLO.
        if (!authenticate(extra, sink)) return false;
        state_ = State::Ready;
    }
    Map meta;
    meta["server"] = Value(kServerAgent);
    meta["connection_id"] = Value(options_.connection_id);
    meta["hints"] = Value(Map{});
    write_success(sink.buffer, meta);
    return true;
}

bool Session::logon(const Map& auth, Sink& sink) {
    if (!authenticate(auth, sink)) return false;
    state_ = State::Ready;
    write_success(sink.buffer, {});
    return true;
}

bool Session::authenticate(const Map& auth, Sink& sink) {
    if (const Value* p = find(auth, "principal"); p && p->is_string()) principal_ = p->as_string();
    if (options_.auth_token.empty()) return true;
    const Value* scheme = find(auth, "scheme");
    const Value* credentials = find(auth, "credentials");
    const Credentials tokens{options_.auth_token, options_.read_token};
    Access access = Access::Refused;
    if (scheme && scheme->is_string() && credentials && credentials->is_string() &&
        (scheme->as_string() == "basic" || scheme->as_string() == "bearer"))
        access = tokens.access_of(credentials->as_string());
    if (access != Access::Refused) {
        read_only_ = access == Access::Read;
        return true;
    }
    spdlog::warn("refused Bolt authentication of {} from {}: {}", options_.connection_id,
                 options_.client_address,
                 credentials ? "wrong credentials" : "no credentials given");
    write_failure(sink.buffer,
                  unauthorized(scheme && scheme->is_string() && scheme->as_string() != "none"
                                   ? "the credentials are wrong: lorad takes the basic scheme "
                                     "with the token as password, or bearer with the token"
                                   : "authentication is required (basic with the token as "
                                     "password, or bearer with the token)"),
                  version_);
    state_ = State::Defunct;
    return false;
}

bool Session::check_db(const Map& extra, Sink& sink) {
    const Value* db = find(extra, "db");
    if (!db) return true;
    if (!db->is_string()) throw ProtocolError("'db' must be a string");
    const std::string& name = db->as_string();
    if (name.empty() || name == kDatabaseName || name == "lora") return true;
    fail(database_not_found(name), sink);
    return false;
}

std::string Session::bookmark() const {
    return std::string(kBookmarkPrefix) + std::to_string(db_.visible_timestamp());
}

// Waits until every commit the bookmarks name is visible, for up to tx_timeout (or
// kBookmarkWait). A bookmark not of lorad's form fails at once.
bool Session::await_bookmarks(const Map& extra, Sink& sink) {
    const Value* list = find(extra, "bookmarks");
    if (!list) return true;
    if (!list->is_list()) throw ProtocolError("'bookmarks' must be a list of strings");
    uint64_t newest = 0;
    for (const auto& b : list->as_list()) {
        if (!b.is_string()) throw ProtocolError("'bookmarks' must be a list of strings");
        std::string_view text = b.as_string();
        uint64_t ts = 0;
        std::string_view digits = text.substr(std::min(text.size(), kBookmarkPrefix.size()));
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ts);
        if (text.substr(0, kBookmarkPrefix.size()) != kBookmarkPrefix || digits.empty() ||
            ec != std::errc() || end != digits.data() + digits.size()) {
            fail(invalid_bookmark(b.as_string()), sink);
            return false;
        }
        newest = std::max(newest, ts);
    }
    if (db_.visible_timestamp() >= newest) return true;
    int64_t timeout = int_entry(extra, "tx_timeout", 0);
    auto wait = timeout > 0 ? std::chrono::milliseconds(timeout) : kBookmarkWait;
    if (db_.wait_visible(newest, wait)) return true;
    fail(bookmark_timeout(newest, wait.count()), sink);
    return false;
}

bool Session::tx_expired() { return tx_has_deadline_ && Clock::now() > tx_deadline_; }

void Session::run(const Request& r, Sink& sink) {
    if (!r.fields[0].is_string()) throw ProtocolError("RUN's query must be a string");
    const std::string& query = r.fields[0].as_string();
    Params params;
    if (r.fields.size() > 1 && !r.fields[1].is_null()) {
        if (!r.fields[1].is_map()) throw ProtocolError("RUN's parameters must be a map");
        params = r.fields[1].as_map();
    }
    const Map& extra = map_field(r, 2);
    run_started_ = Clock::now();
    Map meta;
    if (state_ == State::TxReady || state_ == State::TxStreaming) {
        if (tx_expired()) return fail(transaction_timed_out(), sink);
        // A RESET (interrupt) cancels the statement; BEGIN's tx_timeout bounds it.
        QueryOptions qo;
        qo.cancel = new_token();
        qo.read_only = read_only_;
        if (tx_has_deadline_)
            qo.timeout = std::max(
                std::chrono::milliseconds(1),
                std::chrono::duration_cast<std::chrono::milliseconds>(tx_deadline_ - Clock::now()));
        Buffered b{tx_->execute(query, params, qo)};
        {
            std::lock_guard lock(token_mu_);
            token_.reset();
        }
        meta["fields"] = string_list(b.result.columns);
        meta["t_first"] = Value(millis_since(run_started_));
        int64_t qid = next_qid_++;
        meta["qid"] = Value(qid);
        results_.emplace(qid, std::move(b));
        state_ = State::TxStreaming;
        write_success(sink.buffer, meta);
        return;
    }
    if (!check_db(extra, sink) || !await_bookmarks(extra, sink)) return;
    QueryOptions qo;
    int64_t timeout = int_entry(extra, "tx_timeout", 0);
    if (timeout > 0) qo.timeout = std::chrono::milliseconds(timeout);
    qo.cancel = new_token();
    qo.client = client_info(extra);
    qo.read_only = read_only_;
    cursor_ = db_.stream(query, params, qo);
    rows_.clear();
    row_next_ = 0;
    meta["fields"] = string_list(cursor_->columns());
    meta["t_first"] = Value(millis_since(run_started_));
    state_ = State::Streaming;
    write_success(sink.buffer, meta);
}

void Session::pull(const Request& r, Sink& sink, bool discard) {
    const Map& extra = map_field(r, 0);
    int64_t n = int_entry(extra, "n", -1);
    int64_t qid = int_entry(extra, "qid", -1);
    if (n == 0 || n < -1) throw ProtocolError("'n' must be positive or -1");
    if (state_ == State::Streaming)
        pull_auto(PullState{n, 0, discard, Clock::now()}, sink);
    else
        pull_tx(n, qid, sink, discard);
}

void Session::pull_auto(PullState p, Sink& sink) {
    enum class Rows { Some, End, Later };
    auto refill = [&] {
        if (row_next_ < rows_.size()) return Rows::Some;
        row_next_ = 0;
        rows_.clear();
        while (rows_.empty()) {
            if (!waker_) {
                if (!cursor_->next(rows_)) return Rows::End;
                continue;
            }
            switch (cursor_->poll(rows_, waker_)) {
                case Cursor::Poll::Rows: break;
                case Cursor::Poll::Done: return Rows::End;
                case Cursor::Poll::Pending: return Rows::Later;
            }
        }
        return Rows::Some;
    };
    Rows more = Rows::Some;
    while (p.n < 0 || p.sent < p.n) {
        if ((more = refill()) != Rows::Some) break;
        size_t take = rows_.size() - row_next_;
        if (p.n >= 0) take = std::min<size_t>(take, static_cast<size_t>(p.n - p.sent));
        if (!p.discard) {
            for (size_t i = 0; i < take; ++i)
                write_record(sink.buffer, rows_[row_next_ + i], version_);
        }
        row_next_ += take;
        p.sent += static_cast<int64_t>(take);
        if (sink.buffer.size() < kFlushBytes) continue;
        if (!sink.can_block()) {
            pending_pull_ = p;
            waiting_ = Wait::Output;
            return;
        }
        if (!sink.flush()) {
            reset();
            state_ = State::Defunct;
            return;
        }
    }
    if (more == Rows::Some) more = refill();
    if (more == Rows::Later) {
        pending_pull_ = p;
        waiting_ = Wait::Rows;
        return;
    }
    if (more == Rows::Some) {
        write_success(sink.buffer, Map{{"has_more", Value(true)}});
        return;
    }
    Map meta = summary(cursor_->stats(), !cursor_->columns().empty(), millis_since(p.started));
    if (cursor_->stats().contains_updates()) meta["bookmark"] = Value(bookmark());
    cursor_.reset();
    rows_.clear();
    {
        std::lock_guard lock(token_mu_);
        token_.reset();
    }
    state_ = State::Ready;
    write_success(sink.buffer, meta);
}

void Session::pull_tx(int64_t n, int64_t qid, Sink& sink, bool discard) {
    auto started = Clock::now();
    if (qid == -1) qid = next_qid_ - 1;
    auto it = results_.find(qid);
    if (it == results_.end())
        return fail(request_invalid("no open result with qid " + std::to_string(qid)), sink);
    Buffered& b = it->second;
    size_t left = b.result.rows.size() - b.next;
    size_t take = n < 0 ? left : std::min<size_t>(left, static_cast<size_t>(n));
    for (size_t i = 0; i < take; ++i) {
        if (!discard) write_record(sink.buffer, b.result.rows[b.next + i], version_);
        if (sink.buffer.size() >= kFlushBytes && !sink.flush()) {
            reset();
            state_ = State::Defunct;
            return;
        }
    }
    b.next += take;
    if (b.next < b.result.rows.size()) {
        write_success(sink.buffer, Map{{"has_more", Value(true)}});
        return;
    }
    Map meta = summary(b.result.stats, !b.result.columns.empty(), millis_since(started));
    results_.erase(it);
    if (results_.empty()) state_ = State::TxReady;
    write_success(sink.buffer, meta);
}

void Session::begin(const Request& r, Sink& sink) {
    const Map& extra = map_field(r, 0);
    if (!check_db(extra, sink) || !await_bookmarks(extra, sink)) return;
    int64_t timeout = int_entry(extra, "tx_timeout", 0);
    tx_ = db_.begin(client_info(extra));
    tx_has_deadline_ = timeout > 0;
    if (tx_has_deadline_) tx_deadline_ = Clock::now() + std::chrono::milliseconds(timeout);
    results_.clear();
    next_qid_ = 0;
    state_ = State::TxReady;
    write_success(sink.buffer, {});
}

void Session::commit(Sink& sink) {
    if (tx_expired()) return fail(transaction_timed_out(), sink);
    results_.clear();
    tx_->commit();
    tx_.reset();
    tx_has_deadline_ = false;
    state_ = State::Ready;
    write_success(sink.buffer, Map{{"bookmark", Value(bookmark())}});
}

void Session::rollback(Sink& sink) {
    results_.clear();
    if (tx_->open()) tx_->rollback();
    tx_.reset();
    tx_has_deadline_ = false;
    state_ = State::Ready;
    write_success(sink.buffer, {});
}

// One server: it is the writer, a reader and the router of every database it serves.
void Session::route(const Request& r, Sink& sink) {
    const Map& routing = map_field(r, 0);
    std::string address = options_.advertised_address;
    if (const Value* a = find(routing, "address"); a && a->is_string() && !a->as_string().empty())
        address = a->as_string();
    // 4.4+ carries {db, imp_user} as the third field.
    if (r.fields[2].is_map() && !check_db(r.fields[2].as_map(), sink)) return;
    List servers;
    for (const char* role : {"WRITE", "READ", "ROUTE"})
        servers.emplace_back(
            Map{{"addresses", Value(List{Value(address)})}, {"role", Value(role)}});
    Map rt{{"ttl", Value(int64_t{300})},
           {"db", Value(kDatabaseName)},
           {"servers", Value(std::move(servers))}};
    write_success(sink.buffer, Map{{"rt", Value(std::move(rt))}});
}

}  // namespace lora::net::bolt
