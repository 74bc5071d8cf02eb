// DataDir: manifest creation and validation, atomic replacement, and the LOCK against a
// second opener in this process and in a forked child.
#include "persist_support.hpp"

#include <lora/error.hpp>
#include <lora/storage/data_dir.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>
#include <cstdio>
#include <fstream>
#include <sstream>

using lora::storage::DataDir;
using lora::storage::Manifest;
using persist_test::expect_error;
using persist_test::TempDir;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void spit(const fs::path& p, const std::string& s) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << s;
}

}  // namespace

TEST_CASE("a new data directory gets a manifest that reopening reads back", "[persist]") {
    TempDir tmp;
    const fs::path dir = tmp.path / "db";  // created by open
    lora::wal::DbId id;
    {
        auto d = DataDir::open(dir, 4);
        CHECK(d->path() == dir);
        CHECK(d->wal_dir() == dir / "wal");
        CHECK(d->manifest().shard_count == 4);
        CHECK(d->manifest().format_version == 1);
        CHECK(d->manifest().checkpoint_lsn == 0);
        CHECK(d->manifest().checkpoint.empty());
        CHECK(fs::exists(dir / "MANIFEST"));
        CHECK(fs::exists(dir / "LOCK"));
        CHECK_FALSE(fs::exists(dir / "MANIFEST.tmp"));
        id = d->manifest().db_id;
        CHECK(id != lora::wal::DbId{});
    }
    {
        auto d = DataDir::open(dir, 0);  // 0: whatever the manifest says
        CHECK(d->manifest().db_id == id);
        CHECK(d->manifest().shard_count == 4);
    }
    auto e = expect_error([&] { DataDir::open(dir, 3); });
    CHECK(e.detail() == "ShardCountMismatch");
    CHECK_THAT(e.message(), Catch::Contains("4 shards") && Catch::Contains("3 were requested"));
    CHECK(e.error_class() == lora::ErrorClass::Database);
    CHECK(e.type() == "DatabaseError");

    // Two fresh databases do not share an id.
    TempDir other;
    CHECK(DataDir::open(other.path, 4)->manifest().db_id != id);
}

TEST_CASE("write_manifest replaces the manifest atomically and keeps identity fixed", "[persist]") {
    TempDir tmp;
    Manifest m;
    {
        auto d = DataDir::open(tmp.path, 2);
        m = d->manifest();
        m.checkpoint_lsn = 1234567890123ULL;
        m.checkpoint = "checkpoints/00000000001234567890123";
        d->write_manifest(m);
        CHECK(d->manifest().checkpoint_lsn == m.checkpoint_lsn);
        CHECK_FALSE(fs::exists(tmp.path / "MANIFEST.tmp"));

        Manifest bad = m;
        bad.db_id = lora::wal::DbId::random();
        CHECK(expect_error([&] { d->write_manifest(bad); }).detail() == "InvalidManifest");
        bad = m;
        bad.shard_count = 3;
        CHECK(expect_error([&] { d->write_manifest(bad); }).detail() == "InvalidManifest");
        bad = m;
        bad.checkpoint = "../elsewhere";
        CHECK(expect_error([&] { d->write_manifest(bad); }).detail() == "InvalidManifest");
        CHECK(d->manifest().checkpoint == m.checkpoint);  // refused writes change nothing
    }
    auto d = DataDir::open(tmp.path, 2);
    CHECK(d->manifest().checkpoint_lsn == 1234567890123ULL);
    CHECK(d->manifest().checkpoint == m.checkpoint);
    CHECK(d->manifest().db_id == m.db_id);
}

TEST_CASE("a damaged or foreign-version manifest is refused naming the file", "[persist]") {
    TempDir tmp;
    { DataDir::open(tmp.path, 2); }
    const fs::path mf = tmp.path / "MANIFEST";
    const std::string good = slurp(mf);

    SECTION("a changed value breaks the checksum") {
        std::string text = good;
        text.replace(text.find("shard_count=2"), 13, "shard_count=3");
        spit(mf, text);
        auto e = expect_error([&] { DataDir::open(tmp.path, 0); });
        CHECK(e.detail() == "CorruptFile");
        CHECK_THAT(e.message(), Catch::Contains(mf.string()) && Catch::Contains("checksum"));
    }
    SECTION("truncated") {
        spit(mf, good.substr(0, good.size() / 2));
        auto e = expect_error([&] { DataDir::open(tmp.path, 0); });
        CHECK(e.detail() == "CorruptFile");
        CHECK_THAT(e.message(), Catch::Contains(mf.string()));
    }
    SECTION("empty") {
        spit(mf, "");
        CHECK(expect_error([&] { DataDir::open(tmp.path, 0); }).detail() == "CorruptFile");
    }
    SECTION("an unknown format version with a valid checksum") {
        Manifest m;
        m.format_version = 7;
        m.shard_count = 2;
        spit(mf, DataDir::serialize_manifest(m));
        auto e = expect_error([&] { DataDir::open(tmp.path, 0); });
        CHECK(e.detail() == "UnsupportedVersion");
        CHECK_THAT(e.message(), Catch::Contains(mf.string()) && Catch::Contains("version 7"));
    }
    SECTION("a newer version whose checksum this build cannot check") {
        std::string text = good;
        text.replace(text.find("format_version=1"), 16, "format_version=2");
        spit(mf, text);
        auto e = expect_error([&] { DataDir::open(tmp.path, 0); });
        CHECK(e.detail() == "UnsupportedVersion");
        CHECK_THAT(e.message(), Catch::Contains(mf.string()) && Catch::Contains("version 2"));
    }
    SECTION("a repeated key") {
        std::string body = good.substr(0, good.find("checksum=")) + "shard_count=2\n";
        char sum[17];  // re-signed, so only the repeat is wrong
        std::snprintf(sum, sizeof sum, "%016llx",
                      static_cast<unsigned long long>(XXH64(body.data(), body.size(), 0)));
        spit(mf, body + "checksum=" + sum + "\n");
        auto e = expect_error([&] { DataDir::open(tmp.path, 0); });
        CHECK(e.detail() == "CorruptFile");
        CHECK_THAT(e.message(), Catch::Contains("'shard_count' appears twice"));
    }
    SECTION("the original still parses") {
        spit(mf, good);
        CHECK(DataDir::open(tmp.path, 0)->manifest().shard_count == 2);
    }
}

TEST_CASE("a missing manifest next to WAL data is not replaced by a new database", "[persist]") {
    TempDir tmp;
    fs::create_directories(tmp.path / "wal");
    spit(tmp.path / "wal" / "00000000000000000001.wal", "x");
    auto e = expect_error([&] { DataDir::open(tmp.path, 2); });
    CHECK(e.detail() == "MissingFile");
    CHECK_THAT(e.message(), Catch::Contains("MANIFEST") && Catch::Contains("wal"));
    CHECK_FALSE(fs::exists(tmp.path / "MANIFEST"));
}

TEST_CASE("the LOCK admits one opener in this process", "[persist]") {
    TempDir tmp;
    auto first = DataDir::open(tmp.path, 2);
    auto e = expect_error([&] { DataDir::open(tmp.path, 2); });
    CHECK(e.detail() == "DatabaseLocked");
    CHECK_THAT(e.message(),
               Catch::Contains(tmp.path.string()) && Catch::Contains("another process"));
    first.reset();
    CHECK(DataDir::open(tmp.path, 2)->manifest().shard_count == 2);  // released on destruction
}

TEST_CASE("the LOCK refuses a forked child while the parent holds it", "[persist]") {
    TempDir tmp;
    auto held = DataDir::open(tmp.path, 2);
    const std::string dir = tmp.path.string();
    std::fflush(nullptr);  // the child must not repeat buffered output
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // Exit codes: 0 the expected DatabaseLocked naming the dir, 1 opened, 2 other error.
        int code = 1;
        try {
            DataDir::open(dir, 2);
        } catch (const lora::Error& e) {
            code =
                e.detail() == "DatabaseLocked" && e.message().find(dir) != std::string::npos &&
                        e.message().find("pid " + std::to_string(::getppid())) != std::string::npos
                    ? 0
                    : 2;
        } catch (...) {
            code = 2;
        }
        ::_exit(code);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);

    // Once the parent lets go, a child can take it.
    held.reset();
    std::fflush(nullptr);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int code = 1;
        try {
            code = DataDir::open(dir, 2)->manifest().shard_count == 2 ? 0 : 1;
        } catch (...) {
            code = 2;
        }
        ::_exit(code);
    }
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
