// lora::Database: owns the actor system, the catalog and the shard actors. A synchronous
// execute() spawns a query actor and waits on a future (no blocking actor on the path).
#include "lora/actors/protocol.hpp"

#include <lora/lora.hpp>
#include <lora/storage/catalog.hpp>

#include <future>
#include <thread>

namespace lora {

struct Database::Impl {
    Options options;
    std::unique_ptr<storage::Catalog> catalog;
    std::unique_ptr<caf::actor_system_config> cfg;
    std::unique_ptr<caf::actor_system> system;
    actors::EnginePtr engine;
    caf::actor coordinator;

    ~Impl() {
        if (system) {
            for (auto& s : engine->shards) caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
            caf::anon_send_exit(coordinator, caf::exit_reason::user_shutdown);
            engine->shards.clear();
            coordinator = nullptr;
            system.reset();  // joins the scheduler threads
        }
    }
};

std::unique_ptr<Database> Database::open(const Options& options) {
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    uint32_t hw = std::max(1u, std::thread::hardware_concurrency());
    uint32_t shards = options.shards ? options.shards : hw;
    if (shards > 4096)
        throw Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError", "InvalidOption",
                    "shards must be between 1 and 4096, got " + std::to_string(shards));
    if (!options.data_dir.empty())
        throw Error(ErrorClass::Database, ErrorPhase::Runtime, "DatabaseError", "NotSupported",
                    "persistent databases (data_dir) are not available yet in this build");
    impl->catalog = std::make_unique<storage::Catalog>();
    impl->cfg = std::make_unique<caf::actor_system_config>();
    impl->cfg->set("scheduler.max-threads", static_cast<size_t>(options.threads ? options.threads : hw));
    impl->cfg->set("logger.verbosity", caf::atom("quiet"));
    impl->system = std::make_unique<caf::actor_system>(*impl->cfg);
    impl->engine = std::make_shared<actors::EngineShared>();
    impl->engine->catalog = impl->catalog.get();
    impl->engine->batch_rows = std::max(1u, options.batch_rows);
    for (uint32_t i = 0; i < shards; ++i)
        impl->engine->shards.push_back(actors::spawn_shard(*impl->system, i, shards, impl->catalog.get()));
    impl->coordinator = actors::spawn_coordinator(*impl->system, impl->engine);
    return std::unique_ptr<Database>(new Database(std::move(impl)));
}

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::~Database() = default;

uint32_t Database::shard_count() const {
    return static_cast<uint32_t>(impl_->engine->shards.size());
}

Result Database::execute(const std::string& query, const Params& params) {
    auto req = std::make_shared<actors::QueryRequest>();
    req->query = query;
    req->params = params;
    auto promise = std::make_shared<std::promise<actors::OutcomePtr>>();
    auto future = promise->get_future();
    req->done = [promise](actors::OutcomePtr o) { promise->set_value(std::move(o)); };
    auto q = actors::spawn_query(*impl_->system, impl_->engine, req);
    caf::anon_send(q, actors::start_atom::value);
    actors::OutcomePtr o = future.get();
    if (o->error) throw *o->error;
    return std::move(o->result);
}

void Database::register_procedure(ProcedureSignature signature, ProcedureFn fn) {
    impl_->engine->procedures.put(std::move(signature), std::move(fn));
    impl_->engine->plans.clear();  // plans hold resolved procedures
}

}  // namespace lora
