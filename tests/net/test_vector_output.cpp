// VECTOR values on the user-facing surfaces: JSON (a list of floats), the shell's table,
// lorad's HTTP answers and the `lora` CLI, each a real process where one exists.
#include "net_support.hpp"

#include <lora/net/json_format.hpp>
#include <lora/net/table_format.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using lora::test::HttpClient;
using lora::test::kLoraShell;
using lora::test::Lorad;
using lora::test::run_process;
using nlohmann::json;

namespace {

lora::Value vec(std::vector<float> c) { return lora::Value(lora::Vector{std::move(c)}); }

}  // namespace

TEST_CASE("a VECTOR is a JSON list of floats with float32's shortest digits", "[net][vector]") {
    json j = lora::json::to_json(vec({0.1f, -2.5f, 3e-8f, 1.0f}));
    REQUIRE(j.is_array());
    CHECK(j.dump() == "[0.1,-2.5,3e-08,1.0]");
    for (const auto& x : j) CHECK(x.is_number_float());
    // Read back as float32, every coordinate is the stored one.
    CHECK(static_cast<float>(j[0].get<double>()) == 0.1f);
    CHECK(static_cast<float>(j[2].get<double>()) == 3e-8f);

    lora::Result r;
    r.columns = {"v"};
    r.rows = {{vec({1.5f, 2.0f})}};
    CHECK(lora::json::result_to_json(r)["rows"] == json::parse("[[[1.5, 2.0]]]"));
    CHECK(lora::json::format_table(r).find("| vector([1.5, 2.0], 2, FLOAT32 NOT NULL) |") !=
          std::string::npos);
}

TEST_CASE("lorad returns vectors as float lists and takes list parameters for vector()",
          "[net][lorad][vector]") {
    Lorad d({"--shards", "2"});
    HttpClient c(d.port());
    auto created = c.query({{"query",
                             "CREATE (n:Doc {e: vector($e)}) RETURN n.e AS e, "
                             "vector.similarity.cosine(n.e, $e) AS self"},
                            {"params", {{"e", json::array({0.6, 0.8, 0})}}}});
    REQUIRE(created.status == 200);
    auto cj = created.json();
    CHECK(cj["rows"][0][0] == json::parse("[0.6, 0.8, 0.0]"));
    CHECK(cj["rows"][0][1] == 1.0);

    auto nodes = c.query({{"query", "MATCH (n:Doc) RETURN n"}});
    REQUIRE(nodes.status == 200);
    CHECK(nodes.json()["rows"][0][0]["properties"]["e"] == json::parse("[0.6, 0.8, 0.0]"));

    auto bad = c.query({{"query", "RETURN vector.similarity.euclidean([1, 2], [1])"}});
    CHECK(bad.status == 400);
    CHECK(bad.json()["error"]["code"] == "ArgumentError.InvalidArgumentValue");
    CHECK(bad.json()["error"]["message"].get<std::string>().find("same dimension, got 2 and 1") !=
          std::string::npos);
}

TEST_CASE("the lora CLI prints vectors in tables and as JSON", "[net][shell][vector]") {
    auto table = run_process(kLoraShell, {"-e", "RETURN vector([1, 2.5]) AS v"});
    INFO(table.err);
    CHECK(table.exit_code == 0);
    CHECK(table.out.find("| vector([1.0, 2.5], 2, FLOAT32 NOT NULL) |") != std::string::npos);

    auto js =
        run_process(kLoraShell, {"--format", "json", "-e", "RETURN vector('[0.25, -1]') AS v"});
    CHECK(js.exit_code == 0);
    CHECK(json::parse(js.out)["rows"] == json::parse("[[[0.25, -1.0]]]"));
}
