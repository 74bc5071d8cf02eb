// The atoms that name the messages between actors. Which role accepts which message, with
// which arguments and reply, is in the role headers (shard.hpp, query.hpp, coordinator.hpp,
// wal_actor.hpp, schema.hpp) and in docs/architecture.md.
#pragma once

#include <caf/atom.hpp>

namespace lora::actors {

using batch_atom = caf::atom_constant<caf::atom("batch")>;
using mutate_atom = caf::atom_constant<caf::atom("mutate")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using progress_atom = caf::atom_constant<caf::atom("progress")>;
using error_atom = caf::atom_constant<caf::atom("error")>;
using execute_atom = caf::atom_constant<caf::atom("execute")>;
using prepare_atom = caf::atom_constant<caf::atom("prepare")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using abort_atom = caf::atom_constant<caf::atom("abort")>;
using append_atom = caf::atom_constant<caf::atom("append")>;
using durable_atom = caf::atom_constant<caf::atom("durable")>;
using partition_atom = caf::atom_constant<caf::atom("partition")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using replace_atom = caf::atom_constant<caf::atom("replace")>;
using visible_atom = caf::atom_constant<caf::atom("visible")>;
using collect_atom = caf::atom_constant<caf::atom("collect")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using validate_atom = caf::atom_constant<caf::atom("validate")>;
using claim_atom = caf::atom_constant<caf::atom("claim")>;

}  // namespace lora::actors
