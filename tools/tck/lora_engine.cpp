// Adapter from the TCK runner's Engine interface to lora::Database (embedding API).
#include "lora_engine.hpp"

namespace lora::tck {

LoraEngine::LoraEngine(std::unique_ptr<lora::Database> db) : db_(std::move(db)) {}

QueryOutcome LoraEngine::execute(const std::string& query, const TckMap& params) {
    QueryOutcome out;
    try {
        lora::Params p;
        for (const auto& [k, v] : params) p.emplace(k, from_tck(v));
        lora::Result r = db_->execute(query, p);
        out.ok = true;
        out.columns = std::move(r.columns);
        out.rows.reserve(r.rows.size());
        for (const auto& row : r.rows) {
            TckRow tr;
            tr.reserve(row.size());
            for (const auto& x : row) tr.push_back(to_tck(x));
            out.rows.push_back(std::move(tr));
        }
        out.stats.nodes_created = r.stats.nodes_created;
        out.stats.nodes_deleted = r.stats.nodes_deleted;
        out.stats.relationships_created = r.stats.relationships_created;
        out.stats.relationships_deleted = r.stats.relationships_deleted;
        out.stats.properties_set = r.stats.properties_set;
        out.stats.labels_added = r.stats.labels_added;
        out.stats.labels_removed = r.stats.labels_removed;
    } catch (const lora::Error& e) {
        out.ok = false;
        out.error.type = e.type();
        out.error.detail = e.detail();
        out.error.phase = e.phase() == ErrorPhase::Compile ? Phase::Compile : Phase::Runtime;
        out.error.message = e.message().empty() ? e.what() : e.message();
    } catch (const std::exception& e) {
        // Not a lora::Error: an engine fault rather than a query error; report it as such
        // so it never matches an expected TCK error.
        out.ok = false;
        out.error.type = "InternalError";
        out.error.detail = "UnexpectedException";
        out.error.phase = Phase::Runtime;
        out.error.message = e.what();
    }
    return out;
}

void LoraEngine::register_procedure(const ProcedureSpec& spec) {
    lora::ProcedureSignature sig{spec.name, spec.inputs, spec.outputs};
    // The spec is copied into the callable: it must outlive this scenario's step.
    db_->register_procedure(std::move(sig), [spec](const std::vector<lora::Value>& args) {
        TckRow targs;
        targs.reserve(args.size());
        for (const auto& a : args) targs.push_back(to_tck(a));
        std::vector<std::vector<lora::Value>> rows;
        for (const auto& row : spec.call(targs)) {
            std::vector<lora::Value> out;
            out.reserve(row.size());
            for (const auto& x : row) out.push_back(from_tck(x));
            rows.push_back(std::move(out));
        }
        return rows;
    });
}

}  // namespace lora::tck
