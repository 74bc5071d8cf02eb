// The HTTP request path on any bytes: Beast's parser with lorad's limits
// (limit_request_parser), the message turned into a Request (to_request), the route found
// (Router::find over lorad's route patterns) and the answers a request gets before any
// engine work: 404 and 405 as the server builds them, and the query routes' first step,
// reading their body (parse_query_body). The real handlers are not run: every one of them
// needs a running Database (fuzz_cypher covers the queries). Nothing may be thrown.
#include <lora/net/http_request.hpp>
#include <lora/net/http_server.hpp>
#include <lora/net/query_body.hpp>

#include <boost/asio/buffer.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

using namespace lora::net;

Response read_body(const Request& req) {
    Response bad;
    if (!parse_query_body(req, bad)) return bad;
    return Response{};
}

Response nothing(const Request&) { return Response{}; }

// lorad's routes (add_standard_routes, add_transaction_routes, add_admin_routes): the
// patterns and dispatch as registered there, the handlers reduced to their engine-free part.
Router make_router() {
    Router r;
    r.add({"POST", "/query", Dispatch::Async, read_body});
    r.add({"POST", "/explain", Dispatch::Worker, read_body});
    r.add({"POST", "/query/stream", Dispatch::Stream, read_body});
    r.add({"POST", "/profile", Dispatch::Worker, read_body});
    r.add({"GET", "/health", Dispatch::Inline, nothing, false});
    r.add({"GET", "/metrics", Dispatch::Inline, nothing});
    r.add({"POST", "/tx", Dispatch::Worker, nothing});
    r.add({"POST", "/tx/{id}/query", Dispatch::Worker, read_body});
    r.add({"POST", "/tx/{id}/commit", Dispatch::Worker, nothing});
    r.add({"POST", "/tx/{id}/rollback", Dispatch::Worker, nothing});
    r.add({"POST", "/admin/checkpoint", Dispatch::Worker, nothing});
    r.add({"POST", "/admin/snapshot/save", Dispatch::Worker, nothing});
    r.add({"POST", "/admin/snapshot/load", Dispatch::Worker, nothing});
    r.add({"GET", "/admin/wal/status", Dispatch::Inline, nothing});
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace http = boost::beast::http;
    static const Router router = make_router();
    // Small enough that the fuzzer reaches the body limit.
    constexpr size_t max_body = 4096;

    HttpRequestParser parser;
    limit_request_parser(parser, max_body);
    parser.eager(true);
    boost::beast::error_code ec;
    boost::asio::const_buffer rest(data, size);
    while (rest.size() > 0 && !parser.is_done()) {
        const size_t used = parser.put(rest, ec);
        if (ec || used == 0) break;
        rest += used;
    }
    if (ec == http::error::need_more) ec = {};
    // As Beast's read: the end of the stream ends a message only once it has begun.
    if (!ec && !parser.is_done() && parser.got_some()) parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;

    (void)parser.get().keep_alive();
    Request req = to_request(parser.release());
    for (const auto& [name, value] : req.headers) {
        for (char c : name)
            if (c >= 'A' && c <= 'Z') __builtin_trap();  // names are lower-cased
    }
    if (req.path.find('?') != std::string::npos) __builtin_trap();
    auto match = router.find(req.method, req.path);
    if (!match.route) {
        if (match.status != 404 && match.status != 405) __builtin_trap();
        Response r = match.status == 405
                         ? request_error(405, "Request.MethodNotAllowed",
                                         req.method + " is not allowed on " + req.path +
                                             " (allowed: " + match.allow + ")")
                         : request_error(404, "Request.NotFound", "no route for " + req.path);
        if (r.body.empty()) __builtin_trap();
        return 0;
    }
    req.params = std::move(match.params);
    for (const auto& [name, value] : req.params) {
        if (value.empty() || value.find('/') != std::string::npos) __builtin_trap();
    }
    Response r = match.route->handler(req);
    if (r.status != 200 && r.status / 100 != 4) __builtin_trap();
    return 0;
}
