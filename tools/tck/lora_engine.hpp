// The TCK runner's Engine backed by an in-process lora::Database, and the conversions
// between lora::Value and the runner's TckValue.
#pragma once

#include "runner.hpp"
#include "value_convert.hpp"

#include <lora/lora.hpp>

#include <memory>

namespace lora::tck {

class LoraEngine : public Engine {
public:
    explicit LoraEngine(std::unique_ptr<lora::Database> db);
    QueryOutcome execute(const std::string& query, const TckMap& params) override;
    void register_procedure(const ProcedureSpec& spec) override;

private:
    std::unique_ptr<lora::Database> db_;
};

}  // namespace lora::tck
