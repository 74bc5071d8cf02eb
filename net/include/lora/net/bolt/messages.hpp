// Bolt messages: the requests a client sends (decoded from one dechunked message) and the
// four responses the server writes (SUCCESS, RECORD, IGNORED, FAILURE), already chunked.
#pragma once

#include <lora/net/bolt/handshake.hpp>
#include <lora/net/bolt/status.hpp>
#include <lora/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lora::net::bolt {

enum class Signature : uint8_t {
    Hello = 0x01,
    Goodbye = 0x02,
    Reset = 0x0F,
    Run = 0x10,
    Begin = 0x11,
    Commit = 0x12,
    Rollback = 0x13,
    Discard = 0x2F,
    Pull = 0x3F,
    Telemetry = 0x54,
    Route = 0x66,
    Logon = 0x6A,
    Logoff = 0x6B,
};

std::string_view request_name(Signature s);

// The signatures of the responses.
enum class Response : uint8_t { Success = 0x70, Record = 0x71, Ignored = 0x7E, Failure = 0x7F };

struct Request {
    Signature signature;
    std::vector<Value> fields;
    // Set when a field holds a value lora has no type for; `fields` is then incomplete.
    std::optional<std::string> unsupported;
};

// Decodes one message. Throws ProtocolError for bytes that are not a request of `version`
// (not a structure, an unknown signature, a wrong number of fields, trailing bytes).
Request decode_request(std::string_view message, Version version);

// True when the message is a RESET (looked at without decoding the rest).
bool is_reset(std::string_view message);

// The responses, appended to `out` as chunked messages. `v` decides the encoding of
// entities (element ids from 5.0) and of failures (GQL fields from 5.7).
void write_success(std::string& out, const Map& metadata);
void write_record(std::string& out, const std::vector<Value>& row, Version v);
void write_ignored(std::string& out);
void write_failure(std::string& out, const Failure& f, Version v);

// The client side: a request appended to `out` as a chunked message.
void write_request(std::string& out, Signature s, const std::vector<Value>& fields);

}  // namespace lora::net::bolt
