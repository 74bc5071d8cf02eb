// Flat (columnar, pre-order) encoding of values for row batches; see flat_values.hpp.
#include "flat_values.hpp"

#include <lora/errors.hpp>

#include "lora/messages/batch_generated.h"

#include <lora/error.hpp>
#include <lora/temporal_ops.hpp>

#include <cmath>
#include <cstring>

namespace lora::actors {

namespace m = lora::msg;

namespace {

[[noreturn]] void corrupt() { throw errors::corrupt_message("row batch"); }

// Nesting deeper than this is refused as a malformed batch. Values nest at most kMaxValueNesting
// levels; entities add their property maps.
constexpr int kMaxDepth = static_cast<int>(kMaxValueNesting) + 8;

uint8_t tag_of(m::ValueType t) { return static_cast<uint8_t>(t); }

// The tags of the temporal kinds follow one another in both enums.
static_assert(static_cast<int>(m::ValueType::Duration) - static_cast<int>(m::ValueType::Date) ==
              static_cast<int>(ValueKind::Duration) - static_cast<int>(ValueKind::Date));
uint8_t temporal_tag(ValueKind k) {
    return static_cast<uint8_t>(tag_of(m::ValueType::Date) + static_cast<int>(k) -
                                static_cast<int>(ValueKind::Date));
}
ValueKind temporal_kind(m::ValueType t) {
    return static_cast<ValueKind>(static_cast<int>(ValueKind::Date) + static_cast<int>(t) -
                                  static_cast<int>(m::ValueType::Date));
}

}  // namespace

void FlatValues::put_string(const std::string& s) {
    nums.push_back(static_cast<int64_t>(s.size()));
    bytes.insert(bytes.end(), s.begin(), s.end());
}

void FlatValues::put_props(const Map& props) {
    nums.push_back(static_cast<int64_t>(props.size()));
    for (const auto& [k, x] : props) {
        put_string(k);
        put(x);
    }
}

void FlatValues::put(const Value& v) {
    switch (v.kind()) {
        case ValueKind::Null: tags.push_back(tag_of(m::ValueType::Null)); return;
        case ValueKind::Bool:
            tags.push_back(tag_of(m::ValueType::Bool));
            nums.push_back(v.as_bool() ? 1 : 0);
            return;
        case ValueKind::Int:
            tags.push_back(tag_of(m::ValueType::Int));
            nums.push_back(v.as_int());
            return;
        case ValueKind::Float: {
            int64_t bits;
            double f = v.as_float();
            std::memcpy(&bits, &f, sizeof bits);
            tags.push_back(tag_of(m::ValueType::Float));
            nums.push_back(bits);
            return;
        }
        case ValueKind::String:
            tags.push_back(tag_of(m::ValueType::String));
            put_string(v.as_string());
            return;
        case ValueKind::List: {
            const List& l = v.as_list();
            tags.push_back(tag_of(m::ValueType::List));
            nums.push_back(static_cast<int64_t>(l.size()));
            for (const auto& x : l) put(x);
            return;
        }
        case ValueKind::Map:
            tags.push_back(tag_of(m::ValueType::Map));
            put_props(v.as_map());
            return;
        case ValueKind::Node: {
            const Node& n = v.as_node();
            tags.push_back(
                static_cast<uint8_t>(tag_of(m::ValueType::Node) | (n.data ? kAttached : 0)));
            nums.push_back(static_cast<int64_t>(n.id));
            if (n.data) {
                nums.push_back(static_cast<int64_t>(n.data->labels.size()));
                for (const auto& l : n.data->labels) put_string(l);
                put_props(n.data->properties);
            }
            return;
        }
        case ValueKind::Relationship: {
            const Relationship& r = v.as_relationship();
            tags.push_back(static_cast<uint8_t>(tag_of(m::ValueType::Relationship) |
                                                (r.data ? kAttached : 0)));
            nums.push_back(static_cast<int64_t>(r.id));
            nums.push_back(static_cast<int64_t>(r.start));
            nums.push_back(static_cast<int64_t>(r.end));
            nums.push_back(static_cast<int64_t>(r.type_id));
            if (r.data) {
                put_string(r.data->type);
                put_props(r.data->properties);
            }
            return;
        }
        case ValueKind::Path: {
            const Path& p = v.as_path();
            tags.push_back(tag_of(m::ValueType::Path));
            nums.push_back(static_cast<int64_t>(p.nodes.size()));
            nums.push_back(static_cast<int64_t>(p.rels.size()));
            for (const auto& n : p.nodes) put(Value(n));
            for (const auto& r : p.rels) put(Value(r));
            return;
        }
        case ValueKind::Vector: {
            const auto& c = v.as_vector().coords;
            tags.push_back(tag_of(m::ValueType::Vector));
            nums.push_back(static_cast<int64_t>(c.size()));
            const auto* p = reinterpret_cast<const uint8_t*>(c.data());
            bytes.insert(bytes.end(), p, p + c.size() * sizeof(float));
            return;
        }
        case ValueKind::Date:
        case ValueKind::LocalTime:
        case ValueKind::Time:
        case ValueKind::LocalDateTime:
        case ValueKind::DateTime:
        case ValueKind::Duration: {
            const temporal::Fields f = temporal::to_fields(v);
            tags.push_back(temporal_tag(v.kind()));
            nums.insert(nums.end(), f.n, f.n + temporal::field_count(v.kind()));
            if (v.kind() == ValueKind::DateTime) put_string(f.zone);
            return;
        }
    }
    corrupt();
}

uint8_t FlatReader::tag() {
    if (t_ >= ntags_) corrupt();
    return tags_[t_++];
}

int64_t FlatReader::num() {
    if (n_ >= nnums_) corrupt();
    return nums_[n_++];
}

size_t FlatReader::count(size_t min_tags, size_t min_nums) {
    int64_t c = num();
    if (c < 0) corrupt();
    auto n = static_cast<uint64_t>(c);
    if (min_tags && n > (ntags_ - t_) / min_tags) corrupt();
    if (min_nums && n > (nnums_ - n_) / min_nums) corrupt();
    return static_cast<size_t>(n);
}

std::string FlatReader::string() {
    int64_t len = num();
    if (len < 0 || static_cast<uint64_t>(len) > nbytes_ - b_) corrupt();
    std::string s(reinterpret_cast<const char*>(bytes_ + b_), static_cast<size_t>(len));
    b_ += static_cast<size_t>(len);
    return s;
}

Map FlatReader::props(int depth) {
    Map out;
    // Each entry needs a key length (a num) and a value (a tag).
    size_t n = count(1, 1);
    for (size_t i = 0; i < n; ++i) {
        std::string k = string();
        // Keys arrive sorted from a Map; the hint makes that linear. Duplicates are dropped
        // as emplace would (only a malformed batch has them).
        out.emplace_hint(out.end(), std::move(k), get(depth + 1));
    }
    return out;
}

Value FlatReader::get(int depth) {
    if (depth > kMaxDepth) corrupt();
    const uint8_t raw = tag();
    const bool attached = raw & FlatValues::kAttached;
    const auto type = static_cast<m::ValueType>(raw & ~FlatValues::kAttached);
    if (attached && type != m::ValueType::Node && type != m::ValueType::Relationship) corrupt();
    switch (type) {
        case m::ValueType::Null: return Value();
        case m::ValueType::Bool: return Value(num() != 0);
        case m::ValueType::Int: return Value(num());
        case m::ValueType::Float: {
            int64_t bits = num();
            double f;
            std::memcpy(&f, &bits, sizeof f);
            return Value(f);
        }
        case m::ValueType::String: return Value(string());
        case m::ValueType::List: {
            size_t n = count(1, 0);
            List l;
            l.reserve(n);
            for (size_t i = 0; i < n; ++i) l.push_back(get(depth + 1));
            return Value(std::move(l));
        }
        case m::ValueType::Map: return Value(props(depth));
        case m::ValueType::Node: {
            Node n;
            n.id = static_cast<uint64_t>(num());
            if (attached) {
                auto d = std::make_shared<NodeData>();
                size_t labels = count(0, 1);
                d->labels.reserve(labels);
                for (size_t i = 0; i < labels; ++i) d->labels.push_back(string());
                d->properties = props(depth);
                n.data = std::move(d);
            }
            return Value(std::move(n));
        }
        case m::ValueType::Relationship: {
            Relationship r;
            r.id = static_cast<uint64_t>(num());
            r.start = static_cast<uint64_t>(num());
            r.end = static_cast<uint64_t>(num());
            int64_t type_id = num();
            if (type_id < 0 || type_id > static_cast<int64_t>(UINT32_MAX)) corrupt();
            r.type_id = static_cast<uint32_t>(type_id);
            if (attached) {
                auto d = std::make_shared<RelData>();
                d->type = string();
                d->properties = props(depth);
                r.data = std::move(d);
            }
            return Value(std::move(r));
        }
        case m::ValueType::Path: {
            size_t nodes = count(1, 1);
            size_t rels = count(1, 4);
            if (nodes != rels + 1) corrupt();
            Path p;
            p.nodes.reserve(nodes);
            p.rels.reserve(rels);
            for (size_t i = 0; i < nodes; ++i) {
                Value x = get(depth + 1);
                if (!x.is_node()) corrupt();
                p.nodes.push_back(x.as_node());
            }
            for (size_t i = 0; i < rels; ++i) {
                Value x = get(depth + 1);
                if (!x.is_relationship()) corrupt();
                p.rels.push_back(x.as_relationship());
            }
            return Value(std::move(p));
        }
        case m::ValueType::Vector: {
            int64_t dim = num();
            if (dim <= 0 || static_cast<uint64_t>(dim) > kMaxVectorDimension) corrupt();
            const size_t len = static_cast<size_t>(dim) * sizeof(float);
            if (len > nbytes_ - b_) corrupt();
            Vector vec;
            vec.coords.resize(static_cast<size_t>(dim));
            std::memcpy(vec.coords.data(), bytes_ + b_, len);
            b_ += len;
            for (float x : vec.coords)
                if (!std::isfinite(x)) corrupt();
            return Value(std::move(vec));
        }
        case m::ValueType::Date:
        case m::ValueType::LocalTime:
        case m::ValueType::Time:
        case m::ValueType::LocalDateTime:
        case m::ValueType::DateTime:
        case m::ValueType::Duration: {
            const ValueKind kind = temporal_kind(type);
            temporal::Fields f;
            for (int i = 0; i < temporal::field_count(kind); ++i) f.n[i] = num();
            if (kind == ValueKind::DateTime) f.zone = string();
            auto out = temporal::from_fields(kind, f);
            if (!out) corrupt();
            return std::move(*out);
        }
    }
    corrupt();
}

}  // namespace lora::actors
