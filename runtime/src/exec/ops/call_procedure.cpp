// CallProcedure: runs a registered procedure (exec/procedures.hpp) on the row's
// arguments and binds the yielded fields of each output row.
#include <lora/exec/executor.hpp>

namespace lora::exec {

void Executor::call_procedure(const plan::CallProcedure& op, size_t step, Row& row) {
    const auto& sig = op.procedure->signature;
    std::vector<Value> args;
    for (size_t i = 0; i < op.args.size(); ++i) {
        Value v = eval(*op.args[i], row, eval_);
        std::string type = i < sig.inputs.size() ? sig.inputs[i].second : std::string();
        if (type.rfind("FLOAT", 0) == 0 && v.is_int()) v = Value(static_cast<double>(v.as_int()));
        args.push_back(std::move(v));
    }
    auto rows = op.procedure->fn(args);
    if (sig.outputs.empty()) {
        // A void procedure leaves the rows as they are.
        push(step + 1, row);
        return;
    }
    for (auto& out : rows) {
        Row r = row;
        for (const auto& [field, slot] : op.yields) {
            for (size_t i = 0; i < sig.outputs.size() && i < out.size(); ++i)
                if (sig.outputs[i].first == field) r[static_cast<size_t>(slot)] = out[i];
        }
        push(step + 1, r);
    }
}

}  // namespace lora::exec
