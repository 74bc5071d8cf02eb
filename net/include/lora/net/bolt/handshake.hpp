// Bolt version negotiation: the client sends the magic 60 60 B0 17 and four proposals (each
// a version with a range of minor versions below it); the server answers the version it
// picked, or, when the client proposes the manifest v1 (255.1), lists its own versions and
// lets the client pick (the negotiation of neo4j-driver 6 and Neo4j 5.23+).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lora::net::bolt {

struct Version {
    uint8_t major = 0;
    uint8_t minor = 0;
    friend bool operator==(Version, Version) = default;
};

inline constexpr std::array<uint8_t, 4> kMagic = {0x60, 0x60, 0xB0, 0x17};

// Bolt 4.4 and 5.0 to 5.8.
bool supported(Version v);

struct HandshakeAnswer {
    std::string bytes;      // what the server writes back
    Version version;        // the version picked; {0, 0} when none fits (the server then closes)
    bool manifest = false;  // the client must now pick from the listed versions
};

// Answers the 16 bytes of proposals that follow the magic. A manifest proposal wins over
// the others.
HandshakeAnswer answer_proposals(std::string_view proposals);

// The client's pick after a manifest: a 4-byte version, then its capabilities as a varint.
// Returns nullopt while `bytes` is incomplete, else the version and sets `consumed`. Throws
// ProtocolError for a version that was not offered (or none: 00 00 00 00) or an overlong
// varint.
std::optional<Version> parse_manifest_choice(std::string_view bytes, size_t& consumed);

}  // namespace lora::net::bolt
