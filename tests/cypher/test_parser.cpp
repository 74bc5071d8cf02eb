// Parser tests: every clause, expression forms, precedence, column text and error positions.
#include <lora/cypher/parser.hpp>

#include <lora/error.hpp>

#include <catch2/catch.hpp>

using namespace lora::cypher;

namespace {

const Clause& only_clause(const Statement& s, size_t k = 0) {
    return s.query.parts[0].clauses.at(k);
}

// The expression of the first RETURN item of `RETURN <expr>`.
Statement ret(const std::string& e) { return parse("RETURN " + e); }
const Expr& ret_expr(const Statement& s) { return *only_clause(s).body.items.at(0).expr; }

lora::Error error_of(std::string_view q) {
    try {
        parse(q);
    } catch (const lora::Error& e) {
        return e;
    }
    FAIL("expected a syntax error for: " << q);
    throw;
}

}  // namespace

TEST_CASE("parser: MATCH with patterns and WHERE", "[parser]") {
    auto s = parse(
        "OPTIONAL MATCH p = (a:A:B {x: 1})-[r:T|:U*1..3 {y: 2}]->(b)<-[:V]-(), (c) "
        "WHERE a.x > 1 RETURN a");
    const Clause& m = only_clause(s);
    CHECK(m.kind == ClauseKind::Match);
    CHECK(m.optional);
    REQUIRE(m.pattern.parts.size() == 2);
    const PatternPart& p = m.pattern.parts[0];
    CHECK(p.path_variable == "p");
    REQUIRE(p.nodes.size() == 3);
    CHECK(p.nodes[0].labels == std::vector<std::string>{"A", "B"});
    CHECK(p.nodes[0].properties->kind == ExprKind::MapLiteral);
    CHECK(p.rels[0].variable == "r");
    CHECK(p.rels[0].types == std::vector<std::string>{"T", "U"});
    CHECK(p.rels[0].direction == Direction::Outgoing);
    REQUIRE(p.rels[0].range);
    CHECK(p.rels[0].range->min == 1);
    CHECK(p.rels[0].range->max == 3);
    CHECK(p.rels[1].direction == Direction::Incoming);
    CHECK_FALSE(p.nodes[2].variable);
    CHECK(m.where->kind == ExprKind::Comparison);
}

TEST_CASE("parser: relationship ranges and directions", "[parser]") {
    auto range = [](const char* q) {
        return *parse(q).query.parts[0].clauses[0].pattern.parts[0].rels[0].range;
    };
    CHECK_FALSE(range("MATCH ()-[*]-() RETURN 1").min);
    CHECK_FALSE(range("MATCH ()-[*]-() RETURN 1").max);
    CHECK(range("MATCH ()-[*2]-() RETURN 1").min == 2);
    CHECK(range("MATCH ()-[*2]-() RETURN 1").max == 2);
    CHECK(range("MATCH ()-[*..3]-() RETURN 1").max == 3);
    CHECK_FALSE(range("MATCH ()-[*2..]-() RETURN 1").max);
    auto dir = [](const char* q) {
        return parse(q).query.parts[0].clauses[0].pattern.parts[0].rels[0].direction;
    };
    CHECK(dir("MATCH (a)--(b) RETURN 1") == Direction::Both);
    CHECK(dir("MATCH (a)<-->(b) RETURN 1") == Direction::Both);
    CHECK(dir("MATCH (a)<--(b) RETURN 1") == Direction::Incoming);
    CHECK(dir("MATCH (a)-->(b) RETURN 1") == Direction::Outgoing);
    auto sp = parse("MATCH p = shortestPath((a)-[*]-(b)) RETURN p");
    CHECK(only_clause(sp).pattern.parts[0].shortest == PatternPart::Shortest::Shortest);
}

TEST_CASE("parser: path selectors and their counts", "[parser]") {
    struct Selector {
        PatternPart::Shortest shortest;
        int64_t k;
        bool groups;
    };
    auto selector = [](const std::string& s) {
        auto q = parse("MATCH p = " + s + " (a)-[:R]->+(b) RETURN p");
        const PatternPart& part = q.query.parts[0].clauses[0].pattern.parts[0];
        CHECK(part.selector);
        return Selector{part.shortest, part.selector_k, part.selector_groups};
    };
    using S = PatternPart::Shortest;
    auto is = [](Selector got, S shortest, int64_t k, bool groups) {
        return got.shortest == shortest && got.k == k && got.groups == groups;
    };
    CHECK(is(selector("SHORTEST 3"), S::Shortest, 3, false));
    CHECK(is(selector("SHORTEST 3 PATHS"), S::Shortest, 3, false));
    CHECK(is(selector("ANY 2"), S::Shortest, 2, false));
    CHECK(is(selector("ANY"), S::Shortest, 1, false));
    CHECK(is(selector("ANY SHORTEST PATH"), S::Shortest, 1, false));
    CHECK(is(selector("ALL SHORTEST"), S::All, 1, false));
    CHECK(is(selector("SHORTEST 2 GROUPS"), S::Shortest, 2, true));
    CHECK(is(selector("SHORTEST 2 PATHS GROUP"), S::Shortest, 2, true));
    CHECK(is(selector("SHORTEST GROUPS"), S::Shortest, 1, true));
    for (const char* bad : {"SHORTEST 0", "ANY 0", "SHORTEST PATH", "ALL SHORTEST GROUPS",
                            "ANY 2 GROUPS", "SHORTEST 0 GROUPS"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse(std::string("MATCH p = ") + bad + " (a)-[:R]->+(b) RETURN p"),
                        lora::Error);
    }
}

TEST_CASE("parser: update clauses", "[parser]") {
    auto s = parse(
        "MATCH (n) CREATE (n)-[:R {w: 1}]->(m:M) MERGE (x:X {id: 1}) "
        "ON CREATE SET x.new = true ON MATCH SET x += {seen: 1}, x:Seen "
        "SET n.a = 1, n = {b: 2}, n:L1:L2 REMOVE n.a, n:L1 DETACH DELETE m, n");
    CHECK(only_clause(s, 1).kind == ClauseKind::Create);
    const Clause& merge = only_clause(s, 2);
    CHECK(merge.kind == ClauseKind::Merge);
    REQUIRE(merge.on_create.size() == 1);
    CHECK(merge.on_create[0].kind == SetItem::Kind::Property);
    REQUIRE(merge.on_match.size() == 2);
    CHECK(merge.on_match[0].kind == SetItem::Kind::Merge);
    CHECK(merge.on_match[1].kind == SetItem::Kind::Labels);
    const Clause& set = only_clause(s, 3);
    REQUIRE(set.set_items.size() == 3);
    CHECK(set.set_items[0].kind == SetItem::Kind::Property);
    CHECK(set.set_items[0].target->name == "a");
    CHECK(set.set_items[1].kind == SetItem::Kind::Replace);
    CHECK(set.set_items[2].labels == std::vector<std::string>{"L1", "L2"});
    const Clause& rem = only_clause(s, 4);
    CHECK(rem.remove_items[0].kind == RemoveItem::Kind::Property);
    CHECK(rem.remove_items[1].kind == RemoveItem::Kind::Labels);
    const Clause& del = only_clause(s, 5);
    CHECK(del.detach);
    CHECK(del.delete_exprs.size() == 2);
}

TEST_CASE("parser: projections, UNWIND, UNION, CALL", "[parser]") {
    auto s = parse(
        "UNWIND [1, 2] AS x WITH DISTINCT x, x * 2 AS y ORDER BY y DESC, x SKIP 1 "
        "LIMIT 2 WHERE y > 0 RETURN *, x AS z;");
    CHECK(only_clause(s).kind == ClauseKind::Unwind);
    CHECK(only_clause(s).variable == "x");
    const Clause& w = only_clause(s, 1);
    CHECK(w.body.distinct);
    CHECK(w.body.items[1].alias == "y");
    CHECK(w.body.items[1].text == "x * 2");
    CHECK(w.body.order_by[0].descending);
    CHECK_FALSE(w.body.order_by[1].descending);
    CHECK(w.body.skip);
    CHECK(w.body.limit);
    CHECK(w.where);
    CHECK(only_clause(s, 2).body.star);

    auto u = parse("RETURN 1 AS a UNION ALL RETURN 2 AS a UNION RETURN 3 AS a");
    CHECK(u.query.parts.size() == 3);
    CHECK(u.query.union_all == std::vector<bool>{true, false});

    auto c = parse("CALL db.labels() YIELD label AS l, other WHERE l <> 'x' RETURN l");
    const Clause& call = only_clause(c);
    CHECK(call.procedure == "db.labels");
    REQUIRE(call.args);
    CHECK(call.args->empty());
    CHECK(call.yields[0].field == "label");
    CHECK(call.yields[0].alias == "l");
    CHECK(call.where);
    auto implicit = parse("CALL test.my.proc");
    CHECK_FALSE(only_clause(implicit).args);
    CHECK(parse("EXPLAIN MATCH (n) RETURN n").mode == Statement::Mode::Explain);
    CHECK(parse("profile MATCH (n) RETURN n").mode == Statement::Mode::Profile);
}

TEST_CASE("parser: index commands", "[parser]") {
    auto st = parse("CREATE INDEX FOR (n:Person) ON (n.name)");
    const Clause& a = only_clause(st);
    CHECK(a.kind == ClauseKind::CreateIndex);
    CHECK(a.index_label == "Person");
    CHECK(a.index_properties == std::vector<std::string>{"name"});
    auto b = parse("CREATE INDEX idx IF NOT EXISTS FOR (n:P) ON (n.a, n.b)");
    CHECK(only_clause(b).index_name == "idx");
    CHECK(only_clause(b).if_not_exists);
    CHECK(only_clause(b).index_properties.size() == 2);
    auto d = parse("DROP INDEX idx IF EXISTS");
    CHECK(only_clause(d).kind == ClauseKind::DropIndex);
    CHECK(only_clause(d).if_not_exists);
    auto v = parse(
        "CREATE VECTOR INDEX emb IF NOT EXISTS FOR (n:Doc) ON (n.vec) "
        "OPTIONS {dimensions: 3, similarity: 'cosine'}");
    CHECK(only_clause(v).vector_index);
    CHECK(only_clause(v).index_options->kind == ExprKind::MapLiteral);
}

TEST_CASE("parser: operator precedence", "[parser]") {
    // OR < XOR < AND < NOT < comparison
    auto s1 = ret("a OR b XOR c AND NOT d = e");
    const Expr& e1 = ret_expr(s1);
    REQUIRE(e1.op == Op::Or);
    const Expr& x = *e1.children[1];
    REQUIRE(x.op == Op::Xor);
    const Expr& a = *x.children[1];
    REQUIRE(a.op == Op::And);
    CHECK(a.children[1]->kind == ExprKind::Unary);
    CHECK(a.children[1]->children[0]->kind == ExprKind::Comparison);

    auto s2 = ret("1 + 2 * 3 ^ 2 IN [1] = true");
    const Expr& e2 = ret_expr(s2);
    REQUIRE(e2.kind == ExprKind::Comparison);
    const Expr& in = *e2.children[0];
    REQUIRE(in.op == Op::In);
    const Expr& add = *in.children[0];
    REQUIRE(add.op == Op::Add);
    CHECK(add.children[1]->op == Op::Multiply);
    CHECK(add.children[1]->children[1]->op == Op::Power);

    auto s3 = ret("1 < x <= 3");
    CHECK(ret_expr(s3).ops == std::vector<Op>{Op::Lt, Op::Le});
    CHECK(ret_expr(s3).children.size() == 3);

    // A left-associative chain is one node with an operand per term, folded from the left.
    auto s4 = ret("10 - 2 - 3");
    CHECK(ret_expr(s4).op == Op::Subtract);
    CHECK(ret_expr(s4).children.size() == 3);
    CHECK(ret_expr(s4).ops.empty());
    auto s7 = ret("a + b  -c*d + e");  // operators of one level mix in one chain
    const Expr& e7 = ret_expr(s7);
    REQUIRE(e7.children.size() == 4);
    CHECK(e7.ops == std::vector<Op>{Op::Add, Op::Subtract, Op::Add});
    CHECK(binary_op(e7, 2) == Op::Subtract);
    CHECK(e7.children[2]->op == Op::Multiply);
    CHECK(chain_prefix_text(e7, 1) == "a + b");
    CHECK(chain_prefix_text(e7, 2) == "a + b  -c*d");
    CHECK(ret_expr(ret("a AND b AND c AND d")).children.size() == 4);
    auto s5 = ret("-n.x ^ 2");  // unary binds tighter than ^
    CHECK(ret_expr(s5).op == Op::Power);
    CHECK(ret_expr(s5).children[0]->op == Op::Negate);
    auto s6 = ret("a.b IS NOT NULL AND s STARTS WITH 'x' OR s =~ 'y.*'");
    CHECK(ret_expr(s6).children[0]->children[0]->kind == ExprKind::IsNotNull);
    CHECK(ret_expr(s6).children[1]->op == Op::RegexMatch);
}

TEST_CASE("parser: atoms", "[parser]") {
    CHECK(ret_expr(ret("-9223372036854775808")).value.as_int() == INT64_MIN);
    CHECK(ret_expr(ret("0x1F")).value.as_int() == 31);
    CHECK(ret_expr(ret("'s'")).value.as_string() == "s");
    CHECK(ret_expr(ret("null")).value.is_null());
    CHECK(ret_expr(ret("$p")).kind == ExprKind::Parameter);
    auto m = ret("{a: 1, `b c`: [1, 2.5, 'x'], match: true}");
    CHECK(ret_expr(m).keys == std::vector<std::string>{"a", "b c", "match"});
    CHECK(ret_expr(ret("count(*)")).kind == ExprKind::CountStar);
    auto f = ret("count(DISTINCT n.x)");
    CHECK(ret_expr(f).distinct);
    CHECK(ret_expr(ret("vector.norm(v)")).name == "vector.norm");
    auto c = ret("CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END");
    CHECK(ret_expr(c).children.size() == 6);
    CHECK(ret_expr(c).children[0]);
    auto g = ret("CASE WHEN x THEN 1 END");
    CHECK(ret_expr(g).children.size() == 3);
    CHECK_FALSE(ret_expr(g).children[0]);
    auto lc = ret("[x IN list WHERE x > 1 | x * 2]");
    CHECK(ret_expr(lc).kind == ExprKind::ListComprehension);
    CHECK(ret_expr(lc).variable == "x");
    auto pc = ret("[p = (a)-->(b:B) WHERE b.x | p]");
    CHECK(ret_expr(pc).kind == ExprKind::PatternComprehension);
    CHECK(ret_expr(pc).pattern->path_variable == "p");
    auto q = ret("single(x IN l WHERE x)");
    CHECK(ret_expr(q).quantifier == QuantifierKind::Single);
    auto r = ret("reduce(acc = 0, x IN l | acc + x)");
    CHECK(ret_expr(r).keys[0] == "acc");
    CHECK(ret_expr(r).children.size() == 3);
    auto mp = ret("n {.a, b: 1, .*, v}");
    REQUIRE(ret_expr(mp).projection.size() == 4);
    CHECK(ret_expr(mp).projection[2].kind == MapProjectionItem::Kind::AllProperties);
    CHECK(ret_expr(mp).projection[3].kind == MapProjectionItem::Kind::Variable);
    auto sl = ret("l[1..][..2][0]");
    CHECK(ret_expr(sl).kind == ExprKind::DynamicSubscript);
    CHECK(ret_expr(sl).children[0]->kind == ExprKind::Slice);
    CHECK(ret_expr(ret("n:A:B")).keys == std::vector<std::string>{"A", "B"});
    auto ex = parse("MATCH (n) WHERE exists { (n)-->(m) WHERE m.x } AND (n)-[:T]->() RETURN n");
    const Expr& w = *only_clause(ex).where;
    CHECK(w.children[0]->kind == ExprKind::Subquery);
    CHECK(w.children[0]->subquery_kind == SubqueryKind::Exists);
    CHECK(w.children[0]->subquery->parts[0].clauses[0].kind == ClauseKind::Match);
    CHECK(w.children[1]->kind == ExprKind::PatternPredicate);
    CHECK(ret_expr(ret("COUNT { (n)-->() }")).subquery_kind == SubqueryKind::Count);
    auto collect = ret("collect { MATCH (n) RETURN n.x }");
    CHECK(ret_expr(collect).subquery_kind == SubqueryKind::Collect);
    CHECK(ret_expr(collect).subquery->parts[0].clauses[1].kind == ClauseKind::Return);
    CHECK(ret_expr(ret("collect(x)")).kind == ExprKind::FunctionCall);
    auto fe = parse("FOREACH (x IN [1, 2] | CREATE (:A {x: x}) FOREACH (y IN [x] | SET n.y = y))");
    const Clause& each = only_clause(fe);
    CHECK(each.kind == ClauseKind::Foreach);
    CHECK(each.variable == "x");
    REQUIRE(each.body_clauses.size() == 2);
    CHECK(each.body_clauses[0].kind == ClauseKind::Create);
    CHECK(each.body_clauses[1].kind == ClauseKind::Foreach);
    CHECK(each.body_clauses[1].body_clauses.at(0).kind == ClauseKind::Set);
    auto paren = ret("(1 + 2) * 3");
    CHECK(ret_expr(paren).children[0]->text == "(1 + 2)");
}

TEST_CASE("parser: column text is the exact source text", "[parser]") {
    auto s = parse("MATCH (n) RETURN n.name, count( * ), n.x+1 AS y, toUpper( n.s ) ");
    const auto& items = only_clause(s, 1).body.items;
    CHECK(items[0].text == "n.name");
    CHECK(items[1].text == "count( * )");
    CHECK(items[2].text == "n.x+1");
    CHECK(items[3].text == "toUpper( n.s )");
    CHECK(items[3].expr->children[0]->text == "n.s");
}

TEST_CASE("parser: keywords as names", "[parser]") {
    auto s =
        parse("MATCH (n:Match)-[:RETURN]->(m) RETURN n.match, n.return AS `return`, {where: 1}");
    CHECK(only_clause(s).pattern.parts[0].nodes[0].labels[0] == "Match");
    CHECK(only_clause(s, 1).body.items[0].expr->name == "match");
}

TEST_CASE("parser: errors carry line and column", "[parser]") {
    auto e = error_of("MATCH (n) RETRUN n");
    CHECK(e.detail() == "UnexpectedSyntax");
    CHECK(e.line() == 1);
    CHECK(e.column() == 11);
    CHECK(std::string(e.what()).find("Invalid input 'RETRUN'") != std::string::npos);
    CHECK(std::string(e.what()).find("(line 1, column 11)") != std::string::npos);

    auto e2 = error_of("MATCH (n)\nRETURN n.x +");
    CHECK(e2.line() == 2);
    CHECK(e2.column() == 13);

    auto e3 = error_of("RETURN [1, 2");
    CHECK(e3.detail() == "UnexpectedSyntax");
    auto e4 = error_of("MATCH (n RETURN n");
    CHECK(e4.column() == 10);
    CHECK(error_of("RETURN 9223372036854775808").detail() == "IntegerOverflow");
    CHECK(error_of("RETURN -9223372036854775809").detail() == "IntegerOverflow");
    CHECK(error_of("RETURN 0x").detail() == "InvalidNumberLiteral");
    CHECK(error_of("RETURN {1a: 1}").detail() == "UnexpectedSyntax");
    CHECK(error_of("RETURN 1.34E999").detail() == "FloatingPointOverflow");
    CHECK(error_of("RETURN '\\uH'").detail() == "InvalidUnicodeLiteral");
    CHECK(error_of("MATCH (a)-[:R..]->(b) RETURN a").detail() == "InvalidRelationshipPattern");
    CHECK(error_of("MATCH (a)-[:R*-2]->(b) RETURN a").detail() == "InvalidRelationshipPattern");
    // Pattern expressions only as predicates.
    CHECK(error_of("MATCH (n) RETURN (n)-->()").detail() == "UnexpectedSyntax");
    CHECK(error_of("MATCH (n) RETURN n;;").detail() == "UnexpectedSyntax");
    CHECK(error_of("").detail() == "UnexpectedSyntax");
}

TEST_CASE("parser: hostile nesting is a syntax error, not a crash", "[parser]") {
    std::string deep = "RETURN " + std::string(100000, '[') + std::string(100000, ']');
    CHECK(error_of(deep).detail() == "UnexpectedSyntax");
    std::string nots = "RETURN ";
    for (int k = 0; k < 50000; ++k) nots += "NOT ";
    CHECK(error_of(nots + "true").detail() == "UnexpectedSyntax");
    CHECK(error_of("RETURN " + std::string(50000, '-') + "1").detail() == "UnexpectedSyntax");
    // Moderate nesting is fine.
    CHECK_NOTHROW(parse("RETURN " + std::string(50, '(') + "1" + std::string(50, ')')));
}
