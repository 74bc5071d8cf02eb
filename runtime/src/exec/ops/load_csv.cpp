// LoadCsv: a row per record of a CSV file, read as the rows are produced (chunks of the row
// budget, the open file carried by the Continuation), never the whole file at once.
#include <lora/exec/csv_reader.hpp>
#include <lora/exec/executor.hpp>
#include "exec/step_common.hpp"

namespace lora::exec {

void Executor::load_csv(const plan::LoadCsv& op, size_t step, Row& row) {
    const Value url = eval(*op.url, row, eval_);
    if (!url.is_string())
        throw_type_error("InvalidArgumentValue",
                         std::string("LOAD CSV expects a URL string, got ") +
                             std::string(kind_name(url.kind())));
    static const std::string kNone;
    const std::string path =
        resolve_csv_url(url.as_string(), env_.import_dir ? *env_.import_dir : kNone);
    produce_csv(op, step, row, std::make_shared<CsvSource>(path, op.delimiter, op.headers));
}

void Executor::produce_csv(const plan::LoadCsv& op, size_t step, Row& row,
                           const std::shared_ptr<CsvSource>& src) {
    CsvRecord rec;
    for (;;) {
        if (!take_budget()) {
            auto c = std::make_shared<Continuation>();
            c->step = step;
            c->row = row;
            c->csv = src;
            env_.runtime->defer(std::move(c));
            return;
        }
        if (!src->reader.next(rec)) return;
        Row out = row;
        out[static_cast<size_t>(op.slot)] = src->row_value(rec);
        out[static_cast<size_t>(op.line)] = Value(rec.line);
        out[static_cast<size_t>(op.file)] = src->file;
        push(step + 1, out);
    }
}

}  // namespace lora::exec
