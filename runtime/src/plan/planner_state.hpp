// The Planner class, private to the planner's files: its state (scope, slots, attached
// entities, read/write barriers) and its methods, each defined in the file named above its group.
#pragma once

#include <lora/plan/planner.hpp>

#include <lora/errors.hpp>

#include <lora/error.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace lora::plan {

using namespace lora::cypher;
using exec::CExpr;
using exec::EK;

[[noreturn]] inline void unsupported(const std::string& what) { throw errors::not_supported(what); }

[[noreturn]] inline void undefined(const std::string& name) {
    throw_semantic("SyntaxError", "UndefinedVariable", "Variable `" + name + "` not defined");
}

enum class VT : uint8_t { Node, Rel, Path, Value };

struct Var {
    int slot = -1;
    VT type = VT::Value;
    bool may_entity = false;  // a Value var that may hold nodes/relationships
};

struct RelScope {
    std::vector<int> fixed;  // single relationships the clause binds
    std::vector<int> bound;  // relationships bound before, used again in the clause
    std::vector<int> lists;  // variable-length relationship lists
};

struct Info {
    std::set<int> data_slots;  // node/relationship slots whose data is read
    std::set<int> deep_slots;  // value slots that may hold entities whose data is read
    bool may_entity = false;
    bool aggregate = false;
};

inline bool is_aggregate_call(const Expr& e) {
    if (e.kind == ExprKind::CountStar) return true;
    if (e.kind == ExprKind::FunctionCall) {
        auto* f = fn::find_function(e.name);
        return f && f->aggregate;
    }
    return false;
}

// Every variable an expression (or a pattern inside it) names (match.cpp).
void collect_variables(const Expr& e, std::set<std::string>& out);

// The expression whose entity's data `e` reads (n in n.k, n:L, n['k'], n{.k}, labels(n),
// keys(n), properties(n)), or null (iteration.cpp).
const Expr* data_read_base(const Expr& e);
// Whether a read of `e`'s data may need data of a node computed by startNode() or endNode()
// inside it: such a node is in no row value that could be attached (iteration.cpp).
bool reads_endpoint_data(const Expr& e);
// Element `index` of the list in `slot` (iteration.cpp).
CExprPtr element_value(int slot, int index);

inline Expr variable_expr(const std::string& name) {
    Expr e{};
    e.kind = ExprKind::Variable;
    e.name = name;
    e.text = name;
    return e;
}

inline CExprPtr slot_expr(int slot) {
    auto c = std::make_unique<CExpr>(EK::Slot);
    c->slot = slot;
    return c;
}

class Planner {
public:
    Planner(const std::string& text, const exec::Procedures* procedures,
            const storage::IndexRegistry* indexes)
        : plan_(std::make_shared<Plan>()), procedures_(procedures), indexes_(indexes) {
        plan_->query = text;
    }

    // planner.cpp
    PlanPtr run(const Statement& st);
    PlanPtr run_single(const SingleQuery& q);
    bool plan_clause(const Clause& c);

    // schema.cpp
    PlanPtr plan_schema(const Clause& c, size_t clause_count);

private:
    // ---------------------------------------- slots and steps: planner.cpp

    int new_slot(const std::string& name);
    Var declare(const std::string& name, VT type);
    // A step at `loc` running `op`.
    static Step step(Location loc, Operator op) {
        Step s;
        s.loc = loc;
        s.op = std::move(op);
        return s;
    }

    Step coord(Operator op, bool barrier = false);
    void add(Step s);
    std::string anon() { return " anon" + std::to_string(anon_++); }

    const Var* lookup(const std::string& name) const {
        for (auto it = locals_.rbegin(); it != locals_.rend(); ++it)
            if (it->first == name) return &it->second;
        auto it = scope_.find(name);
        return it == scope_.end() ? nullptr : &it->second;
    }

    static bool entity_type(VT t) { return t == VT::Node || t == VT::Rel; }
    // Whether the variable's values may be or contain nodes or relationships.
    static bool may_hold_entity(const Var& v) { return v.may_entity || v.type != VT::Value; }

    // ---------------------------------------- placement: placement.cpp

    struct Pending {
        const Expr* expr;
        std::set<std::string> vars;
    };

    int project_new(CExprPtr e, const Info& info, const std::string& name);
    void attach(int slot);
    Location place(const Info& info, int own = -1);
    void add_filter(CExprPtr pred, const Info& info);
    void note_data_read(const Expr& base, Info& info);
    void note_entity_read(const Expr& base, CExprPtr& compiled, Info& sub, Info& info);
    void note_variables_read(const Expr& e, Info& info) const;
    bool uses_locals(const Expr& e) const;
    bool bound_all(const std::set<std::string>& vars) const;
    void flush_ready(std::vector<Pending>& pending, bool all);
    void note_read_clause();
    void note_write_clause(bool rels_only = false);
    bool reads_only_nodes() const;
    void clear_dead_slots();
    void attach_outputs(const std::map<std::string, Var>& outs);
    void add_produce(std::vector<int> slots);

    // ---------------------------------------- expressions: expressions.cpp

    // What a hoisted subquery collects: the slot of each row's value (-1: a null per row) and
    // the slot of an integer its values are ordered by (-1: any order).
    struct HoistYield {
        int value = -1;
        int order = -1;
    };

    CExprPtr compile(const Expr& e, Info& info);
    int hoist(const std::function<void()>& body, const std::function<HoistYield()>& yield = {});
    void refuse_local_patterns(const Expr& e) const;
    int materialize(CExprPtr e, const Info& info);
    int hoist_pattern(const PatternPart& part);
    CExprPtr list_size(int list_slot);
    CExprPtr non_empty(int list_slot);
    static void merge_info(Info& into, const Info& sub, bool into_entity);
    static exec::Cmp to_cmp(Op op);
    CExprPtr compile_binary(const Expr& e, Info& info);
    CExprPtr compile_iteration(const Expr& e, Info& info, EK kind);
    bool reads_iterands(const Expr& e, CExprPtr* init, Info& ii, Info& bi, int slot, int acc);
    CExprPtr compile_call(const Expr& e, Info& info);

    // ---------------------------------------- iterations over patterns: iteration.cpp

    // A value computed per element of an iteration ahead of it: `index` in the list of
    // values of the element, in `slot` while the iteration runs.
    struct PerElementValue {
        int slot = -1;
        int index = 0;
        bool may_entity = false;
    };

    bool needs_per_element(const Expr& e) const;
    CExprPtr compile_per_element(const Expr& e, Info& info, EK kind);

    // ---------------------------------------- MATCH: match.cpp

    void node_constraints(const NodePattern& np, const Var& v, size_t skip_labels);
    void property_constraints(const Expr* props, const Var& v);
    const Var& bind_node(const NodePattern& np, bool& fresh);
    void plan_match(const Clause& c);
    void list_uniqueness(const RelScope& rels);
    void plan_part(const PatternPart& part, RelScope& clause_rels, bool with_path = true,
                   const std::function<void()>& after_bind = {});
    void bind_path(const PatternPart& part);
    int scan_node(const NodePattern& np);
    void expand(const NodePattern& from_np, const RelPattern& rp, const NodePattern& to_np,
                bool reversed, RelScope& clause_rels);

    // ---------------------------------------- shortestPath: shortest_path.cpp

    void plan_shortest(const PatternPart& part, bool with_path,
                       const std::function<void()>& after_bind);
    // Refuses shortestPath(...) in a clause that creates its pattern (CREATE, MERGE).
    static void refuse_shortest(const PatternPart& part, const char* clause);
    void search_predicates(const std::string& path, ShortestPath& op);
    static void check_selector(const PatternPart& part);

    // ---------------------------------------- MERGE: merge.cpp

    void plan_merge(const Clause& c);

    // ---------------------------------------- CALL: call.cpp

    static bool type_accepts(std::string type, const Value& v);
    bool plan_call(const Clause& c, bool standalone);
    bool plan_vector_query(const Clause& c, bool standalone);
    // A standalone CALL's result: the yielded variables (field, variable), in order.
    void produce_yields(const std::vector<std::pair<std::string, std::string>>& yields);

    // ---------------------------------------- UNWIND, WITH / RETURN: projection.cpp

    struct Item {
        const Expr* expr;
        std::string name;
    };

    void plan_unwind(const Clause& c);
    void plan_projection(const ProjectionBody& body, const Expr* where, bool is_return);
    Var project_item(const Expr& e, const std::string& name);
    CExprPtr skip_limit_count(const Expr& e);

    // ---------------------------------------- CREATE: create.cpp

    void plan_create(const Clause& c);
    int create_node(const NodePattern& np, int near = -1, int* fresh = nullptr);
    Step new_rel_step(const RelPattern& rp, int start, int end, int rel_slot);
    Step new_node_step(const NodePattern& np, int slot);

    // ---------------------------------------- SET / REMOVE / DELETE: update.cpp

    int entity_target(const Expr& e, const char* what);
    void plan_set(const Clause& c);
    void plan_set_item(const SetItem& it);
    void plan_remove(const Clause& c);
    void plan_delete(const Clause& c);
    void delete_parts(int slot, bool nodes, bool detach);

    // ------------------------- FOREACH, CALL { } and subquery expressions: subqueries.cpp

    void plan_foreach(const Clause& c);
    void plan_call_subquery(const Clause& c);
    // What the queries of a CALL { } did (plan_call_part).
    struct SubqueryEffects {
        bool read = false, wrote = false, entity = false;
    };
    int returned_row(const std::vector<std::string>& names, bool& entity);
    int union_of(const std::vector<std::function<int()>>& parts, bool all);
    int plan_call_part(const Clause& c, const std::vector<Clause>& clauses,
                       const std::vector<std::string>& names, bool returning, SubqueryEffects& fx);
    void plan_subquery_clauses(const std::vector<Clause>& clauses);
    CExprPtr compile_subquery(const Expr& e, Info& info);

    // ---------------------------------------- LOAD CSV: load_csv.cpp

    void plan_load_csv(const Clause& c);
    // linenumber() / file(): the slot of the current LOAD CSV's line or file, or null
    // (no LOAD CSV before: the functions return null).
    CExprPtr load_csv_function(std::string_view name) const;

    std::shared_ptr<Plan> plan_;
    const exec::Procedures* procedures_ = nullptr;
    std::map<std::string, Var> scope_;
    std::vector<std::pair<std::string, Var>> locals_;
    // Sub-expressions of an iteration body computed per element beforehand (iteration.cpp).
    std::map<const Expr*, PerElementValue> per_element_;
    std::set<int> attached_;
    std::map<const NodePattern*, int> node_slot_;
    std::map<const RelPattern*, int> rel_slot_;
    std::function<CExprPtr(const Expr&, Info&)> agg_sink_;
    bool agg_blocked_ = false;
    bool ordered_ = false;              // rows sit at the coordinator in ORDER BY order
    std::vector<int> pinned_;           // tag slots of enclosing subqueries: never cleared
    std::vector<int> subquery_begins_;  // their OptionalBegin steps
    // Expression text -> slot of a projected item with that text (ORDER BY and WITH ...
    // WHERE may repeat a projected expression instead of naming its alias).
    std::map<std::string, int, std::less<>> text_subst_;
    // The WHERE conjuncts of the MATCH being planned that are not planned yet (match.cpp).
    const std::vector<Pending>* match_where_ = nullptr;
    int next_slot_ = 0;
    int guard_slot_ = -1;
    bool guard_value_ = false;
    int anon_ = 0;
    int here_ = -1;
    bool read_ = false;
    bool wrote_ = false;
    size_t reads_from_ = 0;  // first step of the reads since the last barrier (when read_)
    const storage::IndexRegistry* indexes_ = nullptr;
};

}  // namespace lora::plan
