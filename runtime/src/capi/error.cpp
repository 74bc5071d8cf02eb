// lora_error: reading an error, and making one of whatever a call threw.
#include "capi.hpp"

#include <new>

namespace lora::capi {

namespace {

// Handed out when not even a lora_error can be allocated; lora_error_free leaves it alone.
lora_error out_of_memory_error{errors::out_of_memory("no memory left for the error itself"),
                               "TransientError.OutOfMemory"};

lora_error* new_error(Error e) {
    std::string code = e.code();
    return new lora_error{std::move(e), std::move(code)};
}

}  // namespace

void report_current_exception(lora_error** error, const char* function) noexcept {
    if (error == nullptr) return;
    try {
        try {
            throw;
        } catch (const Error& e) {
            *error = new_error(e);
        } catch (const std::bad_alloc&) {
            *error = new_error(errors::out_of_memory(function));
        } catch (const std::exception& e) {
            *error = new_error(errors::internal(std::string(function) + ": " + e.what()));
        } catch (...) {
            *error = new_error(errors::internal(std::string(function) + ": unknown exception"));
        }
    } catch (...) {
        *error = &out_of_memory_error;
    }
}

void invalid_argument(const char* function, const std::string& what) {
    throw errors::invalid_argument(std::string(function) + ": " + what);
}

}  // namespace lora::capi

extern "C" {

const char* lora_error_code(const lora_error* e) noexcept { return e ? e->code.c_str() : ""; }

lora_error_class lora_error_class_of(const lora_error* e) noexcept {
    static_assert(LORA_ERROR_CLASS_SYNTAX == static_cast<int>(lora::ErrorClass::Syntax) &&
                  LORA_ERROR_CLASS_DATABASE == static_cast<int>(lora::ErrorClass::Database));
    return e ? static_cast<lora_error_class>(e->error.error_class()) : LORA_ERROR_CLASS_DATABASE;
}

const char* lora_error_class_name(const lora_error* e) noexcept {
    // error_class_name's views are of string literals, so NUL-terminated.
    return e ? lora::error_class_name(e->error.error_class()).data() : "";
}

const char* lora_error_message(const lora_error* e) noexcept {
    return e ? e->error.message().c_str() : "";
}

bool lora_error_is_retryable(const lora_error* e) noexcept {
    return e && e->error.error_class() == lora::ErrorClass::Transient;
}

int lora_error_line(const lora_error* e) noexcept { return e ? e->error.line() : 0; }

int lora_error_column(const lora_error* e) noexcept { return e ? e->error.column() : 0; }

void lora_error_free(lora_error* e) noexcept {
    if (e != &lora::capi::out_of_memory_error) delete e;
}

}  // extern "C"
