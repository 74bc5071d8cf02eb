// Placement of plan steps: scans run at every shard, expansion at the node's shard, work on
// the other node's data at that node's shard, barriers at the coordinator.
#include "plan/plan_support.hpp"

#include "engine/helpers.hpp"

#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <algorithm>
#include <set>

#include <string>
#include <vector>

namespace {

using namespace lora::plan;

using lora::test::plan_of;
using lora::test::slot_named;

std::vector<const Step*> steps_of(const Plan& p, OpKind op) {
    std::vector<const Step*> out;
    for (const auto& s : p.steps)
        if (s.kind() == op) out.push_back(&s);
    return out;
}

// The operator of a step found by steps_of.
template <typename T>
const T& op_of(const Step* s) {
    return std::get<T>(s->op);
}

// Index of the first step with this op (or -1).
int index_of(const Plan& p, OpKind op) {
    for (size_t i = 0; i < p.steps.size(); ++i)
        if (p.steps[i].kind() == op) return static_cast<int>(i);
    return -1;
}

}  // namespace

TEST_CASE("a label scan runs at all shards", "[engine][planner]") {
    auto p = plan_of("MATCH (n:Person) RETURN n.name AS name");
    INFO(p->explain());
    auto scans = steps_of(*p, OpKind::ScanNodes);
    REQUIRE(scans.size() == 1);
    CHECK(scans[0]->loc.kind == LocKind::AllShards);
    CHECK(op_of<lora::plan::ScanNodes>(scans[0]).label == "Person");
    CHECK(op_of<lora::plan::ScanNodes>(scans[0]).slot == slot_named(*p, "n"));
    CHECK(p->steps.back().kind() == OpKind::Produce);
    CHECK(p->columns == std::vector<std::string>{"name"});
    CHECK_FALSE(p->writes);
    CHECK(p->explain().find("ScanNodes @all-shards") != std::string::npos);
}

TEST_CASE("an expand runs at the shard of its start node", "[engine][planner]") {
    auto p = plan_of("MATCH (a:A)-[r:R]->(b) RETURN count(*) AS c");
    INFO(p->explain());
    auto ex = steps_of(*p, OpKind::Expand);
    REQUIRE(ex.size() == 1);
    int a = slot_named(*p, "a");
    const auto& e = op_of<lora::plan::Expand>(ex[0]);
    CHECK(e.from == a);
    CHECK(e.to == slot_named(*p, "b"));
    CHECK(e.rel == slot_named(*p, "r"));
    CHECK(e.dir == lora::exec::Direction::Outgoing);
    CHECK(e.types == std::vector<std::string>{"R"});
    // The start node's shard: either named explicitly or "wherever the row is", which right
    // after the scan of `a` is a's shard.
    bool at_a = (ex[0]->loc.kind == LocKind::Shard && ex[0]->loc.slot == a) ||
                (ex[0]->loc.kind == LocKind::Any &&
                 index_of(*p, OpKind::ScanNodes) + 1 == index_of(*p, OpKind::Expand));
    CHECK(at_a);
}

TEST_CASE("an incoming expand is planned from the bound node", "[engine][planner]") {
    auto p = plan_of("MATCH (a:A)<-[:R]-(b) RETURN b");
    INFO(p->explain());
    auto ex = steps_of(*p, OpKind::Expand);
    REQUIRE(ex.size() == 1);
    CHECK(op_of<lora::plan::Expand>(ex[0]).from == slot_named(*p, "a"));
    CHECK(op_of<lora::plan::Expand>(ex[0]).dir == lora::exec::Direction::Incoming);
}

TEST_CASE("a filter on the target node runs at the target's shard", "[engine][planner]") {
    auto p = plan_of("MATCH (a:A)-[:R]->(b) WHERE b.x > 1 RETURN a");
    INFO(p->explain());
    int b = slot_named(*p, "b");
    int ex = index_of(*p, OpKind::Expand);
    REQUIRE(ex >= 0);
    bool found = false;
    for (size_t i = static_cast<size_t>(ex) + 1; i < p->steps.size(); ++i) {
        const Step& s = p->steps[i];
        if (s.kind() != OpKind::Filter) continue;
        found = true;
        CHECK(s.loc.kind == LocKind::Shard);
        CHECK(s.loc.slot == b);
    }
    CHECK(found);
}

TEST_CASE("a target label runs at the target's shard", "[engine][planner]") {
    auto p = plan_of("MATCH (a:A)-[:R]->(b:B) RETURN a");
    INFO(p->explain());
    int b = slot_named(*p, "b");
    // The label test of b needs b's data: some step after the expand is placed at b's shard.
    int ex = index_of(*p, OpKind::Expand);
    REQUIRE(ex >= 0);
    bool at_b = false;
    for (size_t i = static_cast<size_t>(ex) + 1; i < p->steps.size(); ++i)
        if (p->steps[i].loc.kind == LocKind::Shard && p->steps[i].loc.slot == b) at_b = true;
    CHECK(at_b);
}

TEST_CASE("aggregation, sort and limit are coordinator barriers", "[engine][planner]") {
    auto p = plan_of("MATCH (n:N) RETURN n.g AS g, count(*) AS c ORDER BY c DESC LIMIT 3");
    INFO(p->explain());
    for (OpKind op : {OpKind::Aggregate, OpKind::Sort}) {
        auto ss = steps_of(*p, op);
        REQUIRE(ss.size() == 1);
        CHECK(ss[0]->loc.kind == LocKind::Coordinator);
        CHECK(ss[0]->barrier);
    }
    auto lim = steps_of(*p, OpKind::Limit);
    REQUIRE(lim.size() == 1);
    CHECK(lim[0]->loc.kind == LocKind::Coordinator);
    CHECK(index_of(*p, OpKind::Aggregate) < index_of(*p, OpKind::Sort));
    CHECK(index_of(*p, OpKind::Sort) < index_of(*p, OpKind::Limit));
    CHECK(p->steps.back().loc.kind == LocKind::Coordinator);
}

TEST_CASE("distinct and optional match are decided at the coordinator", "[engine][planner]") {
    auto p = plan_of("MATCH (n:N) OPTIONAL MATCH (n)-[:R]->(m) RETURN DISTINCT m.x AS x");
    INFO(p->explain());
    auto d = steps_of(*p, OpKind::Distinct);
    REQUIRE(d.size() == 1);
    CHECK(d[0]->loc.kind == LocKind::Coordinator);
    auto ob = steps_of(*p, OpKind::OptionalBegin);
    auto oe = steps_of(*p, OpKind::OptionalEnd);
    REQUIRE(ob.size() == 1);
    REQUIRE(oe.size() == 1);
    CHECK(oe[0]->loc.kind == LocKind::Coordinator);
    CHECK(oe[0]->barrier);
    CHECK(op_of<lora::plan::OptionalEnd>(oe[0]).begin == index_of(*p, OpKind::OptionalBegin));
}

TEST_CASE("creates place a path's new nodes together and relationships at the start node",
          "[engine][planner]") {
    auto p = plan_of("CREATE (a:A)-[r:R]->(b:B)");
    INFO(p->explain());
    CHECK(p->writes);
    auto cn = steps_of(*p, OpKind::CreateNode);
    REQUIRE(cn.size() == 2);
    // The path's first new node goes round-robin, the next one to the first one's shard.
    CHECK(cn[0]->loc.kind == LocKind::NewNode);
    CHECK(cn[1]->loc.kind == LocKind::Shard);
    CHECK(cn[1]->loc.slot == slot_named(*p, "a"));
    auto cr = steps_of(*p, OpKind::CreateRel);
    REQUIRE(cr.size() == 1);
    int a = slot_named(*p, "a");
    CHECK(op_of<lora::plan::CreateRel>(cr[0]).start == a);
    CHECK(op_of<lora::plan::CreateRel>(cr[0]).end == slot_named(*p, "b"));
    CHECK(op_of<lora::plan::CreateRel>(cr[0]).type == "R");
    bool at_a = (cr[0]->loc.kind == LocKind::Shard && cr[0]->loc.slot == a) ||
                cr[0]->loc.kind == LocKind::Any;
    CHECK(at_a);
}

TEST_CASE("new neighbours of an existing node and separate paths still go round-robin",
          "[engine][planner]") {
    auto p = plan_of("MATCH (h:Hub) CREATE (h)-[:R]->(x:X), (y:Y), (z:Z)-[:R]->(w:W)");
    INFO(p->explain());
    auto cn = steps_of(*p, OpKind::CreateNode);
    REQUIRE(cn.size() == 4);
    CHECK(cn[0]->loc.kind == LocKind::NewNode);  // x, next to the existing h
    CHECK(cn[1]->loc.kind == LocKind::NewNode);  // y, a path of its own
    CHECK(cn[2]->loc.kind == LocKind::NewNode);  // z, first of its path
    CHECK(cn[3]->loc.kind == LocKind::Shard);    // w, next to z
    CHECK(cn[3]->loc.slot == slot_named(*p, "z"));
}

TEST_CASE("updates run at the shard of the entity they change", "[engine][planner]") {
    auto p = plan_of("MATCH (a:A)-[:R]->(b) SET b.x = 1, b:L DETACH DELETE a");
    INFO(p->explain());
    int b = slot_named(*p, "b");
    auto sp = steps_of(*p, OpKind::SetProperty);
    REQUIRE(sp.size() == 1);
    CHECK(sp[0]->loc.kind == LocKind::Shard);
    CHECK(sp[0]->loc.slot == b);
    auto sl = steps_of(*p, OpKind::SetLabels);
    REQUIRE(sl.size() == 1);
    CHECK(sl[0]->loc.kind == LocKind::Shard);
    CHECK(sl[0]->loc.slot == b);
    auto dn = steps_of(*p, OpKind::DeleteNode);
    REQUIRE(dn.size() == 1);
    CHECK(op_of<lora::plan::DeleteNode>(dn[0]).detach);
    CHECK(dn[0]->loc.kind == LocKind::Shard);
    CHECK(dn[0]->loc.slot == slot_named(*p, "a"));
}

TEST_CASE("plans of unsupported or wrong queries fail with lora::Error", "[engine][planner]") {
    CHECK_THROWS_AS(plan_of("MATCH (n RETURN n"), lora::Error);
    CHECK_THROWS_AS(plan_of("MATCH (n) RETURN m"), lora::Error);
}

TEST_CASE("a created path lands on one shard, and paths spread over the shards",
          "[engine][planner]") {
    lora::Options o;
    o.shards = 4;
    auto db = lora::Database::open(o);
    std::set<int64_t> first_shards;
    for (int i = 0; i < 16; ++i) {
        auto r = db->execute("CREATE (a:P)-[:R]->(b:P)<-[:R]-(c:P) RETURN id(a), id(b), id(c)");
        REQUIRE(r.rows.size() == 1);
        const int64_t a = r.rows[0][0].as_int(), b = r.rows[0][1].as_int(),
                      c = r.rows[0][2].as_int();
        // Node ids carry their shard (id % shards).
        CHECK(a % 4 == b % 4);
        CHECK(b % 4 == c % 4);
        first_shards.insert(a % 4);
    }
    CHECK(first_shards.size() == 4);
    CHECK(lora::test::scalar_int(*db, "MATCH (:P)-[r:R]->(:P) RETURN count(r)") == 32);
    CHECK(lora::test::scalar_int(
              *db, "MATCH (c:P)-[:R]->(b:P)<-[:R]-(a:P) WHERE id(a) < id(c) RETURN count(*)") ==
          16);
}

TEST_CASE("a comprehension whose pattern uses its variable runs per element, in element order",
          "[engine][planner]") {
    auto p = plan_of("MATCH p = (n:X)-->() RETURN [x IN nodes(p) | size([(x)-->(:Y) | 1])] AS l");
    INFO(p->explain());
    // The per-element subquery: the list is unwound with each element's index, and the
    // values come back ordered by that index; the pattern is a subquery nested in it.
    auto unwinds = steps_of(*p, OpKind::Unwind);
    REQUIRE(unwinds.size() == 1);
    const auto& u = op_of<lora::plan::Unwind>(unwinds[0]);
    REQUIRE(u.index >= 0);
    CHECK(u.slot == slot_named(*p, "x"));
    auto ends = steps_of(*p, OpKind::SubqueryEnd);
    REQUIRE(ends.size() == 2);
    std::vector<int> orders;
    for (const auto* s : ends) orders.push_back(op_of<lora::plan::SubqueryEnd>(s).order);
    CHECK(std::count(orders.begin(), orders.end(), u.index) == 1);
    CHECK(std::count(orders.begin(), orders.end(), -1) == 1);
    // The pattern's subquery is nested inside the per-element one.
    const int outer_begin = op_of<lora::plan::SubqueryEnd>(ends[1]).begin;
    const int inner_begin = op_of<lora::plan::SubqueryEnd>(ends[0]).begin;
    CHECK(outer_begin < inner_begin);
    CHECK(op_of<lora::plan::SubqueryEnd>(ends[1]).order == u.index);

    // A pattern that does not use the variable is a subquery of the row, as outside a
    // comprehension; a pattern over reduce's accumulator is refused.
    auto q = plan_of("MATCH (n) RETURN [x IN [1] | size([(n)-->() | 1])] AS l");
    INFO(q->explain());
    CHECK(steps_of(*q, OpKind::Unwind).empty());
    CHECK(steps_of(*q, OpKind::SubqueryEnd).size() == 1);
    CHECK_THROWS_AS(plan_of("MATCH (n) RETURN reduce(a = n, x IN [1] | head([(a)-->(m) | m]))"),
                    lora::Error);
}
