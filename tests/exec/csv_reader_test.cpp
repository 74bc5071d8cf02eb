// LOAD CSV's file access on its own: records (quotes, embedded newlines, nulls, line
// numbers), gzip files, malformed input, and URLs confined to the import directory.
#include <catch2/catch.hpp>
#include "engine/helpers.hpp"

#include <lora/error.hpp>
#include <lora/exec/csv_reader.hpp>

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

using lora::exec::CsvReader;
using lora::exec::CsvRecord;
using lora::exec::resolve_csv_url;
using lora::test::error_of;

namespace fs = std::filesystem;

namespace {

struct Dir {
    std::string path = lora::test::temp_dir("csv");
    ~Dir() { fs::remove_all(path); }
    std::string write(const std::string& name, const std::string& text) const {
        const std::string p = path + "/" + name;
        fs::create_directories(fs::path(p).parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }
};

std::vector<CsvRecord> read_all(const std::string& path, char delim = ',') {
    CsvReader r(path, delim);
    std::vector<CsvRecord> out;
    CsvRecord rec;
    while (r.next(rec)) out.push_back(rec);
    return out;
}

}  // namespace

TEST_CASE("records: quoted fields, embedded newlines, nulls and start lines", "[exec][csv]") {
    Dir d;
    auto recs = read_all(d.write("a.csv",
                                 "a,\"b,c\",\"\"\r\n"
                                 "\"x\ny\nz\",,\"q\"\"q\"\n"
                                 "\n"
                                 " sp , last"));
    REQUIRE(recs.size() == 3);
    REQUIRE(recs[0].fields.size() == 3);
    CHECK(*recs[0].fields[0] == "a");
    CHECK(*recs[0].fields[1] == "b,c");
    CHECK(*recs[0].fields[2] == "");  // quoted empty: the empty string
    CHECK(recs[0].line == 1);
    CHECK(*recs[1].fields[0] == "x\ny\nz");
    CHECK_FALSE(recs[1].fields[1].has_value());  // unquoted empty: null
    CHECK(*recs[1].fields[2] == "q\"q");
    CHECK(recs[1].line == 2);
    CHECK(*recs[2].fields[0] == " sp ");  // spaces are kept
    CHECK(*recs[2].fields[1] == " last");
    CHECK(recs[2].line == 6);  // after the three lines of record 2 and a blank line
}

TEST_CASE("records across many chunks keep their order and line numbers", "[exec][csv]") {
    Dir d;
    std::string text;
    const int n = 200000;  // several 64 KiB chunks
    for (int i = 1; i <= n; ++i) text += std::to_string(i) + ",\"v" + std::to_string(i) + "\"\n";
    CsvReader r(d.write("big.csv", text), ',');
    CsvRecord rec;
    int count = 0;
    while (r.next(rec)) {
        ++count;
        REQUIRE(rec.line == count);
        REQUIRE(*rec.fields[0] == std::to_string(count));
        REQUIRE(*rec.fields[1] == "v" + std::to_string(count));
    }
    CHECK(count == n);
}

TEST_CASE("a gzip file is read directly", "[exec][csv]") {
    Dir d;
    const std::string path = d.path + "/z.csv.gz";
    gzFile gz = gzopen(path.c_str(), "wb");
    REQUIRE(gz != nullptr);
    std::string text = "id,name\n";
    for (int i = 0; i < 1000; ++i)
        text += std::to_string(i) + ",\"n\n" + std::to_string(i) + "\"\n";
    REQUIRE(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())) ==
            static_cast<int>(text.size()));
    gzclose(gz);
    REQUIRE(fs::file_size(path) < text.size());  // really compressed
    auto recs = read_all(path);
    REQUIRE(recs.size() == 1001);
    CHECK(*recs[1000].fields[1] == "n\n999");
    CHECK(recs[1000].line == 2000);
}

TEST_CASE("a malformed line is an error naming the file and the line", "[exec][csv]") {
    Dir d;
    auto path = d.write("bad.csv", "a,b\nc,d\n\"e\"x,f\n");
    auto e = error_of([&] { read_all(path); });
    CHECK(e.code() == "Statement.ExternalResourceFailed");
    CHECK_THAT(e.message(), Catch::Contains(path) && Catch::Contains("line 3"));

    auto open = d.write("open.csv", "a,b\nc,\"never closed\nmore\n");
    auto e2 = error_of([&] { read_all(open); });
    CHECK_THAT(e2.message(),
               Catch::Contains(open) && Catch::Contains("line 2") && Catch::Contains("not closed"));
}

TEST_CASE("URLs resolve inside the import directory only", "[exec][csv]") {
    Dir d;
    const std::string root = fs::canonical(d.path).string();
    d.write("in.csv", "x\n");
    d.write("sub/deep.csv", "x\n");
    CHECK(resolve_csv_url("file:///in.csv", d.path) == root + "/in.csv");
    CHECK(resolve_csv_url("file://in.csv", d.path) == root + "/in.csv");
    CHECK(resolve_csv_url("file:///sub/../sub/deep.csv", d.path) == root + "/sub/deep.csv");
    CHECK(resolve_csv_url("file:///sub/deep%2Ecsv", d.path) == root + "/sub/deep.csv");
    CHECK(resolve_csv_url("in.csv", d.path) == root + "/in.csv");

    auto code = [&](const std::string& url) {
        return error_of([&] { resolve_csv_url(url, d.path); }).code();
    };
    CHECK(code("file:///../in.csv") == "Request.InvalidPath");
    CHECK(code("file:///sub/../../in.csv") == "Request.InvalidPath");
    CHECK(code("file:///%2E%2E/in.csv") == "Request.InvalidPath");
    CHECK(code("http://example.com/a.csv") == "NotSupported.UnsupportedFeature");
    CHECK(code("HTTPS://example.com/a.csv") == "NotSupported.UnsupportedFeature");
    CHECK(code("ftp://example.com/a.csv") == "NotSupported.UnsupportedFeature");
    CHECK(code("file:///nope.csv") == "Statement.ExternalResourceFailed");
    CHECK(code("file:///sub") == "Statement.ExternalResourceFailed");  // a directory
    CHECK(error_of([&] { resolve_csv_url("file:///in.csv", ""); }).code() == "Request.InvalidPath");
    // An absolute path names a file under the import directory, never the real one.
    CHECK(code("file:///etc/passwd") == "Statement.ExternalResourceFailed");
}

TEST_CASE("a symbolic link pointing outside the import directory is refused", "[exec][csv]") {
    Dir outside, d;
    const std::string secret = outside.write("secret.csv", "s\n");
    fs::create_symlink(secret, d.path + "/link.csv");
    fs::create_directory_symlink(outside.path, d.path + "/dirlink");
    d.write("real.csv", "r\n");
    fs::create_symlink(d.path + "/real.csv", d.path + "/inside.csv");
    auto e = error_of([&] { resolve_csv_url("file:///link.csv", d.path); });
    CHECK(e.code() == "Request.InvalidPath");
    CHECK_THAT(e.message(), Catch::Contains("symbolic link"));
    CHECK(error_of([&] { resolve_csv_url("file:///dirlink/secret.csv", d.path); }).code() ==
          "Request.InvalidPath");
    // A link that stays inside is followed.
    CHECK(resolve_csv_url("file:///inside.csv", d.path) ==
          fs::canonical(d.path).string() + "/real.csv");
}
