// PackStream v2, the value encoding of Bolt: lora values to bytes (Encoder) and bytes to
// lora values (Decoder). Every length is checked against the bytes that remain, nesting is
// bounded by lora::kMaxValueNesting, and bad input throws, never reads out of bounds.
#pragma once

#include <lora/value.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lora::net::bolt {

// The bytes are not PackStream (truncated, a reserved marker, a size past the end, invalid
// UTF-8, nesting too deep): the peer cannot be understood any further.
class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Well-formed PackStream that lora cannot take as a value (bytes, spatial structures, a
// node sent as a parameter, a date past the year 999,999,999): the message fails, the
// connection goes on.
class UnsupportedValue : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Structure signatures of the graph values.
inline constexpr uint8_t kNodeSig = 0x4E;                 // 'N'
inline constexpr uint8_t kRelationshipSig = 0x52;         // 'R'
inline constexpr uint8_t kUnboundRelationshipSig = 0x72;  // 'r'
inline constexpr uint8_t kPathSig = 0x50;                 // 'P'
// Temporal structures: Date {days}, Time {nanos, offset}, LocalTime {nanos}, LocalDateTime
// {seconds, nanos}, Duration {months, days, seconds, nanos}; DateTime with an offset or a
// zone id, in Bolt 5's UTC form {UTC seconds, nanos, offset | zone id} and Bolt 4's legacy
// form {wall-clock seconds, nanos, offset | zone id}.
inline constexpr uint8_t kDateSig = 0x44;                  // 'D'
inline constexpr uint8_t kTimeSig = 0x54;                  // 'T'
inline constexpr uint8_t kLocalTimeSig = 0x74;             // 't'
inline constexpr uint8_t kLocalDateTimeSig = 0x64;         // 'd'
inline constexpr uint8_t kDateTimeSig = 0x49;              // 'I'
inline constexpr uint8_t kDateTimeZoneIdSig = 0x69;        // 'i'
inline constexpr uint8_t kLegacyDateTimeSig = 0x46;        // 'F'
inline constexpr uint8_t kLegacyDateTimeZoneIdSig = 0x66;  // 'f'
inline constexpr uint8_t kDurationSig = 0x45;              // 'E'

// Appends PackStream to a string. `element_ids` (Bolt 5.x) adds the element_id fields to
// nodes and relationships and sends datetimes in the UTC form.
class Encoder {
public:
    Encoder(std::string& out, bool element_ids) : out_(out), element_ids_(element_ids) {}

    void null();
    void boolean(bool b);
    void integer(int64_t v);  // in the smallest form that holds it
    void floating(double v);
    void string(std::string_view s);
    void list_header(size_t size);
    void map_header(size_t size);
    void struct_header(uint8_t signature, uint8_t fields);
    // Any lora value: graph values as their structures, a VECTOR as a list of floats.
    void value(const Value& v);

private:
    void sized(size_t size, uint8_t tiny, uint8_t m8, uint8_t m16, uint8_t m32);
    void node(const Node& n);
    void relationship(const Relationship& r, bool bound);
    void path(const Path& p);
    void map(const Map& m);
    void temporal(const Value& v);

    std::string& out_;
    bool element_ids_;
};

// Reads PackStream from a byte range (one dechunked message). `graph_values` (a client
// reading records) decodes nodes, relationships and paths; a server takes none from a client.
class Decoder {
public:
    explicit Decoder(std::string_view bytes, bool graph_values = false)
        : in_(bytes), graph_values_(graph_values) {}
    // The decoder keeps a view of the bytes: a temporary string would dangle.
    explicit Decoder(std::string&&, bool = false) = delete;

    // A structure header; returns the signature and sets `fields`.
    uint8_t struct_header(size_t& fields);
    // One value. Temporal structures become temporal values; byte arrays, spatial
    // structures, graph values (unless decoded as a client's results) and temporal fields
    // out of range throw UnsupportedValue; the rest of the message is then not read.
    Value value();
    bool at_end() const { return pos_ == in_.size(); }
    size_t position() const { return pos_; }

private:
    Value value_at(uint32_t depth);
    // The `fields` values of a structure whose header was read.
    std::vector<Value> struct_fields(size_t fields, uint32_t depth);
    Value graph_value(uint8_t signature, size_t fields, uint32_t depth);
    uint8_t byte();
    uint64_t uint_be(size_t bytes);
    std::string_view take(size_t n);
    void need(size_t n) const;

    std::string_view in_;
    size_t pos_ = 0;
    bool graph_values_ = false;
};

}  // namespace lora::net::bolt
