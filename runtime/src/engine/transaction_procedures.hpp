// SHOW TRANSACTIONS and TERMINATE TRANSACTIONS (cypher/show_commands.hpp): procedures over
// the engine's running transactions (actors/running_transactions.hpp).
#pragma once

#include "lora/actors/protocol.hpp"

#include <caf/fwd.hpp>

namespace lora {

// Registers lora.showTransactions and lora.terminateTransactions in the engine's
// procedures. A terminated idle explicit transaction is rolled back by a query actor of
// `system`.
void register_transaction_procedures(caf::actor_system& system, const actors::EnginePtr& engine);

}  // namespace lora
