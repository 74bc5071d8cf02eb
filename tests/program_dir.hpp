// Where the running test program is, so tests find the programs of this build (lorad, the
// shell, the durability writer) without an absolute path compiled in: the compiler cache
// then shares test objects between clones at different places.
#pragma once

#include <filesystem>

namespace lora::test {

// The folder of the running program (build/tests/, build/bench/, ...).
inline std::filesystem::path program_dir() {
    return std::filesystem::canonical("/proc/self/exe").parent_path();
}

}  // namespace lora::test
