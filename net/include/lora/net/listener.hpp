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

// Whether a client's token is the expected one, in time independent of where they differ.
bool token_matches(std::string_view given, std::string_view expected);

}  // namespace lora::net
