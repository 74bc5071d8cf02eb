// Round trips of every Value kind, mutations and fetch requests through the flatbuffer
// codec of the actors, and rejection of corrupted buffers with lora::Error.
#include "lora/actors/codec.hpp"

#include <catch2/catch.hpp>
#include <lora/error.hpp>
#include <lora/value.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace lora;
using actors::Payload;

// Exact structural comparison, stricter than operator==: float bits (NaN, -0.0), whether an
// entity is attached, and every id field.
bool same(const Value& a, const Value& b);

bool same_map(const Map& a, const Map& b) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
        if (ia->first != ib->first || !same(ia->second, ib->second)) return false;
    return true;
}

bool same_node(const Node& a, const Node& b) {
    if (a.id != b.id || !a.data != !b.data) return false;
    return !a.data ||
           (a.data->labels == b.data->labels && same_map(a.data->properties, b.data->properties));
}

bool same_rel(const Relationship& a, const Relationship& b) {
    if (a.id != b.id || a.start != b.start || a.end != b.end || a.type_id != b.type_id)
        return false;
    if (!a.data != !b.data) return false;
    return !a.data ||
           (a.data->type == b.data->type && same_map(a.data->properties, b.data->properties));
}

bool same(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case ValueKind::Null: return true;
        case ValueKind::Bool: return a.as_bool() == b.as_bool();
        case ValueKind::Int: return a.as_int() == b.as_int();
        case ValueKind::Float: {
            double x = a.as_float(), y = b.as_float();
            return std::memcmp(&x, &y, sizeof x) == 0;
        }
        case ValueKind::String: return a.as_string() == b.as_string();
        case ValueKind::List: {
            const auto& x = a.as_list();
            const auto& y = b.as_list();
            if (x.size() != y.size()) return false;
            for (size_t i = 0; i < x.size(); ++i)
                if (!same(x[i], y[i])) return false;
            return true;
        }
        case ValueKind::Map: return same_map(a.as_map(), b.as_map());
        case ValueKind::Node: return same_node(a.as_node(), b.as_node());
        case ValueKind::Relationship: return same_rel(a.as_relationship(), b.as_relationship());
        case ValueKind::Vector: return a.as_vector().coords == b.as_vector().coords;
        case ValueKind::Date:
        case ValueKind::LocalTime:
        case ValueKind::Time:
        case ValueKind::LocalDateTime:
        case ValueKind::DateTime:
        case ValueKind::Duration: return a == b;  // every field
        case ValueKind::Path: {
            const auto& x = a.as_path();
            const auto& y = b.as_path();
            if (x.nodes.size() != y.nodes.size() || x.rels.size() != y.rels.size()) return false;
            for (size_t i = 0; i < x.nodes.size(); ++i)
                if (!same_node(x.nodes[i], y.nodes[i])) return false;
            for (size_t i = 0; i < x.rels.size(); ++i)
                if (!same_rel(x.rels[i], y.rels[i])) return false;
            return true;
        }
    }
    return false;
}

Node attached_node(uint64_t id, std::vector<std::string> labels, Map props) {
    auto d = std::make_shared<NodeData>();
    d->labels = std::move(labels);
    d->properties = std::move(props);
    return Node{id, d};
}

Relationship attached_rel(uint64_t id, uint64_t s, uint64_t e, uint32_t type_id, std::string type,
                          Map props) {
    auto d = std::make_shared<RelData>();
    d->type = std::move(type);
    d->properties = std::move(props);
    return Relationship{id, s, e, type_id, d};
}

const char kOddString[] = "with\0nul and unicode \xc3\xa9\xe2\x82\xac";

std::vector<Value> sample_values() {
    Node a =
        attached_node(7, {"Person", "Emp loyee"}, {{"name", Value("Ann")}, {"age", Value(42)}});
    Node b = Node{1ull << 40, nullptr};
    Node c = attached_node(9, {}, {});
    Relationship r1 = attached_rel(100, 7, 1ull << 40, 3, "KNOWS", {{"since", Value(1999)}});
    Relationship r2 = Relationship{101, 9, 1ull << 40, 4, nullptr};
    Path p{{a, b, c}, {r1, r2}};  // r2 points backwards relative to the path order
    Path single{{c}, {}};
    return {
        Value(),
        Value(true),
        Value(false),
        Value(int64_t{0}),
        Value(std::numeric_limits<int64_t>::min()),
        Value(std::numeric_limits<int64_t>::max()),
        Value(3.25),
        Value(std::numeric_limits<double>::quiet_NaN()),
        Value(std::numeric_limits<double>::infinity()),
        Value(std::numeric_limits<double>::denorm_min()),
        Value(""),
        Value(std::string(kOddString, sizeof kOddString - 1)),
        Value(List{}),
        Value(List{Value(1), Value("a"), Value(), Value(List{Value(List{Value(2.5)})})}),
        Value(Map{}),
        Value(Map{{"k", Value(1)},
                  {"", Value("empty key")},
                  {"nested", Value(Map{{"l", Value(List{Value(Map{})})}})}}),
        Value(a),
        Value(b),
        Value(c),
        Value(r1),
        Value(r2),
        Value(p),
        Value(single),
        Value(List{Value(a), Value(r1), Value(p), Value(Map{{"n", Value(b)}})}),
        Value(Vector{{0.1f, -0.0f, 3e38f, -1e-45f}}),
        Value(Vector{std::vector<float>(kMaxVectorDimension, 0.5f)}),
        Value(List{Value(Vector{{1.0f}}), Value(Map{{"v", Value(Vector{{2.0f, 3.0f}})}})}),
        Value(Date{-719528}),
        Value(LocalTime{86'399'999'999'999}),
        Value(Time{0, -18 * 3600}),
        Value(LocalDateTime{-62'135'596'800, 999'999'999}),
        Value(DateTime{1'437'507'632, 142'000'000, 7200, "Europe/Stockholm"}),
        Value(DateTime{0, 1, -(2 * 3600 + 5 * 60 + 7), ""}),
        Value(Duration{-14, 3, -1, 999'999'999}),
        Value(List{Value(Date{1}), Value(Map{{"d", Value(Duration{1, 2, 3, 4})}})}),
    };
}

std::vector<uint8_t> bytes_of(const Payload& p) { return {p.data(), p.data() + p.size()}; }

Payload payload_of(std::vector<uint8_t> bytes) {
    auto owner = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
    const uint8_t* data = owner->data();
    size_t size = owner->size();
    return Payload(owner, data, size);
}

}  // namespace

TEST_CASE("every value kind survives encode_rows/decode_rows", "[engine][codec]") {
    auto values = sample_values();
    for (size_t i = 0; i < values.size(); ++i) {
        INFO("value " << i << ": " << values[i].to_string());
        std::vector<exec::Row> rows{{values[i]}};
        auto d = actors::decode_rows(actors::encode_rows(42, 3, 1, rows));
        CHECK(d.query == 42);
        CHECK(d.step == 3);
        REQUIRE(d.rows.size() == 1);
        REQUIRE(d.rows[0].size() == 1);
        CHECK(same(d.rows[0][0], values[i]));
        CHECK(d.rows[0][0].to_string() == values[i].to_string());
    }
}

TEST_CASE("negative zero keeps its sign through the codec", "[engine][codec]") {
    // flatbuffers skips a field equal to its default, and -0.0 == 0.0.
    auto d = actors::decode_rows(actors::encode_rows(1, 1, 1, {{Value(-0.0)}}));
    REQUIRE(d.rows.size() == 1);
    CHECK(d.rows[0][0].to_string() == "-0.0");
    CHECK(std::signbit(d.rows[0][0].as_float()));
}

TEST_CASE("a batch of many wide rows keeps row boundaries and order", "[engine][codec]") {
    auto values = sample_values();
    const uint32_t width = 5;
    std::vector<exec::Row> rows;
    for (size_t r = 0; r < 300; ++r) {
        exec::Row row;
        for (uint32_t c = 0; c < width; ++c) row.push_back(values[(r * width + c) % values.size()]);
        rows.push_back(row);
    }
    auto d = actors::decode_rows(
        actors::encode_rows(std::numeric_limits<uint64_t>::max(), 0, width, rows));
    CHECK(d.query == std::numeric_limits<uint64_t>::max());
    REQUIRE(d.rows.size() == rows.size());
    for (size_t r = 0; r < rows.size(); ++r) {
        REQUIRE(d.rows[r].size() == width);
        for (uint32_t c = 0; c < width; ++c) CHECK(same(d.rows[r][c], rows[r][c]));
    }
}

TEST_CASE("an empty batch round trips", "[engine][codec]") {
    auto d = actors::decode_rows(actors::encode_rows(1, 2, 4, {}));
    CHECK(d.query == 1);
    CHECK(d.step == 2);
    CHECK(d.rows.empty());
}

TEST_CASE("mutations round trip", "[engine][codec]") {
    using K = exec::Mutation::Kind;
    std::vector<exec::Mutation> ms{
        {K::AddInEdge, 1, 2, 3, 4},
        {K::RemoveInEdge, std::numeric_limits<uint64_t>::max(), 0, 7, 0},
        {K::DeleteRel, 0, 1ull << 63, 0, std::numeric_limits<uint32_t>::max()},
    };
    auto back = actors::decode_mutations(actors::encode_mutations(5, ms));
    REQUIRE(back.size() == ms.size());
    for (size_t i = 0; i < ms.size(); ++i) {
        CHECK(back[i].kind == ms[i].kind);
        CHECK(back[i].node == ms[i].node);
        CHECK(back[i].rel == ms[i].rel);
        CHECK(back[i].other == ms[i].other);
        CHECK(back[i].type == ms[i].type);
    }
    CHECK(actors::decode_mutations(actors::encode_mutations(5, {})).empty());
}

TEST_CASE("fetch requests and fetched values round trip", "[engine][codec]") {
    std::vector<uint64_t> nodes{0, 5, 1ull << 50}, rels{9, 9, 3};
    std::vector<uint64_t> n2{123}, r2{456};  // must be replaced, not appended to
    actors::decode_fetch_request(actors::encode_fetch_request(nodes, rels), n2, r2);
    CHECK(n2 == nodes);
    CHECK(r2 == rels);
    std::vector<uint64_t> e1{1}, e2{2};
    actors::decode_fetch_request(actors::encode_fetch_request({}, {}), e1, e2);
    CHECK(e1.empty());
    CHECK(e2.empty());

    auto values = sample_values();
    auto back = actors::decode_values(actors::encode_values(values));
    REQUIRE(back.size() == values.size());
    for (size_t i = 0; i < values.size(); ++i) CHECK(same(back[i], values[i]));
}

TEST_CASE("corrupted buffers are rejected with lora::Error", "[engine][codec]") {
    CHECK_THROWS_AS(actors::decode_rows(Payload{}), Error);
    CHECK_THROWS_AS(actors::decode_rows(payload_of({1, 2, 3})), Error);
    CHECK_THROWS_AS(actors::decode_rows(payload_of(std::vector<uint8_t>(64, 0xff))), Error);
    CHECK_THROWS_AS(actors::decode_mutations(payload_of(std::vector<uint8_t>(64, 0xff))), Error);
    CHECK_THROWS_AS(actors::decode_values(payload_of(std::vector<uint8_t>(64, 0xff))), Error);
    std::vector<uint64_t> n, r;
    CHECK_THROWS_AS(actors::decode_fetch_request(payload_of(std::vector<uint8_t>(64, 0xff)), n, r),
                    Error);

    std::vector<exec::Row> rows;
    for (const auto& v : sample_values()) rows.push_back({v, Value(1)});
    auto good = bytes_of(actors::encode_rows(1, 1, 2, rows));

    // Every truncation either fails verification or (rarely) still decodes; never crashes.
    size_t rejected = 0;
    for (size_t len = 0; len < good.size(); len += 7) {
        std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(len));
        try {
            actors::decode_rows(payload_of(cut));
        } catch (const Error& e) {
            ++rejected;
            CHECK(e.type() == "DatabaseError");
        }
    }
    CHECK(rejected > 0);
    // Half a buffer loses the root table's vtable or vector ends: must be refused.
    CHECK_THROWS_AS(
        actors::decode_rows(payload_of(
            {good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2)})),
        Error);

    // Random byte flips: the codec must throw lora::Error or produce values, nothing else.
    std::mt19937_64 rng(99);
    for (int trial = 0; trial < 2000; ++trial) {
        auto bad = good;
        for (int k = 0; k < 3; ++k)
            bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
        try {
            auto d = actors::decode_rows(payload_of(bad));
            for (const auto& row : d.rows) (void)lora::Value(List(row)).to_string();
        } catch (const Error&) {}
    }
    SUCCEED("no crash on corrupted input");
}

// Found by fuzz_codec: the flatbuffers verifier checks offsets relative to the buffer and
// never that 8-byte vector elements are 8-byte aligned in memory, so a message 4 bytes off
// verified and was then read misaligned (undefined behaviour).
TEST_CASE("a message whose 8-byte vectors are misaligned is refused", "[engine][codec]") {
    auto misaligned = [](const Payload& p) {
        auto owner = std::shared_ptr<uint64_t[]>(new uint64_t[p.size() / 8 + 2]);
        auto* base = reinterpret_cast<uint8_t*>(owner.get()) + 4;
        std::memcpy(base, p.data(), p.size());
        return Payload(owner, base, p.size());
    };
    std::vector<uint64_t> n, r;
    const Payload fetch = actors::encode_fetch_request({1, 2, 3}, {4});
    CHECK_NOTHROW(actors::decode_fetch_request(payload_of(bytes_of(fetch)), n, r));
    CHECK_THROWS_AS(actors::decode_fetch_request(misaligned(fetch), n, r), Error);
    const Payload rows = actors::encode_rows(1, 1, 1, {{Value(int64_t{7})}, {Value(2.5)}});
    CHECK(actors::decode_rows(payload_of(bytes_of(rows))).rows.size() == 2);
    CHECK_THROWS_AS(actors::decode_rows(misaligned(rows)), Error);
    const Payload muts =
        actors::encode_mutations(1, {exec::Mutation{exec::Mutation::Kind::AddInEdge, 1, 2, 3, 4}});
    CHECK(actors::decode_mutations(payload_of(bytes_of(muts))).size() == 1);
    CHECK_THROWS_AS(actors::decode_mutations(misaligned(muts)), Error);
}

// Found by fuzz_codec: a batch's row width was trusted and reserved before any value was
// read, so 70 bytes asked for 2 GiB (width 0x34000000 over one value).
TEST_CASE("a row batch wider than its values is refused before any allocation", "[engine][codec]") {
    const std::vector<uint8_t> found = {
        0x04, 0x00, 0x00, 0x00, 0xfc, 0xff, 0xff, 0xff, 0x34, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x04, 0x00, 0x0c, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0xbc, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
        0x00, 0x00, 0x43, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfc, 0xff, 0xff, 0xff,
        0x34, 0x00, 0x00, 0x02, 0x04, 0x00, 0x00, 0x00, 0xfc, 0xff, 0xff, 0xff, 0x32, 0x00};
    CHECK_THROWS_AS(actors::decode_rows(payload_of(found)), Error);
    // A batch of width 2 with one row still decodes.
    auto two = actors::encode_rows(1, 1, 2, {{Value(int64_t{1}), Value(int64_t{2})}});
    CHECK(actors::decode_rows(payload_of(bytes_of(two))).rows.size() == 1);
}

TEST_CASE("a vector property survives the WAL redo encoding bit for bit",
          "[engine][codec][vector]") {
    exec::RedoOp set_node{};
    set_node.kind = exec::RedoOp::Kind::SetNodeProperty;
    set_node.id = 12;
    set_node.name = "embedding";
    set_node.value = Value(Vector{{0.1f, -0.0f, 1e-40f, 2.5f}});
    exec::RedoOp set_rel{};
    set_rel.kind = exec::RedoOp::Kind::SetRelProperty;
    set_rel.id = 13;
    set_rel.name = "w";
    set_rel.value = Value(Vector{std::vector<float>(1000, -7.0f)});
    auto p = actors::encode_redo(77, {set_node, set_rel});
    uint64_t txn = 0;
    auto ops = actors::decode_redo(p.data(), p.size(), &txn);
    CHECK(txn == 77);
    REQUIRE(ops.size() == 2);
    REQUIRE(ops[0].value.is_vector());
    const auto& c = ops[0].value.as_vector().coords;
    REQUIRE(c.size() == 4);
    CHECK(std::memcmp(c.data(), set_node.value.as_vector().coords.data(), 4 * sizeof(float)) == 0);
    CHECK(std::signbit(c[1]));
    CHECK(ops[1].value == set_rel.value);
    CHECK(ops[1].name == "w");
}

TEST_CASE("temporal properties survive the WAL redo encoding", "[engine][codec][temporal]") {
    exec::RedoOp set_node{};
    set_node.kind = exec::RedoOp::Kind::SetNodeProperty;
    set_node.id = 12;
    set_node.name = "at";
    set_node.value = Value(DateTime{-5'000'000'000, 7, 3600, "Europe/Paris"});
    exec::RedoOp set_rel{};
    set_rel.kind = exec::RedoOp::Kind::SetRelProperty;
    set_rel.id = 13;
    set_rel.name = "took";
    set_rel.value = Value(List{Value(Duration{1, -2, 3, 4}), Value(Time{5, -60})});
    auto p = actors::encode_redo(78, {set_node, set_rel});
    uint64_t txn = 0;
    auto ops = actors::decode_redo(p.data(), p.size(), &txn);
    REQUIRE(ops.size() == 2);
    CHECK(ops[0].value == set_node.value);
    CHECK(ops[0].value.as_date_time().zone == "Europe/Paris");
    CHECK(ops[1].value == set_rel.value);
}

TEST_CASE("a vector with a non-finite coordinate is a corrupt message", "[engine][codec][vector]") {
    auto good = bytes_of(actors::encode_rows(1, 1, 1, {{Value(Vector{{1.5f, 2.5f}})}}));
    // Find 2.5f in the buffer and turn it into NaN.
    const float two_and_half = 2.5f, nan = std::numeric_limits<float>::quiet_NaN();
    auto at = std::search(good.begin(), good.end(), reinterpret_cast<const uint8_t*>(&two_and_half),
                          reinterpret_cast<const uint8_t*>(&two_and_half) + sizeof(float));
    REQUIRE(at != good.end());
    std::memcpy(&*at, &nan, sizeof nan);
    try {
        actors::decode_rows(payload_of(good));
        FAIL("a NaN coordinate was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == "DatabaseError.CorruptMessage");
    }
}
