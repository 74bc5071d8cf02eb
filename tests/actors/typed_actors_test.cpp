// The typed actors, spawned: once directly (a shard and a coordinator answer through their
// typed interfaces) and once through the engine (a query's whole path).
#include <lora/actors/protocol.hpp>
#include <lora/actors/query_context.hpp>

#include <lora/lora.hpp>
#include <lora/storage/catalog.hpp>
#include <lora/storage/partition.hpp>

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>

using namespace lora;

TEST_CASE("a spawned shard answers through its typed interface", "[actors][typed]") {
    caf::actor_system_config cfg;
    cfg.set("logger.verbosity", caf::atom("quiet"));
    caf::actor_system sys{cfg};
    storage::Catalog catalog;
    actors::CommitClock clock;
    auto part = std::make_shared<storage::Partition>(0, 1, catalog);
    actors::shard_actor shard = actors::spawn_shard(sys, part, &catalog, &clock);
    caf::scoped_actor self{sys};
    uint64_t nodes = 99, rels = 99, mailbox = 99;
    self->request(shard, std::chrono::seconds(5), actors::stats_atom::value)
        .receive(
            [&](uint64_t n, uint64_t r, uint64_t, uint64_t m) { nodes = n, rels = r, mailbox = m; },
            [&](caf::error& e) { FAIL(sys.render(e)); });
    CHECK(nodes == 0);
    CHECK(rels == 0);
    CHECK(mailbox == 0);
    bool aborted = false;
    self->request(shard, std::chrono::seconds(5), actors::abort_atom::value, uint64_t{5})
        .receive([&](bool ok) { aborted = ok; }, [&](caf::error& e) { FAIL(sys.render(e)); });
    CHECK(aborted);
    size_t redo_ops = 99;
    self->request(shard, std::chrono::seconds(5), actors::prepare_atom::value, uint64_t{5})
        .receive(
            [&](const actors::Payload& p) {
                redo_ops = actors::decode_redo(p.data(), p.size()).size();
            },
            [&](caf::error& e) { FAIL(sys.render(e)); });
    CHECK(redo_ops == 0);
    bool ran = false;
    auto fn = std::make_shared<std::function<void(storage::Partition&)>>(
        [&](storage::Partition& p) { ran = &p == part.get(); });
    self->request(shard, std::chrono::seconds(5), actors::partition_atom::value,
                  actors::PartitionFn(fn))
        .receive([&](bool) {}, [&](caf::error& e) { FAIL(sys.render(e)); });
    CHECK(ran);
    self->send_exit(shard, caf::exit_reason::user_shutdown);
}

TEST_CASE("the coordinator delegates a request to a pooled query actor", "[actors][typed]") {
    caf::actor_system_config cfg;
    cfg.set("logger.verbosity", caf::atom("quiet"));
    caf::actor_system sys{cfg};
    auto engine = std::make_shared<actors::EngineShared>();
    engine->catalog = std::make_shared<storage::Catalog>();
    storage::Catalog& catalog = *engine->catalog;
    std::vector<std::shared_ptr<storage::Partition>> parts;
    for (uint32_t i = 0; i < 2; ++i) {
        parts.push_back(std::make_shared<storage::Partition>(i, 2, catalog));
        engine->shards.push_back(
            actors::spawn_shard(sys, parts.back(), &catalog, &engine->commits));
    }
    actors::coordinator_actor coordinator = actors::spawn_coordinator(sys, engine);
    caf::scoped_actor self{sys};
    auto run = [&](const std::string& text) {
        auto req = std::make_shared<actors::QueryRequest>();
        req->query = text;
        actors::OutcomePtr out;
        self->request(coordinator, std::chrono::seconds(10), actors::execute_atom::value, req)
            .receive([&](const actors::OutcomePtr& o) { out = o; },
                     [&](caf::error& e) { FAIL(sys.render(e)); });
        REQUIRE(out);
        if (out->error) FAIL(out->error->what());
        return out->result;
    };
    run("UNWIND range(1, 10) AS i CREATE (:N {i: i})");
    Result r = run("MATCH (n:N) RETURN count(n) AS c, sum(n.i) AS s");
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0][0].as_int() == 10);
    CHECK(r.rows[0][1].as_int() == 55);
    CHECK(parts[0]->node_count() + parts[1]->node_count() == 10);
    for (auto& q : engine->query_pool.close()) self->send_exit(q, caf::exit_reason::user_shutdown);
    for (auto& s : engine->shards) self->send_exit(s, caf::exit_reason::user_shutdown);
    self->send_exit(coordinator, caf::exit_reason::user_shutdown);
}

TEST_CASE("the engine runs a query through its typed actors", "[actors][typed]") {
    Options o;
    o.shards = 3;
    o.threads = 2;
    auto db = Database::open(o);
    db->execute("UNWIND range(1, 30) AS i CREATE (:P {i: i})-[:R]->(:Q {i: i})");
    Result r = db->execute("MATCH (p:P)-[:R]->(q:Q) WHERE p.i = q.i RETURN count(*) AS c");
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0][0].as_int() == 30);
    // Engine statistics ask every shard (stats_atom, a typed request).
    auto s = db->engine_stats();
    CHECK(s.mailbox_depth.size() == 3);
    CHECK(s.partition_bytes.size() == 3);
}
