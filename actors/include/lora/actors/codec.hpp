// Encoding of rows, mutations and entity fetches as flatbuffers (messages/batch.fbs).
// The encoded bytes live in an immutable shared buffer: local sends share it, never copy.
#pragma once

#include <lora/exec/executor.hpp>

#include <lora/value.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace lora::actors {

// An immutable, reference-counted byte buffer holding one flatbuffer message.
class Payload {
public:
    Payload() = default;
    Payload(std::shared_ptr<const void> owner, const uint8_t* data, size_t size)
        : owner_(std::move(owner)), data_(data), size_(size) {}
    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    // Built by this process's encoder (never bytes from elsewhere): decoding skips the
    // flatbuffers verifier, which is a tenth of a bulk load's time. Values are still checked.
    bool trusted() const { return trusted_; }
    static Payload built(std::shared_ptr<const void> owner, const uint8_t* data, size_t size) {
        Payload p(std::move(owner), data, size);
        p.trusted_ = true;
        return p;
    }

private:
    bool trusted_ = false;
    std::shared_ptr<const void> owner_;  // keeps the builder's buffer alive
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
};

using exec::Row;

Payload encode_rows(uint64_t query, uint32_t step, uint32_t width, const std::vector<Row>& rows);
struct DecodedRows {
    uint64_t query = 0;
    uint32_t step = 0;
    std::vector<Row> rows;
};
// Throws lora::Error (class Database) if the buffer does not verify.
DecodedRows decode_rows(const Payload& p);

Payload encode_mutations(uint64_t query, const std::vector<exec::Mutation>& items);
std::vector<exec::Mutation> decode_mutations(const Payload& p);

Payload encode_fetch_request(const std::vector<uint64_t>& nodes, const std::vector<uint64_t>& rels);
void decode_fetch_request(const Payload& p, std::vector<uint64_t>& nodes,
                          std::vector<uint64_t>& rels);
Payload encode_values(const std::vector<Value>& values);

// Redo operations: a shard's part of a commit, and the whole commit record in the WAL.
Payload encode_redo(uint64_t txn, const std::vector<exec::RedoOp>& ops);
// One record of several shards' operations, in the order of `parts`.
Payload encode_redo(uint64_t txn, std::span<const std::vector<exec::RedoOp>* const> parts);
std::vector<exec::RedoOp> decode_redo(const uint8_t* data, size_t size, uint64_t* txn = nullptr);
std::vector<Value> decode_values(const Payload& p);

}  // namespace lora::actors
