// The Cypher front end on any text: parse, analyze, plan and EXPLAIN. A query is untrusted
// input (every client sends them), so the only acceptable failure is a lora::Error.
#include <lora/cypher/parser.hpp>
#include <lora/cypher/semantic.hpp>
#include <lora/error.hpp>
#include <lora/plan/planner.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        lora::cypher::Statement st = lora::cypher::parse(text);
        lora::cypher::analyze(st);
        auto plan = lora::plan::build_plan(st, text);
        (void)plan->explain();
    } catch (const lora::Error&) {}
    return 0;
}
