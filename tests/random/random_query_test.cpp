// Random-query differential test: seeded random graphs and random read queries whose answers
// must agree
//   - across 1 and 4 shards, with and without property indexes (four databases per graph),
//   - under metamorphic rewrites: rows(no WHERE) = rows(p) + rows(NOT p) + rows((p) IS NULL);
//     a fresh ORDER BY gives the same rows, sorted; SKIP/LIMIT equals slicing the sorted full
//     result; RETURN DISTINCT equals grouping with count(*) (whose counts add up to the
//     rows without DISTINCT).
// A query failing on every database with the same error code counts as "errored", not as
// a disagreement. Each disagreement is shrunk (parts of the query dropped while it still
// disagrees) and printed with its seed, graph and indexes.
//
// The default (ctest) run is a fixed list of seeds and a query budget. Longer runs:
//   LORA_RANDOM_SECONDS=600 [LORA_RANDOM_SEED=<first seed>] build/tests/test_random "[random]"
// runs graphs with seeds first, first+1, ... until the time is up. LORA_RANDOM_GRAPHS=n
// stops after n graphs, LORA_RANDOM_QUERIES=n sets the queries per graph; LORA_RANDOM_SEED
// with LORA_RANDOM_GRAPHS=1 reproduces one graph and its query sequence.
// LORA_RANDOM_KNOWN_BUGS=0 leaves out the query shapes of engine bugs being worked on.
#include "random/generator.hpp"

#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using lora::Database;
using lora::Value;
using lora::ValueKind;
using namespace lora::randomtest;
using Rows = std::vector<std::vector<Value>>;

struct Outcome {
    bool error = false;
    std::string code, message;
    Rows rows;
};

Outcome run(Database& db, const std::string& q) {
    Outcome o;
    try {
        o.rows = db.execute(q).rows;
    } catch (const lora::Error& e) {
        o.error = true;
        o.code = e.code();
        o.message = e.message();
    }
    return o;
}

// A canonical text of a value: floats to 12 significant digits (sums added in another order
// on 4 shards may differ in the last bits), -0.0 as 0.0, and the elements of an unordered
// column (collect) sorted.
std::string canon(const Value& v) {
    switch (v.kind()) {
        case ValueKind::Float: {
            double d = v.as_float();
            if (std::isnan(d)) return "NaN";
            if (d == 0) d = 0;
            char buf[48];
            std::snprintf(buf, sizeof buf, "%.12g", d);
            return std::string("F") + buf;
        }
        case ValueKind::List: {
            std::string s = "[";
            for (size_t i = 0; i < v.as_list().size(); ++i)
                s += (i ? ", " : "") + canon(v.as_list()[i]);
            return s + "]";
        }
        case ValueKind::Map: {
            std::string s = "{";
            bool first = true;
            for (const auto& [k, e] : v.as_map()) {
                s += (first ? "" : ", ") + k + ": " + canon(e);
                first = false;
            }
            return s + "}";
        }
        default: return v.to_string();
    }
}

// The first `ncols` values of `row`; a row of another width than `width` is marked.
std::string canon_row(const std::vector<Value>& row, const Query& q, size_t ncols, size_t width) {
    std::string s;
    for (size_t i = 0; i < ncols && i < row.size(); ++i) {
        std::string c;
        if (i < q.cols.size() && q.cols[i].unordered && row[i].is_list()) {
            std::vector<std::string> el;
            for (const Value& e : row[i].as_list()) el.push_back(canon(e));
            std::sort(el.begin(), el.end());
            c = "[";
            for (size_t j = 0; j < el.size(); ++j) c += (j ? ", " : "") + el[j];
            c += "]";
        } else {
            c = canon(row[i]);
        }
        s += (i ? " | " : "") + c;
    }
    if (row.size() != width) s += " (row of " + std::to_string(row.size()) + " values)";
    return s;
}

std::vector<std::string> canon_rows(const Rows& rows, const Query& q, bool sorted,
                                    std::optional<size_t> ncols = std::nullopt) {
    std::vector<std::string> out;
    for (const auto& r : rows)
        out.push_back(
            canon_row(r, q, ncols ? *ncols : q.cols.size(), ncols ? *ncols + 1 : q.cols.size()));
    if (sorted) std::sort(out.begin(), out.end());
    return out;
}

std::string show(const std::vector<std::string>& rows, size_t max = 12) {
    std::string s;
    for (size_t i = 0; i < rows.size() && i < max; ++i) s += "\n      " + rows[i];
    if (rows.size() > max) s += "\n      ... (" + std::to_string(rows.size()) + " rows)";
    if (rows.empty()) s += " (no rows)";
    return s;
}

std::string show(const Outcome& o, const Query& q) {
    if (o.error) return "error " + o.code + ": " + o.message;
    return std::to_string(o.rows.size()) + " rows:" + show(canon_rows(o.rows, q, false));
}

// Compares rows by the ORDER BY items of `q` (order_compare, the Cypher orderability).
int order_cmp(const std::vector<Value>& a, const std::vector<Value>& b, const Query& q) {
    for (const auto& [col, desc] : q.order) {
        int c = order_compare(a.at(col), b.at(col));
        if (c != 0) return desc ? -c : c;
    }
    return 0;
}

std::optional<std::string> sorted_check(const Outcome& o, const Query& q) {
    for (size_t i = 1; i < o.rows.size(); ++i)
        if (order_cmp(o.rows[i - 1], o.rows[i], q) > 0)
            return "rows " + std::to_string(i - 1) + " and " + std::to_string(i) +
                   " are out of ORDER BY order: " +
                   canon_row(o.rows[i - 1], q, q.cols.size(), q.cols.size()) + "  then  " +
                   canon_row(o.rows[i], q, q.cols.size(), q.cols.size());
    return std::nullopt;
}

struct Totals {
    uint64_t graphs = 0, queries = 0, compared = 0, errored = 0;
    uint64_t partition = 0, reorder = 0, slice = 0, distinct = 0, rewrite_skipped = 0;
    uint64_t disagreements = 0;
    std::map<std::string, uint64_t> error_codes;
};

const char* const kConfigNames[] = {"1 shard", "4 shards (small batches)", "1 shard + indexes",
                                    "4 shards + indexes"};

struct Dbs {
    std::vector<std::unique_ptr<Database>> db;  // kConfigNames order
};

// The checks of one query; the first disagreement found, described, or nothing. `salt`
// picks the fresh ORDER BY of the reorder check (so a shrunk query keeps its check).
std::optional<std::string> check(const Query& q, Dbs& dbs, uint64_t salt, Totals* t) {
    const std::string text = q.text();
    std::vector<Outcome> o;
    for (auto& db : dbs.db) o.push_back(run(*db, text));

    // 1. All four databases agree.
    bool any_error = false, all_error = true;
    for (const auto& x : o) any_error |= x.error, all_error &= x.error;
    if (any_error) {
        bool same = all_error;
        for (const auto& x : o) same &= x.code == o[0].code;
        if (same) {
            if (t) ++t->errored, ++t->error_codes[o[0].code];
            if (t && std::getenv("LORA_RANDOM_ERRORS"))
                std::cout << "error " << o[0].code << ": " << o[0].message << "\n  " << text
                          << "\n";
            return std::nullopt;
        }
        std::string d = "databases disagree on failing:";
        for (size_t i = 0; i < o.size(); ++i)
            d += "\n    " + std::string(kConfigNames[i]) + ": " + show(o[i], q);
        return d;
    }
    bool in_order = q.total_order();
    auto base = canon_rows(o[0].rows, q, !in_order);
    for (size_t i = 1; i < o.size(); ++i)
        if (canon_rows(o[i].rows, q, !in_order) != base)
            return std::string("databases disagree") + (in_order ? " (ordered)" : "") + ":\n    " +
                   kConfigNames[0] + ": " + show(o[0], q) + "\n    " + kConfigNames[i] + ": " +
                   show(o[i], q);
    if (!q.order.empty())
        for (size_t i = 0; i < o.size(); ++i)
            if (auto bad = sorted_check(o[i], q)) return std::string(kConfigNames[i]) + ": " + *bad;
    if (t) ++t->compared;

    // The rewrites run on the 4-shard database with indexes and on the plain 1-shard one.
    for (size_t di : {size_t(3), size_t(0)}) {
        Database& db = *dbs.db[di];
        const Outcome& mine = o[di];
        std::string where = std::string(" (on ") + kConfigNames[di] + ")";

        // 2. WHERE partition.
        if (!q.where.empty() && !q.middle_barrier && !q.aggregates() && !q.distinct && !q.skip &&
            !q.limit) {
            Outcome none = run(db, q.text(""));
            Outcome neg = run(db, q.text("NOT (" + q.where + ")"));
            Outcome nul = run(db, q.text("(" + q.where + ") IS NULL"));
            if (none.error || neg.error || nul.error) {
                if (t) ++t->rewrite_skipped;
            } else {
                auto all = canon_rows(none.rows, q, true);
                auto parts = canon_rows(mine.rows, q, false);
                for (const auto* x : {&neg, &nul}) {
                    auto more = canon_rows(x->rows, q, false);
                    parts.insert(parts.end(), more.begin(), more.end());
                }
                std::sort(parts.begin(), parts.end());
                if (parts != all)
                    return "WHERE partition" + where + ": without WHERE " +
                           std::to_string(all.size()) + " rows, WHERE p / NOT p / p IS NULL " +
                           std::to_string(mine.rows.size()) + " + " +
                           std::to_string(neg.rows.size()) + " + " +
                           std::to_string(nul.rows.size()) +
                           " rows\n    without WHERE:" + show(all) +
                           "\n    the three partitions:" + show(parts);
                if (t) ++t->partition;
            }
        }

        // 3a. A fresh ORDER BY over every orderable column: same rows, sorted.
        if (!q.skip && !q.limit) {
            Query r = q;
            r.order.clear();
            Rng rng(salt + di);
            for (size_t i = 0; i < q.cols.size(); ++i)
                if (!q.cols[i].unordered && !q.cols[i].entity)
                    r.order.push_back({i, rng.chance(50)});
            if (!r.order.empty()) {
                Outcome ro = run(db, r.text());
                if (ro.error)
                    return "adding ORDER BY" + where + " made the query fail: " + ro.code + ": " +
                           ro.message + "\n    query: " + r.text();
                if (canon_rows(ro.rows, q, true) != canon_rows(mine.rows, q, true))
                    return "adding ORDER BY" + where + " changed the rows\n    query: " + r.text() +
                           "\n    with ORDER BY: " + show(ro, q) +
                           "\n    without: " + show(mine, q);
                if (auto bad = sorted_check(ro, r))
                    return "adding ORDER BY" + where + ": " + *bad + "\n    query: " + r.text();
                if (t) ++t->reorder;
            }
        }

        // 3b. SKIP/LIMIT under a total ORDER BY equals slicing the sorted full result.
        if ((q.skip || q.limit) && q.total_order()) {
            Query f = q;
            f.skip.reset();
            f.limit.reset();
            f.order.clear();
            Outcome full = run(db, f.text());
            if (full.error) {
                if (t) ++t->rewrite_skipped;
            } else {
                Rows s = full.rows;
                std::stable_sort(s.begin(), s.end(), [&](const auto& a, const auto& b) {
                    return order_cmp(a, b, q) < 0;
                });
                size_t from = std::min(s.size(), static_cast<size_t>(q.skip.value_or(0)));
                size_t to =
                    q.limit ? std::min(s.size(), from + static_cast<size_t>(*q.limit)) : s.size();
                Rows want(s.begin() + static_cast<std::ptrdiff_t>(from),
                          s.begin() + static_cast<std::ptrdiff_t>(to));
                bool same = want.size() == mine.rows.size();
                for (size_t i = 0; same && i < want.size(); ++i)
                    same = order_cmp(want[i], mine.rows[i], q) == 0;
                if (!same)
                    return "SKIP/LIMIT" + where +
                           " is not the slice of the sorted full result\n    full result " +
                           "sorted and sliced:" + show(canon_rows(want, q, false)) +
                           "\n    the query gave:" + show(canon_rows(mine.rows, q, false));
                if (t) ++t->slice;
            }
        }

        // 4. DISTINCT equals grouping with count(*); the counts add up to the plain rows.
        if (!q.aggregates()) {
            Query d = q, g = q, plain = q;
            for (Query* x : {&d, &g, &plain}) {
                x->order.clear();
                x->skip.reset();
                x->limit.reset();
            }
            d.distinct = true;
            g.distinct = false;
            plain.distinct = false;
            g.cols.push_back({"count(*)", true});
            Outcome od = run(db, d.text()), og = run(db, g.text()), op = run(db, plain.text());
            if (od.error || og.error || op.error) {
                if (t) ++t->rewrite_skipped;
            } else {
                auto dr = canon_rows(od.rows, d, true);
                auto gr = canon_rows(og.rows, d, true, d.cols.size());
                int64_t total = 0;
                for (const auto& row : og.rows)
                    if (!row.empty() && row.back().is_int()) total += row.back().as_int();
                if (dr != gr)
                    return "RETURN DISTINCT" + where +
                           " differs from grouping\n    DISTINCT: " + d.text() + show(dr) +
                           "\n    grouping: " + g.text() + show(gr);
                if (total != static_cast<int64_t>(op.rows.size()))
                    return "grouping" + where + ": count(*) adds up to " + std::to_string(total) +
                           " but the query without DISTINCT gives " +
                           std::to_string(op.rows.size()) + " rows\n    grouping: " + g.text() +
                           "\n    plain: " + plain.text();
                if (t) ++t->distinct;
            }
        }
    }
    return std::nullopt;
}

// Balanced "( ... )" sub-expressions of `s` (their insides), outermost first; argument
// lists ("a, b") are not expressions and are left out.
std::vector<std::string> parenthesised(const std::string& s) {
    std::vector<std::string> out;
    std::vector<size_t> open;
    bool quote = false;
    auto one_expression = [](const std::string& t) {
        int depth = 0;
        bool q = false;
        for (char c : t) {
            if (c == '\'') q = !q;
            if (q) continue;
            if (c == '(' || c == '[' || c == '{') ++depth;
            if (c == ')' || c == ']' || c == '}') --depth;
            if (c == ',' && depth == 0) return false;
        }
        return true;
    };
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\'') quote = !quote;
        if (quote) continue;
        if (s[i] == '(') open.push_back(i);
        if (s[i] == ')' && !open.empty()) {
            size_t b = open.back();
            open.pop_back();
            std::string inner = s.substr(b + 1, i - b - 1);
            if (one_expression(inner)) out.push_back(inner);
        }
    }
    std::reverse(out.begin(), out.end());
    return out;
}

// Smaller variants of a query: parts dropped, the WHERE replaced by a sub-expression.
std::vector<Query> shrink_candidates(const Query& q) {
    std::vector<Query> c;
    auto add = [&](Query x) { c.push_back(std::move(x)); };
    if (q.skip) {
        Query x = q;
        x.skip.reset();
        add(x);
    }
    if (q.limit) {
        Query x = q;
        x.limit.reset();
        add(x);
    }
    if (!q.order.empty()) {
        Query x = q;
        x.order.clear();
        x.skip.reset();
        x.limit.reset();
        add(x);
        for (size_t i = 0; i < q.order.size() && q.order.size() > 1; ++i) {
            Query y = q;
            y.order.erase(y.order.begin() + static_cast<std::ptrdiff_t>(i));
            add(y);
        }
    }
    if (q.distinct) {
        Query x = q;
        x.distinct = false;
        add(x);
    }
    if (!q.middle.empty()) {
        Query x = q;
        x.middle.clear();
        x.middle_barrier = false;
        add(x);
    }
    if (!q.where.empty()) {
        Query x = q;
        x.where.clear();
        add(x);
        for (const auto& sub : parenthesised(q.where)) {
            Query y = q;
            y.where = sub;
            add(y);
        }
    }
    for (size_t i = 0; i < q.cols.size() && q.cols.size() > 1; ++i) {
        Query x = q;
        x.cols.erase(x.cols.begin() + static_cast<std::ptrdiff_t>(i));
        x.order.clear();
        for (const auto& [col, desc] : q.order)
            if (col != i) x.order.push_back({col > i ? col - 1 : col, desc});
        if (!x.total_order()) x.skip.reset(), x.limit.reset();
        add(x);
    }
    for (size_t i = 0; i < q.cols.size(); ++i)
        for (const auto& sub : parenthesised(q.cols[i].expr)) {
            Query x = q;
            x.cols[i].expr = sub;
            add(x);
        }
    return c;
}

// The oracle a disagreement comes from: its description up to the first ':' or '('.
std::string kind_of(const std::string& why) { return why.substr(0, why.find_first_of(":(")); }

// Drops parts of `q` while the same oracle still fails.
Query shrink(Query q, Dbs& dbs, uint64_t salt, const std::string& kind) {
    for (int round = 0; round < 200; ++round) {
        bool smaller = false;
        for (const Query& c : shrink_candidates(q)) {
            if (c.text().size() >= q.text().size()) continue;
            auto why = check(c, dbs, salt, nullptr);
            if (why && kind_of(*why) == kind) {
                q = c;
                smaller = true;
                break;
            }
        }
        if (!smaller) break;
    }
    return q;
}

uint64_t env_u64(const char* name, uint64_t dflt) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 10) : dflt;
}

// The 4-shard database without indexes moves rows in tiny batches and chunks (sizes from
// the seed), so batch and chunk boundaries fall inside every query.
Dbs open_graph(const Graph& g, uint64_t seed) {
    Dbs d;
    for (int i = 0; i < 4; ++i) {
        lora::Options o;
        o.shards = i % 2 == 0 ? 1 : 4;
        o.threads = 2;
        if (i == 1) {
            o.batch_rows = static_cast<uint32_t>(1 + seed % 5);
            o.chunk_rows = static_cast<uint32_t>(1 + seed % 7);
        }
        auto db = Database::open(o);
        bool indexed = i >= 2;
        if (indexed && g.index_first)
            for (const auto& ddl : g.indexes) db->execute(ddl);
        db->execute(g.create);
        if (indexed && !g.index_first)
            for (const auto& ddl : g.indexes) db->execute(ddl);
        d.db.push_back(std::move(db));
    }
    return d;
}

}  // namespace

TEST_CASE("random queries agree across shards, indexes and rewrites", "[random]") {
    const uint64_t seconds = env_u64("LORA_RANDOM_SECONDS", 0);
    const uint64_t first_seed = env_u64("LORA_RANDOM_SEED", 1);
    // Default run: a fixed list of seeds and queries (and a time cap, so a slow machine
    // still stays within the ctest budget).
    const uint64_t graphs = env_u64("LORA_RANDOM_GRAPHS", seconds ? UINT64_MAX : 40);
    const uint64_t per_graph = env_u64("LORA_RANDOM_QUERIES", 150);
    const double budget = seconds ? static_cast<double>(seconds) : 40.0;
    // LORA_RANDOM_KNOWN_BUGS=0 leaves out the shapes of bugs being worked on (generator.hpp).
    const bool known_bugs = env_u64("LORA_RANDOM_KNOWN_BUGS", 1) != 0;

    Totals t;
    auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    std::ostringstream report;
    uint64_t seed = first_seed;
    for (uint64_t gi = 0; gi < graphs && elapsed() < budget; ++gi, ++seed) {
        Rng rng(seed);
        Graph g = GraphGen(rng).make();
        Dbs dbs = open_graph(g, seed);
        ++t.graphs;
        QueryGen qg(rng, known_bugs);
        for (uint64_t qi = 0; qi < per_graph && elapsed() < budget; ++qi) {
            Query q = qg.make();
            ++t.queries;
            uint64_t salt = seed * 1000003 + qi;
            auto bad = check(q, dbs, salt, &t);
            if (!bad) continue;
            ++t.disagreements;
            Query small = shrink(q, dbs, salt, kind_of(*bad));
            auto why = check(small, dbs, salt, nullptr);
            report << "\n=== disagreement: seed " << seed << ", query " << qi
                   << "\nsetup: " << g.create << "\nindexes ("
                   << (g.index_first ? "before" : "after") << " the data):";
            for (const auto& ddl : g.indexes) report << "\n  " << ddl;
            report << "\nquery:  " << q.text() << "\nshrunk: " << small.text() << "\n"
                   << (why ? *why : *bad) << "\n";
        }
    }
    std::cout << "random queries: seeds " << first_seed << ".." << seed - 1 << ", " << t.graphs
              << " graphs, " << t.queries << " queries, " << t.compared << " compared, "
              << t.errored << " errored alike everywhere, rewrites checked: " << t.partition
              << " WHERE partitions, " << t.reorder << " re-sorts, " << t.slice
              << " SKIP/LIMIT slices, " << t.distinct << " DISTINCT/grouping (" << t.rewrite_skipped
              << " skipped on errors), " << t.disagreements << " disagreements, " << elapsed()
              << " s\n";
    if (std::getenv("LORA_RANDOM_ERRORS"))
        for (const auto& [code, n] : t.error_codes) std::cout << "  " << n << " x " << code << "\n";
    std::cout << report.str() << std::flush;
    CHECK(t.disagreements == 0);
    // The generator must mostly produce queries that run: a run that only sees errors
    // would check nothing.
    CHECK(t.compared * 2 >= t.queries);
    CHECK(t.queries > 0);
}
