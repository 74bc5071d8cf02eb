// The HTTP route table of lorad, free of any socket code: requests and responses are plain
// structs so routes can be added (transactions, streaming, admin) and tested without Beast.
#pragma once

#include <lora/error.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lora {
class CancelToken;
}

namespace lora::net {

struct Request {
    std::string method;  // "GET", "POST", ...
    std::string path;    // target without the query string
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    // Values of the route's {name} segments, e.g. {"id": "..."} for /tx/{id}/query.
    std::map<std::string, std::string> params;
    // Worker and Stream routes: cancelled by the server when the query time limit passes or
    // the client disconnects; handlers pass it to the engine (QueryOptions::cancel).
    std::shared_ptr<CancelToken> cancel;
    // Set (before `cancel` fires) when the cancellation was the query time limit.
    std::shared_ptr<std::atomic<bool>> timed_out;
    // Who sent it (SHOW TRANSACTIONS): the connection ("http-12") and the peer's address.
    std::string connection_id;
    std::string client_address;
    // The client's token allows reads only (--read-token): handlers pass it to the engine
    // (QueryOptions::read_only); routes that change state refuse it.
    bool read_only = false;
};

struct Response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers (e.g. Allow)
};

// Where a handler runs: Inline handlers are cheap and run on the I/O thread; Worker handlers
// may block (they call Database::execute) and run on the bounded query pool.
// Stream handlers also run on the pool and may answer with a chunked body (ResponseStream).
// Async handlers start their query without blocking (Database::execute_async) on the I/O
// thread and hand the server the rest of the work (AsyncHandler): no pool thread waits
// while the query runs, so as many queries as connections can be in flight.
enum class Dispatch { Inline, Worker, Stream, Async };

using Handler = std::function<Response(const Request&)>;

// Given to an Async handler; called exactly once (from any thread) with the function that
// builds the answer, which the server runs on the query pool (building JSON is no work for
// the engine's threads). An exception thrown by `build` is answered like a handler's.
using Finish = std::function<void(std::function<Response()> build)>;
using AsyncHandler = std::function<void(const Request&, Finish finish)>;

// A chunked response written from a worker thread. Every call blocks until its bytes are
// written to the socket, so a slow reader slows the writer (and through it the query).
class ResponseStream {
public:
    virtual ~ResponseStream() = default;
    // Sends the status line and headers (Transfer-Encoding: chunked). False: client gone.
    virtual bool begin(unsigned status, const std::string& content_type) = 0;
    // Sends one chunk. False: the client is gone or stopped reading past the write timeout.
    virtual bool write(std::string data) = 0;
};
// Returns the answer when the handler did not call begin(); once it did, the server ends
// the chunked body after the handler returns and ignores the returned Response.
using StreamHandler = std::function<Response(const Request&, ResponseStream&)>;

struct Route {
    std::string method;
    // Literal segments and whole-segment parameters: "/tx/{id}/query". The pattern, not
    // the concrete path, labels the route in metrics.
    std::string path;
    Dispatch dispatch;
    Handler handler;
    bool needs_auth = true;
    StreamHandler stream_handler = nullptr;  // for Dispatch::Stream
    AsyncHandler async_handler = nullptr;    // for Dispatch::Async
    // The route changes state by itself (a checkpoint, a snapshot): read-only access gets
    // 403 Security.Forbidden. Query routes leave this false: the engine judges the statement.
    bool changes_state = false;
};

class Router {
public:
    void add(Route route);

    struct Match {
        const Route* route = nullptr;               // set when found
        unsigned status = 200;                      // 404 or 405 when route is null
        std::string allow;                          // for 405: methods the path accepts
        std::map<std::string, std::string> params;  // the {name} segments, when found
        std::string pattern;  // for 405: the route path the request's path matched
    };
    Match find(std::string_view method, std::string_view path) const;

    const std::vector<Route>& routes() const { return routes_; }

private:
    std::vector<Route> routes_;
};

// HTTP status for an engine error: 400 for errors of the query or its data, 403 for a change
// refused to read-only access, 409 for retryable (transient) errors, 503 for a write on a
// read-only database, 500 for other faults of the database.
unsigned http_status(const Error& e);

// {"error": {"code", "class", "message"}} for errors of the request itself (not the query).
Response request_error(unsigned status, std::string_view code, std::string_view message);
// The same shape for an engine error, with the status from http_status().
Response engine_error(const Error& e);

}  // namespace lora::net
