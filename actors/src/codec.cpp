// Value <-> flatbuffer conversion for the actor protocol.
#include "lora/actors/codec.hpp"

#include <lora/errors.hpp>

#include "flat_values.hpp"
#include "lora/messages/batch_generated.h"

#include <lora/error.hpp>
#include <lora/temporal_ops.hpp>

#include <cmath>
#include <cstring>

namespace lora::actors {

namespace fb = flatbuffers;
namespace m = lora::msg;

namespace {

[[noreturn]] void corrupt(const char* what) { throw errors::corrupt_message(what); }

Payload finish(fb::FlatBufferBuilder& b) {
    // The builder's buffer is handed over, not copied.
    auto buf = std::make_shared<fb::DetachedBuffer>(b.Release());
    const uint8_t* data = buf->data();
    size_t size = buf->size();
    return Payload::built(std::move(buf), data, size);
}

fb::Offset<m::Value> put(fb::FlatBufferBuilder& b, const Value& v);

m::ValueType temporal_type(ValueKind k) {
    switch (k) {
        case ValueKind::Date: return m::ValueType::Date;
        case ValueKind::LocalTime: return m::ValueType::LocalTime;
        case ValueKind::Time: return m::ValueType::Time;
        case ValueKind::LocalDateTime: return m::ValueType::LocalDateTime;
        case ValueKind::DateTime: return m::ValueType::DateTime;
        default: return m::ValueType::Duration;
    }
}

fb::Offset<fb::Vector<fb::Offset<m::Value>>> put_list(fb::FlatBufferBuilder& b, const List& l) {
    std::vector<fb::Offset<m::Value>> items;
    items.reserve(l.size());
    for (const auto& x : l) items.push_back(put(b, x));
    return b.CreateVector(items);
}

void put_props(fb::FlatBufferBuilder& b, const Map& props,
               fb::Offset<fb::Vector<fb::Offset<fb::String>>>& keys,
               fb::Offset<fb::Vector<fb::Offset<m::Value>>>& items) {
    std::vector<fb::Offset<fb::String>> ks;
    std::vector<fb::Offset<m::Value>> vs;
    for (const auto& [k, x] : props) {
        ks.push_back(b.CreateString(k));
        vs.push_back(put(b, x));
    }
    keys = b.CreateVector(ks);
    items = b.CreateVector(vs);
}

fb::Offset<m::Value> put(fb::FlatBufferBuilder& b, const Value& v) {
    switch (v.kind()) {
        case ValueKind::Null: {
            m::ValueBuilder vb(b);
            vb.add_type(m::ValueType::Null);
            return vb.Finish();
        }
        case ValueKind::Bool:
        case ValueKind::Int: {
            m::ValueBuilder vb(b);
            vb.add_type(v.is_bool() ? m::ValueType::Bool : m::ValueType::Int);
            vb.add_i(v.is_bool() ? (v.as_bool() ? 1 : 0) : v.as_int());
            return vb.Finish();
        }
        case ValueKind::Float: {
            // The bits travel in `i`: a double field equal to the default 0.0 would be
            // omitted by flatbuffers, and -0.0 == 0.0 would lose the sign.
            int64_t bits;
            double f = v.as_float();
            std::memcpy(&bits, &f, sizeof bits);
            m::ValueBuilder vb(b);
            vb.add_type(m::ValueType::Float);
            vb.add_i(bits);
            return vb.Finish();
        }
        case ValueKind::String: {
            auto s = b.CreateString(v.as_string());
            m::ValueBuilder vb(b);
            vb.add_type(m::ValueType::String);
            vb.add_s(s);
            return vb.Finish();
        }
        case ValueKind::List: {
            auto items = put_list(b, v.as_list());
            m::ValueBuilder vb(b);
            vb.add_type(m::ValueType::List);
            vb.add_items(items);
            return vb.Finish();
        }
        case ValueKind::Map: {
            fb::Offset<fb::Vector<fb::Offset<fb::String>>> keys;
            fb::Offset<fb::Vector<fb::Offset<m::Value>>> items;
            put_props(b, v.as_map(), keys, items);
            m::ValueBuilder vb(b);
            vb.add_type(m::ValueType::Map);
            vb.add_keys(keys);
            vb.add_items(items);
            return vb.Finish();
        }
        case ValueKind::Node: {
            const Node& n = v.as_node();
            fb::Offset<fb::Vector<fb::Offset<fb::String>>> keys, labels;
            fb::Offset<fb::Vector<fb::Offset<m::Value>>> items;
            if (n.data) {
                labels = b.CreateVectorOfStrings(n.data->labels);
                put_props(b, n.data->properties, keys, items);
            }
            m::ValueBuilder vb(b);
            vb.add_type(m::ValueType::Node);
            vb.add_i(static_cast<int64_t>(n.id));
            if (n.data) {
                vb.add_attached(true);
                vb.add_labels(labels);
                vb.add_keys(keys);
                vb.add_items(items);
            }
            return vb.Finish();
        }
        case ValueKind::Relationship: {
            const Relationship& r = v.as_relationship();
            fb::Offset<fb::Vector<fb::Offset<fb::String>>> keys;
            fb::Offset<fb::Vector<fb::Offset<m::Value>>> items;
            fb::Offset<fb::String> type;
            if (r.data) {
                type = b.CreateString(r.data->type);
                put_props(b, r.data->properties, keys, items);
            }
            m::ValueBuilder vb(b);
            vb.add_type(m::ValueType::Relationship);
            vb.add_i(static_cast<int64_t>(r.id));
            vb.add_start(r.start);
            vb.add_end(r.end);
            vb.add_type_id(r.type_id);
            if (r.data) {
                vb.add_attached(true);
                vb.add_s(type);
                vb.add_keys(keys);
                vb.add_items(items);
            }
            return vb.Finish();
        }
        case ValueKind::Path: {
            const Path& p = v.as_path();
            std::vector<fb::Offset<m::Value>> items;
            for (const auto& n : p.nodes) items.push_back(put(b, Value(n)));
            for (const auto& r : p.rels) items.push_back(put(b, Value(r)));
            auto vec = b.CreateVector(items);
            m::ValueBuilder vb(b);
            vb.add_type(m::ValueType::Path);
            vb.add_items(vec);
            return vb.Finish();
        }
        case ValueKind::Vector: {
            auto floats = b.CreateVector(v.as_vector().coords);
            m::ValueBuilder vb(b);
            vb.add_type(m::ValueType::Vector);
            vb.add_floats(floats);
            return vb.Finish();
        }
        case ValueKind::Date:
        case ValueKind::LocalTime:
        case ValueKind::Time:
        case ValueKind::LocalDateTime:
        case ValueKind::DateTime:
        case ValueKind::Duration: {
            const temporal::Fields f = temporal::to_fields(v);
            auto nums = b.CreateVector(f.n, static_cast<size_t>(temporal::field_count(v.kind())));
            fb::Offset<fb::String> zone;
            if (!f.zone.empty()) zone = b.CreateString(f.zone);
            m::ValueBuilder vb(b);
            vb.add_type(temporal_type(v.kind()));
            vb.add_temporal(nums);
            if (!f.zone.empty()) vb.add_s(zone);
            return vb.Finish();
        }
    }
    corrupt("value");
}

Value get(const m::Value* v);

Value get_temporal(ValueKind kind, const m::Value* v) {
    const auto* nums = v->temporal();
    const auto n = static_cast<fb::uoffset_t>(temporal::field_count(kind));
    if (!nums || nums->size() != n) corrupt("temporal value");
    temporal::Fields f;
    for (fb::uoffset_t i = 0; i < n; ++i) f.n[i] = nums->Get(i);
    if (v->s()) f.zone = v->s()->str();
    auto out = temporal::from_fields(kind, f);
    if (!out) corrupt("temporal value");
    return std::move(*out);
}

Map get_props(const m::Value* v) {
    Map out;
    if (!v->keys() || !v->items()) return out;
    if (v->keys()->size() != v->items()->size()) corrupt("map");
    for (fb::uoffset_t i = 0; i < v->keys()->size(); ++i)
        out.emplace(v->keys()->Get(i)->str(), get(v->items()->Get(i)));
    return out;
}

Value get(const m::Value* v) {
    if (!v) corrupt("value");
    switch (v->type()) {
        case m::ValueType::Null: return Value();
        case m::ValueType::Bool: return Value(v->i() != 0);
        case m::ValueType::Int: return Value(static_cast<int64_t>(v->i()));
        case m::ValueType::Float: {
            int64_t bits = v->i();
            double f;
            std::memcpy(&f, &bits, sizeof f);
            return Value(f);
        }
        case m::ValueType::String: return Value(v->s() ? v->s()->str() : std::string());
        case m::ValueType::List: {
            List l;
            if (v->items()) {
                l.reserve(v->items()->size());
                for (auto* x : *v->items()) l.push_back(get(x));
            }
            return Value(std::move(l));
        }
        case m::ValueType::Map: return Value(get_props(v));
        case m::ValueType::Node: {
            Node n;
            n.id = static_cast<uint64_t>(v->i());
            if (v->attached()) {
                auto d = std::make_shared<NodeData>();
                if (v->labels())
                    for (auto* l : *v->labels()) d->labels.push_back(l->str());
                d->properties = get_props(v);
                n.data = std::move(d);
            }
            return Value(std::move(n));
        }
        case m::ValueType::Relationship: {
            Relationship r;
            r.id = static_cast<uint64_t>(v->i());
            r.start = v->start();
            r.end = v->end();
            r.type_id = v->type_id();
            if (v->attached()) {
                auto d = std::make_shared<RelData>();
                d->type = v->s() ? v->s()->str() : std::string();
                d->properties = get_props(v);
                r.data = std::move(d);
            }
            return Value(std::move(r));
        }
        case m::ValueType::Path: {
            Path p;
            if (!v->items() || v->items()->size() % 2 != 1) corrupt("path");
            size_t nodes = (v->items()->size() + 1) / 2;
            for (fb::uoffset_t i = 0; i < v->items()->size(); ++i) {
                Value x = get(v->items()->Get(i));
                if (i < nodes) {
                    if (!x.is_node()) corrupt("path");
                    p.nodes.push_back(x.as_node());
                } else {
                    if (!x.is_relationship()) corrupt("path");
                    p.rels.push_back(x.as_relationship());
                }
            }
            return Value(std::move(p));
        }
        case m::ValueType::Vector: {
            const auto* f = v->floats();
            if (!f || f->size() == 0 || f->size() > kMaxVectorDimension) corrupt("vector");
            Vector vec;
            vec.coords.assign(f->begin(), f->end());
            for (float x : vec.coords)
                if (!std::isfinite(x)) corrupt("vector");
            return Value(std::move(vec));
        }
        case m::ValueType::Date: return get_temporal(ValueKind::Date, v);
        case m::ValueType::LocalTime: return get_temporal(ValueKind::LocalTime, v);
        case m::ValueType::Time: return get_temporal(ValueKind::Time, v);
        case m::ValueType::LocalDateTime: return get_temporal(ValueKind::LocalDateTime, v);
        case m::ValueType::DateTime: return get_temporal(ValueKind::DateTime, v);
        case m::ValueType::Duration: return get_temporal(ValueKind::Duration, v);
    }
    corrupt("value");
}

// The verifier checks a vector's length field but not that its elements (8-byte numbers,
// structs holding them) are aligned in memory: a builder aligns them (an empty vector's
// data may sit anywhere), bytes from elsewhere need not, and a misaligned read is undefined
// behaviour. Such a vector makes the message corrupt.
template <typename Element, typename V>
const V* aligned(const V* v, const char* what) {
    if (v && v->size() > 0 && reinterpret_cast<uintptr_t>(v->Data()) % alignof(Element) != 0)
        corrupt(what);
    return v;
}

template <typename T>
const T* verified_root(const Payload& p, const char* what) {
    if (p.empty()) corrupt(what);
    if (p.trusted()) return fb::GetRoot<T>(p.data());
    fb::Verifier verifier(p.data(), p.size(), 128, 100000000);
    if (!verifier.VerifyBuffer<T>(nullptr)) corrupt(what);
    return fb::GetRoot<T>(p.data());
}

}  // namespace

Payload encode_rows(uint64_t query, uint32_t step, uint32_t width, const std::vector<Row>& rows) {
    // One scratch set of columns per thread: their capacity carries over between batches.
    thread_local FlatValues cols;
    cols.clear();
    for (const auto& r : rows)
        for (uint32_t i = 0; i < width; ++i) cols.put(r[i]);
    fb::FlatBufferBuilder b(128 + cols.tags.size() + cols.nums.size() * sizeof(int64_t) +
                            cols.bytes.size());
    auto bytes = b.CreateVector(cols.bytes);
    auto nums = b.CreateVector(cols.nums);
    auto tags = b.CreateVector(cols.tags);
    m::RowBatchBuilder rb(b);
    rb.add_query(query);
    rb.add_step(step);
    rb.add_width(width);
    rb.add_tags(tags);
    rb.add_nums(nums);
    rb.add_bytes(bytes);
    b.Finish(rb.Finish());
    // A huge batch (long strings, vectors) should not pin its memory in this thread.
    constexpr size_t kKeep = size_t{1} << 20;
    if (cols.bytes.capacity() > kKeep || cols.nums.capacity() > kKeep / 8) cols = FlatValues{};
    return finish(b);
}

DecodedRows decode_rows(const Payload& p) {
    auto* rb = verified_root<m::RowBatch>(p, "row batch");
    DecodedRows out;
    out.query = rb->query();
    out.step = rb->step();
    uint32_t width = rb->width();
    const auto* tags = rb->tags();
    const auto* nums = aligned<int64_t>(rb->nums(), "row batch");
    const auto* bytes = rb->bytes();
    FlatReader in(tags ? tags->data() : nullptr, tags ? tags->size() : 0,
                  nums ? nums->data() : nullptr, nums ? nums->size() : 0,
                  bytes ? bytes->data() : nullptr, bytes ? bytes->size() : 0);
    if (width == 0) {
        if (!in.at_end()) corrupt("row batch");
        return out;
    }
    // Every value has a tag: a width past the tags is a corrupt batch, not an allocation.
    if (!in.at_end() && width > (tags ? tags->size() : 0)) corrupt("row batch");
    while (!in.at_end()) {
        Row row;
        row.reserve(width);
        for (uint32_t c = 0; c < width; ++c) row.push_back(in.get());
        out.rows.push_back(std::move(row));
    }
    return out;
}

Payload encode_mutations(uint64_t query, const std::vector<exec::Mutation>& items) {
    fb::FlatBufferBuilder b(64 + items.size() * 40);
    std::vector<m::Mutation> ms;
    ms.reserve(items.size());
    for (const auto& x : items)
        ms.emplace_back(static_cast<m::MutationKind>(x.kind), x.type, x.node, x.rel, x.other);
    auto vec = b.CreateVectorOfStructs(ms);
    m::MutationBatchBuilder mb(b);
    mb.add_query(query);
    mb.add_items(vec);
    b.Finish(mb.Finish());
    return finish(b);
}

std::vector<exec::Mutation> decode_mutations(const Payload& p) {
    auto* mb = verified_root<m::MutationBatch>(p, "mutation batch");
    std::vector<exec::Mutation> out;
    const auto* items = aligned<m::Mutation>(mb->items(), "mutation batch");
    if (!items) return out;
    for (const auto* x : *items) {
        if (static_cast<uint8_t>(x->kind()) > 2) corrupt("mutation batch");
        out.push_back(exec::Mutation{static_cast<exec::Mutation::Kind>(x->kind()), x->node(),
                                     x->rel(), x->other(), x->type()});
    }
    return out;
}

Payload encode_fetch_request(const std::vector<uint64_t>& nodes,
                             const std::vector<uint64_t>& rels) {
    fb::FlatBufferBuilder b(64 + (nodes.size() + rels.size()) * 8);
    auto n = b.CreateVector(nodes);
    auto r = b.CreateVector(rels);
    m::FetchRequestBuilder fr(b);
    fr.add_ids(n);
    fr.add_rel_ids(r);
    b.Finish(fr.Finish());
    return finish(b);
}

void decode_fetch_request(const Payload& p, std::vector<uint64_t>& nodes,
                          std::vector<uint64_t>& rels) {
    auto* fr = verified_root<m::FetchRequest>(p, "fetch request");
    if (auto* ids = aligned<uint64_t>(fr->ids(), "fetch request"))
        nodes.assign(ids->begin(), ids->end());
    if (auto* ids = aligned<uint64_t>(fr->rel_ids(), "fetch request"))
        rels.assign(ids->begin(), ids->end());
}

Payload encode_values(const std::vector<Value>& values) {
    fb::FlatBufferBuilder b(256);
    std::vector<fb::Offset<m::Value>> vs;
    for (const auto& v : values) vs.push_back(put(b, v));
    auto vec = b.CreateVector(vs);
    m::FetchReplyBuilder fr(b);
    fr.add_values(vec);
    b.Finish(fr.Finish());
    return finish(b);
}

std::vector<Value> decode_values(const Payload& p) {
    auto* fr = verified_root<m::FetchReply>(p, "fetch reply");
    std::vector<Value> out;
    if (fr->values())
        for (auto* v : *fr->values()) out.push_back(get(v));
    return out;
}

Payload encode_redo(uint64_t txn, const std::vector<exec::RedoOp>& ops) {
    const std::vector<exec::RedoOp>* one = &ops;
    return encode_redo(txn, std::span(&one, 1));
}

Payload encode_redo(uint64_t txn, std::span<const std::vector<exec::RedoOp>* const> parts) {
    size_t count = 0;
    for (const auto* ops : parts) count += ops->size();
    fb::FlatBufferBuilder b(256 + count * 48);
    std::vector<fb::Offset<m::RedoOp>> items;
    items.reserve(count);
    for (const auto* ops : parts) {
        for (const auto& op : *ops) {
            auto name = op.name.empty() ? fb::Offset<fb::String>() : b.CreateString(op.name);
            bool has_value = op.kind == exec::RedoOp::Kind::SetNodeProperty ||
                             op.kind == exec::RedoOp::Kind::SetRelProperty ||
                             op.kind == exec::RedoOp::Kind::CreateIndex ||
                             op.kind == exec::RedoOp::Kind::CreateConstraint;
            auto value = has_value ? put(b, op.value) : fb::Offset<m::Value>();
            m::RedoOpBuilder rb(b);
            rb.add_kind(static_cast<m::RedoKind>(op.kind));
            rb.add_id(op.id);
            rb.add_start(op.start);
            rb.add_end(op.end);
            if (!op.name.empty()) rb.add_name(name);
            if (has_value) rb.add_value(value);
            items.push_back(rb.Finish());
        }
    }
    auto vec = b.CreateVector(items);
    m::CommitRecordBuilder cb(b);
    cb.add_txn(txn);
    cb.add_ops(vec);
    b.Finish(cb.Finish());
    return finish(b);
}

std::vector<exec::RedoOp> decode_redo(const uint8_t* data, size_t size, uint64_t* txn) {
    fb::Verifier verifier(data, size, 128, 100000000);
    if (size == 0 || !verifier.VerifyBuffer<m::CommitRecord>(nullptr)) corrupt("commit record");
    auto* cr = fb::GetRoot<m::CommitRecord>(data);
    if (txn) *txn = cr->txn();
    std::vector<exec::RedoOp> out;
    if (!cr->ops()) return out;
    out.reserve(cr->ops()->size());
    for (const auto* op : *cr->ops()) {
        if (static_cast<uint8_t>(op->kind()) > static_cast<uint8_t>(m::RedoKind::DropConstraint))
            corrupt("commit record");
        exec::RedoOp r;
        r.kind = static_cast<exec::RedoOp::Kind>(op->kind());
        r.id = op->id();
        r.start = op->start();
        r.end = op->end();
        if (op->name()) r.name = op->name()->str();
        if (op->value()) r.value = get(op->value());
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace lora::actors
