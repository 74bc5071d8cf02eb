// Shared helpers of the persist_* tests: a temp directory, a sample 3-shard graph and a
// canonical text dump of a partition set (names resolved) to compare graphs record by record,
// and expect_error for calls that must fail.
#pragma once

#include <catch2/catch.hpp>
#include <lora/error.hpp>
#include <lora/storage/catalog.hpp>
#include <lora/storage/partition.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace persist_test {

using lora::storage::Catalog;
using lora::storage::Partition;
using Kind = Catalog::Kind;

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "lora-persist-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

struct Graph {
    Catalog catalog;
    std::vector<std::unique_ptr<Partition>> parts;

    explicit Graph(uint32_t shards = 3) {
        for (uint32_t i = 0; i < shards; ++i)
            parts.push_back(std::make_unique<Partition>(i, shards, catalog));
    }
    Partition& at(uint64_t id) { return *parts[id % parts.size()]; }
    std::vector<Partition*> ptrs() {
        std::vector<Partition*> v;
        for (auto& p : parts) v.push_back(p.get());
        return v;
    }
    std::vector<const Partition*> cptrs() {
        std::vector<const Partition*> v;
        for (auto& p : parts) v.push_back(p.get());
        return v;
    }
    uint64_t node(uint32_t shard) { return parts[shard]->create_node(); }
    uint64_t rel(uint64_t start, std::string_view type, uint64_t end) {
        const uint32_t t = catalog.intern(Kind::Type, type);
        const uint64_t r = at(start).create_relationship(start, t, end);
        at(end).add_in_edge(end, r, t, start);
        return r;
    }
    void del_rel(uint64_t r) {
        auto info = *at(r).relationship(r);
        at(r).delete_relationship(r);
        at(info.end).remove_in_edge(info.end, r);
    }
    void label(uint64_t n, std::string_view l) {
        at(n).add_label(n, catalog.intern(Kind::Label, l));
    }
    void prop(uint64_t n, std::string_view k, lora::Value v) {
        at(n).set_node_property(n, catalog.intern(Kind::Key, k), std::move(v));
    }
    void rel_prop(uint64_t r, std::string_view k, lora::Value v) {
        at(r).set_rel_property(r, catalog.intern(Kind::Key, k), std::move(v));
    }
};

// Labels, every property kind, cross-shard and local relationships, a self-loop, and
// deleted nodes and relationships (some at the end of a shard, leaving trailing tombstones).
inline void fill_sample(Graph& g, int variant = 0) {
    std::vector<uint64_t> nodes;
    for (int i = 0; i < 30; ++i) {
        const uint64_t n = g.node(static_cast<uint32_t>(i % 3));
        nodes.push_back(n);
        g.label(n, i % 2 ? "Person" : "City");
        if (i % 5 == 0) g.label(n, "Film");
        if (i % 7 == 0) g.label(n, "Person");  // repeated: still one label
        g.prop(n, "name", lora::Value("n" + std::to_string(i + variant)));
        g.prop(n, "age", lora::Value(int64_t(i) * int64_t{1000000007} - 5));
        if (i % 3 == 0) g.prop(n, "score", lora::Value(i / 4.0));
        if (i % 4 == 0) g.prop(n, "active", lora::Value(i % 8 == 0));
        if (i % 6 == 0) {
            g.prop(n, "tags",
                   lora::Value(lora::List{lora::Value("a"), lora::Value(int64_t(i)),
                                          lora::Value(2.5), lora::Value(true)}));
        }
        if (i == 9) g.prop(n, "empty", lora::Value(lora::List{}));
        if (i == 10) g.prop(n, "unicode", lora::Value(std::string("caf\xc3\xa9 \0x", 8)));
        if (i == 11) g.prop(n, "embedding", lora::Value(lora::Vector{{0.1f, -2.5f, 3e-8f, 0.0f}}));
    }
    std::vector<uint64_t> rels;
    for (int i = 0; i < 40; ++i) {
        const uint64_t a = nodes[(i * 7) % 30], b = nodes[(i * 11 + 3) % 30];
        const uint64_t r = g.rel(a, i % 3 ? "KNOWS" : "LIVES_IN", b);
        rels.push_back(r);
        if (i % 2) g.rel_prop(r, "since", lora::Value(int64_t(1990 + i)));
        if (i % 5 == 0)
            g.rel_prop(r, "w", lora::Value(lora::List{lora::Value(0.5), lora::Value(1.5)}));
        if (i == 8) g.rel_prop(r, "v", lora::Value(lora::Vector{std::vector<float>(300, 0.25f)}));
    }
    rels.push_back(g.rel(nodes[4], "SELF", nodes[4]));
    g.rel_prop(rels.back(), "loop", lora::Value(true));
    for (int i : {3, 17, 39}) g.del_rel(rels[i]);
    // An isolated node at the tail of each shard, deleted: the next ids must survive.
    for (uint32_t s = 0; s < 3; ++s) {
        const uint64_t n = g.node(s);
        g.label(n, "Gone");
        g.at(n).delete_node(n);
    }
    // A relationship at the tail of shard 1, deleted.
    const uint64_t last = g.rel(nodes[1], "TEMP", nodes[2]);
    g.del_rel(last);
    g.prop(nodes[2], "name", lora::Value());  // removed property
}

inline std::string dump(Graph& g) {
    std::string out;
    auto props = [&](std::span<const lora::storage::Property> ps) {
        std::string s = "{";
        for (const auto& p : ps) {
            s += g.catalog.name(Kind::Key, p.key) + ":" +
                 std::string(lora::kind_name(p.value.kind())) + "=" + p.value.to_string() + ",";
        }
        return s + "}";
    };
    for (auto& up : g.parts) {
        const Partition& p = *up;
        out += "shard " + std::to_string(p.shard_index()) + " next " +
               std::to_string(p.next_node_id()) + "/" + std::to_string(p.next_relationship_id()) +
               " counts " + std::to_string(p.node_count()) + "/" +
               std::to_string(p.relationship_count()) + "\n";
        p.for_each_node([&](uint64_t n) {
            out += " node " + std::to_string(n) + " :";
            for (uint32_t l : p.labels(n)) out += g.catalog.name(Kind::Label, l) + ":";
            out += " " + props(p.node_properties(n)) + " out[";
            for (auto e : p.out_edges(n))
                out += std::to_string(e.rel) + ">" + std::to_string(e.other) + "/" +
                       g.catalog.name(Kind::Type, e.type) + " ";
            // In-edge order depends on when add_in_edge ran, not on the data: compare as a set.
            std::vector<std::string> ins;
            for (auto e : p.in_edges(n))
                ins.push_back(std::to_string(e.rel) + "<" + std::to_string(e.other) + "/" +
                              g.catalog.name(Kind::Type, e.type));
            std::sort(ins.begin(), ins.end());
            out += "] in[";
            for (auto& s : ins) out += s + " ";
            out += "] degree " + std::to_string(p.degree(n)) + "\n";
        });
        p.for_each_relationship([&](uint64_t r) {
            auto info = *p.relationship(r);
            out += " rel " + std::to_string(r) + " " + std::to_string(info.start) + "-" +
                   g.catalog.name(Kind::Type, info.type) + "->" + std::to_string(info.end) + " " +
                   props(p.rel_properties(r)) + "\n";
        });
        for (auto label : {"Person", "City", "Film", "Gone"}) {
            auto id = g.catalog.lookup(Kind::Label, label);
            out += std::string(" #") + label + "=" + std::to_string(id ? p.label_count(*id) : 0);
        }
        out += "\n";
    }
    return out;
}

// Runs `f` expecting a lora::Error; returns it (fails the test if nothing is thrown).
template <typename F>
lora::Error expect_error(F&& f) {
    try {
        f();
    } catch (const lora::Error& e) {
        return e;
    }
    FAIL("expected a lora::Error");
    throw std::logic_error("unreachable");
}

}  // namespace persist_test
