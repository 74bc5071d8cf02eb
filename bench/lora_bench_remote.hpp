// The `writers` run against a running lorad, whatever the protocol: one connection and one
// thread per writer, each committing the writers' statement and retrying transient errors.
#pragma once

#include "lora_bench_writers.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace lora::bench {

// One writer's connection (HTTP or Bolt).
class RemoteWriter {
public:
    virtual ~RemoteWriter() = default;
    enum class Outcome { Committed, Retry, Failed };
    // Commits the writers' statement with parameters $w and $s. Failed sets `error`.
    virtual Outcome commit(uint32_t w, uint64_t s, std::string& error) = 0;
};

struct WalFigures {
    bool known = false;
    uint64_t fsyncs = 0, batches = 0, records = 0, bytes = 0;
};

// What a remote run asks the server outside the writers' connections.
struct RemoteControl {
    std::function<std::unique_ptr<RemoteWriter>()> connect;  // one per writer, before the start
    std::function<WalFigures()> wal;                         // figures unknown: known = false
    std::function<int64_t()> count_relationships;            // for --verify
};

WritersResult run_writers_remote(const WritersConfig& config, const std::string& via,
                                 const RemoteControl& control);

}  // namespace lora::bench
