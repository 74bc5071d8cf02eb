// How lorad reads a request without a socket: Beast's parser with the server's limits, the
// parsed message as the router's Request, and a query route's JSON body.
#include <lora/net/http_request.hpp>
#include <lora/net/query_body.hpp>

#include <boost/asio/buffer.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

using namespace lora::net;
namespace http = boost::beast::http;

namespace {

// Parses `bytes` as the server's session does; the parser's error when it fails.
boost::beast::error_code parse(const std::string& bytes, HttpRequestParser& parser,
                               size_t max_body = 1024) {
    limit_request_parser(parser, max_body);
    parser.eager(true);
    boost::beast::error_code ec;
    boost::asio::const_buffer rest(bytes.data(), bytes.size());
    while (rest.size() > 0 && !parser.is_done()) {
        const size_t used = parser.put(rest, ec);
        if (ec || used == 0) break;
        rest += used;
    }
    // As Beast's read: the end of the stream ends a message only once it has begun.
    if (!ec && !parser.is_done() && parser.got_some()) parser.put_eof(ec);
    return ec;
}

Request body_request(std::string body) {
    Request r;
    r.method = "POST";
    r.path = "/query";
    r.body = std::move(body);
    return r;
}

std::string code_of(const Response& r) {
    return nlohmann::json::parse(r.body)["error"]["code"].get<std::string>();
}

}  // namespace

TEST_CASE("a parsed request becomes a Request: lower-case headers, path without query", "[net]") {
    HttpRequestParser parser;
    REQUIRE(parse("POST /tx/abc/query?x=1&y HTTP/1.1\r\nHost: h\r\nX-Mixed-CASE: one\r\n"
                  "x-mixed-case: two\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "3\r\n{\"q\r\n2\r\n\":\r\n0\r\n\r\n",
                  parser) == boost::beast::error_code{});
    Request req = to_request(parser.release());
    CHECK(req.method == "POST");
    CHECK(req.path == "/tx/abc/query");
    CHECK(req.body == "{\"q\":");
    CHECK(req.headers.at("host") == "h");
    CHECK(req.headers.at("x-mixed-case") == "two");
    CHECK(req.headers.count("X-Mixed-CASE") == 0);
}

TEST_CASE("the parser's limits are the server's: 64 KiB of headers, the body limit", "[net]") {
    {
        HttpRequestParser parser;
        const std::string big =
            "GET / HTTP/1.1\r\nX: " + std::string(kMaxHeaderBytes, 'a') + "\r\n\r\n";
        CHECK(parse(big, parser) == http::error::header_limit);
    }
    {
        HttpRequestParser parser;
        CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world", parser, 10) ==
              http::error::body_limit);
    }
}

TEST_CASE("query bodies: parameters read, bad bodies answered 400 with their code", "[net]") {
    Response error;
    auto body = parse_query_body(
        body_request(R"({"query": "RETURN $d", "params": {"d": {"$date": "2015-07-21"}, "n": 1}})"),
        error);
    REQUIRE(body);
    CHECK(body->query == "RETURN $d");
    CHECK(body->params.at("d").kind() == lora::ValueKind::Date);
    CHECK(body->params.at("n").as_int() == 1);

    // A temporal parameter whose text does not parse: the engine's error, not an exception.
    CHECK_FALSE(parse_query_body(
        body_request(R"({"query": "RETURN $d", "params": {"d": {"$date": "July"}}})"), error));
    CHECK(error.status == 400);
    CHECK(code_of(error).find("InvalidArgumentValue") != std::string::npos);

    CHECK_FALSE(parse_query_body(body_request(std::string(kMaxJsonDepth + 1, '[')), error));
    CHECK(code_of(error) == "Request.InvalidJson");
    CHECK_FALSE(parse_query_body(body_request(R"({"query": 1})"), error));
    CHECK(code_of(error) == "Request.InvalidField");
}
