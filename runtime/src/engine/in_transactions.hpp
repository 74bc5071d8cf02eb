// CALL { ... } IN TRANSACTIONS, run by the engine rather than by one query: the part before
// the clause streams as a read, and each batch of its rows runs the subquery as a statement
// (its own durable transaction) over the batch, passed as a list parameter.
#pragma once

#include <lora/lora.hpp>

#include <memory>
#include <string>

namespace lora::in_transactions {

struct Statement;

// The statement, cut into its parts, when `query` is an auto-commit statement with CALL { ... }
// IN TRANSACTIONS at its top level; null for any other statement (and for one that does not
// parse or analyze: the ordinary path reports its error).
std::shared_ptr<const Statement> detect(const std::string& query);

// Runs it. The result is that of the clauses after the CALL (none: no columns, no rows) and
// the counters of every committed batch. Throws lora::Error (ON ERROR FAIL: the first failed
// batch's error; the batches before it stay committed).
Result run(Database& db, const Statement& st, const Params& params, const QueryOptions& options);

}  // namespace lora::in_transactions
