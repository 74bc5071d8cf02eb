// The limit of open connections per client address, shared by lorad's HTTP and Bolt
// listeners: a connection over it is closed at once, logged once per burst, and counted.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

namespace lora::net {

class Metrics;

class ConnectionLimiter : public std::enable_shared_from_this<ConnectionLimiter> {
public:
    // `max_per_client` 0: no limit. `metrics` (optional) counts the refusals.
    ConnectionLimiter(uint32_t max_per_client, Metrics* metrics)
        : max_(max_per_client), metrics_(metrics) {}

    // An admitted connection's place; destroying it frees the place.
    class Slot {
    public:
        Slot() = default;
        Slot(std::shared_ptr<ConnectionLimiter> owner, boost::asio::ip::address address)
            : owner_(std::move(owner)), address_(std::move(address)) {}
        Slot(Slot&& o) noexcept = default;
        Slot& operator=(Slot&& o) noexcept;
        ~Slot() { release(); }

    private:
        void release();
        std::shared_ptr<ConnectionLimiter> owner_;
        boost::asio::ip::address address_;
    };

    // A place for a new connection from `address` on `surface` ("http", "bolt"), or nothing
    // when the address holds the limit already. The first refusal of a burst (refusals with
    // no admission of that address between them) is logged with the address and the limit.
    std::optional<Slot> admit(const boost::asio::ip::address& address, std::string_view surface);

    // Connections open from `address` now.
    uint32_t open(const boost::asio::ip::address& address) const;

private:
    struct Entry {
        uint32_t open = 0;
        bool refusing = false;  // a refusal was logged and no connection was admitted since
    };
    void release(const boost::asio::ip::address& address);

    uint32_t max_;
    Metrics* metrics_;
    mutable std::mutex mu_;
    std::map<boost::asio::ip::address, Entry> clients_;
};

}  // namespace lora::net
