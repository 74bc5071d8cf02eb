// Property indexes at the storage level: Cypher-ordered lookups (2 = 2.0, ranges stay in
// their comparability class), a partition's indexes following every node change, the
// registry's duplicate rules, and index definitions in a checkpoint's catalog.
#include <lora/error.hpp>
#include <lora/storage/checkpoint.hpp>
#include <lora/storage/partition.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

using lora::List;
using lora::Value;
using lora::storage::Catalog;
using lora::storage::IndexBound;
using lora::storage::IndexDef;
using lora::storage::IndexKind;
using lora::storage::IndexQuery;
using lora::storage::Partition;
using Kind = Catalog::Kind;

namespace {

IndexQuery eq(Value v) {
    IndexQuery q;
    q.equal = std::move(v);
    return q;
}

IndexQuery range(std::optional<IndexBound> lo, std::optional<IndexBound> hi) {
    IndexQuery q;
    q.lower = std::move(lo);
    q.upper = std::move(hi);
    return q;
}

std::vector<uint64_t> seek(const Partition& p, uint32_t label, uint32_t key, const IndexQuery& q) {
    uint32_t keys[] = {key};
    auto r = p.index_seek(label, keys, q);
    REQUIRE(r);
    return *r;
}

IndexDef range_def(const std::string& name, const std::string& label,
                   std::vector<std::string> props) {
    IndexDef d;
    d.name = name;
    d.label = label;
    d.properties = std::move(props);
    return d;
}

}  // namespace

TEST_CASE("a partition's property index answers in Cypher order and follows changes",
          "[storage][index]") {
    Catalog cat;
    Partition p(0, 1, cat);
    const uint32_t L = cat.intern(Kind::Label, "L");
    const uint32_t k = cat.intern(Kind::Key, "p");
    std::vector<Value> values = {Value(int64_t{2}),
                                 Value(2.0),
                                 Value(2.5),
                                 Value("2"),
                                 Value("b"),
                                 Value(true),
                                 Value(List{Value(int64_t{1})}),
                                 Value(std::nan(""))};
    std::vector<uint64_t> ids;
    for (const auto& v : values) {
        uint64_t id = p.create_node();
        p.add_label(id, L);
        p.set_node_property(id, k, v);
        ids.push_back(id);
    }
    uint64_t unlabelled = p.create_node();
    p.set_node_property(unlabelled, k, Value(int64_t{2}));

    uint32_t keys[] = {k};
    CHECK_FALSE(p.index_seek(L, keys, eq(Value(int64_t{2}))));  // no index yet
    auto def = range_def("i", "L", {"p"});
    REQUIRE(cat.indexes().create(def, false));
    p.sync_indexes();
    CHECK(p.has_index("i"));

    CHECK(seek(p, L, k, eq(Value(int64_t{2}))) == std::vector<uint64_t>{ids[0], ids[1]});
    CHECK(seek(p, L, k, eq(Value(2.0))) == std::vector<uint64_t>{ids[0], ids[1]});
    CHECK(seek(p, L, k, eq(Value("2"))) == std::vector<uint64_t>{ids[3]});
    CHECK(seek(p, L, k, eq(Value(List{Value(1.0)}))) == std::vector<uint64_t>{ids[6]});
    // A range on numbers yields numbers only (NaN too: `>` then rejects it).
    CHECK(seek(p, L, k, range(IndexBound{Value(int64_t{2}), false}, std::nullopt)) ==
          std::vector<uint64_t>{ids[2], ids[7]});
    CHECK(
        seek(p, L, k, range(IndexBound{Value(int64_t{2}), true}, IndexBound{Value(2.5), false})) ==
        std::vector<uint64_t>{ids[0], ids[1]});
    CHECK(seek(p, L, k, range(std::nullopt, IndexBound{Value("c"), true})) ==
          std::vector<uint64_t>{ids[3], ids[4]});
    CHECK(seek(p, L, k, range(IndexBound{Value(false), false}, std::nullopt)) ==
          std::vector<uint64_t>{ids[5]});

    p.set_node_property(ids[0], k, Value(int64_t{7}));
    CHECK(seek(p, L, k, eq(Value(int64_t{2}))) == std::vector<uint64_t>{ids[1]});
    CHECK(seek(p, L, k, eq(Value(int64_t{7}))) == std::vector<uint64_t>{ids[0]});
    p.set_node_property(ids[0], k, Value());  // REMOVE
    CHECK(seek(p, L, k, eq(Value(int64_t{7}))).empty());
    p.remove_label(ids[1], L);
    CHECK(seek(p, L, k, eq(Value(int64_t{2}))).empty());
    p.add_label(unlabelled, L);
    CHECK(seek(p, L, k, eq(Value(int64_t{2}))) == std::vector<uint64_t>{unlabelled});
    p.clear_node_properties(unlabelled);
    CHECK(seek(p, L, k, eq(Value(int64_t{2}))).empty());
    REQUIRE(p.delete_node(ids[4]));
    CHECK(seek(p, L, k, eq(Value("b"))).empty());

    cat.indexes().drop("i", false);
    p.sync_indexes();
    CHECK_FALSE(p.has_index("i"));
    CHECK_FALSE(p.index_seek(L, keys, eq(Value("2"))));
}

TEST_CASE("composite index entries need every property", "[storage][index]") {
    Catalog cat;
    Partition p(1, 2, cat);
    auto def = range_def("c", "L", {"a", "b"});
    REQUIRE(cat.indexes().create(def, false));
    p.sync_indexes();
    const uint32_t L = cat.intern(Kind::Label, "L");
    const uint32_t a = cat.intern(Kind::Key, "a"), b = cat.intern(Kind::Key, "b");
    uint64_t n = p.create_node();
    p.add_label(n, L);
    p.set_node_property(n, a, Value(int64_t{1}));
    uint32_t keys[] = {a, b};
    IndexQuery q = eq(Value(List{Value(int64_t{1}), Value("x")}));
    CHECK(p.index_seek(L, keys, q)->empty());
    p.set_node_property(n, b, Value("x"));
    CHECK(*p.index_seek(L, keys, q) == std::vector<uint64_t>{n});
}

TEST_CASE("the registry refuses duplicates and a checkpoint catalog keeps definitions",
          "[storage][index]") {
    Catalog cat;
    auto a = range_def("", "L", {"p"});
    REQUIRE(cat.indexes().create(a, false));
    CHECK(a.name.rfind("index_", 0) == 0);
    CHECK(a.name.size() == 14);
    auto same = range_def("", "L", {"p"});
    CHECK_THROWS_AS(cat.indexes().create(same, false), lora::Error);
    CHECK_FALSE(cat.indexes().create(same, true));
    IndexDef vec = range_def("v", "Doc", {"e"});
    vec.kind = IndexKind::Vector;
    vec.config = {{"vector.dimensions", Value(int64_t{4})}};
    REQUIRE(cat.indexes().create(vec, false));

    auto id = lora::wal::DbId::random();
    auto bytes = lora::storage::encode_catalog(cat, id, 7);
    Catalog back;
    lora::storage::decode_catalog(bytes, back, id, 7);
    auto defs = back.indexes().list();
    REQUIRE(defs.size() == 2);
    CHECK(defs[0].name == a.name);
    CHECK(defs[1].name == "v");
    CHECK(defs[1].kind == IndexKind::Vector);
    REQUIRE(defs[1].setting("vector.dimensions"));
    CHECK(*defs[1].setting("vector.dimensions") == Value(int64_t{4}));

    // Without indexes the catalog has the layout older versions read: no index section.
    Catalog plain;
    plain.intern(Kind::Label, "L");
    Catalog plain_back;
    lora::storage::decode_catalog(lora::storage::encode_catalog(plain, id, 1), plain_back, id, 1);
    CHECK(plain_back.indexes().empty());
    CHECK(plain_back.name(Kind::Label, 0) == "L");
}

TEST_CASE("a large property index keeps order through splits, merges and mixed keys",
          "[storage][index]") {
    using lora::storage::PropertyIndex;
    PropertyIndex ix("big", 0, {0});
    // Reference model: (key, local) pairs in Cypher order, in a std::set.
    auto before = [](const std::pair<Value, uint32_t>& a, const std::pair<Value, uint32_t>& b) {
        int c = order_compare(a.first, b.first);
        return c != 0 ? c < 0 : a.second < b.second;
    };
    std::set<std::pair<Value, uint32_t>, decltype(before)> ordered(before);
    auto key_for = [](uint32_t i) -> Value {
        switch (i % 5) {
            case 0: return Value(static_cast<int64_t>(i / 5 % 700));
            case 1: return Value(static_cast<double>(i / 5 % 700) + (i % 2 ? 0.0 : 0.5));
            case 2: {
                std::string str = std::to_string(i % 911);
                str.insert(str.begin(), 's');  // ("s" + ... trips GCC 12's -Wrestrict)
                return Value(std::move(str));
            }
            case 3: return Value(i % 3 == 0);
            default: return Value(List{Value(static_cast<int64_t>(i % 7)), Value("x")});
        }
    };
    // Ascending appends first (the bulk-load shape), then scattered inserts.
    for (uint32_t i = 0; i < 3000; ++i) {
        ix.insert(Value(static_cast<int64_t>(100000 + i)), i);
        ordered.emplace(Value(static_cast<int64_t>(100000 + i)), i);
    }
    uint64_t s = 12345;
    auto next = [&] {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<uint32_t>(s >> 33);
    };
    for (uint32_t n = 0; n < 6000; ++n) {
        uint32_t i = next() % 50000;
        ix.insert(key_for(i), 3000 + i);
        ordered.emplace(key_for(i), 3000 + i);
    }
    // Erase in insertion-unrelated order: every third entry of the model stays.
    std::vector<std::pair<Value, uint32_t>> model(ordered.begin(), ordered.end());
    std::reverse(model.begin(), model.end());
    ix.insert(Value(int64_t{100000}), 0);  // already present: no second entry
    // Erase about two thirds, including whole runs, so leaves empty out and merge.
    std::vector<std::pair<Value, uint32_t>> kept;
    for (size_t i = 0; i < model.size(); ++i) {
        if (i % 3 != 0 || (i > 500 && i < 1400))
            ix.erase(model[i].first, model[i].second);
        else
            kept.push_back(model[i]);
    }
    ix.erase(Value("no such key"), 1);  // absent: no change
    std::sort(kept.begin(), kept.end(), before);
    REQUIRE(model.size() > 8000);
    REQUIRE(ix.size() == kept.size());
    std::vector<std::pair<Value, uint32_t>> got;
    ix.for_each([&](const Value& k, uint32_t l) { got.emplace_back(k, l); });
    REQUIRE(got.size() == kept.size());
    for (size_t i = 0; i < got.size(); ++i) {
        CHECK(order_compare(got[i].first, kept[i].first) == 0);
        CHECK(got[i].second == kept[i].second);
    }
    // Equality seeks (2 = 2.0) and a numeric range against the model.
    for (Value probe : {Value(int64_t{3}), Value(3.0), Value(3.5), Value("s17"), Value(true),
                        Value(int64_t{100000 + 2999}), Value(int64_t{-1})}) {
        std::vector<uint32_t> out;
        ix.seek(eq(probe), out);
        std::vector<uint32_t> want;
        for (const auto& k : kept)
            if (order_compare(k.first, probe) == 0) want.push_back(k.second);
        CHECK(out == want);
    }
    std::vector<uint32_t> out;
    ix.seek(range(IndexBound{Value(int64_t{10}), false}, IndexBound{Value(20.5), true}), out);
    std::vector<uint32_t> want;
    for (const auto& k : kept)
        if (k.first.is_number() && k.first.as_number() > 10 && k.first.as_number() <= 20.5)
            want.push_back(k.second);
    CHECK(out == want);
    CHECK(ix.memory_bytes() > kept.size() * 24);

    // The equality hash never contradicts the ordered entries: Unique names the only entry
    // with that key (if any has it), Absent means none has it.
    size_t unique = 0, absent = 0;
    std::vector<Value> probes;
    for (const auto& k : kept) probes.push_back(k.first);
    for (int64_t i = -50; i < 50; ++i) probes.push_back(Value(i * 7919));
    probes.push_back(Value(std::nan("")));
    probes.push_back(Value("never stored"));
    for (const auto& probe : probes) {
        std::vector<uint32_t> want;
        for (const auto& k : kept)
            if (order_compare(k.first, probe) == 0) want.push_back(k.second);
        uint32_t local = 0;
        switch (ix.probe(probe, local)) {
            case PropertyIndex::Probe::Unique:
                ++unique;
                CHECK(want.size() <= 1);
                if (!want.empty()) CHECK(want[0] == local);
                break;
            case PropertyIndex::Probe::Absent:
                ++absent;
                CHECK(want.empty());
                break;
            case PropertyIndex::Probe::Ordered: break;  // the ordered seek answers
        }
    }
    CHECK(unique > 500);  // the kept ascending integers are unique keys
    CHECK(absent > 10);
    // 2 and 2.0 are one key: both entries make the key go the ordered way.
    PropertyIndex two("two", 0, {0});
    two.insert(Value(int64_t{2}), 1);
    uint32_t l = 0;
    CHECK(two.probe(Value(2.0), l) == PropertyIndex::Probe::Unique);
    CHECK(l == 1);
    two.insert(Value(2.0), 2);
    CHECK(two.probe(Value(int64_t{2}), l) == PropertyIndex::Probe::Ordered);
    CHECK(two.probe(Value(List{}), l) == PropertyIndex::Probe::Ordered);
    two.erase(Value(int64_t{2}), 1);
    two.erase(Value(2.0), 2);
    CHECK(two.size() == 0);
}

TEST_CASE("equality seeks through the hash match the ordered index at the partition",
          "[storage][index]") {
    Catalog cat;
    Partition p(1, 2, cat);
    const uint32_t L = cat.intern(Kind::Label, "L");
    const uint32_t k = cat.intern(Kind::Key, "k");
    auto def = range_def("ix", "L", {"k"});
    REQUIRE(cat.indexes().create(def, false));
    p.sync_indexes();
    std::vector<uint64_t> ids;
    for (int64_t i = 0; i < 5000; ++i) {
        const uint64_t n = p.create_node();
        ids.push_back(n);
        p.add_label(n, L);
        // Unique keys, a duplicated key, floats equal to integers, strings.
        Value v = i < 4000   ? Value(i)
                  : i < 4500 ? Value(int64_t{-7})
                  : i < 4900 ? Value(static_cast<double>(i))
                             : Value(std::to_string(i));
        p.set_node_property(n, k, v);
    }
    CHECK(seek(p, L, k, eq(Value(int64_t{1234}))) == std::vector<uint64_t>{ids[1234]});
    CHECK(seek(p, L, k, eq(Value(1234.0))) == std::vector<uint64_t>{ids[1234]});
    CHECK(seek(p, L, k, eq(Value(int64_t{-7}))).size() == 500);
    CHECK(seek(p, L, k, eq(Value(int64_t{4600}))) == std::vector<uint64_t>{ids[4600]});
    CHECK(seek(p, L, k, eq(Value("4950"))) == std::vector<uint64_t>{ids[4950]});
    CHECK(seek(p, L, k, eq(Value(int64_t{999999}))).empty());
    CHECK(seek(p, L, k, eq(Value("x"))).empty());
    // Changes: the old key no longer finds the node, the new one does.
    p.set_node_property(ids[10], k, Value(int64_t{777777}));
    CHECK(seek(p, L, k, eq(Value(int64_t{10}))).empty());
    CHECK(seek(p, L, k, eq(Value(int64_t{777777}))) == std::vector<uint64_t>{ids[10]});
    p.set_node_property(ids[11], k, Value());
    CHECK(seek(p, L, k, eq(Value(int64_t{11}))).empty());
}

TEST_CASE("an equality seek says when its hits need no second comparison; warm-ups change nothing",
          "[storage][index]") {
    Catalog cat;
    Partition p(1, 2, cat);  // odd ids only
    const uint32_t L = cat.intern(Kind::Label, "L");
    const uint32_t k = cat.intern(Kind::Key, "p");
    auto def = range_def("i", "L", {"p"});
    REQUIRE(cat.indexes().create(def, false));
    p.sync_indexes();
    std::vector<Value> values = {Value(int64_t{1}), Value(2.0), Value("s"), Value(std::nan("")),
                                 Value(List{Value(int64_t{1})})};
    for (const auto& v : values) {
        uint64_t id = p.create_node();
        p.add_label(id, L);
        p.set_node_property(id, k, v);
    }
    uint32_t keys[] = {k};
    auto exact_of = [&](const Value& v, size_t& hits) {
        std::vector<uint64_t> out;
        bool exact = true;
        REQUIRE(p.index_seek(L, keys, eq(v), out, &exact));
        hits = out.size();
        return exact;
    };
    size_t hits = 0;
    CHECK(exact_of(Value(int64_t{1}), hits));  // int against int
    CHECK(hits == 1);
    CHECK(exact_of(Value("s"), hits));  // string against string
    CHECK(hits == 1);
    CHECK(exact_of(Value(int64_t{7}), hits));  // nothing found: nothing to compare
    CHECK(hits == 0);
    CHECK_FALSE(exact_of(Value(1.0), hits));  // 1.0 finds 1: `=` agrees, but not by kind
    CHECK(hits == 1);
    CHECK_FALSE(exact_of(Value(int64_t{2}), hits));  // finds 2.0
    CHECK(hits == 1);
    CHECK_FALSE(exact_of(Value(std::nan("")), hits));  // NaN finds NaN; `=` rejects it
    CHECK(hits == 1);
    CHECK_FALSE(exact_of(Value(List{Value(int64_t{1})}), hits));  // ordered path
    CHECK(hits == 1);

    // Warm-ups take anything (unknown values, foreign and unknown ids) and change nothing.
    std::vector<Value> probe = {Value(int64_t{1}), Value(), Value("zz"), Value(2.0), Value(true)};
    p.prefetch_equal_seeks(L, keys, probe);
    p.prefetch_equal_seeks(L + 7, keys, probe);  // no such index
    std::vector<uint64_t> nodes = {1, 2, 3, 5, 7, 9, 1001, 1u << 30};
    p.prefetch_in_edges(nodes);
    CHECK(seek(p, L, k, eq(Value(int64_t{1}))).size() == 1);
    CHECK(p.node_count() == values.size());
}
