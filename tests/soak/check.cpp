// The soak's recovery check (ledger.hpp).
#include "ledger.hpp"

#include <algorithm>
#include <filesystem>
#include <thread>

namespace soak {
namespace {

using Problems = std::vector<std::string>;

int64_t int_at(const lora::Result& r, size_t row, size_t col) {
    const lora::Value& v = r.rows.at(row).at(col);
    return v.is_int() ? v.as_int() : -1;
}

int64_t scalar(lora::Database& db, const std::string& query, const lora::Params& params = {}) {
    return int_at(db.execute(query, params), 0, 0);
}

void check_bank(lora::Database& db, const std::string& where, Problems& out) {
    auto r = db.execute(
        "MATCH (a:Acct) RETURN sum(a.balance) AS total, count(a) AS n, count(DISTINCT a.id) AS "
        "ids");
    const int64_t total = int_at(r, 0, 0), n = int_at(r, 0, 1), ids = int_at(r, 0, 2);
    if (total != kTotal || n != kAccounts || ids != kAccounts)
        out.push_back(where + ": the bank holds " + std::to_string(total) + " in " +
                      std::to_string(n) + " accounts (" + std::to_string(ids) + " ids), expected " +
                      std::to_string(kTotal) + " in " + std::to_string(kAccounts));
}

// Every writer's pair count, after checking that each pair is whole and each writer's pairs
// are numbered without a hole.
std::map<int64_t, int64_t> pairs_of(lora::Database& db, const std::string& where, Problems& out) {
    auto r = db.execute(
        "MATCH (a:W)-[:R]->(b:W) RETURN a.w, a.s, b.w, b.s, b.t, a.t IS NULL AS a_start");
    std::map<int64_t, std::vector<int64_t>> numbers;
    for (size_t i = 0; i < r.rows.size(); ++i) {
        const int64_t w = int_at(r, i, 0), s = int_at(r, i, 1);
        if (int_at(r, i, 2) != w || int_at(r, i, 3) != s || int_at(r, i, 4) != 1 ||
            !r.rows[i][5].as_bool()) {
            out.push_back(where + ": a pair of writer " + std::to_string(w) + " (" +
                          std::to_string(s) + ") is linked to a node of another pair");
            continue;
        }
        numbers[w].push_back(s);
    }
    const int64_t nodes = scalar(db, "MATCH (n:W) RETURN count(n)");
    const int64_t pairs = static_cast<int64_t>(r.rows.size());
    if (nodes != 2 * pairs)
        out.push_back(where + ": " + std::to_string(nodes) + " W nodes for " +
                      std::to_string(pairs) + " pairs: a pair is partial");
    std::map<int64_t, int64_t> counts;
    for (auto& [w, ss] : numbers) {
        std::sort(ss.begin(), ss.end());
        for (size_t i = 0; i < ss.size(); ++i)
            if (ss[i] != static_cast<int64_t>(i)) {
                out.push_back(where + ": writer " + std::to_string(w) + " has pair " +
                              std::to_string(ss[i]) + " where " + std::to_string(i) +
                              " belongs: a hole or a duplicate");
                break;
            }
        counts[w] = static_cast<int64_t>(ss.size());
    }
    return counts;
}

void check_writers(const std::map<int64_t, int64_t>& found, Ledger& ledger, Problems& out) {
    for (auto& [w, st] : ledger.writers()) {
        const auto it = found.find(w);
        const int64_t n = it == found.end() ? 0 : it->second;
        const std::string who = "writer " + std::to_string(w);
        if (st.retired) {
            if (n != 0)
                out.push_back(who + "'s pairs were deleted, yet " + std::to_string(n) +
                              " are back");
            continue;
        }
        if (st.exact) {
            if (n != *st.exact)
                out.push_back(who + " had " + std::to_string(*st.exact) + " pairs, now " +
                              std::to_string(n));
            continue;
        }
        const int64_t batch = writer_batch(w);
        if (n < st.acked + 1)
            out.push_back(who + ": pairs up to " + std::to_string(st.acked) +
                          " were acknowledged, only " + std::to_string(n) + " survived");
        else if (n > st.acked + 1 + batch)
            out.push_back(who + ": " + std::to_string(n) + " pairs, more than the acknowledged " +
                          std::to_string(st.acked + 1) + " and one statement in flight");
        else if (n % batch != 0)
            out.push_back(who + ": " + std::to_string(n) + " pairs, not whole statements of " +
                          std::to_string(batch));
        st.exact = n;
    }
    for (const auto& [w, n] : found)
        if (!ledger.writers().count(w))
            out.push_back("writer " + std::to_string(w) + " never ran, yet has " +
                          std::to_string(n) + " pairs");
}

std::string plan_of(lora::Database& db, const std::string& query) {
    std::string text;
    for (const auto& row : db.execute("EXPLAIN " + query).rows)
        for (const auto& v : row)
            if (v.is_string()) text += v.as_string() + "\n";
    return text;
}

// The index answers like a scan for every value the workload writes; and the seek query
// does use it.
void check_index(lora::Database& db, const std::string& seek, const std::string& scan,
                 const std::string& param, int64_t values, Problems& out) {
    if (plan_of(db, seek).find("IndexSeek") == std::string::npos)
        out.push_back("the query meant to read an index does not: " + seek);
    for (int64_t v = 0; v < values; ++v) {
        const lora::Params p{{param, lora::Value(v)}};
        const int64_t by_index = scalar(db, seek, p), by_scan = scalar(db, scan, p);
        if (by_index != by_scan)
            out.push_back("the index answers " + std::to_string(by_index) + " where a scan finds " +
                          std::to_string(by_scan) + ": " + seek + " with $" + param + " = " +
                          std::to_string(v));
    }
}

void check_indexes(lora::Database& db, Problems& out) {
    std::string w_k_state;
    for (const auto& row : db.execute("SHOW INDEXES YIELD name, state").rows)
        if (row.at(0).as_string() == "w_k") w_k_state = row.at(1).as_string();
    if (!w_k_state.empty()) {
        if (w_k_state != "ONLINE") out.push_back("index w_k is " + w_k_state + " after recovery");
        check_index(db, "MATCH (n:W) WHERE n.k = $k RETURN count(n)",
                    "MATCH (n:W) WHERE n.k + 0 = $k RETURN count(n)", "k", 7, out);
    }
    check_index(db, "MATCH (a:Acct) WHERE a.id = $i RETURN count(a)",
                "MATCH (a:Acct) WHERE a.id + 0 = $i RETURN count(a)", "i", kAccounts, out);
}

void check_snapshot(const std::string& data_dir, Problems& out) {
    const std::string path = data_dir + "/snapshots/" + kSnapshotName;
    if (!std::filesystem::exists(path)) return;
    lora::Options o;
    o.shards = kShards;
    o.threads = 2;
    auto mem = lora::Database::open(o);
    try {
        mem->snapshot_load(path);
    } catch (const lora::Error& e) {
        out.push_back("the saved snapshot does not load: " + e.code() + ": " + e.message());
        return;
    }
    check_bank(*mem, "the saved snapshot", out);
    pairs_of(*mem, "the saved snapshot", out);
}

}  // namespace

void set_up(lora::Database& db) {
    db.execute("CREATE CONSTRAINT acct_id IF NOT EXISTS FOR (a:Acct) REQUIRE a.id IS UNIQUE");
    if (scalar(db, "MATCH (a:Acct) RETURN count(a)") == 0)
        db.execute("UNWIND range(0, $n - 1) AS i CREATE (:Acct {id: i, balance: $opening})",
                   {{"n", lora::Value(kAccounts)}, {"opening", lora::Value(kOpening)}});
}

std::vector<std::string> check_recovery(lora::Database& db, Ledger& ledger, int64_t cycle,
                                        const std::string& data_dir, int64_t keep_cycles) {
    Problems out;
    if (db.health().read_only)
        out.push_back("the recovered database is read-only: " + db.health().reason);
    check_bank(db, "after recovery", out);
    check_writers(pairs_of(db, "after recovery", out), ledger, out);
    check_indexes(db, out);
    check_snapshot(data_dir, out);
    // Old writers' pairs go, in one statement that must itself be durable.
    const int64_t cut = writer_id(cycle - keep_cycles + 1, 0);
    db.execute("MATCH (n:W) WHERE n.w < $cut DETACH DELETE n", {{"cut", lora::Value(cut)}});
    for (auto& [w, st] : ledger.writers())
        if (w < cut) st.retired = true;
    return out;
}

}  // namespace soak
