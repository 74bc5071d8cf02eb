// lora hosted in a service's own CAF actor system (lora/service.hpp): the database's actors
// run in the service's system, the service's actors send statements and get completions as
// messages, and destroying the Database leaves the system running without lora's actors.
#include "engine/helpers.hpp"

#include <lora/service.hpp>

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

using namespace lora;

namespace {

Options shards(uint32_t n, std::string dir = {}) {
    Options o;
    o.shards = n;
    o.data_dir = std::move(dir);
    return o;
}

caf::actor_system_config& quiet(caf::actor_system_config& cfg) {
    cfg.set("scheduler.max-threads", size_t{2});
    cfg.set("logger.verbosity", caf::atom("quiet"));
    return cfg;
}

// A service actor: sends `n` CREATEs at once to the database's actor, then reads the count,
// and replies to its requester with the count (or the first error's code).
caf::behavior writer_service(caf::event_based_actor* self, database_actor db) {
    return {
        [=](int64_t n) -> caf::result<std::string> {
            auto rp = self->make_response_promise<std::string>();
            auto left = std::make_shared<int64_t>(n);
            auto first_error = std::make_shared<std::string>();
            for (int64_t i = 0; i < n; ++i) {
                self->request(db, caf::infinite,
                              statement("CREATE (:Item {i: $i})", {{"i", Value(i)}}))
                    .then([=](const CompletionPtr& c) mutable {
                        if (c->error && first_error->empty()) *first_error = c->error->code();
                        if (--*left > 0) return;
                        if (!first_error->empty()) {
                            rp.deliver(*first_error);
                            return;
                        }
                        self->request(db, caf::infinite,
                                      statement("MATCH (n:Item) RETURN count(n) AS c"))
                            .then([=](const CompletionPtr& c2) mutable {
                                if (c2->error)
                                    rp.deliver(c2->error->code());
                                else
                                    rp.deliver(c2->result.rows.at(0).at(0).to_string());
                            });
                    });
            }
            return rp;
        },
    };
}

CompletionPtr ask(caf::actor_system& sys, database_actor db, StatementPtr st) {
    caf::scoped_actor self{sys};
    CompletionPtr out;
    self->request(db, std::chrono::seconds(60), std::move(st))
        .receive([&](const CompletionPtr& c) { out = c; },
                 [&](caf::error& e) { FAIL("request failed: " << caf::to_string(e)); });
    return out;
}

}  // namespace

TEST_CASE("a service's own actor system hosts lora's actors", "[engine][service]") {
    caf::actor_system_config cfg;
    caf::actor_system sys{quiet(cfg)};
    const size_t before = sys.registry().running();
    {
        auto db = Database::open(sys, shards(4));
        // The coordinator, four shards and more run in the service's system: there is no
        // second one.
        CHECK(sys.registry().running() >= before + 5);
        auto dba = database_actor_of(*db);
        CHECK(database_actor_of(*db) == dba);  // one actor per database

        auto service = sys.spawn(writer_service, dba);
        caf::scoped_actor self{sys};
        std::string answer;
        self->request(service, std::chrono::seconds(60), int64_t{200})
            .receive([&](const std::string& s) { answer = s; },
                     [&](caf::error& e) { answer = caf::to_string(e); });
        CHECK(answer == "200");
        self->send_exit(service, caf::exit_reason::user_shutdown);

        // Errors come back in the completion, named.
        auto bad = ask(sys, dba, statement("RETURN nope"));
        REQUIRE(bad->error);
        CHECK(bad->error->code() == "SyntaxError.UndefinedVariable");
        // Many rows from small lists: range(1, 10^8) would be one call no timeout can stop.
        auto slow = ask(sys, dba,
                        statement("UNWIND range(1, 10000) AS a UNWIND range(1, 10000) AS i "
                                  "WITH i WHERE i < 0 RETURN i",
                                  {}, std::chrono::milliseconds(100)));
        REQUIRE(slow->error);
        CHECK(slow->error->code() == "TransactionError.Timeout");
        // The blocking API works from outside the system's actors, on the same database.
        CHECK(test::scalar_int(*db, "MATCH (n:Item) RETURN count(n)") == 200);
    }
    // The database's actors are gone; the system goes on. (Actors end asynchronously: the
    // service's own writer, sent its exit above, may still be ending on a loaded machine,
    // so the count is given up to 10 s to settle.)
    for (int i = 0; i < 1000 && sys.registry().running() != before; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(sys.registry().running() == before);
    auto after = Database::open(sys, shards(1));
    CHECK(ask(sys, database_actor_of(*after), statement("RETURN 41 + 1 AS x"))
              ->result.rows.at(0)
              .at(0)
              .as_int() == 42);
}

TEST_CASE("a hosted persistent database keeps what its actor committed", "[engine][service]") {
    const std::string dir = test::temp_dir("service");
    {
        caf::actor_system_config cfg;
        caf::actor_system sys{quiet(cfg)};
        auto db = Database::open(sys, shards(2, dir));
        auto c = ask(sys, database_actor_of(*db),
                     statement("UNWIND range(1, 50) AS i CREATE (:Kept {i: i})"));
        CHECK_FALSE(c->error);
        CHECK(c->result.stats.nodes_created == 50);
    }
    auto again = Database::open(shards(2, dir));
    CHECK(test::scalar_int(*again, "MATCH (n:Kept) RETURN sum(n.i)") == 1275);
    again.reset();
    std::filesystem::remove_all(dir);
}
