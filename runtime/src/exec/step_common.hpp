// What the executor's files share besides the Executor class (exec/executor.cpp,
// exec/writes.cpp, the operators in exec/ops/).
#pragma once

#include <lora/errors.hpp>

#include <cstddef>
#include <string>

namespace lora::exec {

[[noreturn]] inline void internal(const std::string& what) { throw errors::internal(what); }

// A source whose remaining output is this small finishes even over budget: deferring
// every short UNWIND list behind a scan would cost one message per input row.
inline constexpr size_t kSmallTail = 64;

}  // namespace lora::exec
