// Semantic analysis tests: one or more queries per error detail, and valid queries that
// must pass untouched.
#include <lora/cypher/parser.hpp>
#include <lora/cypher/semantic.hpp>

#include <lora/error.hpp>

#include <catch2/catch.hpp>

using namespace lora::cypher;

namespace {

std::string detail_of(const std::string& q) {
    try {
        analyze(parse(q));
    } catch (const lora::Error& e) {
        return e.detail();
    }
    return "";
}

}  // namespace

TEST_CASE("semantic: each compile-time error detail", "[semantic]") {
    struct Case {
        const char* detail;
        const char* query;
    };
    const Case cases[] = {
        {"UndefinedVariable", "MATCH (a) RETURN b"},
        {"UndefinedVariable", "MATCH (n) WHERE (n)-[r]->(a) RETURN n"},
        {"UndefinedVariable", "WITH 1 AS a, 2 AS b, 3 AS c WITH a, b WITH a ORDER BY c RETURN a"},
        {"UndefinedVariable", "MATCH (a) RETURN DISTINCT a.name ORDER BY a.age"},
        {"UndefinedVariable", "RETURN [x IN [1] | y]"},
        {"UndefinedVariable", "MERGE (n) ON CREATE SET x.num = 1"},
        {"VariableAlreadyBound", "MATCH (a) CREATE (a)"},
        {"VariableAlreadyBound", "CREATE (n:Foo) CREATE (n:Bar)-[:OWNS]->(:Dog)"},
        {"VariableAlreadyBound", "MATCH p = (p)-->() RETURN p"},
        {"VariableAlreadyBound", "MATCH ()-[r]->() CREATE ()-[r]->()"},
        {"VariableAlreadyBound", "WITH 1 AS x UNWIND [1] AS x RETURN x"},
        {"VariableTypeConflict", "MATCH ()-[r]-() MATCH (r) RETURN r"},
        {"VariableTypeConflict", "MATCH r = ()-->() MATCH ()-[r]-() RETURN r"},
        {"VariableTypeConflict", "WITH 123 AS n MATCH (n) RETURN n"},
        {"VariableTypeConflict", "MATCH (n) WITH [n] AS users MATCH (users)-->(m) RETURN m"},
        {"InvalidAggregation", "MATCH (a) WHERE count(a) > 10 RETURN a"},
        {"InvalidAggregation", "MATCH (n) RETURN [x IN [1, 2] | count(*)]"},
        {"InvalidAggregation", "MATCH (n) RETURN n.a ORDER BY max(n.b)"},
        {"NestedAggregation", "RETURN count(count(*))"},
        {"AmbiguousAggregationExpression", "MATCH (a)--(b) RETURN a.x + count(b.x)"},
        {"AmbiguousAggregationExpression",
         "MATCH (a)--(b) RETURN a.x + b.x, count(*) AS c ORDER BY a.x + b.x + count(*)"},
        {"NoSingleRelationshipType", "CREATE ()-->()"},
        {"NoSingleRelationshipType", "MATCH (a), (b) MERGE (a)-[:A|:B]->(b)"},
        {"RequiresDirectedRelationship", "CREATE (a)-[:T]-(b)"},
        {"CreatingVarLength", "CREATE ()-[:T*2]->()"},
        {"InvalidDelete", "MATCH (n) DELETE n:Person"},
        {"InvalidArgumentType", "MATCH () DELETE 1 + 1"},
        {"DifferentColumnsInUnion", "RETURN 1 AS a UNION RETURN 2 AS b"},
        {"InvalidClauseComposition", "RETURN 1 AS a UNION RETURN 2 AS a UNION ALL RETURN 3 AS a"},
        {"InvalidClauseComposition", "MATCH (n)"},
        {"InvalidClauseComposition", "RETURN 1 AS a WITH 2 AS b RETURN b"},
        {"InvalidClauseComposition",
         "MATCH (n) WHERE exists { MATCH (n)-->(m) SET m.p = 1 } RETURN n"},
        {"ColumnNameConflict", "RETURN 1 AS a, 2 AS a"},
        {"NoExpressionAlias", "MATCH (a) WITH a, count(*) RETURN a"},
        {"NoVariablesInScope", "MATCH () RETURN *"},
        {"NonConstantExpression", "MATCH (n) RETURN n SKIP n.count"},
        {"NonConstantExpression", "RETURN count(rand())"},
        {"NegativeIntegerArgument", "MATCH (n) RETURN n LIMIT -1"},
        {"InvalidArgumentType", "MATCH (n) RETURN n SKIP 1.5"},
        {"InvalidNumberOfArguments", "RETURN toUpper('a', 'b')"},
        {"UnknownFunction", "MATCH (a) RETURN foo(a)"},
        {"InvalidParameterUse", "MATCH (n $param) RETURN n"},
        {"InvalidParameterUse", "MERGE (a)-[r:T $p]->(b) RETURN r"},
        {"RelationshipUniquenessViolation", "MATCH (a)-[r]->()-[r]->(a) RETURN r"},
        {"InvalidArgumentType", "RETURN NOT 1"},
        {"InvalidArgumentType", "RETURN 'a' AND true"},
        {"InvalidArgumentType", "RETURN 1 IN 123"},
        {"InvalidArgumentType", "WITH 'x' AS s RETURN s.prop"},
        {"InvalidArgumentType", "RETURN any(x IN ['a'] WHERE x % 2 = 0)"},
        {"InvalidArgumentType", "MATCH (n) RETURN length(n)"},
        {"InvalidArgumentType", "MATCH (n) WHERE (n) RETURN n"},
        {"InvalidArgumentType", "MATCH ()-[r]->() RETURN labels(r)"},
        {"VariableAlreadyBound", "CALL test.proc() YIELD a, b AS a RETURN a"},
    };
    for (const auto& c : cases) {
        INFO(c.query);
        CHECK(detail_of(c.query) == c.detail);
    }
}

TEST_CASE("semantic: valid queries pass", "[semantic]") {
    const char* queries[] = {
        "MATCH (n) RETURN n",
        "MATCH (a)-[r:T*1..2]->(b) WHERE a.x = 1 AND (a)-->(b) RETURN a, r, b",
        "MATCH (a) WITH a, count(*) AS c WHERE c > 1 RETURN a ORDER BY a.x",
        "MATCH (a) RETURN a.name AS name, count(*) AS c ORDER BY count(*) DESC, name",
        "MATCH (me)--(you) WITH me.age AS age, count(you.age) AS cnt ORDER BY age + count(you.age) "
        "RETURN age",
        "MATCH (p) RETURN avg(p.age) AS a ORDER BY $age + avg(p.age) - 1000",
        "MATCH (a) RETURN a.x ORDER BY a.y",
        "MATCH (a) RETURN DISTINCT a.name ORDER BY a.name",
        "UNWIND [1, 2, 3] AS x WITH x WHERE x > 1 RETURN collect(x) AS xs",
        "MATCH (a) CREATE (a)-[:R]->(b:B {name: a.name}) RETURN b",
        "MERGE (a:A {id: 1}) ON CREATE SET a.created = true ON MATCH SET a.seen = a.seen + 1",
        "MATCH (a), (b) MERGE (a)-[r:KNOWS]-(b) RETURN r",
        "MATCH ()-[r]->() MATCH ()-[r]->() RETURN r",
        "WITH null AS a OPTIONAL MATCH p = (a)-[r]->() RETURN nodes(p)",
        "MATCH (n) WITH n SKIP toInteger(rand() * 9) RETURN n",
        "RETURN [x IN range(1, 10) WHERE x % 2 = 0 | x ^ 2] AS squares",
        "RETURN reduce(acc = 0, x IN [1, 2] | acc + x) AS s",
        "MATCH (n) RETURN n {.name, .*, k: 1} AS m, [(n)-->(m) | m.x] AS xs",
        "MATCH (n) WHERE exists { MATCH (n)-->(m) WHERE m.x > 1 } RETURN n",
        "MATCH ()-[r*]->() RETURN last(r) AS l",
        "MATCH (a) DETACH DELETE a",
        "MATCH () CREATE () WITH * CREATE ()",
        "RETURN 1 AS a UNION RETURN 2 AS a",
        "CALL db.labels() YIELD label RETURN label",
        "CALL test.my.proc",
        "CREATE INDEX FOR (n:P) ON (n.x)",
        "MATCH (n) RETURN count(DISTINCT n.x) AS c, collect(n)[0] AS first",
        "MATCH (n:A) WITH n, n.a AS a ORDER BY a LIMIT 1 RETURN n.b",
        "MATCH (a) WITH a.x AS x, count(*) AS c RETURN x, c",
        "WITH [1, 2] AS l UNWIND l AS x RETURN x",
        "MATCH (n) SET n += $props, n:Label REMOVE n.old RETURN n",
    };
    for (const char* q : queries) {
        INFO(q);
        CHECK(detail_of(q) == "");
    }
}

TEST_CASE("semantic: error messages name the problem", "[semantic]") {
    try {
        analyze(parse("MATCH (a)\nRETURN missing"));
        FAIL("expected UndefinedVariable");
    } catch (const lora::Error& e) {
        CHECK(e.type() == "SyntaxError");
        CHECK(e.code() == "SyntaxError.UndefinedVariable");
        CHECK(std::string(e.what()).find("missing") != std::string::npos);
        CHECK(std::string(e.what()).find("line 2, column 8") != std::string::npos);
    }
}
