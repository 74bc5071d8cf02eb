// Bolt framing without sockets: chunking in any split, the version handshake (classic and
// manifest v1), and request decoding (unknown signatures, wrong field counts).
#include <lora/net/bolt/chunking.hpp>
#include <lora/net/bolt/handshake.hpp>
#include <lora/net/bolt/messages.hpp>
#include <lora/net/bolt/packstream.hpp>

#include <catch2/catch.hpp>
#include "net/bolt/bytes.hpp"

using namespace lora;
using namespace lora::net::bolt;
using lora::net::bolt::test::bytes;

namespace {

std::string proposals(std::initializer_list<std::array<int, 4>> p) {
    std::string s;
    for (const auto& v : p)
        for (int b : v) s.push_back(static_cast<char>(b));
    while (s.size() < 16) s.push_back(0);
    return s;
}

}  // namespace

TEST_CASE("chunking: messages of any size split into chunks of at most 65535", "[bolt][framing]") {
    for (size_t n : {1ul, 65535ul, 65536ul, 200000ul}) {
        std::string msg(n, 'm');
        msg[0] = 'a';
        msg[n - 1] = 'z';
        std::string wire;
        append_chunked(wire, msg);
        size_t chunks = (n + 65534) / 65535;
        CHECK(wire.size() == n + 2 * chunks + 2);
        CHECK(wire.substr(wire.size() - 2) == bytes({0, 0}));
        // Fed whole, byte by byte, and in odd pieces: the same single message.
        for (size_t piece : {wire.size(), size_t{1}, size_t{7}, size_t{65537}}) {
            Dechunker d(1u << 20);
            std::deque<std::string> out;
            for (size_t i = 0; i < wire.size(); i += piece)
                d.feed(std::string_view(wire).substr(i, piece), out);
            REQUIRE(out.size() == 1);
            CHECK(out[0] == msg);
            CHECK_FALSE(d.mid_message());
        }
    }
}

TEST_CASE("chunking: NOOP chunks, several messages, limits", "[bolt][framing]") {
    std::string wire = bytes({0, 0, 0, 0});  // keep-alive NOOPs
    append_chunked(wire, "one");
    wire += bytes({0, 0});
    append_chunked(wire, "two");
    Dechunker d(1024);
    std::deque<std::string> out;
    d.feed(wire, out);
    REQUIRE(out.size() == 2);
    CHECK(out[0] == "one");
    CHECK(out[1] == "two");

    Dechunker half(1024);
    half.feed(bytes({0x00, 0x05, 'a'}), out);
    CHECK(half.mid_message());

    Dechunker small(10);
    std::string big;
    append_chunked(big, std::string(11, 'x'));
    CHECK_THROWS_AS(small.feed(big, out), ProtocolError);
    // Two chunks that together pass the limit.
    Dechunker small2(10);
    CHECK_THROWS_AS(small2.feed(bytes({0, 6, 1, 2, 3, 4, 5, 6, 0, 6}), out), ProtocolError);
}

TEST_CASE("handshake: the first proposal we speak wins, ranges included", "[bolt][handshake]") {
    // neo4j-driver 5.x: 5.8..5.0 as a range, then 4.4..4.2, 4.1, 3.0.
    auto a = answer_proposals(proposals({{0, 8, 8, 5}, {0, 2, 4, 4}, {0, 0, 1, 4}, {0, 0, 0, 3}}));
    CHECK_FALSE(a.manifest);
    CHECK(a.version == Version{5, 8});
    CHECK(a.bytes == bytes({0, 0, 8, 5}));
    // A client newer than us: 5.12 down to 5.5 picks 5.8.
    a = answer_proposals(proposals({{0, 7, 12, 5}}));
    CHECK(a.version == Version{5, 8});
    // 4.4 only (neo4j-driver 4.4).
    a = answer_proposals(proposals({{0, 0, 4, 4}, {0, 0, 3, 4}, {0, 0, 0, 3}}));
    CHECK(a.version == Version{4, 4});
    CHECK(a.bytes == bytes({0, 0, 4, 4}));
    // Nothing we speak: 00 00 00 00.
    a = answer_proposals(proposals({{0, 0, 0, 3}, {0, 0, 3, 4}, {0, 0, 0, 6}}));
    CHECK(a.version == Version{});
    CHECK(a.bytes == bytes({0, 0, 0, 0}));
    a = answer_proposals(proposals({}));
    CHECK(a.bytes == bytes({0, 0, 0, 0}));
}

TEST_CASE("handshake: manifest v1 lists our versions and takes the client's pick",
          "[bolt][handshake]") {
    // neo4j-driver 6: 255.1, then 5.8..5.0, 4.4..4.2, 3.0.
    auto a =
        answer_proposals(proposals({{0, 0, 1, 255}, {0, 8, 8, 5}, {0, 2, 4, 4}, {0, 0, 0, 3}}));
    CHECK(a.manifest);
    CHECK(a.bytes == bytes({0, 0, 1, 255, 2, 0, 8, 8, 5, 0, 0, 4, 4, 0}));
    size_t used = 0;
    CHECK_FALSE(parse_manifest_choice(bytes({0, 0, 8}), used));
    CHECK_FALSE(parse_manifest_choice(bytes({0, 0, 8, 5}), used));
    auto v = parse_manifest_choice(bytes({0, 0, 8, 5, 0, 0xB0}), used);
    REQUIRE(v);
    CHECK(*v == Version{5, 8});
    CHECK(used == 5);
    // A multi-byte capabilities varint.
    v = parse_manifest_choice(bytes({0, 0, 4, 4, 0x81, 0x01}), used);
    REQUIRE(v);
    CHECK(*v == Version{4, 4});
    CHECK(used == 6);
    CHECK_FALSE(parse_manifest_choice(bytes({0, 0, 4, 4, 0x81}), used));
    CHECK_THROWS_AS(parse_manifest_choice(bytes({0, 0, 0, 0, 0}), used), ProtocolError);
    CHECK_THROWS_AS(parse_manifest_choice(bytes({0, 0, 0, 6, 0}), used), ProtocolError);
    std::string endless = bytes({0, 0, 8, 5});
    endless += std::string(12, static_cast<char>(0x80));
    CHECK_THROWS_AS(parse_manifest_choice(endless, used), ProtocolError);
}

TEST_CASE("requests: signatures and field counts are checked per version", "[bolt][messages]") {
    auto msg = [](uint8_t sig, std::initializer_list<Value> fields) {
        std::string out;
        Encoder e(out, true);
        e.struct_header(sig, static_cast<uint8_t>(fields.size()));
        for (const auto& f : fields) e.value(f);
        return out;
    };
    Version v58{5, 8}, v44{4, 4}, v50{5, 0};
    auto r = decode_request(msg(0x10, {Value("RETURN 1"), Value(Map{}), Value(Map{})}), v58);
    CHECK(r.signature == Signature::Run);
    CHECK(r.fields.size() == 3);
    CHECK(decode_request(msg(0x3F, {Value(Map{{"n", Value(10)}})}), v44).signature ==
          Signature::Pull);
    // LOGON exists from 5.1, TELEMETRY from 5.4.
    CHECK(decode_request(msg(0x6A, {Value(Map{})}), v58).signature == Signature::Logon);
    CHECK_THROWS_AS(decode_request(msg(0x6A, {Value(Map{})}), v50), ProtocolError);
    CHECK_THROWS_AS(decode_request(msg(0x54, {Value(1)}), v50), ProtocolError);
    // Unknown signature, wrong field count, trailing bytes, not a structure.
    CHECK_THROWS_AS(decode_request(msg(0x77, {}), v58), ProtocolError);
    CHECK_THROWS_AS(decode_request(msg(0x10, {Value("RETURN 1")}), v58), ProtocolError);
    CHECK_THROWS_AS(decode_request(msg(0x0F, {Value(1)}), v58), ProtocolError);
    CHECK_THROWS_AS(decode_request(msg(0x0F, {}) + "x", v58), ProtocolError);
    CHECK_THROWS_AS(decode_request(bytes({0x91, 0x01}), v58), ProtocolError);
    CHECK_THROWS_AS(decode_request(bytes({}), v58), ProtocolError);
    // A parameter lora has no type for: the request decodes, marked unsupported.
    std::string with_bytes = msg(0x10, {Value("RETURN $b")});
    with_bytes[0] = static_cast<char>(0xB3);
    with_bytes += bytes({0xA1, 0x81, 'b', 0xCC, 0x01, 0x00, 0xA0});
    auto u = decode_request(with_bytes, v58);
    CHECK(u.unsupported.has_value());
    CHECK(is_reset(msg(0x0F, {})));
    CHECK_FALSE(is_reset(msg(0x02, {})));
}

TEST_CASE("responses: failures carry code or neo4j_code by version", "[bolt][messages]") {
    Failure f{"Neo.ClientError.Statement.SyntaxError", "bad"};
    std::string old_wire, new_wire;
    write_failure(old_wire, f, Version{5, 6});
    write_failure(new_wire, f, Version{5, 8});
    auto body = [](const std::string& wire) {
        Dechunker d(1u << 20);
        std::deque<std::string> out;
        d.feed(wire, out);
        REQUIRE(out.size() == 1);
        Decoder dec(out[0]);
        size_t fields = 0;
        CHECK(dec.struct_header(fields) == 0x7F);
        CHECK(fields == 1);
        return dec.value().as_map();
    };
    auto o = body(old_wire);
    CHECK(o.at("code").as_string() == f.code);
    CHECK(o.at("message").as_string() == "bad");
    auto n = body(new_wire);
    CHECK(n.at("neo4j_code").as_string() == f.code);
    CHECK(n.at("gql_status").as_string() == "42001");
    CHECK(n.count("code") == 0);
}
