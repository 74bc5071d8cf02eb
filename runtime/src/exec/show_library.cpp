// lora.showFunctions and lora.showProcedures (show_library.hpp).
#include <lora/cypher/show_commands.hpp>
#include <lora/exec/show_library.hpp>
#include <lora/functions/functions.hpp>

#include "exec/vector_query.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace lora::exec {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The arguments of a signature "name(a :: T, b = 1 :: U) :: R", one line each as Neo4j's
// argumentDescription lists them (name and type).
List arguments_of(std::string_view signature) {
    List out;
    const auto open = signature.find('(');
    const auto close = signature.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close <= open + 1)
        return out;
    std::string_view inner = signature.substr(open + 1, close - open - 1);
    int depth = 0;
    size_t start = 0;
    auto add = [&](std::string_view arg) {
        while (!arg.empty() && arg.front() == ' ') arg.remove_prefix(1);
        const auto colons = arg.find(" :: ");
        if (arg.empty() || arg == "...") return;
        Map m;
        std::string_view name = arg.substr(0, colons);
        if (auto eq = name.find(" = "); eq != std::string_view::npos) {
            m.emplace("default", Value(std::string(name.substr(eq + 3))));
            name = name.substr(0, eq);
        }
        m.emplace("name", Value(std::string(name)));
        m.emplace("type", colons == std::string_view::npos
                              ? Value("ANY")
                              : Value(std::string(arg.substr(colons + 4))));
        out.push_back(Value(std::move(m)));
    };
    for (size_t i = 0; i < inner.size(); ++i) {
        if (inner[i] == '<' || inner[i] == '(') ++depth;
        if (inner[i] == '>' || inner[i] == ')') --depth;
        if (inner[i] == ',' && depth == 0) {
            add(inner.substr(start, i - start));
            start = i + 1;
        }
    }
    add(inner.substr(start));
    return out;
}

std::string return_type_of(std::string_view signature) {
    const auto close = signature.rfind(')');
    const auto colons = signature.find(" :: ", close == std::string_view::npos ? 0 : close);
    return colons == std::string_view::npos ? "ANY" : std::string(signature.substr(colons + 4));
}

void register_functions(Procedures& procedures) {
    const std::array<const char*, cypher::kShowFunctionColumns.size()> types = {
        "STRING?",       "STRING?", "STRING?",  "STRING?", "BOOLEAN?",
        "LIST? OF MAP?", "STRING?", "BOOLEAN?", "BOOLEAN?"};
    auto sig = command_signature(cypher::kShowFunctionsProcedure,
                                 "Lists the functions a query can call (SHOW FUNCTIONS).",
                                 {{"type", "STRING?"}}, cypher::kShowFunctionColumns, types);
    procedures.put(std::move(sig), [](const std::vector<Value>& args) {
        const std::string filter =
            !args.empty() && args[0].is_string() ? args[0].as_string() : "ALL";
        std::vector<std::vector<Value>> rows;
        if (filter == "USER DEFINED") return rows;  // lora has no user-defined functions
        for (const auto& d : fn::function_docs()) {
            const std::string sig_text(d.signature);
            rows.push_back({Value(std::string(d.name)), Value(std::string(d.category)),
                            Value(std::string(d.description)), Value(sig_text), Value(true),
                            Value(arguments_of(d.signature)), Value(return_type_of(d.signature)),
                            Value(d.aggregating), Value(false)});
        }
        return rows;
    });
}

// A procedure's signature as Neo4j writes it: "name(a :: STRING?) :: (x :: INTEGER?)".
std::string signature_text(const ProcedureSignature& s) {
    auto join = [](const std::vector<std::pair<std::string, std::string>>& fields) {
        std::string out;
        for (const auto& [name, type] : fields) {
            if (!out.empty()) out += ", ";
            out += name + " :: " + type;
        }
        return out;
    };
    return s.name + "(" + join(s.inputs) + ") :: (" + join(s.outputs) + ")";
}

List fields_value(const std::vector<std::pair<std::string, std::string>>& fields) {
    List out;
    for (const auto& [name, type] : fields)
        out.push_back(Value(Map{{"name", Value(name)}, {"type", Value(type)}}));
    return out;
}

// db.index.vector.queryNodes is planned by the planner itself (plan/call.cpp), not
// registered: its entry here is for listing only.
ProcedureSignature vector_query_signature() {
    ProcedureSignature s;
    s.name = std::string(kVectorQueryProcedure);
    s.inputs = {
        {"indexName", "STRING?"}, {"numberOfNearestNeighbours", "INTEGER?"}, {"query", "ANY?"}};
    s.outputs = {{"node", "NODE?"}, {"score", "FLOAT?"}};
    s.description =
        "Query the given VECTOR index: the numberOfNearestNeighbours nodes nearest to the query "
        "vector, with their similarity score.";
    return s;
}

void register_procedures(Procedures& procedures) {
    const std::array<const char*, cypher::kShowProcedureColumns.size()> types = {
        "STRING?", "STRING?",       "STRING?",       "BOOLEAN?",
        "STRING?", "LIST? OF MAP?", "LIST? OF MAP?", "BOOLEAN?"};
    auto sig = command_signature(cypher::kShowProceduresProcedure,
                                 "Lists the procedures CALL can run (SHOW PROCEDURES).",
                                 {{"type", "STRING?"}}, cypher::kShowProcedureColumns, types);
    const Procedures* all = &procedures;
    procedures.put(std::move(sig), [all](const std::vector<Value>&) {
        std::vector<ProcedureSignature> sigs;
        for (const auto& e : all->list()) sigs.push_back(e->signature);
        sigs.push_back(vector_query_signature());
        std::sort(sigs.begin(), sigs.end(),
                  [](const auto& a, const auto& b) { return lower(a.name) < lower(b.name); });
        std::vector<std::vector<Value>> rows;
        for (const auto& s : sigs)
            rows.push_back({Value(s.name), Value(s.description), Value(s.mode),
                            Value(s.mode == "DBMS"), Value(signature_text(s)),
                            Value(fields_value(s.inputs)), Value(fields_value(s.outputs)),
                            Value(false)});
        return rows;
    });
}

}  // namespace

void register_library_procedures(Procedures& procedures) {
    register_functions(procedures);
    register_procedures(procedures);
}

}  // namespace lora::exec
