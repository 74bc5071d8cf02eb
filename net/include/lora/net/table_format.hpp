// Results as aligned text tables (the lora shell's output).
#pragma once

#include <lora/lora.hpp>

#include <string>

namespace lora::json {

// Renders a result as an aligned text table.
std::string format_table(const Result& r);

}  // namespace lora::json
