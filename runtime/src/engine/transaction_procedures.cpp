// lora.showTransactions and lora.terminateTransactions (transaction_procedures.hpp).
#include "engine/transaction_procedures.hpp"

#include <lora/cypher/show_commands.hpp>
#include <lora/errors.hpp>
#include <lora/exec/procedures.hpp>
#include <lora/temporal.hpp>

#include <caf/all.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace lora {

namespace {

using SysClock = std::chrono::system_clock;

// The database name lorad answers to over Bolt.
constexpr const char* kDatabase = "neo4j";

// ISO-8601 in UTC with milliseconds, as Neo4j prints startTime.
std::string iso_time(SysClock::time_point t) {
    const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(t);
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", std::chrono::floor<std::chrono::seconds>(ms),
                       static_cast<int>(ms.time_since_epoch().count() % 1000));
}

// The time since `since`, as a DURATION in seconds and nanoseconds (Neo4j's elapsedTime).
Value elapsed(SysClock::time_point since, SysClock::time_point now) {
    const auto ns = std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::nanoseconds>(now - since).count());
    Duration d;
    d.seconds = ns / 1'000'000'000;
    d.nanos = static_cast<int32_t>(ns % 1'000'000'000);
    return Value(d);
}

// The ids a command names: one string, a list of strings, or (null) every transaction.
std::optional<std::vector<std::string>> ids_of(const Value& arg, const char* command) {
    if (arg.is_null()) return std::nullopt;
    std::vector<std::string> ids;
    auto add = [&](const Value& v) {
        if (!v.is_string())
            throw_argument_error("InvalidArgumentValue",
                                 std::string(command) + " takes transaction ids as strings, got " +
                                     std::string(kind_name(v.kind())));
        ids.push_back(v.as_string());
    };
    if (arg.is_list())
        for (const auto& v : arg.as_list()) add(v);
    else
        add(arg);
    return ids;
}

std::vector<Value> transaction_row(const actors::RunningTxn& t, SysClock::time_point now) {
    std::lock_guard lock(t.mu);
    const auto& s = t.statement;
    const bool running = s.request != nullptr;
    const auto& c = t.client;
    auto text_or_null = [](const std::string& v) { return v.empty() ? Value() : Value(v); };
    return {Value(kDatabase),
            Value(actors::transaction_id_text(t.id)),
            running && s.query_id ? Value("query-" + std::to_string(s.query_id)) : Value(""),
            Value(c.connection_id),
            Value(c.address),
            Value(c.user),
            Value(running ? s.request->query : std::string()),
            Value(iso_time(t.started)),
            Value(t.terminated ? "Terminated" : "Running"),
            elapsed(t.started, now),
            running ? Value(iso_time(s.started)) : Value(),
            running ? elapsed(s.started, now) : Value(),
            Value(c.metadata),
            text_or_null(c.protocol.empty() ? std::string("embedded") : c.protocol)};
}

void register_show(actors::EngineShared& engine) {
    const std::array<const char*, cypher::kShowTransactionColumns.size()> types = {
        "STRING?", "STRING?", "STRING?",   "STRING?", "STRING?",   "STRING?", "STRING?",
        "STRING?", "STRING?", "DURATION?", "STRING?", "DURATION?", "MAP?",    "STRING?"};
    auto sig = exec::command_signature(cypher::kShowTransactionsProcedure,
                                       "Lists the running transactions (SHOW TRANSACTIONS).",
                                       {{"ids", "ANY?"}}, cypher::kShowTransactionColumns, types);
    auto* running = &engine.running;
    engine.procedures.put(std::move(sig), [running](const std::vector<Value>& args) {
        auto ids = ids_of(args.empty() ? Value() : args[0], "SHOW TRANSACTIONS");
        const auto now = SysClock::now();
        std::vector<std::vector<Value>> rows;
        for (const auto& t : running->list()) {
            if (ids && std::find(ids->begin(), ids->end(), actors::transaction_id_text(t->id)) ==
                           ids->end())
                continue;
            rows.push_back(transaction_row(*t, now));
        }
        return rows;
    });
}

// Rolls back an idle explicit transaction that was terminated, then ends it (its snapshot
// and writer gate given back); its client learns of it at its next statement.
void roll_back_terminated(caf::actor_system& system, const actors::EnginePtr& engine,
                          uint64_t txn) {
    auto req = std::make_shared<actors::QueryRequest>();
    req->kind = actors::QueryRequest::Kind::Rollback;
    req->txn = txn;
    std::weak_ptr<actors::EngineShared> weak = engine;
    req->done = [weak, txn](actors::OutcomePtr) {
        if (auto e = weak.lock()) e->end_transaction(txn);
    };
    caf::anon_send(actors::acquire_query(system, engine), actors::start_atom::value, req);
}

void register_terminate(caf::actor_system& system, const actors::EnginePtr& engine) {
    const std::array<const char*, 3> types = {"STRING?", "STRING?", "STRING?"};
    auto sig =
        exec::command_signature(cypher::kTerminateTransactionsProcedure,
                                "Terminates transactions by id (TERMINATE TRANSACTIONS).",
                                {{"ids", "ANY"}}, cypher::kTerminateTransactionColumns, types);
    // Weak: the procedure lives in the engine it terminates transactions of.
    std::weak_ptr<actors::EngineShared> weak = engine;
    auto* sys = &system;
    engine->procedures.put(std::move(sig), [weak, sys](const std::vector<Value>& args) {
        auto ids = ids_of(args.empty() ? Value() : args[0], "TERMINATE TRANSACTIONS");
        if (!ids)
            throw_argument_error("InvalidArgumentValue",
                                 "TERMINATE TRANSACTIONS needs the ids to terminate");
        std::vector<std::vector<Value>> rows;
        auto engine = weak.lock();
        for (const auto& text : *ids) {
            using T = actors::RunningTransactions::Terminated;
            auto id = actors::parse_transaction_id(text);
            auto t = id && engine ? engine->running.find(*id) : nullptr;
            T outcome = t ? engine->running.terminate(*id) : T::NotFound;
            if (outcome == T::IdleExplicit) roll_back_terminated(*sys, engine, *id);
            rows.push_back({Value(text), t ? Value(t->client.user) : Value(""),
                            Value(outcome == T::NotFound ? "Transaction not found."
                                                         : "Transaction terminated.")});
        }
        return rows;
    });
}

}  // namespace

void register_transaction_procedures(caf::actor_system& system, const actors::EnginePtr& engine) {
    register_show(*engine);
    register_terminate(system, engine);
}

}  // namespace lora
