// The compact record containers on their own: 16-byte adjacency entries (48-bit ids) and
// two-ended adjacency blocks whose capacity follows the allocator's size classes.
#include <lora/error.hpp>
#include <lora/storage/records.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using lora::storage::AdjacencyList;
using lora::storage::alloc_size;
using lora::storage::Edge;
using lora::storage::PackedEdge;

TEST_CASE("a packed edge keeps 48-bit ids and a 32-bit type", "[storage][records]") {
    const uint64_t big = PackedEdge::kIdLimit - 1;
    for (Edge e : {Edge{0, 0, 0}, Edge{big, 1, 7}, Edge{1, big, UINT32_MAX},
                   Edge{0x123456789abcull, 0xfedcba987654ull, 42},
                   Edge{uint64_t{1} << 32, (uint64_t{1} << 16) - 1, 3}}) {
        const Edge back = PackedEdge::pack(e).unpack();
        CHECK(back.rel == e.rel);
        CHECK(back.other == e.other);
        CHECK(back.type == e.type);
        CHECK(PackedEdge::pack(e).rel() == e.rel);
    }
    CHECK_THROWS_AS(PackedEdge::pack(Edge{PackedEdge::kIdLimit, 0, 0}), lora::Error);
    CHECK_THROWS_AS(PackedEdge::pack(Edge{0, PackedEdge::kIdLimit, 0}), lora::Error);
}

TEST_CASE("adjacency blocks grow through size classes and keep both directions",
          "[storage][records]") {
    AdjacencyList adj;
    std::vector<uint64_t> outs, ins;
    size_t last_bytes = 0, growths = 0;
    for (uint64_t i = 0; i < 3000; ++i) {
        const uint64_t id = (i * 0x9e3779b97ull) % PackedEdge::kIdLimit;
        if (i % 3 == 0) {
            adj.add_in(Edge{id, id + 1, static_cast<uint32_t>(i)});
            ins.push_back(id);
        } else {
            adj.add_out(Edge{id, id + 2, static_cast<uint32_t>(i)});
            outs.push_back(id);
        }
        const size_t bytes = adj.heap_bytes();
        // The block always fills its size class: asking the allocator for it gives no slack.
        CHECK(bytes == alloc_size(bytes));
        if (bytes != last_bytes) {
            ++growths;
            // Growth by about half (at least a size class, at most double).
            if (last_bytes) CHECK(bytes <= 2 * last_bytes + 16);
            last_bytes = bytes;
        }
        CHECK(bytes <= 32 + (adj.degree() + adj.degree() / 2 + 2) * sizeof(PackedEdge) * 5 / 4);
    }
    CHECK(growths > 10);
    REQUIRE(adj.out().size() == outs.size());
    REQUIRE(adj.in().size() == ins.size());
    for (size_t i = 0; i < outs.size(); ++i) {
        CHECK(adj.out()[i].rel == outs[i]);
        CHECK(adj.out()[i].other == outs[i] + 2);
    }
    for (size_t i = 0; i < ins.size(); ++i) {  // newest first
        CHECK(adj.in()[i].rel == ins[ins.size() - 1 - i]);
        CHECK(adj.in()[i].other == ins[ins.size() - 1 - i] + 1);
    }
    CHECK(adj.remove_out(outs[5]));
    CHECK(!adj.remove_out(outs[5]));
    CHECK(adj.remove_in(ins[7]));
    CHECK(adj.degree() == outs.size() + ins.size() - 2);
    CHECK(adj.out()[5].rel == outs[6]);
}
