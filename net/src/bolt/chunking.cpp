// Bolt chunk framing in both directions.
#include <lora/net/bolt/chunking.hpp>
#include <lora/net/bolt/packstream.hpp>

#include <algorithm>

namespace lora::net::bolt {

void append_chunked(std::string& out, std::string_view message) {
    constexpr size_t kMaxChunk = 0xFFFF;
    while (!message.empty()) {
        size_t n = std::min(message.size(), kMaxChunk);
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xFF));
        out.append(message.substr(0, n));
        message.remove_prefix(n);
    }
    out.append("\0\0", 2);
}

void Dechunker::feed(std::string_view bytes, std::deque<std::string>& messages) {
    size_t i = 0;
    while (i < bytes.size()) {
        switch (state_) {
            case State::Size0:
                chunk_left_ = static_cast<uint8_t>(bytes[i++]) << 8;
                state_ = State::Size1;
                break;
            case State::Size1:
                chunk_left_ |= static_cast<uint8_t>(bytes[i++]);
                if (chunk_left_ == 0) {
                    // The end of a message, or a NOOP between messages.
                    if (!current_.empty()) {
                        messages.push_back(std::move(current_));
                        current_.clear();
                    }
                    state_ = State::Size0;
                } else {
                    if (current_.size() + chunk_left_ > max_)
                        throw ProtocolError("a message is larger than the limit of " +
                                            std::to_string(max_) + " bytes");
                    state_ = State::Body;
                }
                break;
            case State::Body: {
                size_t n = std::min(chunk_left_, bytes.size() - i);
                current_.append(bytes.substr(i, n));
                i += n;
                chunk_left_ -= n;
                if (chunk_left_ == 0) state_ = State::Size0;
                break;
            }
        }
    }
}

}  // namespace lora::net::bolt
