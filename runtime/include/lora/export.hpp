// LORA_API marks what the embedding API exports: the classes and functions declared in the
// installed headers (lora.hpp, value.hpp, error.hpp, errors.hpp). A shared build
// (-DBUILD_SHARED_LIBS=ON) compiles everything with -fvisibility=hidden, so liblora.so
// exports these and nothing of the engine's internals; a static build ignores it.
// LORA_LOCAL keeps a type declared in a public header (an Impl) out of the exports.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define LORA_API __attribute__((visibility("default")))
#define LORA_LOCAL __attribute__((visibility("hidden")))
#else
#define LORA_API
#define LORA_LOCAL
#endif
