// A raw Bolt client for tests over real sockets: blocking, every read with a deadline.
#pragma once

#include "net/bolt/session_driver.hpp"

#include <lora/net/bolt/chunking.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace lora::test {

// A blocking Bolt client whose every read has a deadline.
class RawBolt {
public:
    explicit RawBolt(uint16_t port) {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("connect failed");
    }
    ~RawBolt() { close(fd_); }

    void send(const std::string& bytes) {
        size_t off = 0;
        while (off < bytes.size()) {
            ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (n <= 0) throw std::runtime_error("send failed");
            off += static_cast<size_t>(n);
        }
    }
    void send_message(uint8_t sig, std::vector<Value> fields) {
        std::string wire;
        net::bolt::append_chunked(wire, bolt_message(sig, std::move(fields)));
        send(wire);
    }
    // Exactly n bytes, or fewer if the server closed (or 10 s passed).
    std::string read(size_t n) {
        std::string out;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            char buf[65536];
            ssize_t got = ::recv(fd_, buf, std::min(sizeof buf, n - out.size()), 0);
            if (got <= 0) break;
            out.append(buf, static_cast<size_t>(got));
        }
        return out;
    }
    // The next `count` replies.
    std::vector<BoltReply> replies(size_t count) {
        std::string wire;
        size_t seen = 0;
        while (seen < count) {
            std::string hdr = read(2);
            if (hdr.size() < 2) break;
            size_t n = (static_cast<uint8_t>(hdr[0]) << 8) | static_cast<uint8_t>(hdr[1]);
            wire += hdr;
            if (n == 0) {
                ++seen;
                continue;
            }
            wire += read(n);
        }
        return parse_replies(wire);
    }
    // True when the server closed the connection (a read sees EOF within 10 s).
    bool closed_by_server() {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            char buf[4096];
            ssize_t got = ::recv(fd_, buf, sizeof buf, 0);
            if (got <= 0) return true;
        }
        return false;
    }

private:
    int fd_ = -1;
};

inline std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int x : b) s.push_back(static_cast<char>(x));
    return s;
}

inline const std::string kBoltMagic = bytes({0x60, 0x60, 0xB0, 0x17});

// Handshake proposing only Bolt 5.8.
inline void handshake_58(RawBolt& c) {
    c.send(kBoltMagic + bytes({0, 0, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
    if (c.read(4) != bytes({0, 0, 8, 5})) throw std::runtime_error("handshake failed");
}

// HELLO and LOGON (5.1+), both answered SUCCESS.
inline void hello_logon(RawBolt& c, const Map& auth = {{"scheme", Value("none")}}) {
    c.send_message(kHello, {Value(Map{{"user_agent", Value("raw/1")}})});
    c.send_message(kLogon, {Value(auth)});
    auto r = c.replies(2);
    REQUIRE(r.size() == 2);
    REQUIRE(r[0].success());
    REQUIRE(r[1].success());
}

}  // namespace lora::test
