// Shared by the planner tests: a query's plan, and the slot a name was given.
#pragma once

#include <lora/cypher/parser.hpp>
#include <lora/cypher/semantic.hpp>
#include <lora/plan/planner.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace lora::test {

inline plan::PlanPtr plan_of(const std::string& q) {
    auto st = cypher::parse(q);
    cypher::analyze(st);
    return plan::build_plan(st, q);
}

inline int slot_named(const plan::Plan& p, const std::string& name) {
    for (size_t i = 0; i < p.slot_names.size(); ++i)
        if (p.slot_names[i] == name) return static_cast<int>(i);
    FAIL("no slot named " << name << " in plan:\n" << p.explain());
    return -1;
}

}  // namespace lora::test
