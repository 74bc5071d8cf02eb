// lora_result: the columns, rows and counters of a statement, and JSON renderings.
#include "capi.hpp"

#include <lora/net/json_format.hpp>

#include <cstdlib>
#include <cstring>

namespace lora::capi {

namespace {

char* copy_out(const std::string& s) {
    auto* out = static_cast<char*>(std::malloc(s.size() + 1));
    if (out == nullptr) throw std::bad_alloc();
    std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
}

std::string dump(const nlohmann::json& j) {
    // Invalid UTF-8 in a string becomes U+FFFD rather than failing, as in lorad.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

char* json_of(const Value& v) { return copy_out(dump(json::to_json(v))); }

char* json_of(const std::vector<Value>& row) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& v : row) a.push_back(json::to_json(v));
    return copy_out(dump(a));
}

}  // namespace lora::capi

using lora::capi::guarded;
using lora::capi::invalid_argument;
using lora::capi::need;

extern "C" {

size_t lora_result_column_count(const lora_result* r) noexcept {
    return r ? r->result.columns.size() : 0;
}

const char* lora_result_column_name(const lora_result* r, size_t column) noexcept {
    if (r == nullptr || column >= r->result.columns.size()) return nullptr;
    return r->result.columns[column].c_str();
}

size_t lora_result_row_count(const lora_result* r) noexcept {
    return r ? r->result.rows.size() : 0;
}

const lora_value* lora_result_value(const lora_result* r, size_t row, size_t column,
                                    lora_error** error) noexcept {
    const char* fn = "lora_result_value";
    return guarded(error, fn, static_cast<const lora_value*>(nullptr), [&] {
        const auto& rows = need(r, fn, "result").result.rows;
        if (row >= rows.size())
            invalid_argument(fn,
                             "row " + std::to_string(row) + " of " + std::to_string(rows.size()));
        if (column >= rows[row].size())
            invalid_argument(
                fn, "column " + std::to_string(column) + " of " + std::to_string(rows[row].size()));
        return lora::capi::to_c(rows[row][column]);
    });
}

lora_status lora_result_stats(const lora_result* r, lora_stats* stats,
                              lora_error** error) noexcept {
    const char* fn = "lora_result_stats";
    return guarded(error, fn, LORA_ERROR, [&] {
        lora::capi::fill_stats(need(r, fn, "result").result.stats, stats, fn);
        return LORA_OK;
    });
}

char* lora_result_row_json(const lora_result* r, size_t row, lora_error** error) noexcept {
    const char* fn = "lora_result_row_json";
    return guarded(error, fn, static_cast<char*>(nullptr), [&] {
        const auto& rows = need(r, fn, "result").result.rows;
        if (row >= rows.size())
            invalid_argument(fn,
                             "row " + std::to_string(row) + " of " + std::to_string(rows.size()));
        return lora::capi::json_of(rows[row]);
    });
}

void lora_result_free(lora_result* r) noexcept { delete r; }

char* lora_value_json(const lora_value* v, lora_error** error) noexcept {
    const char* fn = "lora_value_json";
    return guarded(error, fn, static_cast<char*>(nullptr),
                   [&] { return lora::capi::json_of(lora::capi::of(&need(v, fn, "value"))); });
}

void lora_string_free(char* s) noexcept { std::free(s); }

}  // extern "C"
