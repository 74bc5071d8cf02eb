// Registered procedures (CALL name(args) YIELD ...). The planner resolves a procedure once
// and the plan keeps the entry, so a running query never looks it up again.
#pragma once

#include <lora/lora.hpp>

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lora::exec {

struct ProcedureEntry {
    ProcedureSignature signature;
    ProcedureFn fn;
};

// The signature of one of lora's own procedures (behind SHOW and TERMINATE commands, mode
// DBMS): its inputs, and an output per column of `columns` typed by `types`.
template <size_t N>
ProcedureSignature command_signature(std::string_view name, std::string description,
                                     std::vector<std::pair<std::string, std::string>> inputs,
                                     const std::array<std::string_view, N>& columns,
                                     const std::array<const char*, N>& types) {
    ProcedureSignature sig;
    sig.name = std::string(name);
    sig.description = std::move(description);
    sig.mode = "DBMS";
    sig.inputs = std::move(inputs);
    for (size_t i = 0; i < N; ++i) sig.outputs.emplace_back(std::string(columns[i]), types[i]);
    return sig;
}

class Procedures {
public:
    void put(ProcedureSignature sig, ProcedureFn fn) {
        auto e = std::make_shared<ProcedureEntry>(ProcedureEntry{std::move(sig), std::move(fn)});
        std::lock_guard lock(mu_);
        map_[e->signature.name] = std::move(e);
    }
    std::shared_ptr<const ProcedureEntry> find(const std::string& name) const {
        std::lock_guard lock(mu_);
        auto it = map_.find(name);
        return it == map_.end() ? nullptr : it->second;
    }

    // Every registered procedure (in no particular order).
    std::vector<std::shared_ptr<const ProcedureEntry>> list() const {
        std::lock_guard lock(mu_);
        std::vector<std::shared_ptr<const ProcedureEntry>> out;
        for (const auto& [name, e] : map_) out.push_back(e);
        return out;
    }

private:
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::shared_ptr<const ProcedureEntry>> map_;
};

}  // namespace lora::exec
