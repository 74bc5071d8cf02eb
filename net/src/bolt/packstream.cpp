// PackStream v2 markers: tiny forms hold the size (or value) in the marker's low nibble;
// larger sizes follow as big-endian 8/16/32-bit unsigned integers.
#include <lora/net/bolt/packstream.hpp>

#include <lora/error.hpp>

#include "temporal_structs.hpp"

#include <bit>
#include <cstring>
#include <limits>

namespace lora::net::bolt {

namespace {

constexpr uint8_t kNull = 0xC0, kFloat = 0xC1, kFalse = 0xC2, kTrue = 0xC3;
constexpr uint8_t kInt8 = 0xC8, kInt16 = 0xC9, kInt32 = 0xCA, kInt64 = 0xCB;
constexpr uint8_t kBytes8 = 0xCC, kBytes16 = 0xCD, kBytes32 = 0xCE;
constexpr uint8_t kString8 = 0xD0, kString16 = 0xD1, kString32 = 0xD2;
constexpr uint8_t kList8 = 0xD4, kList16 = 0xD5, kList32 = 0xD6;
constexpr uint8_t kMap8 = 0xD8, kMap16 = 0xD9, kMap32 = 0xDA;
constexpr uint8_t kTinyString = 0x80, kTinyList = 0x90, kTinyMap = 0xA0, kTinyStruct = 0xB0;

void put_be(std::string& out, uint64_t v, size_t bytes) {
    for (size_t i = bytes; i-- > 0;) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Well-formed UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t n;
        uint32_t cp;
        if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;
        for (size_t k = 1; k <= n; ++k) {
            auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3F);
        }
        static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
        if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n + 1;
    }
    return true;
}

std::string hex(uint8_t b) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    return std::string("0x") + kDigits[b >> 4] + kDigits[b & 0xF];
}

}  // namespace

// ---- Encoder ---------------------------------------------------------------------------

void Encoder::null() { out_.push_back(static_cast<char>(kNull)); }

void Encoder::boolean(bool b) { out_.push_back(static_cast<char>(b ? kTrue : kFalse)); }

void Encoder::integer(int64_t v) {
    if (v >= -16 && v <= 127) {
        out_.push_back(static_cast<char>(static_cast<int8_t>(v)));
    } else if (v >= std::numeric_limits<int8_t>::min() && v <= std::numeric_limits<int8_t>::max()) {
        out_.push_back(static_cast<char>(kInt8));
        put_be(out_, static_cast<uint64_t>(v), 1);
    } else if (v >= std::numeric_limits<int16_t>::min() &&
               v <= std::numeric_limits<int16_t>::max()) {
        out_.push_back(static_cast<char>(kInt16));
        put_be(out_, static_cast<uint64_t>(v), 2);
    } else if (v >= std::numeric_limits<int32_t>::min() &&
               v <= std::numeric_limits<int32_t>::max()) {
        out_.push_back(static_cast<char>(kInt32));
        put_be(out_, static_cast<uint64_t>(v), 4);
    } else {
        out_.push_back(static_cast<char>(kInt64));
        put_be(out_, static_cast<uint64_t>(v), 8);
    }
}

void Encoder::floating(double v) {
    out_.push_back(static_cast<char>(kFloat));
    put_be(out_, std::bit_cast<uint64_t>(v), 8);
}

void Encoder::sized(size_t size, uint8_t tiny, uint8_t m8, uint8_t m16, uint8_t m32) {
    if (size < 16 && tiny != 0) {
        out_.push_back(static_cast<char>(tiny | size));
    } else if (size <= 0xFF) {
        out_.push_back(static_cast<char>(m8));
        put_be(out_, size, 1);
    } else if (size <= 0xFFFF) {
        out_.push_back(static_cast<char>(m16));
        put_be(out_, size, 2);
    } else if (size <= 0xFFFFFFFFu) {
        out_.push_back(static_cast<char>(m32));
        put_be(out_, size, 4);
    } else {
        // No lora value reaches 4 GiB in one string or 2^32 elements in one collection.
        throw ProtocolError("a value of " + std::to_string(size) +
                            " elements or bytes does not fit PackStream");
    }
}

void Encoder::string(std::string_view s) {
    sized(s.size(), kTinyString, kString8, kString16, kString32);
    out_.append(s);
}

void Encoder::list_header(size_t size) { sized(size, kTinyList, kList8, kList16, kList32); }

void Encoder::map_header(size_t size) { sized(size, kTinyMap, kMap8, kMap16, kMap32); }

void Encoder::struct_header(uint8_t signature, uint8_t fields) {
    out_.push_back(static_cast<char>(kTinyStruct | (fields & 0x0F)));
    out_.push_back(static_cast<char>(signature));
}

void Encoder::map(const Map& m) {
    map_header(m.size());
    for (const auto& [k, v] : m) {
        string(k);
        value(v);
    }
}

void Encoder::node(const Node& n) {
    struct_header(kNodeSig, element_ids_ ? 4 : 3);
    integer(static_cast<int64_t>(n.id));
    if (n.data) {
        list_header(n.data->labels.size());
        for (const auto& l : n.data->labels) string(l);
        map(n.data->properties);
    } else {
        list_header(0);
        map_header(0);
    }
    if (element_ids_) string(std::to_string(n.id));
}

void Encoder::relationship(const Relationship& r, bool bound) {
    uint8_t fields = bound ? (element_ids_ ? 8 : 5) : (element_ids_ ? 4 : 3);
    struct_header(bound ? kRelationshipSig : kUnboundRelationshipSig, fields);
    integer(static_cast<int64_t>(r.id));
    if (bound) {
        integer(static_cast<int64_t>(r.start));
        integer(static_cast<int64_t>(r.end));
    }
    string(r.data ? std::string_view(r.data->type) : std::string_view());
    if (r.data)
        map(r.data->properties);
    else
        map_header(0);
    if (element_ids_) {
        string(std::to_string(r.id));
        if (bound) {
            string(std::to_string(r.start));
            string(std::to_string(r.end));
        }
    }
}

// Nodes and relationships in path order (repeats allowed); each step names its
// relationship (1-based, negative when walked from end to start) and the node it reaches.
void Encoder::path(const Path& p) {
    struct_header(kPathSig, 3);
    list_header(p.nodes.size());
    for (const auto& n : p.nodes) node(n);
    list_header(p.rels.size());
    for (const auto& r : p.rels) relationship(r, false);
    list_header(2 * p.rels.size());
    for (size_t i = 0; i < p.rels.size(); ++i) {
        bool forward = i < p.nodes.size() && p.rels[i].start == p.nodes[i].id;
        auto index = static_cast<int64_t>(i + 1);
        integer(forward ? index : -index);
        integer(static_cast<int64_t>(i + 1));
    }
}

void Encoder::temporal(const Value& v) {
    switch (v.kind()) {
        case ValueKind::Date: struct_header(kDateSig, 1); return integer(v.as_date().days);
        case ValueKind::LocalTime:
            struct_header(kLocalTimeSig, 1);
            return integer(v.as_local_time().nanos);
        case ValueKind::Time:
            struct_header(kTimeSig, 2);
            integer(v.as_time().nanos);
            return integer(v.as_time().offset);
        case ValueKind::LocalDateTime:
            struct_header(kLocalDateTimeSig, 2);
            integer(v.as_local_date_time().seconds);
            return integer(v.as_local_date_time().nanos);
        case ValueKind::DateTime: {
            const DateTime& t = v.as_date_time();
            const bool named = !t.zone.empty();
            if (element_ids_)
                struct_header(named ? kDateTimeZoneIdSig : kDateTimeSig, 3);
            else
                struct_header(named ? kLegacyDateTimeZoneIdSig : kLegacyDateTimeSig, 3);
            integer(element_ids_ ? t.seconds : t.seconds + t.offset);
            integer(t.nanos);
            return named ? string(t.zone) : integer(t.offset);
        }
        case ValueKind::Duration: {
            const Duration& d = v.as_duration();
            struct_header(kDurationSig, 4);
            integer(d.months);
            integer(d.days);
            integer(d.seconds);
            return integer(d.nanos);
        }
        default: return null();
    }
}

void Encoder::value(const Value& v) {
    switch (v.kind()) {
        case ValueKind::Null: return null();
        case ValueKind::Bool: return boolean(v.as_bool());
        case ValueKind::Int: return integer(v.as_int());
        case ValueKind::Float: return floating(v.as_float());
        case ValueKind::String: return string(v.as_string());
        case ValueKind::List: {
            const auto& l = v.as_list();
            list_header(l.size());
            for (const auto& e : l) value(e);
            return;
        }
        case ValueKind::Map: return map(v.as_map());
        case ValueKind::Node: return node(v.as_node());
        case ValueKind::Relationship: return relationship(v.as_relationship(), true);
        case ValueKind::Path: return path(v.as_path());
        case ValueKind::Vector: {
            const auto& c = v.as_vector().coords;
            list_header(c.size());
            for (float f : c) floating(static_cast<double>(f));
            return;
        }
        case ValueKind::Date:
        case ValueKind::LocalTime:
        case ValueKind::Time:
        case ValueKind::LocalDateTime:
        case ValueKind::DateTime:
        case ValueKind::Duration: return temporal(v);
    }
}

// ---- Decoder ---------------------------------------------------------------------------

void Decoder::need(size_t n) const {
    if (n > in_.size() - pos_)
        throw ProtocolError("truncated PackStream: " + std::to_string(n) + " byte(s) needed at " +
                            std::to_string(pos_) + ", " + std::to_string(in_.size() - pos_) +
                            " left");
}

uint8_t Decoder::byte() {
    need(1);
    return static_cast<uint8_t>(in_[pos_++]);
}

uint64_t Decoder::uint_be(size_t bytes) {
    need(bytes);
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in_[pos_ + i]);
    pos_ += bytes;
    return v;
}

std::string_view Decoder::take(size_t n) {
    need(n);
    auto s = in_.substr(pos_, n);
    pos_ += n;
    return s;
}

uint8_t Decoder::struct_header(size_t& fields) {
    uint8_t m = byte();
    if ((m & 0xF0) != kTinyStruct)
        throw ProtocolError("expected a structure, found marker " + hex(m) + " at " +
                            std::to_string(pos_ - 1));
    fields = m & 0x0F;
    return byte();
}

Value Decoder::value() { return value_at(0); }

Value Decoder::value_at(uint32_t depth) {
    const size_t at = pos_;
    uint8_t m = byte();
    if (m < 0x80) return Value(static_cast<int64_t>(m));
    if (m >= 0xF0) return Value(static_cast<int64_t>(static_cast<int8_t>(m)));
    auto nibble = static_cast<size_t>(m & 0x0F);

    auto string_of = [&](size_t n) {
        std::string_view s = take(n);
        if (!valid_utf8(s))
            throw ProtocolError("string at " + std::to_string(at) + " is not valid UTF-8");
        return Value(s);
    };
    auto list_of = [&](size_t n) {
        if (depth >= kMaxValueNesting)
            throw ProtocolError("lists and maps nest deeper than " +
                                std::to_string(kMaxValueNesting) + " levels");
        need(n);  // every element takes at least one byte
        List l;
        l.reserve(n);
        for (size_t i = 0; i < n; ++i) l.push_back(value_at(depth + 1));
        return Value(std::move(l));
    };
    auto map_of = [&](size_t n) {
        if (depth >= kMaxValueNesting)
            throw ProtocolError("lists and maps nest deeper than " +
                                std::to_string(kMaxValueNesting) + " levels");
        if (n > (in_.size() - pos_) / 2) need(2 * n);  // a key and a value: two bytes at least
        Map mp;
        for (size_t i = 0; i < n; ++i) {
            Value k = value_at(depth + 1);
            if (!k.is_string())
                throw ProtocolError("map key at " + std::to_string(at) + " is not a string");
            Value v = value_at(depth + 1);
            mp.insert_or_assign(k.as_string(), std::move(v));  // a repeated key: the last wins
        }
        return Value(std::move(mp));
    };

    try {
        switch (m & 0xF0) {
            case kTinyString: return string_of(nibble);
            case kTinyList: return list_of(nibble);
            case kTinyMap: return map_of(nibble);
            case kTinyStruct: {
                uint8_t sig = byte();
                if (is_temporal_signature(sig))
                    return temporal_from_struct(sig, struct_fields(nibble, depth));
                if (graph_values_) return graph_value(sig, nibble, depth);
                throw UnsupportedValue("structure " + hex(sig) + " (" + std::to_string(nibble) +
                                       " fields) is not a value lora accepts from a client: " +
                                       "spatial parameters are not read yet, and nodes, "
                                       "relationships and paths cannot be parameters");
            }
            default: break;
        }
        switch (m) {
            case kNull: return Value();
            case kFalse: return Value(false);
            case kTrue: return Value(true);
            case kFloat: return Value(std::bit_cast<double>(uint_be(8)));
            case kInt8: return Value(static_cast<int64_t>(static_cast<int8_t>(uint_be(1))));
            case kInt16: return Value(static_cast<int64_t>(static_cast<int16_t>(uint_be(2))));
            case kInt32: return Value(static_cast<int64_t>(static_cast<int32_t>(uint_be(4))));
            case kInt64: return Value(static_cast<int64_t>(uint_be(8)));
            case kString8: return string_of(uint_be(1));
            case kString16: return string_of(uint_be(2));
            case kString32: return string_of(uint_be(4));
            case kList8: return list_of(uint_be(1));
            case kList16: return list_of(uint_be(2));
            case kList32: return list_of(uint_be(4));
            case kMap8: return map_of(uint_be(1));
            case kMap16: return map_of(uint_be(2));
            case kMap32: return map_of(uint_be(4));
            case kBytes8:
            case kBytes16:
            case kBytes32: {
                size_t n = uint_be(m == kBytes8 ? 1 : m == kBytes16 ? 2 : 4);
                take(n);
                throw UnsupportedValue("byte arrays are not a lora value type");
            }
            default:
                throw ProtocolError("reserved PackStream marker " + hex(m) + " at " +
                                    std::to_string(at));
        }
    } catch (const Error& e) {
        // A value the engine refuses to build (ArgumentError.ValueTooDeep).
        throw ProtocolError(e.message());
    }
}

std::vector<Value> Decoder::struct_fields(size_t fields, uint32_t depth) {
    if (depth >= kMaxValueNesting)
        throw ProtocolError("structures nest deeper than " + std::to_string(kMaxValueNesting) +
                            " levels");
    std::vector<Value> f;
    f.reserve(fields);
    for (size_t i = 0; i < fields; ++i) f.push_back(value_at(depth + 1));
    return f;
}

// Nodes and relationships as Encoder writes them (the element ids of 5.x are the ids again,
// so they are read past); a path's unbound relationships get their endpoints from its steps.
Value Decoder::graph_value(uint8_t signature, size_t fields, uint32_t depth) {
    const std::vector<Value> f = struct_fields(fields, depth);
    auto bad = [&]() -> ProtocolError {
        return ProtocolError("structure " + hex(signature) + " with " + std::to_string(fields) +
                             " field(s) is not a well-formed graph value");
    };
    auto id_of = [&](const Value& v) {
        if (!v.is_int()) throw bad();
        return static_cast<uint64_t>(v.as_int());
    };
    auto props_of = [&](const Value& v) {
        if (!v.is_map()) throw bad();
        return v.as_map();
    };
    auto rel_of = [&](const Value& id, const Value& type, const Value& props) {
        if (!type.is_string()) throw bad();
        auto data = std::make_shared<RelData>();
        data->type = type.as_string();
        data->properties = props_of(props);
        Relationship r;
        r.id = id_of(id);
        r.data = std::move(data);
        return r;
    };
    switch (signature) {
        case kNodeSig: {
            if (fields != 3 && fields != 4) throw bad();
            if (!f[1].is_list()) throw bad();
            auto data = std::make_shared<NodeData>();
            for (const auto& l : f[1].as_list()) {
                if (!l.is_string()) throw bad();
                data->labels.push_back(l.as_string());
            }
            data->properties = props_of(f[2]);
            return Value(Node{id_of(f[0]), std::move(data)});
        }
        case kRelationshipSig: {
            if (fields != 5 && fields != 8) throw bad();
            Relationship r = rel_of(f[0], f[3], f[4]);
            r.start = id_of(f[1]);
            r.end = id_of(f[2]);
            return Value(std::move(r));
        }
        case kUnboundRelationshipSig:
            if (fields != 3 && fields != 4) throw bad();
            return Value(rel_of(f[0], f[1], f[2]));
        case kPathSig: {
            if (fields != 3 || !f[0].is_list() || !f[1].is_list() || !f[2].is_list()) throw bad();
            const List& nodes = f[0].as_list();
            const List& rels = f[1].as_list();
            const List& steps = f[2].as_list();
            if (nodes.empty() || steps.size() % 2 != 0) throw bad();
            for (const auto& n : nodes)
                if (!n.is_node()) throw bad();
            for (const auto& r : rels)
                if (!r.is_relationship()) throw bad();
            Path p;
            p.nodes.push_back(nodes[0].as_node());
            for (size_t i = 0; i < steps.size(); i += 2) {
                if (!steps[i].is_int() || !steps[i + 1].is_int()) throw bad();
                int64_t ri = steps[i].as_int(), ni = steps[i + 1].as_int();
                uint64_t rel_index = static_cast<uint64_t>(ri < 0 ? -ri : ri);
                if (ri == 0 || rel_index > rels.size() || ni < 0 ||
                    static_cast<uint64_t>(ni) >= nodes.size())
                    throw bad();
                Relationship r = rels[rel_index - 1].as_relationship();
                const Node& next = nodes[static_cast<size_t>(ni)].as_node();
                r.start = ri > 0 ? p.nodes.back().id : next.id;
                r.end = ri > 0 ? next.id : p.nodes.back().id;
                p.rels.push_back(std::move(r));
                p.nodes.push_back(next);
            }
            return Value(std::move(p));
        }
        default:
            throw UnsupportedValue("structure " + hex(signature) + " (" + std::to_string(fields) +
                                   " fields) is not a value lora has a type for");
    }
}

}  // namespace lora::net::bolt
