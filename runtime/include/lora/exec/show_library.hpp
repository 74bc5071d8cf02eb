// SHOW FUNCTIONS and SHOW PROCEDURES (cypher/show_commands.hpp): what a query can call.
#pragma once

#include <lora/exec/procedures.hpp>

namespace lora::exec {

// Registers lora.showFunctions (over fn::function_docs) and lora.showProcedures (over
// `procedures` itself, which must outlive them, and the built-in vector index query).
void register_library_procedures(Procedures& procedures);

}  // namespace lora::exec
