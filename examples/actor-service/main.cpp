// A service that runs its own CAF actor system and hosts lora inside it: the database's
// coordinator, shards and WAL are spawned in the service's system (not a second one), and
// the service's actors talk to the database only by messages, never by a blocking call.
//
// The service is a small bank. Its `accounts` actor (a typed actor with its own protocol)
// opens accounts, moves money and reports balances; it turns each request into a lora
// statement sent to the database's actor (lora/service.hpp) and answers when the
// completion arrives. A `teller` actor drives it: it opens three accounts at once, sends 30
// transfers at once, reads the total back and checks that no money appeared or vanished,
// then asks for something impossible and checks that the error comes back as a message.
// Exits 1 on any wrong answer (this example is run by tools/check_examples.sh).
#include <lora/service.hpp>

#include <caf/all.hpp>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>

#include <unistd.h>

namespace {

using open_atom = caf::atom_constant<caf::atom("open")>;
using transfer_atom = caf::atom_constant<caf::atom("transfer")>;
using total_atom = caf::atom_constant<caf::atom("total")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;

// The accounts service's protocol: every reply comes once the database has answered (a write
// once it is committed and durable); a failed statement is answered with a caf::error
// carrying lora's error code and message. `retry` is its own timer (see reply_with_int).
using accounts_actor = caf::typed_actor<
    caf::replies_to<open_atom, std::string, int64_t>::with<int64_t>,                   // -> balance
    caf::replies_to<transfer_atom, std::string, std::string, int64_t>::with<int64_t>,  // -> moved
    caf::replies_to<total_atom>::with<int64_t>,                                        // -> sum
    caf::reacts_to<retry_atom, uint64_t>>;

struct accounts_state {
    // Not an aggregate: CAF 0.17 builds a state from the actor's pointer when it can.
    accounts_state() = default;
    lora::database_actor db;
    uint64_t last_retry = 0;
    std::unordered_map<uint64_t, std::function<void()>> retries;  // waiting for their timer
};
using accounts_pointer = accounts_actor::stateful_pointer<accounts_state>;

caf::error failure(const lora::Error& e) {
    return caf::make_error(caf::sec::runtime_error, e.code() + ": " + e.message());
}

// Sends `st` to the database and delivers, through `rp`, the integer in the first column of
// its first row (`none` when it returned no row), or its error. A statement that lost a
// write conflict to a concurrent one kept nothing (TransientError.ConflictDetected): it is
// sent again after a pause that grows with each attempt, so the winner can commit first.
void reply_with_int(accounts_pointer self, lora::StatementPtr st, caf::response_promise rp,
                    int64_t none = 0, int attempt = 1) {
    self->request(self->state.db, caf::infinite, st)
        .then([=](const lora::CompletionPtr& c) mutable {
            if (c->error && c->error->kind() == lora::ErrorKind::Conflict && attempt < 50) {
                const uint64_t id = ++self->state.last_retry;
                self->state.retries.emplace(
                    id, [=] { reply_with_int(self, st, rp, none, attempt + 1); });
                self->delayed_send(caf::actor_cast<accounts_actor>(self),
                                   std::chrono::milliseconds(attempt), retry_atom::value, id);
            } else if (c->error) {
                rp.deliver(failure(*c->error));
            } else {
                rp.deliver(c->result.rows.empty() ? none : c->result.rows[0][0].as_int());
            }
        });
}

accounts_actor::behavior_type accounts(accounts_pointer self, lora::database_actor db) {
    self->state.db = std::move(db);
    // Each handler only sends a statement and returns a promise: the actor never waits.
    return {
        [=](open_atom, const std::string& name, int64_t balance) -> caf::result<int64_t> {
            auto rp = self->make_response_promise<int64_t>();
            reply_with_int(
                self,
                lora::statement("CREATE (a:Account {name: $name, balance: $balance}) "
                                "RETURN a.balance",
                                {{"name", lora::Value(name)}, {"balance", lora::Value(balance)}}),
                rp);
            return rp;
        },
        [=](transfer_atom, const std::string& from, const std::string& to,
            int64_t amount) -> caf::result<int64_t> {
            // One statement, so one transaction: both balances change or neither does; a
            // transfer that would overdraw moves nothing (0).
            auto rp = self->make_response_promise<int64_t>();
            reply_with_int(
                self,
                lora::statement(
                    "MATCH (a:Account {name: $from}), (b:Account {name: $to}) "
                    "WHERE a.balance >= $amount "
                    "SET a.balance = a.balance - $amount, b.balance = b.balance + $amount "
                    "RETURN $amount",
                    {{"from", lora::Value(from)},
                     {"to", lora::Value(to)},
                     {"amount", lora::Value(amount)}}),
                rp);
            return rp;
        },
        [=](total_atom) -> caf::result<int64_t> {
            auto rp = self->make_response_promise<int64_t>();
            reply_with_int(self, lora::statement("MATCH (a:Account) RETURN sum(a.balance)"), rp);
            return rp;
        },
        [=](retry_atom, uint64_t id) {
            auto it = self->state.retries.find(id);
            if (it == self->state.retries.end()) return;
            auto resend = std::move(it->second);
            self->state.retries.erase(it);
            resend();
        },
    };
}

// The teller drives the bank step by step; each step starts the next one from the replies
// of its own requests.
struct teller_state {
    accounts_actor bank;
    lora::database_actor db;
    caf::response_promise report;  // "ok" or "FAIL <why>" to whoever sent `run`
    int pending = 0;
    int64_t moved = 0;
};
using teller_actor = caf::stateful_actor<teller_state>;

const char* const names[] = {"ada", "bob", "cy"};
constexpr int transfers = 30;

void fail(teller_actor* self, const std::string& why) { self->state.report.deliver("FAIL " + why); }

auto on_error(teller_actor* self) {
    return [self](caf::error& e) { fail(self, caf::to_string(e)); };
}

void check_error_reply(teller_actor* self) {
    // A wrong statement: its error comes back as a message too.
    self->request(self->state.db, caf::infinite,
                  lora::statement("MATCH (a:Account) RETURN a.balance / 0"))
        .then([self](const lora::CompletionPtr& c) {
            if (!c->error) return fail(self, "x / 0 did not fail");
            std::cout << "error as a message: " << c->error->code() << "\n";
            self->state.report.deliver(std::string("ok"));
        });
}

void check_total(teller_actor* self) {
    self->request(self->state.bank, caf::infinite, total_atom::value)
        .then(
            [self](int64_t total) {
                std::cout << "moved " << self->state.moved << " in " << transfers
                          << " transfers; total " << total << "\n";
                if (total != 3000 || self->state.moved == 0)
                    return fail(self, "money appeared or vanished");
                check_error_reply(self);
            },
            on_error(self));
}

void transfer_in_a_ring(teller_actor* self) {
    // All transfers at once: those that touch the same account conflict, and the bank
    // retries the loser (reply_with_int).
    self->state.pending = transfers;
    for (int i = 0; i < transfers; ++i) {
        self->request(self->state.bank, caf::infinite, transfer_atom::value,
                      std::string(names[i % 3]), std::string(names[(i + 1) % 3]), int64_t{10 + i})
            .then(
                [self](int64_t moved) {
                    self->state.moved += moved;
                    if (--self->state.pending == 0) check_total(self);
                },
                on_error(self));
    }
}

void open_accounts(teller_actor* self) {
    self->state.pending = 3;
    for (const char* name : names) {
        self->request(self->state.bank, caf::infinite, open_atom::value, std::string(name),
                      int64_t{1000})
            .then(
                [self](int64_t) {
                    if (--self->state.pending == 0) transfer_in_a_ring(self);
                },
                on_error(self));
    }
}

caf::behavior teller(teller_actor* self, accounts_actor bank, lora::database_actor db) {
    self->state.bank = std::move(bank);
    self->state.db = std::move(db);
    return {
        [self](run_atom) -> caf::result<std::string> {
            self->state.report = self->make_response_promise<std::string>();
            open_accounts(self);
            return self->state.report;
        },
    };
}

}  // namespace

int main() {
    const std::string dir = (std::filesystem::temp_directory_path() /
                             ("lora-actor-service-" + std::to_string(::getpid())))
                                .string();
    caf::actor_system_config cfg;
    cfg.set("scheduler.max-threads", size_t{2});
    caf::actor_system system{cfg};
    const size_t before = system.registry().running();

    std::string outcome;
    {
        lora::Options options;
        options.shards = 4;
        options.data_dir = dir;
        auto db = lora::Database::open(system, options);
        std::cout << "lora runs " << system.registry().running() - before
                  << " actors in the service's system\n";

        auto dba = lora::database_actor_of(*db);
        auto bank = system.spawn(accounts, dba);
        auto clerk = system.spawn(teller, bank, dba);

        // main is not an actor: it may wait for the teller's report.
        caf::scoped_actor self{system};
        self->request(clerk, std::chrono::seconds(60), run_atom::value)
            .receive([&](const std::string& s) { outcome = s; },
                     [&](caf::error& e) { outcome = "FAIL " + caf::to_string(e); });
        self->send_exit(clerk, caf::exit_reason::user_shutdown);
        self->send_exit(bank, caf::exit_reason::user_shutdown);
    }  // the Database ends its actors; the service's system goes on

    std::filesystem::remove_all(dir);
    std::cout << outcome << "\n";
    return outcome == "ok" ? 0 : 1;
}
