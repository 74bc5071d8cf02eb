// Version negotiation, classic (four proposals) and manifest v1.
#include <lora/net/bolt/handshake.hpp>
#include <lora/net/bolt/packstream.hpp>

namespace lora::net::bolt {

namespace {

constexpr uint8_t kManifestMajor = 0xFF;
constexpr uint8_t kManifestV1 = 1;
constexpr Version kNewest{5, 8};

void put_version(std::string& out, Version v, uint8_t range) {
    out.push_back(0);
    out.push_back(static_cast<char>(range));
    out.push_back(static_cast<char>(v.minor));
    out.push_back(static_cast<char>(v.major));
}

}  // namespace

bool supported(Version v) {
    return (v.major == 4 && v.minor == 4) || (v.major == 5 && v.minor <= kNewest.minor);
}

HandshakeAnswer answer_proposals(std::string_view p) {
    HandshakeAnswer a;
    if (p.size() < 16) {
        a.bytes.assign(4, '\0');
        return a;
    }
    for (size_t i = 0; i < 4; ++i) {
        auto major = static_cast<uint8_t>(p[4 * i + 3]);
        auto minor = static_cast<uint8_t>(p[4 * i + 2]);
        if (major == kManifestMajor && minor == kManifestV1) {
            a.manifest = true;
            put_version(a.bytes, {kManifestMajor, kManifestV1}, 0);
            // Two ranges (5.8 down to 5.0, and 4.4), then no capabilities.
            a.bytes.push_back(2);
            put_version(a.bytes, kNewest, kNewest.minor);
            put_version(a.bytes, {4, 4}, 0);
            a.bytes.push_back(0);
            return a;
        }
    }
    // The first proposal (in the client's order of preference) with a version we speak;
    // within a range, the highest such minor version.
    for (size_t i = 0; i < 4; ++i) {
        auto major = static_cast<uint8_t>(p[4 * i + 3]);
        auto minor = static_cast<uint8_t>(p[4 * i + 2]);
        auto range = static_cast<uint8_t>(p[4 * i + 1]);
        for (int m = minor; m >= 0 && m >= minor - range; --m) {
            Version v{major, static_cast<uint8_t>(m)};
            if (supported(v)) {
                a.version = v;
                put_version(a.bytes, v, 0);
                return a;
            }
        }
    }
    a.bytes.assign(4, '\0');
    return a;
}

std::optional<Version> parse_manifest_choice(std::string_view bytes, size_t& consumed) {
    if (bytes.size() < 5) return std::nullopt;
    Version v{static_cast<uint8_t>(bytes[3]), static_cast<uint8_t>(bytes[2])};
    size_t i = 4;
    for (;; ++i) {
        if (i >= bytes.size()) return std::nullopt;
        if (i - 4 >= 10)
            throw ProtocolError("the capabilities varint of the handshake is too long");
        if ((static_cast<uint8_t>(bytes[i]) & 0x80) == 0) break;
    }
    consumed = i + 1;
    if (!supported(v))
        throw ProtocolError("the client picked Bolt " + std::to_string(v.major) + "." +
                            std::to_string(v.minor) + ", which was not offered");
    return v;
}

}  // namespace lora::net::bolt
