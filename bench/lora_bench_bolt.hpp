// lora-bench's Bolt side: the `writers --via bolt` run against a running lorad, each writer
// on its own connection of lora_net's Bolt client (lora/net/bolt/client.hpp).
#pragma once

#include "lora_bench_graph.hpp"
#include "lora_bench_writers.hpp"

#include <lora/net/bolt/client.hpp>

#include <string>

namespace lora::bench {

// "bolt://HOST[:PORT]" -> the server's address. Throws lora::Error naming the problem.
net::bolt::Endpoint bolt_target(const std::string& url);

// Runs the writers transaction over Bolt (config.writers connections, one thread each)
// against the lorad at `url` (bolt://HOST:PORT). The WAL figures are not known over Bolt.
WritersResult run_writers_bolt(const WritersConfig& config, const std::string& url,
                               const std::string& auth_token);

// A reader of `reads --via bolt`: its own connection to the lorad at `url`.
ReadStatement bolt_reader(const std::string& url, const std::string& auth_token);

}  // namespace lora::bench
