// PackStream v2: the exact bytes of every marker at every size boundary, round trips of every
// lora value, and malformed input (truncated, sizes past the end, reserved markers, deep
// nesting, invalid UTF-8) answered with an error.
#include <lora/net/bolt/packstream.hpp>

#include <catch2/catch.hpp>
#include "net/bolt/bytes.hpp"

#include <cmath>
#include <limits>

using namespace lora;
using namespace lora::net::bolt;
using lora::net::bolt::test::bytes;

namespace {

std::string encode(const Value& v, bool element_ids = true) {
    std::string out;
    Encoder(out, element_ids).value(v);
    return out;
}

Value decode(const std::string& s) {
    Decoder d(s);
    Value v = d.value();
    REQUIRE(d.at_end());
    return v;
}

// Decodes one value, whatever follows it (for CHECK_THROWS_AS).
Value decode_any(const std::string& b) {
    Decoder d(b);
    return d.value();
}

// The marker and size bytes before the payload of an encoded string/list/map.
std::string head(const std::string& encoded, size_t n) { return encoded.substr(0, n); }

}  // namespace

TEST_CASE("packstream: null, booleans and floats", "[bolt][packstream]") {
    CHECK(encode(Value()) == bytes({0xC0}));
    CHECK(encode(Value(true)) == bytes({0xC3}));
    CHECK(encode(Value(false)) == bytes({0xC2}));
    CHECK(encode(Value(1.1)) == bytes({0xC1, 0x3F, 0xF1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A}));
    CHECK(encode(Value(-0.0)) == bytes({0xC1, 0x80, 0, 0, 0, 0, 0, 0, 0}));
    for (double d :
         {0.0, -1.5, 1e308, std::numeric_limits<double>::infinity(),
          -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::denorm_min()})
        CHECK(decode(encode(Value(d))).as_float() == d);
    CHECK(std::isnan(decode(encode(Value(std::nan("")))).as_float()));
    CHECK(decode(bytes({0xC0})).is_null());
    CHECK(decode(bytes({0xC3})).as_bool());
    CHECK_FALSE(decode(bytes({0xC2})).as_bool());
}

TEST_CASE("packstream: integers take the smallest form at every boundary", "[bolt][packstream]") {
    struct Case {
        int64_t v;
        std::string b;
    };
    const std::vector<Case> cases = {
        {0, bytes({0x00})},
        {127, bytes({0x7F})},
        {-1, bytes({0xFF})},
        {-16, bytes({0xF0})},
        {-17, bytes({0xC8, 0xEF})},
        {-128, bytes({0xC8, 0x80})},
        {128, bytes({0xC9, 0x00, 0x80})},
        {-129, bytes({0xC9, 0xFF, 0x7F})},
        {32767, bytes({0xC9, 0x7F, 0xFF})},
        {-32768, bytes({0xC9, 0x80, 0x00})},
        {32768, bytes({0xCA, 0x00, 0x00, 0x80, 0x00})},
        {-32769, bytes({0xCA, 0xFF, 0xFF, 0x7F, 0xFF})},
        {2147483647, bytes({0xCA, 0x7F, 0xFF, 0xFF, 0xFF})},
        {-2147483648LL, bytes({0xCA, 0x80, 0x00, 0x00, 0x00})},
        {2147483648LL, bytes({0xCB, 0, 0, 0, 0, 0x80, 0, 0, 0})},
        {-2147483649LL, bytes({0xCB, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF})},
        {std::numeric_limits<int64_t>::max(),
         bytes({0xCB, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})},
        {std::numeric_limits<int64_t>::min(), bytes({0xCB, 0x80, 0, 0, 0, 0, 0, 0, 0})},
    };
    for (const auto& c : cases) {
        INFO(c.v);
        CHECK(encode(Value(c.v)) == c.b);
        CHECK(decode(c.b).as_int() == c.v);
    }
    // Decoders take wider forms than needed too.
    CHECK(decode(bytes({0xC8, 0x05})).as_int() == 5);
    CHECK(decode(bytes({0xC9, 0x00, 0x05})).as_int() == 5);
    CHECK(decode(bytes({0xCA, 0, 0, 0, 0x05})).as_int() == 5);
    CHECK(decode(bytes({0xCB, 0, 0, 0, 0, 0, 0, 0, 0x05})).as_int() == 5);
}

TEST_CASE("packstream: strings at the tiny/8/16/32-bit size boundaries", "[bolt][packstream]") {
    CHECK(encode(Value("")) == bytes({0x80}));
    CHECK(encode(Value("A")) == bytes({0x81, 'A'}));
    struct Case {
        size_t n;
        std::string h;
    };
    const std::vector<Case> cases = {
        {15, bytes({0x8F})},
        {16, bytes({0xD0, 0x10})},
        {255, bytes({0xD0, 0xFF})},
        {256, bytes({0xD1, 0x01, 0x00})},
        {65535, bytes({0xD1, 0xFF, 0xFF})},
        {65536, bytes({0xD2, 0x00, 0x01, 0x00, 0x00})},
    };
    for (const auto& c : cases) {
        INFO(c.n);
        std::string s(c.n, 'x');
        std::string e = encode(Value(s));
        CHECK(head(e, c.h.size()) == c.h);
        CHECK(e.size() == c.h.size() + c.n);
        CHECK(decode(e).as_string() == s);
    }
    std::string utf8 = "Grüße, 日本, \xF0\x9F\x98\x80";
    CHECK(decode(encode(Value(utf8))).as_string() == utf8);
}

TEST_CASE("packstream: lists and maps at the size boundaries", "[bolt][packstream]") {
    CHECK(encode(Value(List{})) == bytes({0x90}));
    CHECK(encode(Value(Map{})) == bytes({0xA0}));
    CHECK(encode(Value(List{Value(1), Value(2)})) == bytes({0x92, 0x01, 0x02}));
    CHECK(encode(Value(Map{{"a", Value(1)}})) == bytes({0xA1, 0x81, 'a', 0x01}));
    struct Case {
        size_t n;
        std::string list_head, map_head;
    };
    const std::vector<Case> cases = {
        {15, bytes({0x9F}), bytes({0xAF})},
        {16, bytes({0xD4, 0x10}), bytes({0xD8, 0x10})},
        {255, bytes({0xD4, 0xFF}), bytes({0xD8, 0xFF})},
        {256, bytes({0xD5, 0x01, 0x00}), bytes({0xD9, 0x01, 0x00})},
        {65535, bytes({0xD5, 0xFF, 0xFF}), bytes({0xD9, 0xFF, 0xFF})},
        {65536, bytes({0xD6, 0x00, 0x01, 0x00, 0x00}), bytes({0xDA, 0x00, 0x01, 0x00, 0x00})},
    };
    for (const auto& c : cases) {
        INFO(c.n);
        List l(c.n, Value(int64_t{7}));
        std::string e = encode(Value(l));
        CHECK(head(e, c.list_head.size()) == c.list_head);
        CHECK(decode(e) == Value(l));
        Map m;
        for (size_t i = 0; i < c.n; ++i) m["k" + std::to_string(i)] = Value(int64_t(i));
        std::string em = encode(Value(m));
        CHECK(head(em, c.map_head.size()) == c.map_head);
        CHECK(decode(em) == Value(m));
    }
    // A repeated key: the last one wins.
    CHECK(decode(bytes({0xA2, 0x81, 'a', 0x01, 0x81, 'a', 0x02})) == Value(Map{{"a", Value(2)}}));
}

TEST_CASE("packstream: nested values round-trip", "[bolt][packstream]") {
    Value v(Map{{"list", Value(List{Value(1), Value("two"), Value(3.5), Value(), Value(true)})},
                {"map", Value(Map{{"inner", Value(List{Value(List{})})}})},
                {"big", Value(int64_t{1} << 40)}});
    CHECK(decode(encode(v)) == v);
}

TEST_CASE("packstream: temporal structures, datetimes in Bolt 5's UTC and 4.4's legacy forms",
          "[bolt][packstream][temporal]") {
    CHECK(encode(Value(lora::Date{1})) == bytes({0xB1, 0x44, 0x01}));
    CHECK(encode(Value(lora::LocalTime{5})) == bytes({0xB1, 0x74, 0x05}));
    CHECK(encode(Value(lora::Time{5, -60})) == bytes({0xB2, 0x54, 0x05, 0xC8, 0xC4}));
    CHECK(encode(Value(lora::LocalDateTime{3, 4})) == bytes({0xB2, 0x64, 0x03, 0x04}));
    CHECK(encode(Value(lora::Duration{1, 2, 3, 4})) == bytes({0xB4, 0x45, 0x01, 0x02, 0x03, 0x04}));
    // An offset: 'I' {UTC seconds, nanos, offset} in 5.x, 'F' {wall-clock seconds, ...} in 4.4.
    const Value off(lora::DateTime{10, 7, 60, ""});
    CHECK(encode(off, true) == bytes({0xB3, 0x49, 0x0A, 0x07, 0x3C}));
    CHECK(encode(off, false) == bytes({0xB3, 0x46, 0x46, 0x07, 0x3C}));
    // A zone id: 'i' / 'f' with the zone's name.
    const Value zoned(lora::DateTime{10, 0, 3600, "Europe/Paris"});
    const std::string z5 = encode(zoned, true);
    CHECK(z5.substr(0, 4) == bytes({0xB3, 0x69, 0x0A, 0x00}));
    CHECK(z5.substr(4) == bytes({0x8C}) + "Europe/Paris");
    CHECK(encode(zoned, false).substr(0, 5) == bytes({0xB3, 0x66, 0xC9, 0x0E, 0x1A}));
}

TEST_CASE("packstream: temporal structures decode in both forms, their fields checked",
          "[bolt][packstream][temporal]") {
    const std::vector<Value> values = {
        Value(lora::Date{-719528}),  // 0000-01-01
        Value(lora::LocalTime{86'399'999'999'999}),
        Value(lora::Time{5, -18 * 3600}),
        Value(lora::LocalDateTime{-62'135'596'800, 999'999'999}),
        Value(lora::DateTime{1'700'000'000, 5, -3600, ""}),
        Value(lora::DateTime{1'700'000'000, 0, 3600, "Europe/Paris"}),
        Value(lora::Duration{-14, 3, -5, 999'999'999}),
    };
    for (const auto& v : values) {
        INFO(v.to_string());
        CHECK(decode(encode(v, true)) == v);   // Bolt 5: datetimes at UTC seconds
        CHECK(decode(encode(v, false)) == v);  // Bolt 4.4: datetimes at wall-clock seconds
    }
    // A legacy zone-id datetime takes the zone's offset at that wall-clock time (+01:00 in
    // Paris in November).
    CHECK(decode(bytes({0xB3, 0x66, 0xCA, 0x65, 0x53, 0xF1, 0x00, 0x00, 0x8C}) + "Europe/Paris")
              .to_string() == "2023-11-14T22:13:20+01:00[Europe/Paris]");
    // Out of range, the wrong kinds or numbers of fields, an unknown zone: refused by name.
    auto refused = [](const std::string& b) {
        try {
            decode_any(b);
        } catch (const UnsupportedValue& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK(refused(bytes({0xB1, 0x44, 0xCB, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}))
              .find("past the years") != std::string::npos);
    CHECK(refused(bytes({0xB1, 0x74, 0xCB, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}))
              .find("nanoseconds of the day") != std::string::npos);
    CHECK(refused(bytes({0xB2, 0x54, 0x00, 0xCA, 0x00, 0x01, 0x00, 0x00})).find("offset") !=
          std::string::npos);
    CHECK(refused(bytes({0xB2, 0x64, 0x00, 0xCA, 0x3B, 0x9A, 0xCA, 0x00}))
              .find("nanoseconds of a second") != std::string::npos);
    CHECK(refused(bytes({0xB3, 0x69, 0x00, 0x00, 0x84}) + "Mars").find("'Mars'") !=
          std::string::npos);
    CHECK(refused(bytes({0xB1, 0x44, 0x81, 'x'})).find("not an INTEGER") != std::string::npos);
    CHECK(refused(bytes({0xB2, 0x44, 0x01, 0x02})).find("2 field(s), not 1") != std::string::npos);
    CHECK(refused(bytes({0xB4, 0x45, 0x00, 0x00, 0xCB, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                         0xFF, 0xCA, 0x3B, 0x9A, 0xCA, 0x00}))
              .find("64 bits") != std::string::npos);
}

TEST_CASE("packstream: nodes, relationships and paths (4.4 and 5.x)", "[bolt][packstream]") {
    Node a{5, std::make_shared<NodeData>(NodeData{{"Person"}, Map{{"name", Value("Ann")}}})};
    Node b{6, std::make_shared<NodeData>(NodeData{{}, Map{}})};
    Relationship r{9, 5, 6, 0, std::make_shared<RelData>(RelData{"KNOWS", Map{}})};

    std::string n5 = encode(Value(a), true);
    CHECK(n5 == bytes({0xB4, 0x4E, 0x05, 0x91, 0x86, 'P',  'e', 'r', 's', 'o',  'n', 0xA1,
                       0x84, 'n',  'a',  'm',  'e',  0x83, 'A', 'n', 'n', 0x81, '5'}));
    std::string n4 = encode(Value(a), false);
    CHECK(n4 == bytes({0xB3, 0x4E, 0x05, 0x91, 0x86, 'P', 'e',  'r', 's', 'o', 'n',
                       0xA1, 0x84, 'n',  'a',  'm',  'e', 0x83, 'A', 'n', 'n'}));
    CHECK(encode(Value(r), true) == bytes({0xB8, 0x52, 0x09, 0x05, 0x06, 0x85, 'K', 'N', 'O', 'W',
                                           'S', 0xA0, 0x81, '9', 0x81, '5', 0x81, '6'}));
    CHECK(encode(Value(r), false) ==
          bytes({0xB5, 0x52, 0x09, 0x05, 0x06, 0x85, 'K', 'N', 'O', 'W', 'S', 0xA0}));

    // b<-[r]-a walked from b: the relationship is taken backwards (index -1).
    Path p{{b, a}, {r}};
    std::string e = encode(Value(p), false);
    std::string tail =
        bytes({0x91, 0xB3, 0x72, 0x09, 0x85, 'K', 'N', 'O', 'W', 'S', 0xA0, 0x92, 0xFF, 0x01});
    CHECK(e.substr(0, 2) == bytes({0xB3, 0x50}));
    CHECK(e.substr(e.size() - tail.size()) == tail);
    Path forward{{a, b}, {r}};
    std::string f = encode(Value(forward), true);
    CHECK(f.substr(f.size() - 3) == bytes({0x92, 0x01, 0x01}));
}

TEST_CASE("packstream: a VECTOR is a list of floats", "[bolt][packstream]") {
    Value v(Vector{{1.0f, -2.5f}});
    CHECK(encode(v) ==
          bytes({0x92, 0xC1, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0xC1, 0xC0, 0x04, 0, 0, 0, 0, 0, 0}));
}

TEST_CASE("packstream: structure headers", "[bolt][packstream]") {
    std::string out;
    Encoder(out, true).struct_header(0x10, 3);
    CHECK(out == bytes({0xB3, 0x10}));
    Decoder d(out);
    size_t fields = 0;
    CHECK(d.struct_header(fields) == 0x10);
    CHECK(fields == 3);
    const std::string list = bytes({0x91, 0x01});
    Decoder notstruct(list);
    CHECK_THROWS_AS(notstruct.struct_header(fields), ProtocolError);
}

TEST_CASE("packstream: malformed input is an error, never a crash", "[bolt][packstream]") {
    const std::vector<std::string> bad = {
        bytes({}),                                    // nothing
        bytes({0xC1, 0x00, 0x00}),                    // float cut short
        bytes({0xC9, 0x01}),                          // int16 cut short
        bytes({0xCB, 0, 0, 0}),                       // int64 cut short
        bytes({0x85, 'a', 'b'}),                      // tiny string past the end
        bytes({0xD0}),                                // string8 without its size
        bytes({0xD0, 0x05, 'a'}),                     // string8 past the end
        bytes({0xD1, 0xFF, 0xFF, 'a'}),               // string16 past the end
        bytes({0xD2, 0xFF, 0xFF, 0xFF, 0xFF}),        // string32 of 4 GiB
        bytes({0x93, 0x01}),                          // list missing elements
        bytes({0xD6, 0x7F, 0xFF, 0xFF, 0xFF, 0x01}),  // list32 of 2^31 elements in 6 bytes
        bytes({0xDA, 0xFF, 0xFF, 0xFF, 0xFF}),        // map32 of 2^32-1 entries
        bytes({0xA1, 0x01, 0x01}),                    // map key not a string
        bytes({0xA1, 0x81, 'a'}),                     // map value missing
        bytes({0xC4}),
        bytes({0xC5}),
        bytes({0xC6}),
        bytes({0xC7}),  // reserved markers
        bytes({0xCF}),
        bytes({0xD3}),
        bytes({0xD7}),
        bytes({0xDB}),
        bytes({0xDC, 0x01}),
        bytes({0xDD, 0x00, 0x01}),
        bytes({0xDF}),
        bytes({0xE0}),
        bytes({0xEF}),
        bytes({0x82, 0xC3, 0x28}),        // invalid UTF-8
        bytes({0x82, 0xC0, 0x80}),        // overlong encoding
        bytes({0x83, 0xED, 0xA0, 0x80}),  // a surrogate
        bytes({0x81, 0xE2}),              // truncated sequence
    };
    for (const auto& b : bad) {
        INFO(b.size());
        Decoder d(b);
        CHECK_THROWS_AS(d.value(), ProtocolError);
    }
}

TEST_CASE("packstream: nesting is bounded by kMaxValueNesting", "[bolt][packstream]") {
    auto nested = [](size_t depth) {
        std::string s(depth, static_cast<char>(0x91));
        s.push_back(0x01);
        return s;
    };
    Value ok = decode(nested(kMaxValueNesting));
    CHECK(ok.nesting() == kMaxValueNesting);
    const std::string too_deep = nested(kMaxValueNesting + 1);
    Decoder deep(too_deep);
    CHECK_THROWS_AS(deep.value(), ProtocolError);
    // Far deeper than any stack would take if the decoder recursed without a bound.
    const std::string far_too_deep = nested(10'000'000);
    Decoder very_deep(far_too_deep);
    CHECK_THROWS_AS(very_deep.value(), ProtocolError);
    std::string maps;
    for (size_t i = 0; i <= kMaxValueNesting; ++i) maps += bytes({0xA1, 0x81, 'k'});
    maps.push_back(0x01);
    Decoder deep_maps(maps);
    CHECK_THROWS_AS(deep_maps.value(), ProtocolError);
}

TEST_CASE("packstream: bytes and structures are refused as values", "[bolt][packstream]") {
    CHECK_THROWS_AS(decode_any(bytes({0xCC, 0x02, 0x01, 0x02})), UnsupportedValue);
    CHECK_THROWS_AS(decode_any(bytes({0xCD, 0x00, 0x01, 0x01})), UnsupportedValue);
    CHECK_THROWS_AS(decode_any(bytes({0xCE, 0x00, 0x00, 0x00, 0x01, 0x01})), UnsupportedValue);
    CHECK_THROWS_AS(decode_any(bytes({0xCC, 0x05, 0x01})), ProtocolError);
    // A Point2D structure (0x58) as a parameter.
    CHECK_THROWS_AS(decode_any(bytes({0xB3, 0x58, 0xC9, 0x1C, 0x23, 0x01, 0x02})),
                    UnsupportedValue);
}

TEST_CASE("packstream: a client decodes nodes, relationships and paths", "[bolt][packstream]") {
    Node a{5, std::make_shared<NodeData>(NodeData{{"Person", "X"}, Map{{"name", Value("Ann")}}})};
    Node b{6, std::make_shared<NodeData>(NodeData{{}, Map{}})};
    Node c{7, std::make_shared<NodeData>(NodeData{{"C"}, Map{}})};
    Relationship r{9, 5, 6, 0, std::make_shared<RelData>(RelData{"KNOWS", Map{{"w", Value(2)}}})};
    Relationship s{10, 7, 6, 0, std::make_shared<RelData>(RelData{"SEES", Map{}})};
    for (bool element_ids : {false, true}) {
        INFO("element ids: " << element_ids);
        std::string bytes_out = encode(Value(List{Value(a), Value(r)}), element_ids);
        Decoder d(bytes_out, true);
        List l = d.value().as_list();
        CHECK(d.at_end());
        REQUIRE(l.size() == 2);
        const Node& n = l[0].as_node();
        CHECK(n.id == 5);
        CHECK(n.data->labels == std::vector<std::string>{"Person", "X"});
        CHECK(n.data->properties.at("name") == Value("Ann"));
        const Relationship& rel = l[1].as_relationship();
        CHECK(rel.id == 9);
        CHECK(rel.start == 5);
        CHECK(rel.end == 6);
        CHECK(rel.data->type == "KNOWS");
        CHECK(rel.data->properties.at("w") == Value(2));

        // a-[r]->b<-[s]-c: the second step walks s backwards.
        std::string p_bytes = encode(Value(Path{{a, b, c}, {r, s}}), element_ids);
        Decoder pd(p_bytes, true);
        Path p = pd.value().as_path();
        REQUIRE(p.nodes.size() == 3);
        REQUIRE(p.rels.size() == 2);
        CHECK(p.nodes[2].id == 7);
        CHECK(p.nodes[2].data->labels == std::vector<std::string>{"C"});
        CHECK((p.rels[0].start == 5 && p.rels[0].end == 6));
        CHECK((p.rels[1].start == 7 && p.rels[1].end == 6));
        CHECK(p.rels[1].data->type == "SEES");
    }
    // A server's decoder still takes no graph value from a client.
    CHECK_THROWS_AS(decode_any(encode(Value(a))), UnsupportedValue);
}

TEST_CASE("packstream: malformed graph values are protocol errors", "[bolt][packstream]") {
    auto decode_graph = [](const std::string& b) {
        Decoder d(b, true);
        return d.value();
    };
    // A node whose labels are not a list, with too few fields, a path stepping past its lists.
    CHECK_THROWS_AS(decode_graph(bytes({0xB3, 0x4E, 0x01, 0x01, 0xA0})), ProtocolError);
    CHECK_THROWS_AS(decode_graph(bytes({0xB2, 0x4E, 0x01, 0x90})), ProtocolError);
    std::string node = bytes({0xB3, 0x4E, 0x01, 0x90, 0xA0});
    std::string rel = bytes({0xB3, 0x72, 0x02, 0x81, 'R', 0xA0});
    CHECK_THROWS_AS(decode_graph(bytes({0xB3, 0x50, 0x91}) + node + bytes({0x91}) + rel +
                                 bytes({0x92, 0x02, 0x01})),
                    ProtocolError);
    CHECK_THROWS_AS(decode_graph(bytes({0xB3, 0x50, 0x91}) + node + bytes({0x91}) + rel +
                                 bytes({0x92, 0x01, 0x05})),
                    ProtocolError);
    CHECK_THROWS_AS(decode_graph(bytes({0xB3, 0x50, 0x90, 0x90, 0x90})), ProtocolError);
    // A structure lora has no type for (a Point2D) is unsupported, not malformed.
    CHECK_THROWS_AS(decode_graph(bytes({0xB3, 0x58, 0xC9, 0x1C, 0x23, 0x01, 0x02})),
                    UnsupportedValue);
}
