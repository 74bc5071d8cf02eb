// Random-graph test: builds a seeded random graph through Cypher, keeps an independent
// adjacency model in the test and checks counts, degrees, 1- and 2-hop patterns and
// aggregates against it, exactly.
#include "helpers.hpp"

#include <catch2/catch.hpp>
#include <lora/lora.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace {

using lora::List;
using lora::Map;
using lora::Value;
using lora::test::scalar;
using lora::test::scalar_int;

const std::array<const char*, 3> kLabels = {"A", "B", "C"};
const std::array<const char*, 3> kTypes = {"E", "F", "G"};

struct Rel {
    int64_t from, to;
    int type;
    int64_t w;
};

// The model: what the database must contain.
struct Model {
    int64_t n = 0;
    std::vector<int> label;     // per node: index into kLabels
    std::vector<int64_t> v;     // per node: property v
    std::vector<int64_t> comm;  // per node: community (property c)
    std::vector<Rel> rels;
    std::vector<std::vector<size_t>> out, in;  // rel indexes per node
};

// Nodes fall into communities of 100 (c = id % communities); each relationship batch joins
// two random communities, so loading can bind endpoints from one small collected list
// instead of scanning the whole graph per relationship (there is no index yet).
Model make_model(int64_t nodes, int64_t rels, uint64_t seed) {
    Model m;
    m.n = nodes;
    std::mt19937_64 rng(seed);
    auto uni = [&](int64_t lo,
                   int64_t hi) {  // [lo, hi], independent of the library's distributions
        return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
    };
    int64_t communities = std::max<int64_t>(1, nodes / 100);
    for (int64_t i = 0; i < nodes; ++i) {
        m.label.push_back(static_cast<int>(uni(0, 2)));
        m.v.push_back(uni(0, 999));
        m.comm.push_back(i % communities);
    }
    m.out.resize(static_cast<size_t>(nodes));
    m.in.resize(static_cast<size_t>(nodes));
    const int64_t per_batch = 250;
    while (static_cast<int64_t>(m.rels.size()) < rels) {
        int64_t c1 = uni(0, communities - 1), c2 = uni(0, communities - 1);
        int type = static_cast<int>(uni(0, 2));
        int64_t count = std::min(per_batch, rels - static_cast<int64_t>(m.rels.size()));
        auto pick = [&](int64_t c) {
            // Community c holds ids c, c + communities, ...
            int64_t size = (nodes - 1 - c) / communities + 1;
            return c + uni(0, size - 1) * communities;
        };
        for (int64_t j = 0; j < count; ++j) {
            int64_t a = pick(uni(0, 1) ? c1 : c2), b = pick(uni(0, 1) ? c1 : c2);
            m.rels.push_back({a, b, type, uni(1, 100)});
        }
    }
    for (size_t i = 0; i < m.rels.size(); ++i) {
        m.out[static_cast<size_t>(m.rels[i].from)].push_back(i);
        m.in[static_cast<size_t>(m.rels[i].to)].push_back(i);
    }
    return m;
}

void load(lora::Database& db, const Model& m) {
    // Nodes, per label (labels are part of the query text).
    for (int l = 0; l < 3; ++l) {
        List rows;
        for (int64_t i = 0; i < m.n; ++i)
            if (m.label[static_cast<size_t>(i)] == l)
                rows.push_back(Map{{"id", Value(i)},
                                   {"v", Value(m.v[static_cast<size_t>(i)])},
                                   {"c", Value(m.comm[static_cast<size_t>(i)])}});
        for (size_t b = 0; b < rows.size(); b += 1000) {
            List batch(rows.begin() + static_cast<std::ptrdiff_t>(b),
                       rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), b + 1000)));
            auto r = db.execute(std::string("UNWIND $rows AS r CREATE (:N:") + kLabels[l] +
                                    " {id: r.id, v: r.v, c: r.c})",
                                {{"rows", Value(batch)}});
            REQUIRE(r.stats.nodes_created == static_cast<int64_t>(batch.size()));
        }
    }
    // Relationships, in the batches make_model drew them: consecutive rels sharing a type
    // and lying within two communities.
    size_t i = 0;
    while (i < m.rels.size()) {
        std::vector<int64_t> comms;
        size_t j = i;
        while (j < m.rels.size() && j - i < 250 && m.rels[j].type == m.rels[i].type) {
            for (int64_t e : {m.rels[j].from, m.rels[j].to}) {
                int64_t c = m.comm[static_cast<size_t>(e)];
                if (std::find(comms.begin(), comms.end(), c) == comms.end()) {
                    if (comms.size() == 2) goto batch_done;
                    comms.push_back(c);
                }
            }
            ++j;
        }
    batch_done:
        if (j == i) FAIL("cannot batch relationship " << i);
        {
            // Members of the batch's communities, in id order: the collected list below.
            std::vector<int64_t> members;
            for (int64_t id = 0; id < m.n; ++id)
                if (std::find(comms.begin(), comms.end(), m.comm[static_cast<size_t>(id)]) !=
                    comms.end())
                    members.push_back(id);
            auto index = [&](int64_t id) {
                return static_cast<int64_t>(std::lower_bound(members.begin(), members.end(), id) -
                                            members.begin());
            };
            List pairs, cl;
            for (int64_t c : comms) cl.push_back(Value(c));
            // p[3] makes every pair distinct so the grouping below keeps them all. The
            // grouping is there because it starts fresh rows: without it every row would
            // still carry the collected list `ns` to the shards (~12x slower).
            for (size_t k = i; k < j; ++k)
                pairs.push_back(List{Value(index(m.rels[k].from)), Value(index(m.rels[k].to)),
                                     Value(m.rels[k].w), Value(static_cast<int64_t>(k))});
            auto r =
                db.execute(std::string("MATCH (n:N) WHERE n.c IN $cs WITH n ORDER BY n.id "
                                       "WITH collect(n) AS ns UNWIND $pairs AS p "
                                       "WITH ns[p[0]] AS a, ns[p[1]] AS b, p, count(*) AS one "
                                       "CREATE (a)-[:") +
                               kTypes[static_cast<size_t>(m.rels[i].type)] + " {w: p[2]}]->(b)",
                           {{"cs", Value(cl)}, {"pairs", Value(pairs)}});
            REQUIRE(r.stats.relationships_created == static_cast<int64_t>(j - i));
        }
        i = j;
    }
}

// Paths a -[t1]-> b -[t2]-> c with two different relationships (t < 0: any type).
int64_t two_hop_from(const Model& m, int64_t a, int t1, int t2) {
    int64_t count = 0;
    for (size_t r1 : m.out[static_cast<size_t>(a)]) {
        if (t1 >= 0 && m.rels[r1].type != t1) continue;
        for (size_t r2 : m.out[static_cast<size_t>(m.rels[r1].to)])
            if (r2 != r1 && (t2 < 0 || m.rels[r2].type == t2)) ++count;
    }
    return count;
}

void check(lora::Database& db, const Model& m, uint64_t seed) {
    // Node counts per label.
    CHECK(scalar_int(db, "MATCH (n:N) RETURN count(n)") == m.n);
    CHECK(scalar_int(db, "MATCH (n) RETURN count(*)") == m.n);
    for (int l = 0; l < 3; ++l) {
        int64_t want = std::count(m.label.begin(), m.label.end(), l);
        CHECK(scalar_int(db, std::string("MATCH (n:") + kLabels[l] + ") RETURN count(n)") == want);
    }
    // Relationship counts per type, and in total seen from both ends.
    CHECK(scalar_int(db, "MATCH ()-[r]->() RETURN count(r)") ==
          static_cast<int64_t>(m.rels.size()));
    CHECK(scalar_int(db, "MATCH ()<-[r]-() RETURN count(r)") ==
          static_cast<int64_t>(m.rels.size()));
    for (int t = 0; t < 3; ++t) {
        int64_t want =
            std::count_if(m.rels.begin(), m.rels.end(), [&](const Rel& r) { return r.type == t; });
        CHECK(scalar_int(db, std::string("MATCH ()-[r:") + kTypes[t] + "]->() RETURN count(r)") ==
              want);
    }
    // Grouped counts and sums per type, one query.
    {
        auto r = db.execute(
            "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS c, sum(r.w) AS s ORDER BY t");
        REQUIRE(r.rows.size() == 3);
        for (int t = 0; t < 3; ++t) {
            int64_t c = 0, s = 0;
            for (const Rel& x : m.rels)
                if (x.type == t) ++c, s += x.w;
            CHECK(r.rows[t][0] == Value(kTypes[t]));
            CHECK(r.rows[t][1] == Value(c));
            CHECK(r.rows[t][2] == Value(s));
        }
    }
    // Aggregates of a node property.
    {
        int64_t sum = 0, lo = 1000, hi = -1;
        for (int64_t x : m.v) sum += x, lo = std::min(lo, x), hi = std::max(hi, x);
        auto r = db.execute(
            "MATCH (n:N) RETURN sum(n.v) AS s, avg(n.v) AS a, min(n.v) AS lo, max(n.v) AS hi");
        REQUIRE(r.rows.size() == 1);
        CHECK(r.rows[0][0] == Value(sum));
        REQUIRE(r.rows[0][1].is_float());
        CHECK(r.rows[0][1].as_float() ==
              Approx(static_cast<double>(sum) / static_cast<double>(m.n)));
        CHECK(r.rows[0][2] == Value(lo));
        CHECK(r.rows[0][3] == Value(hi));
    }
    // Grouped counts by label and a computed key.
    {
        auto r = db.execute("MATCH (n:N) RETURN n.v % 10 AS k, count(*) AS c ORDER BY k");
        REQUIRE(r.rows.size() == 10);
        for (int64_t k = 0; k < 10; ++k) {
            int64_t want =
                std::count_if(m.v.begin(), m.v.end(), [&](int64_t x) { return x % 10 == k; });
            CHECK(r.rows[static_cast<size_t>(k)][0] == Value(k));
            CHECK(r.rows[static_cast<size_t>(k)][1] == Value(want));
        }
    }
    // Out-degree grouped by start label and end label across shards.
    for (int la = 0; la < 3; ++la)
        for (int lb = 0; lb < 3; ++lb) {
            int64_t want = std::count_if(m.rels.begin(), m.rels.end(), [&](const Rel& r) {
                return m.label[static_cast<size_t>(r.from)] == la &&
                       m.label[static_cast<size_t>(r.to)] == lb;
            });
            CHECK(scalar_int(db, std::string("MATCH (a:") + kLabels[la] + ")-->(b:" + kLabels[lb] +
                                     ") RETURN count(*)") == want);
        }
    // Degrees, 1-hop and 2-hop patterns of sample nodes.
    std::mt19937_64 rng(seed ^ 0x5eed);
    for (int s = 0; s < 12; ++s) {
        int64_t a = static_cast<int64_t>(rng() % static_cast<uint64_t>(m.n));
        const auto& out = m.out[static_cast<size_t>(a)];
        const auto& in = m.in[static_cast<size_t>(a)];
        int64_t loops =
            std::count_if(out.begin(), out.end(), [&](size_t r) { return m.rels[r].to == a; });
        lora::Params p{{"x", Value(a)}};
        INFO("node id " << a);
        CHECK(scalar_int(db, "MATCH (a:N {id: $x})-[r]->() RETURN count(r)", p) ==
              static_cast<int64_t>(out.size()));
        CHECK(scalar_int(db, "MATCH (a:N {id: $x})<-[r]-() RETURN count(r)", p) ==
              static_cast<int64_t>(in.size()));
        CHECK(scalar_int(db, "MATCH (a:N {id: $x})-[r]-() RETURN count(r)", p) ==
              static_cast<int64_t>(out.size() + in.size()) - loops);
        // 1-hop: the set of targets' ids and weights.
        {
            std::vector<std::string> want;
            for (size_t r : out)
                want.push_back(Value(List{Value(m.rels[r].to), Value(m.rels[r].w)}).to_string());
            std::sort(want.begin(), want.end());
            auto res = db.execute("MATCH (a:N {id: $x})-[r]->(b) RETURN b.id, r.w", p);
            std::vector<std::string> got;
            for (auto& row : res.rows) got.push_back(Value(List(row)).to_string());
            std::sort(got.begin(), got.end());
            CHECK(got == want);
        }
        CHECK(scalar_int(db, "MATCH (a:N {id: $x})-[:E]->()-[:E]->(c) RETURN count(*)", p) ==
              two_hop_from(m, a, 0, 0));
        CHECK(scalar_int(db, "MATCH (a:N {id: $x})-->()-->(c) RETURN count(*)", p) ==
              two_hop_from(m, a, -1, -1));
        // 2-hop with a filter on the far node (evaluated at its shard).
        int64_t far = 0;
        for (size_t r1 : out)
            for (size_t r2 : m.out[static_cast<size_t>(m.rels[r1].to)])
                if (r2 != r1 && m.v[static_cast<size_t>(m.rels[r2].to)] >= 500) ++far;
        CHECK(scalar_int(db, "MATCH (a:N {id: $x})-->()-->(c) WHERE c.v >= 500 RETURN count(*)",
                         p) == far);
    }
    // Global 2-hop counts.
    {
        int64_t all = 0, ef = 0;
        for (int64_t a = 0; a < m.n; ++a) {
            all += two_hop_from(m, a, -1, -1);
            ef += two_hop_from(m, a, 0, 1);
        }
        CHECK(scalar_int(db, "MATCH (a)-->(b)-->(c) RETURN count(*)") == all);
        CHECK(scalar_int(db, "MATCH (a)-[:E]->(b)-[:F]->(c) RETURN count(*)") == ef);
    }
    // Sum of weights of out-relationships grouped by start node, top 5.
    {
        std::vector<std::pair<int64_t, int64_t>> per;  // (-sum, id)
        for (int64_t a = 0; a < m.n; ++a) {
            int64_t s = 0;
            for (size_t r : m.out[static_cast<size_t>(a)]) s += m.rels[r].w;
            if (!m.out[static_cast<size_t>(a)].empty()) per.push_back({-s, a});
        }
        std::sort(per.begin(), per.end());
        auto r = db.execute(
            "MATCH (a:N)-[r]->() RETURN a.id AS id, sum(r.w) AS s ORDER BY s DESC, id LIMIT 5");
        REQUIRE(r.rows.size() == 5);
        for (size_t k = 0; k < 5; ++k) {
            CHECK(r.rows[k][0] == Value(per[k].second));
            CHECK(r.rows[k][1] == Value(-per[k].first));
        }
    }
}

void run(uint32_t shards, int64_t nodes, int64_t rels, uint64_t seed) {
    Model m = make_model(nodes, rels, seed);
    auto db = lora::test::open_db(shards);
    auto t0 = std::chrono::steady_clock::now();
    load(*db, m);
    auto t1 = std::chrono::steady_clock::now();
    check(*db, m, seed);
    auto t2 = std::chrono::steady_clock::now();
    if (std::getenv("LORA_TIMING"))
        std::cerr << "graph " << nodes << "/" << rels << " on " << shards << " shards: load "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0).count()
                  << " ms, checks "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(t2 - t1).count()
                  << " ms\n";
}

}  // namespace

TEST_CASE("random graph of 10k nodes and 50k relationships on 4 shards matches the model",
          "[engine][graph]") {
    run(4, 10000, 50000, 20261124);
}

TEST_CASE("random graph on 1 shard matches the model", "[engine][graph]") {
    run(1, 2000, 10000, 7);
}
