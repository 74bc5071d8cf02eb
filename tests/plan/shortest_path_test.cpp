// Planning of shortestPath / allShortestPaths: the endpoints are bound before the search
// step, which runs at the shard of its frontier; which WHERE conjuncts the search checks.
#include "plan/plan_support.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

using namespace lora::plan;

using lora::test::plan_of;
using lora::test::slot_named;

// The plan's one ShortestPath step and its index.
std::pair<const Step*, int> shortest_step(const Plan& p) {
    const Step* found = nullptr;
    int at = -1;
    for (size_t i = 0; i < p.steps.size(); ++i)
        if (p.steps[i].kind() == OpKind::ShortestPath) {
            REQUIRE(found == nullptr);
            found = &p.steps[i];
            at = static_cast<int>(i);
        }
    REQUIRE(found != nullptr);
    return {found, at};
}

int last_index_of(const Plan& p, OpKind op) {
    int at = -1;
    for (size_t i = 0; i < p.steps.size(); ++i)
        if (p.steps[i].kind() == op) at = static_cast<int>(i);
    return at;
}

}  // namespace

TEST_CASE("shortestPath is one step at the shard of its frontier, after its endpoints",
          "[engine][planner]") {
    // The shortest path part is written first; the parts binding its endpoints go before it.
    auto p = plan_of(
        "MATCH p = shortestPath((a)-[:R|S*..4]-(b)), (a:A {k: 1}), (b:B) RETURN length(p) AS n");
    INFO(p->explain());
    auto [step, at] = shortest_step(*p);
    const auto& op = std::get<ShortestPath>(step->op);
    CHECK(step->loc.kind == LocKind::Shard);
    CHECK(step->loc.slot == op.frontier);
    CHECK(op.from == slot_named(*p, "a"));
    CHECK(op.to == slot_named(*p, "b"));
    CHECK(op.path == slot_named(*p, "p"));
    CHECK(op.types == std::vector<std::string>{"R", "S"});
    CHECK(op.dir == lora::exec::Direction::Both);
    CHECK(op.min_hops == 1);
    CHECK(op.max_hops == 4);
    CHECK_FALSE(op.all);
    CHECK(last_index_of(*p, OpKind::ScanNodes) < at);
    CHECK(last_index_of(*p, OpKind::ScanNodes) >= 0);
    CHECK(p->explain().find("ShortestPath @shard(slot " + std::to_string(op.frontier) + ")") !=
          std::string::npos);
}

TEST_CASE("allShortestPaths shows in EXPLAIN with its bounds", "[engine][planner]") {
    auto p = plan_of("MATCH (a:A), (b:B), p = allShortestPaths((a)-[:R*0..]->(b)) RETURN p");
    INFO(p->explain());
    const auto& op = std::get<ShortestPath>(shortest_step(*p).first->op);
    CHECK(op.all);
    CHECK(op.min_hops == 0);
    CHECK(op.max_hops == -1);
    CHECK(p->explain().find("ShortestPath") != std::string::npos);
    CHECK(p->explain().find("*0.. -> all") != std::string::npos);
}

TEST_CASE("the search checks all/none predicates that read only the element", "[engine][planner]") {
    auto p = plan_of(
        "MATCH (a:A), (b:B), p = shortestPath((a)-[*]->(b)) "
        "WHERE all(r IN relationships(p) WHERE r.w > $min) AND none(n IN nodes(p) WHERE n:X) "
        "RETURN p");
    INFO(p->explain());
    const auto& op = std::get<ShortestPath>(shortest_step(*p).first->op);
    CHECK(op.rel_pred != nullptr);
    CHECK(op.rel_var >= 0);
    CHECK(op.node_pred != nullptr);
    CHECK(op.node_var >= 0);
    // They stay filters of the paths found too.
    CHECK(last_index_of(*p, OpKind::Filter) > shortest_step(*p).second);
}

TEST_CASE("predicates reading other variables only filter the paths found", "[engine][planner]") {
    auto p = plan_of(
        "MATCH (a:A), (b:B), p = shortestPath((a)-[*]->(b)) "
        "WHERE all(r IN relationships(p) WHERE r.w > a.w) AND any(n IN nodes(p) WHERE n:X) "
        "AND length(p) > 2 RETURN p");
    INFO(p->explain());
    const auto& op = std::get<ShortestPath>(shortest_step(*p).first->op);
    CHECK(op.rel_pred == nullptr);
    CHECK(op.node_pred == nullptr);
    CHECK(last_index_of(*p, OpKind::Filter) > shortest_step(*p).second);
}

TEST_CASE("SHORTEST k and GROUPS show their k in EXPLAIN", "[engine][planner]") {
    auto k3 = plan_of("MATCH (a:A), (b:B) MATCH p = SHORTEST 3 (a)-[:R]->+(b) RETURN p");
    INFO(k3->explain());
    const auto& op = std::get<ShortestPath>(shortest_step(*k3).first->op);
    CHECK(op.selector);
    CHECK(op.k == 3);
    CHECK_FALSE(op.groups);
    CHECK_FALSE(op.all);
    CHECK(k3->explain().find("*1.. -> k=3") != std::string::npos);

    auto groups =
        plan_of("MATCH (a:A), (b:B) MATCH p = SHORTEST 2 GROUPS (a)-[:R]-{2,4}(b) RETURN p");
    INFO(groups->explain());
    const auto& g = std::get<ShortestPath>(shortest_step(*groups).first->op);
    CHECK(g.k == 2);
    CHECK(g.groups);
    CHECK(g.min_hops == 2);
    CHECK(groups->explain().find("*2..4 -- k=2 groups") != std::string::npos);

    // ALL SHORTEST is SHORTEST 1 GROUPS: the node-level search's allShortestPaths.
    auto all = plan_of("MATCH (a:A), (b:B) MATCH p = ALL SHORTEST (a)-[:R]->+(b) RETURN p");
    const auto& a = std::get<ShortestPath>(shortest_step(*all).first->op);
    CHECK(a.all);
    CHECK(a.groups);
    CHECK(a.k == 1);
    CHECK(all->explain().find("k=") == std::string::npos);
}
