// Bolt's message framing: a message is sent as chunks (a 16-bit big-endian size, then that
// many bytes) ended by an empty chunk. Empty chunks between messages are keep-alive NOOPs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace lora::net::bolt {

// Appends `message` to `out` as chunks of at most 65535 bytes and the end marker.
void append_chunked(std::string& out, std::string_view message);

// Reassembles messages from bytes as they arrive, in any split.
class Dechunker {
public:
    // A message larger than `max_message_bytes` is a protocol error (feed throws ProtocolError).
    explicit Dechunker(size_t max_message_bytes) : max_(max_message_bytes) {}

    // Consumes all of `bytes`; completed messages are appended to `messages`.
    void feed(std::string_view bytes, std::deque<std::string>& messages);
    // True while a message has begun but not ended (a client stalled mid-message).
    bool mid_message() const { return state_ != State::Size0 || !current_.empty(); }

private:
    enum class State { Size0, Size1, Body };
    size_t max_;
    State state_ = State::Size0;
    size_t chunk_left_ = 0;
    std::string current_;
};

}  // namespace lora::net::bolt
