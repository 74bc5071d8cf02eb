// The data dir LOCK (one process per database, in this process and across processes) and
// snapshots: save -> load elsewhere gives the same graph; a damaged snapshot changes nothing.
#include "durability_support.hpp"

using namespace durability;
using namespace std::chrono_literals;

namespace {

std::string open_error(const fs::path& dir) {
    try {
        open_db(dir);
    } catch (const lora::Error& e) {
        return e.detail() + ": " + e.message();
    }
    return "";
}

// Everything about the non-pair part of the sample graph, as text.
std::string extras(lora::Database& db) {
    std::string out;
    for (auto& row : db.execute("MATCH (p:P) RETURN p.name, p.f, p.l, p.b ORDER BY p.name").rows) {
        for (auto& v : row) out += v.to_string() + "|";
        out += "\n";
    }
    for (auto& row :
         db.execute("MATCH (:P)-[k:K]->(q:P) RETURN k.since, q.name ORDER BY q.name").rows) {
        for (auto& v : row) out += v.to_string() + "|";
        out += "\n";
    }
    return out;
}

// Nodes and relationships add_extras() creates.
constexpr int64_t kExtraNodes = 3, kExtraRels = 1;

void add_extras(lora::Database& db) {
    db.execute(
        "CREATE (:P {name: 'ann', f: 1.5, l: [1, 2, 3], b: true})-[:K {since: 2001}]->"
        "(:P:Q {name: 'bob', f: -0.25, l: ['x', 'y'], b: false})");
    db.execute("CREATE (:P {name: 'cy', f: 1e10, l: [], b: null})");
}

}  // namespace

TEST_CASE("a second open of an open database directory fails clearly", "[durability][lock]") {
    TempDir tmp;
    auto db = open_db(tmp.path);
    create_pairs(*db, 0, 0, 3);
    const std::string err = open_error(tmp.path);
    INFO(err);
    CHECK(err.rfind("DatabaseLocked: ", 0) == 0);
    CHECK(err.find(tmp.path.string()) != std::string::npos);
    // The refused open changed nothing: the first handle still works.
    create_pairs(*db, 0, 3, 5);
    db.reset();
    auto again = open_db(tmp.path);  // the lock went with the first handle
    require_consistent(inspect(*again), {{0, 4}}, false);
}

TEST_CASE("another process cannot open a database this process holds, and vice versa",
          "[durability][lock]") {
    TempDir tmp;
    SECTION("this process holds it") {
        auto db = open_db(tmp.path);
        Child child(tmp.path, {"--open-only"});
        ChildResult res = child.finish(30s);
        INFO(res.describe());
        CHECK(res.exit_code == 2);
        REQUIRE(!res.other.empty());
        CHECK(res.other[0].rfind("openerr DatabaseError.DatabaseLocked", 0) == 0);
    }
    SECTION("a child holds it, then is killed") {
        Child child(tmp.path, {"--open-only"});
        REQUIRE(child.read_until([](const std::string& l) { return l == "ready"; }, 30s));
        const std::string err = open_error(tmp.path);
        INFO(err);
        CHECK(err.rfind("DatabaseLocked: ", 0) == 0);
        // The kernel drops a flock with its process: a crashed holder never blocks a restart.
        child.kill_now();
        ChildResult res = child.finish(10s);
        CHECK(res.killed_by_sigkill);
        CHECK_NOTHROW(open_db(tmp.path));
    }
}

TEST_CASE("snapshot save, load into another database: the same graph", "[durability][snapshot]") {
    TempDir a, b;
    const fs::path file = a.path / "snap.lora";
    GraphCheck before;
    std::string before_extras;
    {
        auto db = open_db(a.path / "db");
        create_pairs(*db, 0, 0, 30);
        create_pairs(*db, 1, 0, 7);
        add_extras(*db);
        before = inspect(*db, kExtraNodes, kExtraRels);
        before_extras = extras(*db);
        db->snapshot_save(file.string());
    }
    REQUIRE(fs::exists(file));
    REQUIRE(before.problems.empty());
    const int64_t all_nodes = before.nodes;

    SECTION("into a persistent database, durably") {
        {
            auto db = open_db(b.path);
            create_pairs(*db, 7, 0, 4);  // replaced by the load
            db->snapshot_load(file.string());
            GraphCheck c = inspect(*db, kExtraNodes, kExtraRels);
            INFO(c.summary());
            CHECK(c.problems.empty());
            CHECK(c.whole == before.whole);
            CHECK(c.nodes == all_nodes);
            CHECK(extras(*db) == before_extras);
            create_pairs(*db, 2, 0, 3);  // and the loaded database takes writes
        }
        auto db = open_db(b.path);
        GraphCheck c = inspect(*db, kExtraNodes, kExtraRels);
        INFO(c.summary());
        CHECK(c.problems.empty());
        CHECK(c.whole[0] == before.whole[0]);
        CHECK(c.whole[1] == before.whole[1]);
        CHECK(c.whole[2].size() == 3);
        CHECK(c.whole.count(7) == 0);
        CHECK(extras(*db) == before_extras);
    }
    SECTION("into an in-memory database") {
        lora::Options o;
        o.shards = 4;
        o.threads = 2;
        auto db = lora::Database::open(o);
        db->snapshot_load(file.string());
        GraphCheck c = inspect(*db, kExtraNodes, kExtraRels);
        INFO(c.summary());
        CHECK(c.problems.empty());
        CHECK(c.whole == before.whole);
        CHECK(c.nodes == all_nodes);
        CHECK(extras(*db) == before_extras);
    }
}

TEST_CASE("a damaged snapshot is refused and the database is unchanged", "[durability][snapshot]") {
    TempDir a, b;
    const fs::path file = a.path / "snap.lora";
    {
        auto db = open_db(a.path / "db");
        create_pairs(*db, 0, 0, 25);
        add_extras(*db);
        db->snapshot_save(file.string());
    }
    const auto size = fs::file_size(file);
    const std::string damage =
        GENERATE(as<std::string>{}, "flipped header byte", "flipped payload byte", "truncated",
                 "missing", "not a snapshot");
    INFO(damage);
    if (damage == "flipped header byte")
        flip_byte(file, 20);
    else if (damage == "flipped payload byte")
        flip_byte(file, size - size / 3);
    else if (damage == "truncated")
        fs::resize_file(file, size - 7);
    else if (damage == "missing")
        fs::remove(file);
    else
        std::ofstream(file, std::ios::trunc) << "hello, I am not a snapshot\n";

    auto db = open_db(b.path);
    create_pairs(*db, 5, 0, 6);
    add_extras(*db);
    const GraphCheck before = inspect(*db, kExtraNodes, kExtraRels);
    const std::string before_extras = extras(*db);
    try {
        db->snapshot_load(file.string());
        FAIL("a damaged snapshot was loaded");
    } catch (const lora::Error& e) {
        INFO(e.code() << ": " << e.message());
        CHECK(e.message().find(file.filename().string()) != std::string::npos);
    }
    GraphCheck after = inspect(*db, kExtraNodes, kExtraRels);
    CHECK(after.whole == before.whole);
    CHECK(after.nodes == before.nodes);
    CHECK(after.rels == before.rels);
    CHECK(extras(*db) == before_extras);
    CHECK_FALSE(db->health().read_only);
    create_pairs(*db, 5, 6, 8);
    db.reset();
    auto again = open_db(b.path);
    require_consistent(inspect(*again, kExtraNodes, kExtraRels), {{5, 7}}, false);
    CHECK(extras(*again) == before_extras);
}

TEST_CASE("a snapshot with another shard count is refused cleanly or loaded whole",
          "[durability][snapshot]") {
    TempDir a, b;
    const fs::path file = a.path / "snap.lora";
    GraphCheck saved;
    {
        auto db = open_db(a.path / "db", 4);
        create_pairs(*db, 0, 0, 12);
        saved = inspect(*db);
        db->snapshot_save(file.string());
    }
    auto db = open_db(b.path, 2);
    create_pairs(*db, 3, 0, 4);
    const GraphCheck before = inspect(*db);
    bool loaded = true;
    try {
        db->snapshot_load(file.string());
    } catch (const lora::Error& e) {
        INFO(e.code() << ": " << e.message());
        CHECK(e.message().find("shard") != std::string::npos);
        loaded = false;
    }
    GraphCheck after = inspect(*db);
    INFO(after.summary());
    CHECK(after.problems.empty());
    CHECK(after.whole == (loaded ? saved.whole : before.whole));
}

namespace {

// Loads a 9-pair snapshot into the database at `dir` as `state` describes it, restarts it and
// checks that the snapshot, not the former content, is what comes back.
void check_load_survives_restart(const fs::path& dir, const fs::path& work,
                                 const std::string& state) {
    const fs::path file = work / "snap.lora";
    GraphCheck saved;
    {
        auto db = open_db(work / "db");
        create_pairs(*db, 0, 0, 9);
        saved = inspect(*db);
        db->snapshot_save(file.string());
    }
    INFO("target database: " << state);
    {
        auto db = open_db(dir);
        if (state != "a fresh empty database") create_pairs(*db, 4, 0, 3);
        if (state == "just checkpointed") db->checkpoint();
        db->snapshot_load(file.string());
        CHECK(inspect(*db).whole == saved.whole);
    }
    auto db = open_db(dir);
    GraphCheck c = inspect(*db);
    INFO(c.summary());
    CHECK(c.problems.empty());
    CHECK(c.whole == saved.whole);
}

}  // namespace

TEST_CASE("a snapshot load survives a restart", "[durability][snapshot]") {
    TempDir a, b;
    check_load_survives_restart(b.path, a.path, "writes since the last checkpoint");
}

// ENGINE BUG: snapshot_load makes the load durable with a checkpoint at the WAL's current
// LSN, but Database::Impl::checkpoint_locked skips write_checkpoint when that LSN is not
// newer than the manifest's (nothing logged since the last checkpoint, or an empty log), so
// the restart brings back the former content.
TEST_CASE("a snapshot load survives a restart when nothing was logged since the last checkpoint",
          "[durability][snapshot]") {
    const std::string state =
        GENERATE(as<std::string>{}, "a fresh empty database", "just checkpointed");
    TempDir a, b;
    check_load_survives_restart(b.path, a.path, state);
}
