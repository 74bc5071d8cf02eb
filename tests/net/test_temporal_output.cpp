// Temporal values on the user-facing surfaces: JSON (type-tagged ISO-8601 text, read back as
// parameters), the shell's table, lorad's HTTP answers and the `lora` CLI.
#include "net_support.hpp"

#include <lora/net/json_format.hpp>
#include <lora/net/table_format.hpp>
#include <lora/temporal_ops.hpp>

#include <catch2/catch.hpp>

using lora::test::HttpClient;
using lora::test::kLoraShell;
using lora::test::Lorad;
using lora::test::run_process;
using nlohmann::json;

TEST_CASE("a temporal value is a type-tagged JSON object of its ISO-8601 text, both ways",
          "[net][temporal]") {
    namespace t = lora::temporal;
    const std::pair<lora::ValueKind, const char*> cases[] = {
        {lora::ValueKind::Date, R"({"$date":"2015-07-21"})"},
        {lora::ValueKind::LocalTime, R"({"$localtime":"21:40:32.142"})"},
        {lora::ValueKind::Time, R"({"$time":"21:40:32.142+01:00"})"},
        {lora::ValueKind::LocalDateTime, R"({"$localdatetime":"2015-07-21T21:40:32.142"})"},
        {lora::ValueKind::DateTime,
         R"({"$datetime":"2015-07-21T21:40:32.142+01:00[Europe/London]"})"},
        {lora::ValueKind::Duration, R"({"$duration":"P1Y2M3DT4H"})"},
    };
    for (const auto& [kind, text] : cases) {
        const json j = json::parse(text);
        const lora::Value v = lora::json::from_json(j);
        CHECK(v.kind() == kind);
        CHECK(lora::json::to_json(v) == j);
    }
    // Other one-key maps stay maps; bad text is the temporal error.
    CHECK(lora::json::from_json(json::parse(R"({"$date": 1})")).is_map());
    CHECK(lora::json::from_json(json::parse(R"({"date": "2015-07-21"})")).is_map());
    CHECK_THROWS_AS(lora::json::from_json(json::parse(R"({"$date": "July"})")), lora::Error);

    lora::Result r;
    r.columns = {"d"};
    r.rows = {{t::parse(lora::ValueKind::Date, "2015-07-21")}};
    CHECK(lora::json::format_table(r).find("| 2015-07-21 |") != std::string::npos);
}

TEST_CASE("lorad answers temporal values as tagged JSON and takes them as parameters",
          "[net][lorad][temporal]") {
    Lorad d({"--shards", "2"});
    HttpClient c(d.port());
    auto created = c.query(
        {{"query", "CREATE (n:E {at: $at}) RETURN n.at AS at, n.at + duration('P1D') AS next"},
         {"params", {{"at", {{"$datetime", "2024-03-30T12:00[Europe/Berlin]"}}}}}});
    REQUIRE(created.status == 200);
    auto cj = created.json();
    CHECK(cj["rows"][0][0] ==
          json::parse(R"({"$datetime":"2024-03-30T12:00+01:00[Europe/Berlin]"})"));
    CHECK(cj["rows"][0][1] ==
          json::parse(R"({"$datetime":"2024-03-31T12:00+02:00[Europe/Berlin]"})"));

    auto found = c.query({{"query", "MATCH (n:E) WHERE n.at < $t RETURN count(*) AS n"},
                          {"params", {{"t", {{"$date", "2024-04-01"}}}}}});
    REQUIRE(found.status == 200);
    // A datetime and a date do not compare: null, so no row passes.
    CHECK(found.json()["rows"][0][0] == 0);

    auto bad =
        c.query({{"query", "RETURN $d AS d"}, {"params", {{"d", {{"$date", "2024-02-30"}}}}}});
    CHECK(bad.status == 400);
    CHECK(bad.json()["error"]["code"] == "ArgumentError.InvalidArgumentValue");
}

TEST_CASE("the lora CLI prints temporal values in tables and as JSON", "[net][shell][temporal]") {
    auto table = run_process(kLoraShell, {"-e", "RETURN duration('PT90M') AS d"});
    INFO(table.err);
    CHECK(table.exit_code == 0);
    CHECK(table.out.find("| PT1H30M |") != std::string::npos);

    auto js = run_process(kLoraShell, {"--format", "json", "-e", "RETURN date('2015-202') AS d"});
    CHECK(js.exit_code == 0);
    CHECK(json::parse(js.out)["rows"] == json::parse(R"([[{"$date":"2015-07-21"}]])"));
}
