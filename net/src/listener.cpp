// Listening sockets and token checks shared by the HTTP and Bolt servers.
#include <lora/net/listener.hpp>

#include <lora/errors.hpp>

namespace lora::net {

namespace asio = boost::asio;

void listen_on(asio::ip::tcp::acceptor& acceptor, const std::string& host, uint16_t port,
               std::string_view option) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(host, ec);
    if (ec)
        throw errors::invalid_option(std::string(option) + ": '" + host + "' is not an IP address");
    asio::ip::tcp::endpoint ep(addr, port);
    auto fail = [&](const char* what) {
        throw errors::database("BindFailed", std::string("cannot ") + what + " " + host + ":" +
                                                 std::to_string(port) + " (" + std::string(option) +
                                                 "): " + ec.message());
    };
    acceptor.open(ep.protocol(), ec);
    if (ec) fail("open socket for");
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    acceptor.bind(ep, ec);
    if (ec) fail("bind");
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) fail("listen on");
}

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& peer) {
    const auto a = peer.address();
    const std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
    return host + ":" + std::to_string(peer.port());
}

bool token_matches(std::string_view given, std::string_view expected) {
    // Constant time in the token length, so the comparison leaks nothing about a prefix.
    if (given.size() != expected.size()) return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < given.size(); ++i)
        diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
    return diff == 0;
}

Access Credentials::access_of(std::string_view given) const {
    if (full.empty()) return Access::Full;
    const bool is_full = token_matches(given, full);
    const bool is_read = !read.empty() && token_matches(given, read);
    if (is_full) return Access::Full;
    return is_read ? Access::Read : Access::Refused;
}

}  // namespace lora::net
