// Flat encoding of values for row batches: a value tree in pre-order as three plain columns
// (a kind tag per value, 64-bit numbers, string/float bytes) instead of a flatbuffer table
// per value. The columns travel as vectors of the RowBatch flatbuffer (messages/batch.fbs).
#pragma once

#include <lora/value.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lora::actors {

// Layout, per value (tag = msg::ValueType, | kAttached for an attached node/relationship):
//   Null: -    Bool/Int: num    Float: num (IEEE bits)    String: num = length, bytes
//   List: num = count, items    Map: num = count, then per entry: key (string), value
//   Node: num = id; attached: num = label count, labels (strings), num = count, properties
//   Relationship: nums = id, start, end, type_id; attached: type (string), num = count,
//     properties
//   Path: nums = node count, relationship count, then the nodes and relationships (values)
//   Vector: num = dimension, bytes = the float32 coordinates
//   Date, LocalTime, Time, LocalDateTime, DateTime, Duration: the field_count(kind) numbers
//     of lora::temporal::Fields; DateTime then its zone name (a string, empty for an offset)
// where a string is num = length followed by its bytes.
struct FlatValues {
    static constexpr uint8_t kAttached = 0x80;

    std::vector<uint8_t> tags;
    std::vector<int64_t> nums;
    std::vector<uint8_t> bytes;

    void clear() {
        tags.clear();
        nums.clear();
        bytes.clear();
    }
    void put(const Value& v);

private:
    void put_string(const std::string& s);
    void put_props(const Map& m);
};

// Reads values back from the three columns. Every count and length is checked against what
// is left, so malformed input throws lora::Error (DatabaseError.CorruptMessage), never
// reads out of bounds or allocates without bound.
class FlatReader {
public:
    FlatReader(const uint8_t* tags, size_t ntags, const int64_t* nums, size_t nnums,
               const uint8_t* bytes, size_t nbytes)
        : tags_(tags), ntags_(ntags), nums_(nums), nnums_(nnums), bytes_(bytes), nbytes_(nbytes) {}

    Value get() { return get(0); }
    // Whether every column was consumed exactly (a well-formed batch ends so).
    bool at_end() const { return t_ == ntags_ && n_ == nnums_ && b_ == nbytes_; }

private:
    Value get(int depth);
    uint8_t tag();
    int64_t num();
    // A count of items, each of which needs at least `min_tags` more tags and `min_nums` nums.
    size_t count(size_t min_tags, size_t min_nums);
    std::string string();
    Map props(int depth);

    const uint8_t* tags_;
    size_t ntags_;
    const int64_t* nums_;
    size_t nnums_;
    const uint8_t* bytes_;
    size_t nbytes_;
    size_t t_ = 0, n_ = 0, b_ = 0;
};

}  // namespace lora::actors
