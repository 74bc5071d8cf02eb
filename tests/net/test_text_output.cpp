// Text on the user-facing surfaces: floats JSON has no literal for (NaN, the infinities),
// non-ASCII text in tables, and lorad's and the lora CLI's answers for them (real
// processes).
#include "net_support.hpp"

#include <lora/net/json_format.hpp>
#include <lora/net/table_format.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <sstream>

using lora::test::HttpClient;
using lora::test::kLoraShell;
using lora::test::Lorad;
using lora::test::run_process;
using nlohmann::json;

namespace {

// The lines of a rendered table.
std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

size_t code_points(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

}  // namespace

TEST_CASE("NaN and the infinities are JSON strings, never null", "[net][json]") {
    const double inf = std::numeric_limits<double>::infinity();
    CHECK(lora::json::to_json(lora::Value(std::nan(""))) == "NaN");
    CHECK(lora::json::to_json(lora::Value(inf)) == "Infinity");
    CHECK(lora::json::to_json(lora::Value(-inf)) == "-Infinity");
    CHECK(lora::json::to_json(lora::Value(-0.5)) == -0.5);
    lora::Result r;
    r.columns = {"l", "m"};
    r.rows = {{lora::Value(lora::List{lora::Value(1.0), lora::Value(inf)}),
               lora::Value(lora::Map{{"x", lora::Value(std::nan(""))}})}};
    CHECK(lora::json::result_to_json(r)["rows"] ==
          json::parse(R"([[[1.0, "Infinity"], {"x": "NaN"}]])"));
}

TEST_CASE("tables align non-ASCII text by the columns it takes on a terminal", "[net][table]") {
    lora::Result r;
    r.columns = {"name"};
    // é is two bytes, 日本 two wide characters, e + U+0301 a combining accent.
    r.rows = {{lora::Value("é")},
              {lora::Value("日本")},
              {lora::Value("e\xCC\x81")},
              {lora::Value("abcd")}};
    auto lines = lines_of(lora::json::format_table(r));
    REQUIRE(lines.size() >= 8);
    // Every line of the frame and each row is as wide as the border: | 'abcd' | is 10.
    CHECK(lines[0] == "+--------+");
    CHECK(lines[3] == "| 'é'    |");
    CHECK(lines[4] == "| '日本' |");
    CHECK(lines[5] == "| 'e\xCC\x81'    |");
    CHECK(code_points(lines[6]) == 10);
}

TEST_CASE("lorad and the lora CLI answer NaN, infinities and Unicode text faithfully",
          "[net][lorad][json]") {
    const std::string q =
        "RETURN 0.0 / 0.0 AS nan, 1.0 / 0.0 AS inf, -1.0 / 0.0 AS ninf, toUpper('straße') AS up, "
        "toLower('ΣΑΣ') AS low, trim('\\u2003x\\u3000') AS t";
    const json expected =
        json::parse(R"([["NaN", "Infinity", "-Infinity", "STRASSE", "σας", "x"]])");
    Lorad d({"--shards", "2"});
    HttpClient c(d.port());
    auto res = c.query({{"query", q}});
    REQUIRE(res.status == 200);
    CHECK(res.json()["rows"] == expected);

    auto cli = run_process(kLoraShell, {"--format", "json", "-e", q});
    INFO(cli.err);
    CHECK(cli.exit_code == 0);
    CHECK(json::parse(cli.out)["rows"] == expected);
}
