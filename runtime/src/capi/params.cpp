// lora_params: the typed builder of a parameter map, with nested lists and maps.
#include "capi.hpp"

#include <cstring>

namespace lora::capi {

namespace {

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool valid_utf8(const unsigned char* s, size_t len) {
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t n;
        unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return false;
        }
        if (len - i <= n) return false;
        if (s[i + 1] < lo || s[i + 1] > hi) return false;
        for (size_t k = 2; k <= n; ++k)
            if ((s[i + k] & 0xC0) != 0x80) return false;
        i += n + 1;
    }
    return true;
}

std::string describe(const char* key) {
    return key ? "parameter '" + std::string(key) + "'" : std::string("list element");
}

// Runs one builder call: on an exception the builder keeps the first error, and the call
// returns LORA_ERROR having changed nothing.
template <class F>
lora_status build(lora_params* p, const char* function, F&& body) noexcept {
    if (p == nullptr) return LORA_ERROR;
    try {
        body(*p);
        return LORA_OK;
    } catch (...) {
        lora_error* e = nullptr;
        report_current_exception(&e, function);
        try {
            if (!p->error && e) p->error = e->error;
        } catch (...) {
            // No memory to keep the error: the call still fails.
        }
        lora_error_free(e);
        return LORA_ERROR;
    }
}

// Checks that `key` fits the container values go to now: a map needs one, a list none.
void check_key(const lora_params& p, const char* key, const char* function) {
    bool in_map = p.open.empty() || p.open.back().is_map;
    if (in_map && key == nullptr) invalid_argument(function, "key is NULL inside a map");
    if (!in_map && key != nullptr)
        invalid_argument(function, "key '" + std::string(key) + "' given inside a list");
}

void add(lora_params& p, const char* key, Value v, const char* function) {
    check_key(p, key, function);
    // Inside the lists and maps begun, the value must still fit within kMaxValueNesting.
    if (v.nesting() + p.open.size() > kMaxValueNesting)
        invalid_argument(function, describe(key) + " would nest lists and maps deeper than " +
                                       std::to_string(kMaxValueNesting) + " levels");
    if (p.open.empty()) {
        p.root.insert_or_assign(std::string(key), std::move(v));
    } else if (p.open.back().is_map) {
        p.open.back().map.insert_or_assign(std::string(key), std::move(v));
    } else {
        p.open.back().list.push_back(std::move(v));
    }
}

lora_status begin(lora_params* p, const char* key, bool is_map, const char* function) noexcept {
    return build(p, function, [&](lora_params& b) {
        check_key(b, key, function);
        // The container itself and everything it holds must stay within kMaxValueNesting.
        if (b.open.size() + 1 > kMaxValueNesting)
            invalid_argument(function, "lists and maps nest deeper than " +
                                           std::to_string(kMaxValueNesting) + " levels");
        lora_params::Open o;
        o.is_map = is_map;
        if (key) o.key = key;
        b.open.push_back(std::move(o));
    });
}

}  // namespace

const Params& params_of(const lora_params* p, const char* function) {
    static const Params empty;
    if (p == nullptr) return empty;
    if (p->error) throw *p->error;
    if (!p->open.empty())
        invalid_argument(function, "the parameters have " + std::to_string(p->open.size()) +
                                       " list(s) or map(s) begun and not ended");
    return p->root;
}

}  // namespace lora::capi

using lora::capi::add;
using lora::capi::build;
using lora::capi::describe;
using lora::capi::valid_utf8;

extern "C" {

lora_params* lora_params_new(void) noexcept {
    return lora::capi::guarded(nullptr, "lora_params_new", static_cast<lora_params*>(nullptr),
                               [] { return new lora_params; });
}

void lora_params_free(lora_params* p) noexcept { delete p; }

void lora_params_clear(lora_params* p) noexcept {
    if (p == nullptr) return;
    p->root.clear();
    p->open.clear();
    p->error.reset();
}

lora_status lora_params_null(lora_params* p, const char* key) noexcept {
    return build(p, "lora_params_null",
                 [&](lora_params& b) { add(b, key, lora::Value(), "lora_params_null"); });
}

lora_status lora_params_bool(lora_params* p, const char* key, bool value) noexcept {
    return build(p, "lora_params_bool",
                 [&](lora_params& b) { add(b, key, lora::Value(value), "lora_params_bool"); });
}

lora_status lora_params_int(lora_params* p, const char* key, int64_t value) noexcept {
    return build(p, "lora_params_int",
                 [&](lora_params& b) { add(b, key, lora::Value(value), "lora_params_int"); });
}

lora_status lora_params_float(lora_params* p, const char* key, double value) noexcept {
    return build(p, "lora_params_float",
                 [&](lora_params& b) { add(b, key, lora::Value(value), "lora_params_float"); });
}

lora_status lora_params_string(lora_params* p, const char* key, const char* value) noexcept {
    if (value == nullptr) {
        return build(p, "lora_params_string", [](lora_params&) {
            lora::capi::invalid_argument("lora_params_string", "value is NULL");
        });
    }
    return lora_params_string_len(p, key, value, std::strlen(value));
}

lora_status lora_params_string_len(lora_params* p, const char* key, const char* value,
                                   size_t len) noexcept {
    const char* fn = "lora_params_string";
    return build(p, fn, [&](lora_params& b) {
        if (value == nullptr && len > 0) lora::capi::invalid_argument(fn, "value is NULL");
        if (!valid_utf8(reinterpret_cast<const unsigned char*>(value), len))
            lora::capi::invalid_argument(fn, describe(key) + " is not valid UTF-8");
        add(b, key, lora::Value(std::string(value ? value : "", len)), fn);
    });
}

lora_status lora_params_vector(lora_params* p, const char* key, const float* coords,
                               size_t dim) noexcept {
    const char* fn = "lora_params_vector";
    return build(p, fn, [&](lora_params& b) {
        if (coords == nullptr && dim > 0) lora::capi::invalid_argument(fn, "coords is NULL");
        lora::Vector v;
        if (dim > 0) v.coords.assign(coords, coords + dim);
        add(b, key, lora::Value(std::move(v)), fn);
    });
}

lora_status lora_params_value(lora_params* p, const char* key, const lora_value* value) noexcept {
    const char* fn = "lora_params_value";
    return build(p, fn, [&](lora_params& b) {
        add(b, key, lora::capi::of(&lora::capi::need(value, fn, "value")), fn);
    });
}

lora_status lora_params_begin_list(lora_params* p, const char* key) noexcept {
    return lora::capi::begin(p, key, false, "lora_params_begin_list");
}

lora_status lora_params_begin_map(lora_params* p, const char* key) noexcept {
    return lora::capi::begin(p, key, true, "lora_params_begin_map");
}

lora_status lora_params_end(lora_params* p) noexcept {
    const char* fn = "lora_params_end";
    return build(p, fn, [&](lora_params& b) {
        if (b.open.empty()) lora::capi::invalid_argument(fn, "no list or map was begun");
        lora_params::Open top = std::move(b.open.back());
        b.open.pop_back();
        // add() kept everything put into the container within kMaxValueNesting, so making
        // the value does not throw ValueTooDeep; begin() checked its key against the parent.
        lora::Value v =
            top.is_map ? lora::Value(std::move(top.map)) : lora::Value(std::move(top.list));
        add(b, b.open.empty() || b.open.back().is_map ? top.key.c_str() : nullptr, std::move(v),
            fn);
    });
}

}  // extern "C"
