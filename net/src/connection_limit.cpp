// Per-address connection counting for lorad's listeners.
#include <lora/net/connection_limit.hpp>
#include <lora/net/metrics.hpp>

#include <spdlog/spdlog.h>

namespace lora::net {

ConnectionLimiter::Slot& ConnectionLimiter::Slot::operator=(Slot&& o) noexcept {
    if (this != &o) {
        release();
        owner_ = std::move(o.owner_);
        address_ = std::move(o.address_);
    }
    return *this;
}

void ConnectionLimiter::Slot::release() {
    if (auto owner = std::exchange(owner_, nullptr)) owner->release(address_);
}

std::optional<ConnectionLimiter::Slot> ConnectionLimiter::admit(
    const boost::asio::ip::address& address, std::string_view surface) {
    if (max_ == 0) return Slot();
    {
        std::lock_guard lock(mu_);
        Entry& e = clients_[address];
        if (e.open < max_) {
            ++e.open;
            e.refusing = false;
            return Slot(shared_from_this(), address);
        }
        if (metrics_) metrics_->record_refused_connection(Metrics::Refusal::ConnectionLimit);
        if (e.refusing) return std::nullopt;
        e.refusing = true;
    }
    spdlog::warn(
        "refused {} connection from {}: it holds {} open connections, the limit "
        "(--max-connections-per-client); further refusals of it are not logged until one "
        "of its connections is admitted again",
        surface, address.to_string(), max_);
    return std::nullopt;
}

uint32_t ConnectionLimiter::open(const boost::asio::ip::address& address) const {
    std::lock_guard lock(mu_);
    auto it = clients_.find(address);
    return it == clients_.end() ? 0 : it->second.open;
}

void ConnectionLimiter::release(const boost::asio::ip::address& address) {
    std::lock_guard lock(mu_);
    auto it = clients_.find(address);
    if (it == clients_.end()) return;
    if (--it->second.open == 0) clients_.erase(it);
}

}  // namespace lora::net
