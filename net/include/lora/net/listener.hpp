// What lorad's servers (HTTP and Bolt) share to listen and to check a token.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace lora::net {

// Opens `acceptor` listening on host:port (reusing the address). `option` names the option
// the address came from ("--http", "--bolt"). Throws OptionError when host is no IP address
// and DatabaseError.BindFailed naming the address when the socket cannot be opened, bound
// or listened on.
void listen_on(boost::asio::ip::tcp::acceptor& acceptor, const std::string& host, uint16_t port,
               std::string_view option);

// A peer's address as SHOW TRANSACTIONS shows it: "127.0.0.1:53422", "[::1]:53422".
std::string endpoint_text(const boost::asio::ip::tcp::endpoint& peer);

// Whether a client's token is the expected one, in time independent of where they differ.
bool token_matches(std::string_view given, std::string_view expected);

// What a client may do, by the token it presented.
enum class Access { Refused, Read, Full };

// The servers' credentials: `full` (--auth-token; empty = no authentication, everyone has
// full access) and `read` (--read-token; empty = none), which allows reads only.
struct Credentials {
    std::string full;
    std::string read;

    bool required() const { return !full.empty(); }
    // The access `given` grants; both tokens are compared in full, in constant time.
    Access access_of(std::string_view given) const;
};

}  // namespace lora::net
