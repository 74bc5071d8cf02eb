// The actors' flatbuffer decoders on any bytes, as if they came from another process (the
// verifier runs: the payload is not marked as built here): row batches, mutations, entity
// fetches, value lists and the redo records WAL replay decodes. Bad bytes must end in a
// lora::Error.
#include "lora/actors/codec.hpp"

#include <lora/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace {

template <class F>
void guarded(F&& f) {
    try {
        f();
    } catch (const lora::Error&) {}
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace lora::actors;
    // An aligned copy, as a received message would be.
    auto buffer = std::shared_ptr<uint8_t[]>(new uint8_t[size + 1]);
    std::memcpy(buffer.get(), data, size);
    const Payload p(buffer, buffer.get(), size);
    guarded([&] { (void)decode_rows(p); });
    guarded([&] { (void)decode_mutations(p); });
    guarded([&] { (void)decode_values(p); });
    guarded([&] {
        std::vector<uint64_t> nodes, rels;
        decode_fetch_request(p, nodes, rels);
    });
    guarded([&] { (void)decode_redo(buffer.get(), size); });
    return 0;
}
