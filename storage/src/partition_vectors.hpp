// One partition's vector index for one VECTOR definition: which label and property it
// covers, and the HNSW structure (private to the partition sources).
#pragma once

#include <lora/storage/index_registry.hpp>
#include <lora/storage/partition.hpp>
#include <lora/storage/vector_index.hpp>

#include <string>

namespace lora::storage {

struct Partition::VecIndex {
    std::string name;
    uint32_t label = 0;
    uint32_t key = 0;
    VectorIndex index;

    VecIndex(std::string n, uint32_t l, uint32_t k, const VectorIndexOptions& o)
        : name(std::move(n)), label(l), key(k), index(o) {}
    VecIndex(std::string n, uint32_t l, uint32_t k, VectorIndex&& loaded)
        : name(std::move(n)), label(l), key(k), index(std::move(loaded)) {}
    size_t memory_bytes() const;
};

}  // namespace lora::storage
