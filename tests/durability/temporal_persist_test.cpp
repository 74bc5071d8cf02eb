// Temporal properties (every kind, named zones, lists) through a checkpoint, WAL replay after
// a restart, and snapshot save/load; a range index seek on dates and datetimes returns
// exactly the rows a scan returns.
#include "durability_support.hpp"

using namespace durability;

namespace {

// Writes temporal properties of every kind on nodes spread over the shards; `tag` tells the
// batches apart.
void add_temporals(lora::Database& db, int64_t tag) {
    lora::Params params{{"tag", lora::Value(tag)}};
    db.execute(
        "UNWIND range(1, 20) AS i "
        "CREATE (:T {tag: $tag, i: i, "
        "d: date({year: 2000 + i, month: 1 + i % 12, day: 1 + i}), "
        "lt: localtime({hour: i, minute: 7, nanosecond: i}), "
        "t: time({hour: i, minute: 30, timezone: '+0' + toString(i % 10) + ':00'}), "
        "ldt: localdatetime({year: 1900 + i, week: i, dayOfWeek: 3, hour: 1}), "
        "dt: datetime({year: 2020, month: i % 12 + 1, day: 3, hour: 2, nanosecond: 123456789, "
        "  timezone: CASE i % 3 WHEN 0 THEN 'Europe/Stockholm' WHEN 1 THEN 'America/New_York' "
        "  ELSE '-03:30' END}), "
        "dur: duration({months: i, days: -i, seconds: i * 1000, nanoseconds: i}), "
        "ds: [date('2020-01-01') + duration({days: i}), date('1999-12-31')]})",
        params);
}

// Every temporal property of every node, as text, in a fixed order.
std::string dump(lora::Database& db) {
    std::string out;
    auto r = db.execute(
        "MATCH (n:T) RETURN n.tag, n.i, n.d, n.lt, n.t, n.ldt, n.dt, n.dur, n.ds "
        "ORDER BY n.tag, n.i");
    for (auto& row : r.rows) {
        for (auto& v : row) out += v.to_string() + "|";
        out += "\n";
    }
    return out;
}

}  // namespace

TEST_CASE("temporal properties survive a checkpoint, WAL replay and a restart",
          "[durability][temporal]") {
    TempDir tmp;
    std::string before;
    {
        auto db = open_db(tmp.path);
        add_temporals(*db, 1);
        db->checkpoint();
        add_temporals(*db, 2);  // only in the WAL
        db->execute("MATCH (n:T {tag: 1, i: 3}) SET n.d = date('1066-10-14'), n.dur = null");
        before = dump(*db);
    }
    REQUIRE(before.find("1066-10-14") != std::string::npos);
    REQUIRE(before.find("[Europe/Stockholm]") != std::string::npos);
    REQUIRE(before.find("[America/New_York]") != std::string::npos);
    {
        auto db = open_db(tmp.path);
        CHECK(dump(*db) == before);
        db->checkpoint();  // now everything comes from the checkpoint
    }
    auto db = open_db(tmp.path);
    CHECK(dump(*db) == before);
    CHECK(count(*db, "MATCH (n:T) WHERE n.dt.timezone = 'Europe/Stockholm' RETURN count(*)") == 12);
}

TEST_CASE("temporal properties survive a snapshot save and load", "[durability][temporal]") {
    TempDir a, b;
    const fs::path file = a.path / "snap.lora";
    std::string before;
    {
        auto db = open_db(a.path / "db");
        add_temporals(*db, 1);
        before = dump(*db);
        db->snapshot_save(file.string());
    }
    lora::Options o;
    o.shards = 4;  // a snapshot loads into as many shards as it was saved from
    o.threads = 2;
    auto mem = lora::Database::open(o);
    mem->snapshot_load(file.string());
    CHECK(dump(*mem) == before);
    {
        auto db = open_db(b.path);
        db->snapshot_load(file.string());
    }
    auto db = open_db(b.path);
    CHECK(dump(*db) == before);
}

TEST_CASE("a range index seek on temporal properties returns exactly what a scan returns",
          "[durability][temporal][index]") {
    TempDir tmp;
    auto db = open_db(tmp.path);
    add_temporals(*db, 1);
    add_temporals(*db, 2);
    const char* filters[] = {
        "n.d >= date('2005-01-01') AND n.d < date('2015-06-01')",
        "n.d > date('2010-11-11')",
        "n.d <= date('2003-04-04')",
        "n.d = date('2007-08-08')",
        "n.dt >= datetime('2020-04-03T00:00Z') AND n.dt <= datetime('2020-09-03T07:00+02:00')",
        "n.dt < datetime('2020-06-03T02:00-04:00[America/New_York]')",
    };
    std::vector<std::string> scans;
    for (const char* f : filters) {
        auto r = db->execute(std::string("MATCH (n:T) WHERE ") + f +
                             " RETURN n.tag, n.i ORDER BY n.tag, n.i");
        std::string s;
        for (auto& row : r.rows) s += row[0].to_string() + ":" + row[1].to_string() + " ";
        scans.push_back(s);
    }
    db->execute("CREATE INDEX t_d FOR (n:T) ON (n.d)");
    db->execute("CREATE INDEX t_dt FOR (n:T) ON (n.dt)");
    for (size_t k = 0; k < std::size(filters); ++k) {
        const std::string q = std::string("MATCH (n:T) WHERE ") + filters[k] +
                              " RETURN n.tag, n.i ORDER BY n.tag, n.i";
        auto plan = db->execute("EXPLAIN " + q);
        std::string plan_text;
        for (auto& row : plan.rows)
            for (auto& v : row) plan_text += v.to_string() + "\n";
        INFO(filters[k] << "\n" << plan_text);
        CHECK(plan_text.find("IndexSeek") != std::string::npos);
        auto r = db->execute(q);
        std::string s;
        for (auto& row : r.rows) s += row[0].to_string() + ":" + row[1].to_string() + " ";
        CHECK(s == scans[k]);
        CHECK(!s.empty());
    }
}
