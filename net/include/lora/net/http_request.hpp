// How lorad's HTTP server reads a request: Beast's parser with the server's limits, and the
// parsed message turned into the router's plain Request. Free of sockets, so the fuzz
// target (tests/fuzz/fuzz_http.cpp) runs the same code on any bytes.
#pragma once

#include <lora/net/router.hpp>

#include <boost/beast/http.hpp>

#include <cstddef>

namespace lora::net {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpRequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Headers past this are answered 431.
inline constexpr size_t kMaxHeaderBytes = 64 * 1024;

// Sets the header limit and the body limit (`max_body_bytes`, past it 413) on a fresh parser.
void limit_request_parser(HttpRequestParser& parser, size_t max_body_bytes);

// The method, the path without its query string, the headers by lower-case name (a repeated
// header keeps its last value) and the body, moved out of `message`.
Request to_request(HttpRequest&& message);

}  // namespace lora::net
