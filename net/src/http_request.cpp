// The parsed HTTP message as the router's Request.
#include <lora/net/http_request.hpp>

#include <algorithm>
#include <cctype>
#include <string_view>

namespace lora::net {

void limit_request_parser(HttpRequestParser& parser, size_t max_body_bytes) {
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(max_body_bytes);
}

Request to_request(HttpRequest&& message) {
    Request req;
    req.method = std::string(message.method_string());
    std::string_view target(message.target().data(), message.target().size());
    req.path = std::string(target.substr(0, target.find('?')));
    for (const auto& f : message) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        req.headers[name] = std::string(f.value());
    }
    req.body = std::move(message.body());
    return req;
}

}  // namespace lora::net
