// The CALL { ... } IN TRANSACTIONS driver. A statement `<outer> CALL { <inner> } IN
// TRANSACTIONS ... <tail>` runs as
//   1. `<outer> RETURN <imported variables>` as a streaming read (Database::stream), so its
//      rows arrive as the batches consume them and are never all held;
//   2. per batch of n rows, `UNWIND $__lora_batch AS __lora_row WITH __lora_row[0] AS v0, ...
//      CALL { <inner> } [RETURN ...]`, an auto-commit statement of its own (durable as the
//      sync mode says before the next batch starts);
//   3. when a tail follows, `UNWIND $__lora_rows AS __lora_row WITH ... <tail>` once over the
//      rows the batches returned (with the REPORT STATUS map, if asked).
#include "engine/in_transactions.hpp"

#include <lora/cypher/ast.hpp>
#include <lora/cypher/parser.hpp>
#include <lora/cypher/semantic.hpp>
#include <lora/errors.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace lora::in_transactions {

using cypher::ClauseKind;
using OnError = cypher::InTransactions::OnError;

struct Statement {
    std::string outer;                       // the clauses before CALL (may be empty)
    bool outer_all = false;                  // the batches need every outer variable
    std::vector<std::string> imports;        // else these
    std::string call;                        // CALL [(...)] { ... }
    std::vector<std::string> inner_columns;  // what the subquery returns
    std::string tail;                        // the clauses after the options (may be empty)
    std::string batch_size;                  // OF <expr> ROWS (empty: 1000)
    OnError on_error = OnError::Fail;
    std::optional<std::string> status;  // REPORT STATUS AS <name>
};

namespace {

constexpr int64_t kDefaultBatchRows = 1000;
constexpr const char* kNoColumn = "__lora_none";

std::string quoted(const std::string& name) {
    std::string out = "`";
    for (char c : name) {
        out.push_back(c);
        if (c == '`') out.push_back('`');
    }
    return out + "`";
}

bool mentions_transactions(const std::string& q) {
    static constexpr std::string_view kWord = "TRANSACTIONS";
    auto it = std::search(q.begin(), q.end(), kWord.begin(), kWord.end(), [](char a, char b) {
        return std::toupper(static_cast<unsigned char>(a)) == b;
    });
    return it != q.end();
}

bool is_update(ClauseKind k) {
    return k == ClauseKind::Create || k == ClauseKind::Merge || k == ClauseKind::Set ||
           k == ClauseKind::Remove || k == ClauseKind::Delete || k == ClauseKind::Foreach;
}

bool writes(const cypher::Clause& c) {
    if (is_update(c.kind)) return true;
    if (c.kind != ClauseKind::Subquery) return false;
    for (const auto& part : c.subquery->parts)
        for (const auto& inner : part.clauses)
            if (writes(inner)) return true;
    return false;
}

// The variables a CALL imports: CALL (x, y), CALL (*), or an importing WITH x, y / WITH *.
void imports_of(const cypher::Clause& c, Statement& st) {
    if (c.scope_all) {
        st.outer_all = true;
    } else if (c.scope) {
        st.imports = *c.scope;
    } else {
        const auto& first = c.subquery->parts[0].clauses.front();
        if (first.kind != ClauseKind::With) return;
        if (first.body.star) st.outer_all = true;
        for (const auto& item : first.body.items)
            if (item.expr->kind == cypher::ExprKind::Variable)
                st.imports.push_back(item.expr->name);
    }
}

bool blank(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

Value status_map(bool started, bool committed, const std::string& txid,
                 const std::optional<std::string>& error) {
    Map m;
    m["started"] = Value(started);
    m["committed"] = Value(committed);
    m["transactionId"] = txid.empty() ? Value() : Value(txid);
    m["errorMessage"] = error ? Value(*error) : Value();
    return Value(std::move(m));
}

void add_stats(QueryStats& into, const QueryStats& s) {
    into.nodes_created += s.nodes_created;
    into.nodes_deleted += s.nodes_deleted;
    into.relationships_created += s.relationships_created;
    into.relationships_deleted += s.relationships_deleted;
    into.properties_set += s.properties_set;
    into.labels_added += s.labels_added;
    into.labels_removed += s.labels_removed;
}

// `UNWIND $<param> AS __lora_row WITH __lora_row[0] AS c0, ...`: the columns of a row list.
std::string unwind_columns(const std::string& param, const std::vector<std::string>& columns) {
    std::string q = "UNWIND $" + param + " AS __lora_row WITH ";
    for (size_t i = 0; i < columns.size(); ++i)
        q += (i ? ", " : "") + std::string("__lora_row[") + std::to_string(i) + "] AS " +
             quoted(columns[i]);
    return q + " ";
}

int64_t batch_rows(Database& db, const Statement& st, const Params& params,
                   const QueryOptions& options) {
    if (st.batch_size.empty()) return kDefaultBatchRows;
    const Result r = db.execute("RETURN " + st.batch_size + " AS n", params, options);
    const Value& v = r.rows.at(0).at(0);
    if (!v.is_int() || v.as_int() < 1)
        throw_argument_error("InvalidArgumentValue",
                             "OF ... ROWS takes a positive integer, got " + v.to_string());
    return v.as_int();
}

// One run of the statement: the batches, their rows for the tail, and the counters.
class Driver {
public:
    Driver(Database& db, const Statement& st, const Params& params, const QueryOptions& o)
        : db_(db), st_(st), params_(params), options_(o) {}

    Result run() {
        size_ = batch_rows(db_, st_, params_, options_);
        std::vector<std::vector<Value>> pending;
        if (blank(st_.outer)) {
            columns_ = {kNoColumn};
            pending.push_back({Value()});
        } else {
            auto cursor = db_.stream(outer_query(), params_, options_);
            columns_ = cursor->columns();
            std::vector<std::vector<Value>> chunk;
            while (!stopped_ || !st_.tail.empty()) {
                if (!cursor->next(chunk)) break;
                for (auto& row : chunk) {
                    pending.push_back(std::move(row));
                    if (static_cast<int64_t>(pending.size()) == size_) run_batch(pending);
                }
            }
        }
        if (!pending.empty()) run_batch(pending);
        return finish();
    }

private:
    std::string outer_query() const {
        if (st_.outer_all || !st_.tail.empty()) return st_.outer + " RETURN *";
        if (st_.imports.empty()) return st_.outer + " RETURN null AS " + std::string(kNoColumn);
        std::string q = st_.outer + " RETURN ";
        for (size_t i = 0; i < st_.imports.size(); ++i)
            q += (i ? ", " : "") + quoted(st_.imports[i]) + " AS " + quoted(st_.imports[i]);
        return q;
    }

    std::string batch_query() const {
        std::string q = unwind_columns("__lora_batch", columns_) + st_.call;
        if (st_.tail.empty()) return q;
        q += " RETURN ";
        bool first = true;
        for (const auto* cols : {&columns_, &st_.inner_columns})
            for (const auto& c : *cols) {
                q += (first ? "" : ", ") + quoted(c) + " AS " + quoted(c);
                first = false;
            }
        return q;
    }

    void run_batch(std::vector<std::vector<Value>>& rows) {
        const bool keep = !st_.tail.empty();
        if (stopped_) {
            // ON ERROR BREAK: the rows after the failed batch go on, not started.
            for (auto& row : rows) keep_row(std::move(row), status_map(false, false, "", {}));
            rows.clear();
            return;
        }
        const std::string txid = "lora-tx-" + std::to_string(++batches_);
        Params p = params_;
        List batch;
        batch.reserve(rows.size());
        for (auto& row : rows) batch.push_back(Value(List(row.begin(), row.end())));
        p["__lora_batch"] = Value(std::move(batch));
        try {
            Result r = db_.execute(batch_query(), p, options_);
            add_stats(stats_, r.stats);
            if (keep)
                for (auto& row : r.rows) keep_row(std::move(row), status_map(true, true, txid, {}));
        } catch (const Error& e) {
            if (st_.on_error == OnError::Fail) throw;
            if (st_.on_error == OnError::Break) stopped_ = true;
            if (keep)
                for (auto& row : rows) {
                    row.resize(columns_.size() + st_.inner_columns.size());
                    keep_row(std::move(row), status_map(true, false, txid, e.message()));
                }
        }
        rows.clear();
    }

    void keep_row(std::vector<Value>&& row, Value status) {
        if (st_.tail.empty()) return;
        List l(std::make_move_iterator(row.begin()), std::make_move_iterator(row.end()));
        if (st_.status) l.push_back(std::move(status));
        kept_.push_back(Value(std::move(l)));
    }

    Result finish() {
        if (st_.tail.empty()) {
            Result r;
            r.stats = stats_;
            return r;
        }
        std::vector<std::string> cols = columns_;
        cols.insert(cols.end(), st_.inner_columns.begin(), st_.inner_columns.end());
        if (st_.status) cols.push_back(*st_.status);
        Params p = params_;
        p["__lora_rows"] = Value(std::move(kept_));
        Result r = db_.execute(unwind_columns("__lora_rows", cols) + st_.tail, p, options_);
        add_stats(r.stats, stats_);
        return r;
    }

    Database& db_;
    const Statement& st_;
    const Params& params_;
    const QueryOptions& options_;
    int64_t size_ = kDefaultBatchRows;
    std::vector<std::string> columns_;  // the outer rows' columns
    uint64_t batches_ = 0;
    bool stopped_ = false;  // ON ERROR BREAK after a failed batch
    QueryStats stats_;
    List kept_;  // rows for the tail
};

}  // namespace

std::shared_ptr<const Statement> detect(const std::string& query) {
    if (!mentions_transactions(query)) return nullptr;
    cypher::Statement ast;
    try {
        ast = cypher::parse(query);
        cypher::analyze(ast);
    } catch (const Error&) {
        return nullptr;
    }
    if (ast.mode != cypher::Statement::Mode::Normal || ast.query.parts.size() != 1) return nullptr;
    const auto& clauses = ast.query.parts[0].clauses;
    for (size_t k = 0; k < clauses.size(); ++k) {
        const auto& c = clauses[k];
        if (c.kind != ClauseKind::Subquery || !c.in_transactions) continue;
        for (size_t j = 0; j < k; ++j)
            if (writes(clauses[j]))
                throw errors::not_supported(
                    "updating clauses before CALL { ... } IN TRANSACTIONS (the part before "
                    "it runs as a read)");
        const auto& t = *c.in_transactions;
        auto st = std::make_shared<Statement>();
        st->outer = query.substr(0, t.call_begin);
        st->call = query.substr(t.call_begin, t.body_end - t.call_begin);
        st->tail = query.substr(t.clause_end);
        if (blank(st->tail)) st->tail.clear();
        if (!st->tail.empty() && st->tail.find_first_not_of(" \t\r\n;") == std::string::npos)
            st->tail.clear();
        if (t.batch_size) st->batch_size = t.batch_size->text;
        st->on_error = t.on_error;
        st->status = t.status;
        imports_of(c, *st);
        const auto& last = c.subquery->parts[0].clauses.back();
        if (last.kind == ClauseKind::Return)
            for (const auto& item : last.body.items) st->inner_columns.push_back(column_name(item));
        return st;
    }
    return nullptr;
}

Result run(Database& db, const Statement& st, const Params& params, const QueryOptions& options) {
    return Driver(db, st, params, options).run();
}

}  // namespace lora::in_transactions
