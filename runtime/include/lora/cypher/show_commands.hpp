// SHOW [ALL|RANGE|VECTOR] INDEXES, SHOW [...] CONSTRAINTS, SHOW TRANSACTIONS, TERMINATE
// TRANSACTIONS, SHOW FUNCTIONS and SHOW PROCEDURES are calls of these procedures (arguments:
// the filters), so YIELD, WHERE and RETURN work as after any CALL. Without YIELD a command
// returns its default columns. The engine registers them (exec/schema.hpp,
// exec/show_library.hpp, engine/transaction_procedures.cpp).
#pragma once

#include <array>
#include <string_view>

namespace lora::cypher {

inline constexpr std::string_view kShowIndexesProcedure = "lora.showIndexes";
// Output columns, in Neo4j's order (the engine's procedure yields exactly these).
inline constexpr std::array<std::string_view, 11> kShowIndexColumns = {
    "id",         "name",          "state",      "populationPercent", "type",
    "entityType", "labelsOrTypes", "properties", "indexProvider",     "owningConstraint",
    "options"};

// Arguments: the entity filter ('ALL', 'NODE', 'RELATIONSHIP') and the kind filter ('ALL',
// 'UNIQUENESS', 'KEY', 'EXISTENCE', 'PROPERTY_TYPE').
inline constexpr std::string_view kShowConstraintsProcedure = "lora.showConstraints";
inline constexpr std::array<std::string_view, 8> kShowConstraintColumns = {
    "id",         "name",       "type",        "entityType", "labelsOrTypes",
    "properties", "ownedIndex", "propertyType"};

// Argument: null (every transaction), or an id or a list of ids.
inline constexpr std::string_view kShowTransactionsProcedure = "lora.showTransactions";
inline constexpr std::array<std::string_view, 14> kShowTransactionColumns = {
    "database",      "transactionId", "currentQueryId",        "connectionId",
    "clientAddress", "username",      "currentQuery",          "startTime",
    "status",        "elapsedTime",   "currentQueryStartTime", "currentQueryElapsedTime",
    "metaData",      "protocol"};
inline constexpr size_t kShowTransactionDefaultColumns = 10;  // the first ten

// Argument: an id or a list of ids.
inline constexpr std::string_view kTerminateTransactionsProcedure = "lora.terminateTransactions";
inline constexpr std::array<std::string_view, 3> kTerminateTransactionColumns = {
    "transactionId", "username", "message"};

// Argument: 'ALL', 'BUILT IN' or 'USER DEFINED'.
inline constexpr std::string_view kShowFunctionsProcedure = "lora.showFunctions";
inline constexpr std::array<std::string_view, 9> kShowFunctionColumns = {"name",
                                                                         "category",
                                                                         "description",
                                                                         "signature",
                                                                         "isBuiltIn",
                                                                         "argumentDescription",
                                                                         "returnDescription",
                                                                         "aggregating",
                                                                         "isDeprecated"};
inline constexpr size_t kShowFunctionDefaultColumns = 3;

// Argument: 'ALL' (no filter exists in lora).
inline constexpr std::string_view kShowProceduresProcedure = "lora.showProcedures";
inline constexpr std::array<std::string_view, 8> kShowProcedureColumns = {"name",
                                                                          "description",
                                                                          "mode",
                                                                          "worksOnSystem",
                                                                          "signature",
                                                                          "argumentDescription",
                                                                          "returnDescription",
                                                                          "isDeprecated"};
inline constexpr size_t kShowProcedureDefaultColumns = 4;

}  // namespace lora::cypher
