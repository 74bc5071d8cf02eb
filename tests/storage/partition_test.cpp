// Partition: id encoding, labels and the label index, properties, relationships across
// partitions, deletion rules, self-loops, snapshots, recovery and a 100k-node smoke test.
#include <lora/error.hpp>
#include <lora/storage/partition.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <iterator>
#include <memory>
#include <vector>

using lora::Value;
using lora::storage::Catalog;
using lora::storage::Edge;
using lora::storage::Partition;
using Kind = Catalog::Kind;

namespace {

std::vector<uint64_t> nodes_with_label(const Partition& p, uint32_t label) {
    std::vector<uint64_t> out;
    p.for_each_node_with_label(label, [&](uint64_t id) { out.push_back(id); });
    return out;
}

std::vector<uint64_t> all_nodes(const Partition& p) {
    std::vector<uint64_t> out;
    p.for_each_node([&](uint64_t id) { out.push_back(id); });
    return out;
}

}  // namespace

TEST_CASE("node and relationship ids encode the shard", "[partition]") {
    Catalog cat;
    for (uint32_t count : {1u, 2u, 3u, 8u, 13u}) {
        for (uint32_t index = 0; index < count; ++index) {
            Partition p(index, count, cat);
            CHECK(p.shard_index() == index);
            CHECK(p.shard_count() == count);
            for (uint64_t seq = 0; seq < 5; ++seq) {
                const uint64_t id = p.create_node();
                CHECK(id == seq * count + index);
                CHECK(id % count == index);
                CHECK(p.owns(id));
                CHECK(p.node_exists(id));
            }
            const uint64_t r0 = p.create_relationship(index, 0, index);
            const uint64_t r1 = p.create_relationship(index, 0, index);
            CHECK(r0 == index);
            CHECK(r1 == count + index);
            CHECK(p.relationship_exists(r1));
            // A foreign id is never "ours", whatever its local part.
            if (count > 1) {
                const uint64_t foreign = 2 * count + (index + 1) % count;
                CHECK_FALSE(p.owns(foreign));
                CHECK_FALSE(p.node_exists(foreign));
                CHECK_FALSE(p.relationship_exists(foreign));
            }
        }
    }
    CHECK_THROWS_AS(Partition(3, 3, cat), lora::Error);
    CHECK_THROWS_AS(Partition(0, 0, cat), lora::Error);
}

TEST_CASE("unknown and deleted ids never crash", "[partition]") {
    Catalog cat;
    Partition p(1, 4, cat);
    const uint64_t n = p.create_node();
    REQUIRE(p.delete_node(n));
    for (uint64_t id : {n, uint64_t{5}, uint64_t{401}, uint64_t{0}, ~uint64_t{0}}) {
        CHECK_FALSE(p.node_exists(id));
        CHECK_FALSE(p.add_label(id, 0));
        CHECK_FALSE(p.remove_label(id, 0));
        CHECK_FALSE(p.has_label(id, 0));
        CHECK(p.labels(id).empty());
        CHECK_FALSE(p.set_node_property(id, 0, Value(int64_t{1})));
        CHECK(p.node_property(id, 0) == nullptr);
        CHECK(p.node_properties(id).empty());
        CHECK_FALSE(p.clear_node_properties(id));
        CHECK_FALSE(p.delete_node(id));
        CHECK(p.degree(id) == 0);
        CHECK(p.out_edges(id).empty());
        CHECK(p.in_edges(id).empty());
        CHECK_FALSE(p.add_in_edge(id, 1, 0, 1));
        CHECK_FALSE(p.remove_in_edge(id, 1));
        CHECK(p.node_data(id) == nullptr);
        CHECK_FALSE(p.relationship_exists(id));
        CHECK_FALSE(p.relationship(id).has_value());
        CHECK_FALSE(p.delete_relationship(id));
        CHECK_FALSE(p.set_rel_property(id, 0, Value(int64_t{1})));
        CHECK(p.rel_property(id, 0) == nullptr);
        CHECK(p.rel_data(id) == nullptr);
        CHECK_THROWS_AS(p.create_relationship(id, 0, 1), lora::Error);
    }
    CHECK(p.node_count() == 0);
    CHECK(all_nodes(p).empty());
}

TEST_CASE("labels: add, remove, order, many labels", "[partition]") {
    Catalog cat;
    Partition p(0, 1, cat);
    const uint64_t n = p.create_node();
    CHECK(p.add_label(n, 5));
    CHECK(p.add_label(n, 2));
    CHECK_FALSE(p.add_label(n, 5));
    CHECK(p.has_label(n, 2));
    CHECK_FALSE(p.has_label(n, 3));
    CHECK(std::vector<uint32_t>(p.labels(n).begin(), p.labels(n).end()) ==
          std::vector<uint32_t>{5, 2});

    // Past the inline capacity and back.
    for (uint32_t l = 10; l < 20; ++l) CHECK(p.add_label(n, l));
    CHECK(p.labels(n).size() == 12);
    CHECK(p.has_label(n, 19));
    for (uint32_t l = 10; l < 20; ++l) CHECK(p.remove_label(n, l));
    CHECK(std::vector<uint32_t>(p.labels(n).begin(), p.labels(n).end()) ==
          std::vector<uint32_t>{5, 2});
    CHECK(p.remove_label(n, 5));
    CHECK_FALSE(p.remove_label(n, 5));
    CHECK(std::vector<uint32_t>(p.labels(n).begin(), p.labels(n).end()) ==
          std::vector<uint32_t>{2});
}

TEST_CASE("label index follows add, remove and delete", "[partition]") {
    Catalog cat;
    const uint32_t person = cat.intern(Kind::Label, "Person");
    const uint32_t city = cat.intern(Kind::Label, "City");
    Partition p(1, 3, cat);
    std::vector<uint64_t> ids;
    for (int i = 0; i < 10; ++i) ids.push_back(p.create_node());
    for (int i = 0; i < 10; i += 2) p.add_label(ids[i], person);
    p.add_label(ids[3], city);

    CHECK(nodes_with_label(p, person) ==
          std::vector<uint64_t>{ids[0], ids[2], ids[4], ids[6], ids[8]});
    CHECK(nodes_with_label(p, city) == std::vector<uint64_t>{ids[3]});
    CHECK(nodes_with_label(p, 99).empty());
    CHECK(p.label_count(person) == 5);

    // Out of order additions, removals, re-additions and deletes.
    p.add_label(ids[1], person);
    p.remove_label(ids[4], person);
    p.remove_label(ids[6], person);
    p.add_label(ids[6], person);
    REQUIRE(p.delete_node(ids[8]));
    p.remove_label(ids[3], city);
    CHECK(nodes_with_label(p, person) == std::vector<uint64_t>{ids[0], ids[1], ids[2], ids[6]});
    CHECK(nodes_with_label(p, city).empty());
    CHECK(p.label_count(person) == 4);

    // Early stop: returning false ends the scan.
    std::vector<uint64_t> first_two;
    p.for_each_node_with_label(person, [&](uint64_t id) {
        first_two.push_back(id);
        return first_two.size() < 2;
    });
    CHECK(first_two == std::vector<uint64_t>{ids[0], ids[1]});
}

TEST_CASE("label index stays exact under heavy churn", "[partition]") {
    Catalog cat;
    Partition p(0, 2, cat);
    std::vector<uint64_t> ids;
    for (int i = 0; i < 1000; ++i) ids.push_back(p.create_node());
    // Model: which nodes carry label 0.
    std::vector<bool> has(ids.size(), false);
    std::vector<bool> live(ids.size(), true);
    for (int round = 0; round < 5; ++round) {
        for (size_t i = 0; i < ids.size(); ++i) {
            if (!live[i]) continue;
            if ((i * 31 + round * 17) % 3 == 0) {
                CHECK(p.add_label(ids[i], 0) == !has[i]);
                has[i] = true;
            } else if ((i + round) % 4 == 0) {
                CHECK(p.remove_label(ids[i], 0) == has[i]);
                has[i] = false;
            }
        }
        for (size_t i = round; i < ids.size(); i += 97) {
            if (live[i]) {
                CHECK(p.delete_node(ids[i]));
                live[i] = false;
                has[i] = false;
            }
        }
    }
    std::vector<uint64_t> expected;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (has[i]) expected.push_back(ids[i]);
    }
    CHECK(nodes_with_label(p, 0) == expected);
    CHECK(p.label_count(0) == expected.size());
}

TEST_CASE("node properties: set, overwrite, remove via null, clear", "[partition]") {
    Catalog cat;
    const uint32_t name = cat.intern(Kind::Key, "name");
    const uint32_t age = cat.intern(Kind::Key, "age");
    const uint32_t tags = cat.intern(Kind::Key, "tags");
    Partition p(0, 1, cat);
    const uint64_t n = p.create_node();

    CHECK(p.set_node_property(n, name, Value("Ada")));
    CHECK(p.set_node_property(n, age, Value(int64_t{36})));
    CHECK_FALSE(p.set_node_property(n, age, Value(int64_t{36})));  // unchanged
    REQUIRE(p.node_property(n, name) != nullptr);
    CHECK(*p.node_property(n, name) == Value("Ada"));
    CHECK(p.set_node_property(n, age, Value(37.5)));  // overwrite with another type
    CHECK(*p.node_property(n, age) == Value(37.5));
    CHECK(p.set_node_property(n, tags, Value(lora::List{Value("a"), Value("b")})));

    auto props = p.node_properties(n);
    REQUIRE(props.size() == 3);
    CHECK(props[0].key == name);  // sorted by key id
    CHECK(props[1].key == age);
    CHECK(props[2].key == tags);

    CHECK(p.set_node_property(n, name, Value()));  // null removes
    CHECK(p.node_property(n, name) == nullptr);
    CHECK_FALSE(p.set_node_property(n, name, Value()));  // nothing to remove
    CHECK(p.node_properties(n).size() == 2);

    auto data = p.node_data(n);
    REQUIRE(data);
    CHECK(data->properties.size() == 2);
    CHECK(data->properties.at("age") == Value(37.5));
    CHECK(data->properties.at("tags").as_list().size() == 2);

    CHECK(p.clear_node_properties(n));
    CHECK(p.node_properties(n).empty());
    CHECK_FALSE(p.clear_node_properties(n));
    // The snapshot taken earlier is unaffected.
    CHECK(data->properties.size() == 2);
}

TEST_CASE("properties: many keys in any order stay sorted and findable", "[partition]") {
    Catalog cat;
    Partition p(0, 1, cat);
    const uint64_t n = p.create_node();
    for (uint32_t k : {7u, 3u, 9u, 1u, 5u, 0u, 8u, 2u, 6u, 4u}) {
        CHECK(p.set_node_property(n, k, Value(int64_t{k} * 10)));
    }
    auto props = p.node_properties(n);
    REQUIRE(props.size() == 10);
    for (uint32_t k = 0; k < 10; ++k) {
        CHECK(props[k].key == k);
        CHECK(props[k].value == Value(int64_t{k} * 10));
    }
    for (uint32_t k : {0u, 9u, 4u}) CHECK(p.set_node_property(n, k, Value()));
    CHECK(p.node_properties(n).size() == 7);
    CHECK(p.node_property(n, 4) == nullptr);
    REQUIRE(p.node_property(n, 5) != nullptr);
    CHECK(*p.node_property(n, 5) == Value(int64_t{50}));
    CHECK(*p.node_property(n, 8) == Value(int64_t{80}));
}

TEST_CASE("properties refuse values that cannot be stored", "[partition]") {
    Catalog cat;
    Partition p(0, 1, cat);
    const uint64_t n = p.create_node();
    CHECK_THROWS_AS(p.set_node_property(n, 0, Value(lora::Map{{"a", Value(int64_t{1})}})),
                    lora::Error);
    CHECK_THROWS_WITH(p.set_node_property(n, 0, Value(lora::List{Value(lora::List{})})),
                      Catch::Contains("property list"));
    CHECK_THROWS_AS(p.set_node_property(n, 0, Value(lora::List{Value(int64_t{1}), Value()})),
                    lora::Error);
    CHECK(p.node_properties(n).empty());
    CHECK(p.set_node_property(n, 0, Value(lora::List{})));  // an empty list is fine
}

TEST_CASE("relationships across two partitions", "[partition]") {
    Catalog cat;
    const uint32_t knows = cat.intern(Kind::Type, "KNOWS");
    const uint32_t since = cat.intern(Kind::Key, "since");
    Partition p0(0, 2, cat);
    Partition p1(1, 2, cat);
    const uint64_t a = p0.create_node();  // 0
    const uint64_t b = p1.create_node();  // 1
    REQUIRE(a == 0);
    REQUIRE(b == 1);

    const uint64_t r = p0.create_relationship(a, knows, b);
    CHECK(p0.owns(r));
    REQUIRE(p1.add_in_edge(b, r, knows, a));
    CHECK(p0.relationship_count() == 1);
    CHECK(p1.relationship_count() == 0);
    CHECK_FALSE(p1.relationship_exists(r));

    auto info = p0.relationship(r);
    REQUIRE(info);
    CHECK(info->start == a);
    CHECK(info->end == b);
    CHECK(info->type == knows);

    REQUIRE(p0.out_edges(a).size() == 1);
    const Edge out = p0.out_edges(a)[0];
    CHECK(out.rel == r);
    CHECK(out.other == b);
    CHECK(out.type == knows);
    CHECK(p0.in_edges(a).empty());
    REQUIRE(p1.in_edges(b).size() == 1);
    const Edge in = p1.in_edges(b)[0];
    CHECK(in.rel == r);
    CHECK(in.other == a);
    CHECK(in.type == knows);
    CHECK(p1.out_edges(b).empty());
    CHECK(p0.degree(a) == 1);
    CHECK(p1.degree(b) == 1);

    CHECK(p0.set_rel_property(r, since, Value(int64_t{1999})));
    REQUIRE(p0.rel_property(r, since) != nullptr);
    CHECK(*p0.rel_property(r, since) == Value(int64_t{1999}));
    auto data = p0.rel_data(r);
    REQUIRE(data);
    CHECK(data->type == "KNOWS");
    CHECK(data->properties.at("since") == Value(int64_t{1999}));

    // Neither node can be deleted while the relationship exists.
    CHECK_FALSE(p0.delete_node(a));
    CHECK_FALSE(p1.delete_node(b));
    CHECK(p0.node_exists(a));

    REQUIRE(p0.delete_relationship(r));
    CHECK_FALSE(p0.delete_relationship(r));
    CHECK(p0.out_edges(a).empty());
    CHECK(p1.degree(b) == 1);  // the in-entry is the caller's job at the end's shard
    CHECK(p1.remove_in_edge(b, r));
    CHECK_FALSE(p1.remove_in_edge(b, r));
    CHECK(p0.relationship_count() == 0);
    CHECK_FALSE(p0.relationship_exists(r));
    CHECK(p0.rel_property(r, since) == nullptr);

    CHECK(p0.delete_node(a));
    CHECK(p1.delete_node(b));
    CHECK(p0.node_count() == 0);
    CHECK(p1.node_count() == 0);
}

TEST_CASE("self-loop has an out- and an in-entry on the same node", "[partition]") {
    Catalog cat;
    Partition p(0, 1, cat);
    const uint64_t n = p.create_node();
    const uint64_t r = p.create_relationship(n, 3, n);
    REQUIRE(p.add_in_edge(n, r, 3, n));
    CHECK(p.degree(n) == 2);
    REQUIRE(p.out_edges(n).size() == 1);
    REQUIRE(p.in_edges(n).size() == 1);
    CHECK(p.out_edges(n)[0].rel == r);
    CHECK(p.out_edges(n)[0].other == n);
    CHECK(p.in_edges(n)[0].rel == r);
    CHECK(p.in_edges(n)[0].other == n);
    CHECK_FALSE(p.delete_node(n));
    REQUIRE(p.delete_relationship(r));
    CHECK(p.degree(n) == 1);
    REQUIRE(p.remove_in_edge(n, r));
    CHECK(p.degree(n) == 0);
    CHECK(p.delete_node(n));
}

TEST_CASE("adjacency keeps entries correct through growth and removals", "[partition]") {
    Catalog cat;
    Partition p(0, 1, cat);
    const uint64_t hub = p.create_node();
    std::vector<uint64_t> others;
    std::vector<uint64_t> outs;
    std::vector<uint64_t> ins;
    // Interleave outgoing and incoming entries so the two ends of the block grow together.
    for (int i = 0; i < 100; ++i) {
        const uint64_t o = p.create_node();
        others.push_back(o);
        const uint64_t r = p.create_relationship(hub, 1, o);
        outs.push_back(r);
        p.add_in_edge(o, r, 1, hub);
        const uint64_t r2 = p.create_relationship(o, 2, hub);
        ins.push_back(r2);
        p.add_in_edge(hub, r2, 2, o);
    }
    CHECK(p.degree(hub) == 200);
    auto out = p.out_edges(hub);
    REQUIRE(out.size() == 100);
    for (size_t i = 0; i < out.size(); ++i) {
        CHECK(out[i].rel == outs[i]);  // creation order
        CHECK(out[i].other == others[i]);
        CHECK(out[i].type == 1);
    }
    auto in = p.in_edges(hub);
    REQUIRE(in.size() == 100);
    for (size_t i = 0; i < in.size(); ++i) {
        CHECK(in[i].rel == ins[ins.size() - 1 - i]);  // newest first
        CHECK(in[i].other == others[others.size() - 1 - i]);
        CHECK(in[i].type == 2);
    }
    // Remove every third entry of each direction from the middle.
    for (size_t i = 0; i < 100; i += 3) {
        REQUIRE(p.delete_relationship(outs[i]));
        REQUIRE(p.remove_in_edge(others[i], outs[i]));
        REQUIRE(p.delete_relationship(ins[i]));
        REQUIRE(p.remove_in_edge(hub, ins[i]));
    }
    CHECK(p.out_edges(hub).size() == 66);
    CHECK(p.in_edges(hub).size() == 66);
    for (const Edge& e : p.out_edges(hub)) CHECK(p.relationship_exists(e.rel));
    for (const Edge& e : p.in_edges(hub)) {
        CHECK(p.relationship_exists(e.rel));
        CHECK(p.relationship(e.rel)->end == hub);
    }
    CHECK(p.relationship_count() == 132);
}

TEST_CASE("node snapshot resolves names", "[partition]") {
    Catalog cat;
    const uint32_t a = cat.intern(Kind::Label, "A");
    const uint32_t b = cat.intern(Kind::Label, "B");
    const uint32_t k = cat.intern(Kind::Key, "k");
    Partition p(0, 1, cat);
    const uint64_t n = p.create_node();
    p.add_label(n, b);
    p.add_label(n, a);
    p.set_node_property(n, k, Value("v"));
    auto data = p.node_data(n);
    REQUIRE(data);
    CHECK(data->labels == std::vector<std::string>{"B", "A"});
    CHECK(data->properties.at("k") == Value("v"));
}

TEST_CASE("scans visit live nodes and relationships in ascending id order", "[partition]") {
    Catalog cat;
    Partition p(2, 4, cat);
    std::vector<uint64_t> ids;
    for (int i = 0; i < 6; ++i) ids.push_back(p.create_node());
    p.delete_node(ids[1]);
    p.delete_node(ids[4]);
    CHECK(all_nodes(p) == std::vector<uint64_t>{ids[0], ids[2], ids[3], ids[5]});
    CHECK(p.node_count() == 4);

    const uint64_t r0 = p.create_relationship(ids[0], 0, 1);
    const uint64_t r1 = p.create_relationship(ids[2], 0, 3);
    const uint64_t r2 = p.create_relationship(ids[3], 0, 5);
    p.delete_relationship(r1);
    std::vector<uint64_t> rels;
    p.for_each_relationship([&](uint64_t r) { rels.push_back(r); });
    CHECK(rels == std::vector<uint64_t>{r0, r2});
}

TEST_CASE("recovery recreates records under their old ids", "[partition]") {
    Catalog cat;
    Partition p(1, 3, cat);
    p.restore_node(1);
    p.restore_node(10);  // local 3: locals 1 and 2 become tombstones
    CHECK(all_nodes(p) == std::vector<uint64_t>{1, 10});
    CHECK(p.next_node_id() == 13);
    CHECK(p.create_node() == 13);
    CHECK_THROWS_AS(p.restore_node(4), lora::Error);   // already passed
    CHECK_THROWS_AS(p.restore_node(15), lora::Error);  // another shard's id
    p.restore_relationship(7, 10, 0, 2);
    CHECK(p.relationship(7)->start == 10);
    CHECK(p.out_edges(10).size() == 1);
    CHECK_THROWS_AS(p.restore_relationship(13, 4, 0, 2), lora::Error);  // start not here
    CHECK(p.next_relationship_id() == 10);
}

TEST_CASE("100k nodes with labels, properties and relationships", "[partition]") {
    Catalog cat;
    const uint32_t person = cat.intern(Kind::Label, "Person");
    const uint32_t knows = cat.intern(Kind::Type, "KNOWS");
    const uint32_t id_key = cat.intern(Kind::Key, "id");
    Partition p(0, 1, cat);
    const size_t empty = p.memory_bytes();
    constexpr uint64_t kNodes = 100000;
    for (uint64_t i = 0; i < kNodes; ++i) {
        const uint64_t n = p.create_node();
        p.add_label(n, person);
        p.set_node_property(n, id_key, Value(static_cast<int64_t>(i)));
    }
    const size_t with_nodes = p.memory_bytes();
    for (uint64_t i = 0; i < kNodes; ++i) {
        const uint64_t end = (i * 7919 + 1) % kNodes;
        const uint64_t r = p.create_relationship(i, knows, end);
        p.add_in_edge(end, r, knows, i);
    }
    const size_t total = p.memory_bytes();
    CHECK(p.node_count() == kNodes);
    CHECK(p.relationship_count() == kNodes);
    CHECK(p.label_count(person) == kNodes);
    size_t degree_sum = 0;
    p.for_each_node([&](uint64_t n) { degree_sum += p.degree(n); });
    CHECK(degree_sum == 2 * kNodes);
    REQUIRE(p.node_property(4242, id_key) != nullptr);
    CHECK(*p.node_property(4242, id_key) == Value(int64_t{4242}));
    INFO("bytes per node (label + int property): " << double(with_nodes - empty) / kNodes
                                                   << "; bytes per node + relationship: "
                                                   << double(total - empty) / kNodes);
    CHECK(total > with_nodes);
    WARN("bytes per node (label + int property): " << double(with_nodes - empty) / kNodes
                                                   << "; bytes per node + relationship: "
                                                   << double(total - empty) / kNodes);
}

TEST_CASE("edge ranges work with standard algorithms", "[partition]") {
    static_assert(std::random_access_iterator<lora::storage::EdgeRange::iterator>);
    Catalog cat;
    Partition p(0, 1, cat);
    const uint64_t a = p.create_node();
    std::vector<uint64_t> rels;
    for (uint32_t t = 0; t < 5; ++t) {
        const uint64_t b = p.create_node();
        rels.push_back(p.create_relationship(a, t % 2, b));
    }
    const auto out = p.out_edges(a);
    CHECK(std::count_if(out.begin(), out.end(), [](const Edge& e) { return e.type == 1; }) == 2);
    CHECK(std::ranges::count_if(out, [](const Edge& e) { return e.type == 0; }) == 3);
    auto it = std::find_if(out.begin(), out.end(), [&](const Edge& e) { return e.rel == rels[3]; });
    REQUIRE(it != out.end());
    CHECK(it - out.begin() == 3);
    CHECK((*it).other == a + 4);
    CHECK(out.back().rel == rels[4]);
    CHECK(out.front().rel == rels[0]);
    std::vector<uint64_t> seen;
    for (const Edge& e : out) seen.push_back(e.rel);  // references to unpacked copies
    CHECK(seen == rels);
}
