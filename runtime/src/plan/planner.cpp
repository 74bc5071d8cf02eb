// Planner: clause by clause, binds variables to row slots, compiles expressions and places
// every step where its data lives. The rules for placing (see docs/architecture.md):
//  - a step that reads an entity's properties or labels runs at the entity's shard, unless
//    that entity's data was attached to the row earlier (and no write happened since);
//  - when a step reads several entities, all but one are attached first;
//  - writes run at the shard owning what they write; new nodes go round-robin;
//  - merges (aggregate, sort, distinct, limit, eager barriers) run at the coordinator.
#include <lora/plan/planner.hpp>

#include "exec/vector_query.hpp"

#include <lora/error.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace lora::plan {

using namespace lora::cypher;
using exec::CExpr;
using exec::EK;

namespace {

[[noreturn]] void unsupported(const std::string& what) {
    throw Error(ErrorClass::Semantic, ErrorPhase::Compile, "NotSupported", "UnsupportedFeature",
                "Not supported yet: " + what);
}

[[noreturn]] void undefined(const std::string& name) {
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

bool is_aggregate_call(const Expr& e) {
    if (e.kind == ExprKind::CountStar) return true;
    if (e.kind == ExprKind::FunctionCall) {
        auto* f = fn::find_function(e.name);
        return f && f->aggregate;
    }
    return false;
}

bool contains_aggregate(const Expr& e) {
    if (is_aggregate_call(e)) return true;
    // Aggregates inside comprehensions still count as aggregates of the projection.
    for (auto& c : e.children)
        if (c && contains_aggregate(*c)) return true;
    for (auto& p : e.projection)
        if (p.value && contains_aggregate(*p.value)) return true;
    return false;
}

void collect_variables(const Expr& e, std::set<std::string>& out);

void collect_pattern_variables(const PatternPart& p, std::set<std::string>& out) {
    for (const auto& n : p.nodes) {
        if (n.variable) out.insert(*n.variable);
        if (n.properties) collect_variables(*n.properties, out);
    }
    for (const auto& r : p.rels) {
        if (r.variable) out.insert(*r.variable);
        if (r.properties) collect_variables(*r.properties, out);
    }
}

void collect_variables(const Expr& e, std::set<std::string>& out) {
    if (e.kind == ExprKind::Variable) out.insert(e.name);
    if (e.pattern) collect_pattern_variables(*e.pattern, out);
    if (e.subquery) {
        for (const auto& part : e.subquery->parts)
            for (const auto& c : part.clauses) {
                for (const auto& pp : c.pattern.parts) collect_pattern_variables(pp, out);
                if (c.where) collect_variables(*c.where, out);
            }
    }
    for (auto& c : e.children)
        if (c) collect_variables(*c, out);
    for (auto& p : e.projection)
        if (p.value) collect_variables(*p.value, out);
    if (e.kind == ExprKind::MapProjection && !e.children.empty()) {
        for (auto& p : e.projection)
            if (p.kind == MapProjectionItem::Kind::Variable) out.insert(p.key);
    }
}

void split_and(const Expr* e, std::vector<const Expr*>& out) {
    if (!e) return;
    if (e->kind == ExprKind::Binary && e->op == Op::And) {
        split_and(e->children[0].get(), out);
        split_and(e->children[1].get(), out);
        return;
    }
    out.push_back(e);
}

Expr variable_expr(const std::string& name) {
    Expr e{};
    e.kind = ExprKind::Variable;
    e.name = name;
    e.text = name;
    return e;
}

CExprPtr slot_expr(int slot) {
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

    PlanPtr run(const Statement& st) {
        if (st.query.parts.size() > 1) {
            for (const auto& part : st.query.parts) {
                Planner sub(plan_->query, procedures_, indexes_);
                auto p = sub.run_single(part);
                if (plan_->union_parts.empty())
                    plan_->columns = p->columns;
                else if (p->columns != plan_->columns)
                    throw_semantic(
                        "SyntaxError", "DifferentColumnsInUnion",
                        "All sub queries in an UNION must have the same return column names");
                plan_->union_parts.push_back(std::move(p));
            }
            plan_->union_all = !st.query.union_all.empty() && st.query.union_all[0];
            for (auto& p : plan_->union_parts) plan_->writes |= p->writes;
            return plan_;
        }
        return run_single(st.query.parts[0]);
    }

    PlanPtr run_single(const SingleQuery& q) {
        const auto& clauses = q.clauses;
        bool returned = false;
        for (size_t i = 0; i < clauses.size(); ++i) {
            const Clause& c = clauses[i];
            switch (c.kind) {
                case ClauseKind::Match: plan_match(c); break;
                case ClauseKind::Unwind: plan_unwind(c); break;
                case ClauseKind::With: plan_projection(c.body, c.where.get(), false); break;
                case ClauseKind::Return:
                    plan_projection(c.body, nullptr, true);
                    returned = true;
                    break;
                case ClauseKind::Create: plan_create(c); break;
                case ClauseKind::Set: plan_set(c); break;
                case ClauseKind::Remove: plan_remove(c); break;
                case ClauseKind::Delete: plan_delete(c); break;
                case ClauseKind::Merge: plan_merge(c); break;
                case ClauseKind::Call:
                    if (plan_call(c, clauses.size() == 1)) returned = true;
                    break;
                case ClauseKind::CreateIndex:
                case ClauseKind::DropIndex: return plan_schema(c, clauses.size());
            }
        }
        if (!returned) {
            // Nothing to return: the rows end wherever they are (a shard drops them) instead
            // of travelling to the coordinator to be dropped there.
            Step s;
            s.op = OpKind::Produce;
            s.loc.kind = LocKind::Any;
            add(std::move(s));
        }
        plan_->slot_count = next_slot_;
        unpack_unwind_maps(*plan_);
        drop_unread_rel_slots(*plan_);
        if (indexes_ && !indexes_->empty()) use_indexes(*plan_, *indexes_);
        return plan_;
    }

    PlanPtr plan_schema(const Clause& c, size_t clause_count) {
        if (clause_count != 1)
            throw_semantic("SyntaxError", "InvalidClauseComposition",
                           "CREATE INDEX and DROP INDEX cannot be combined with other clauses");
        auto cmd = std::make_shared<SchemaCommand>();
        cmd->if_not_exists = c.if_not_exists;
        if (c.kind == ClauseKind::DropIndex) {
            cmd->kind = SchemaCommand::Kind::DropIndex;
            cmd->name = c.index_name;
        } else {
            cmd->kind = SchemaCommand::Kind::CreateIndex;
            cmd->index.name = c.index_name;
            cmd->index.kind =
                c.vector_index ? storage::IndexKind::Vector : storage::IndexKind::Range;
            cmd->index.label = c.index_label;
            cmd->index.properties = c.index_properties;
            if (c.index_options) {
                Info info;
                cmd->options = compile(*c.index_options, info);
            }
        }
        plan_->schema = std::move(cmd);
        return plan_;
    }

private:
    // ------------------------------------------------------------ slots and steps

    int new_slot(const std::string& name) {
        plan_->slot_names.push_back(name);
        return next_slot_++;
    }

    Var declare(const std::string& name, VT type) {
        Var v{new_slot(name), type, false};
        scope_[name] = v;
        return v;
    }

    std::string anon() { return " anon" + std::to_string(anon_++); }

    Step coord(OpKind op, bool barrier = false) {
        Step s;
        s.op = op;
        s.loc.kind = LocKind::Coordinator;
        s.barrier = barrier;
        return s;
    }

    void add(Step s) {
        if (s.op == OpKind::Sort)
            ordered_ = true;
        else if (s.loc.kind != LocKind::Any && s.loc.kind != LocKind::Coordinator)
            ordered_ = false;
        if (guard_slot_ >= 0 && !s.barrier && s.guard_slot < 0) {
            s.guard_slot = guard_slot_;
            s.guard_value = guard_value_;
        }
        switch (s.loc.kind) {
            case LocKind::Coordinator: here_ = -1; break;
            case LocKind::Shard: here_ = s.loc.slot; break;
            case LocKind::AllShards: here_ = (s.op == OpKind::ScanNodes) ? s.slot : -1; break;
            case LocKind::NewNode: here_ = s.slot; break;
            case LocKind::Any: break;
        }
        if (s.op == OpKind::Expand) here_ = s.slot;
        switch (s.op) {
            case OpKind::CreateNode:
            case OpKind::CreateRel:
            case OpKind::SetProperty:
            case OpKind::SetProperties:
            case OpKind::SetLabels:
            case OpKind::RemoveProperty:
            case OpKind::RemoveLabels:
            case OpKind::DeleteRel:
            case OpKind::DeleteNode:
                plan_->writes = true;
                attached_.clear();  // attached snapshots may be stale now
                break;
            default: break;
        }
        plan_->steps.push_back(std::move(s));
    }

    // Adds a Project step computing `e` (placed where its data lives) into a new slot.
    int project_new(CExprPtr e, const Info& info, const std::string& name) {
        int slot = new_slot(name);
        Step p;
        p.op = OpKind::Project;
        p.loc = place(info);
        p.outputs.push_back({slot, std::move(e)});
        add(std::move(p));
        return slot;
    }

    // Copies the data of the entity in `slot` into the row, at the entity's shard.
    void attach(int slot) {
        if (attached_.count(slot)) return;
        Step a;
        a.op = OpKind::Attach;
        a.loc = {LocKind::Shard, slot};
        a.slot = slot;
        add(std::move(a));
        attached_.insert(slot);
    }

    // Decides where a step that evaluates expressions (described by `info`) must run, and
    // adds the Attach steps it needs first. `own` is the entity the step itself works on
    // (it runs at that entity's shard), or -1.
    Location place(const Info& info, int own = -1) {
        if (ordered_ && own < 0) {
            // Rows are in ORDER BY order at the coordinator: fetch what the step reads there
            // instead of sending rows to shards, which would lose the order.
            std::set<int> all = info.deep_slots;
            all.insert(info.data_slots.begin(), info.data_slots.end());
            for (int s : all) {
                if (attached_.count(s)) continue;
                Step a = coord(OpKind::AttachDeep, true);
                a.slots = {s};
                add(std::move(a));
                attached_.insert(s);
            }
            return {LocKind::Any, -1};
        }
        for (int s : info.deep_slots) {
            if (attached_.count(s)) continue;
            Step a = coord(OpKind::AttachDeep, true);
            a.slots = {s};
            add(std::move(a));
            attached_.insert(s);
        }
        std::vector<int> need;
        for (int s : info.data_slots)
            if (!attached_.count(s) && s != own) need.push_back(s);
        int local = own;
        if (local < 0 && !need.empty()) {
            auto it = std::find(need.begin(), need.end(), here_);
            local = it != need.end() ? *it : need.front();
            need.erase(std::find(need.begin(), need.end(), local));
        }
        for (int s : need) attach(s);
        if (local < 0) return {LocKind::Any, -1};
        return {LocKind::Shard, local};
    }

    void add_filter(CExprPtr pred, const Info& info) {
        Step s;
        s.op = OpKind::Filter;
        s.loc = place(info);
        s.expr = std::move(pred);
        add(std::move(s));
    }

    // ------------------------------------------------------------ expressions

    const Var* lookup(const std::string& name) const {
        for (auto it = locals_.rbegin(); it != locals_.rend(); ++it)
            if (it->first == name) return &it->second;
        auto it = scope_.find(name);
        return it == scope_.end() ? nullptr : &it->second;
    }

    static bool entity_type(VT t) { return t == VT::Node || t == VT::Rel; }

    // Marks that the data of whatever `base` evaluates to is read.
    void note_data_read(const Expr& base, Info& info) {
        if (base.kind != ExprKind::Variable) return;
        const Var* v = lookup(base.name);
        if (!v) return;
        if (entity_type(v->type))
            info.data_slots.insert(v->slot);
        else if (v->may_entity || v->type == VT::Path)
            info.deep_slots.insert(v->slot);
    }

    CExprPtr compile(const Expr& e, Info& info) {
        if (!text_subst_.empty() && e.kind != ExprKind::Literal && e.kind != ExprKind::Variable &&
            e.kind != ExprKind::Parameter) {
            auto it = text_subst_.find(e.text);
            if (it != text_subst_.end()) return slot_expr(it->second);
        }
        switch (e.kind) {
            case ExprKind::Literal: {
                auto c = std::make_unique<CExpr>(EK::Literal);
                c->value = e.value;
                return c;
            }
            case ExprKind::Parameter: {
                auto c = std::make_unique<CExpr>(EK::Param);
                c->name = e.name;
                return c;
            }
            case ExprKind::Variable: {
                const Var* v = lookup(e.name);
                if (!v) undefined(e.name);
                if (v->type != VT::Value || v->may_entity) info.may_entity = true;
                return slot_expr(v->slot);
            }
            case ExprKind::Property: {
                auto c = std::make_unique<CExpr>(EK::Property);
                c->name = e.name;
                note_data_read(*e.children[0], info);
                Info sub;
                auto base = compile(*e.children[0], sub);
                if (e.children[0]->kind != ExprKind::Variable && sub.may_entity &&
                    locals_.empty()) {
                    // A computed entity (startNode(r), head(list), ...): compute it into a
                    // slot and attach its data before reading from it.
                    base = slot_expr(materialize(std::move(base), sub));
                    sub = Info{};
                }
                c->children.push_back(std::move(base));
                merge_info(info, sub, false);
                return c;
            }
            case ExprKind::DynamicSubscript: {
                auto c = std::make_unique<CExpr>(EK::Subscript);
                note_data_read(*e.children[0], info);
                Info sub;
                c->children.push_back(compile(*e.children[0], sub));
                c->children.push_back(compile(*e.children[1], info));
                merge_info(info, sub, true);
                return c;
            }
            case ExprKind::Slice: {
                auto c = std::make_unique<CExpr>(EK::Slice);
                c->children.push_back(compile(*e.children[0], info));
                for (int i = 1; i <= 2; ++i) {
                    if (static_cast<size_t>(i) < e.children.size() && e.children[i])
                        c->children.push_back(compile(*e.children[i], info));
                    else
                        c->children.push_back(nullptr);
                }
                return c;
            }
            case ExprKind::ListLiteral: {
                auto c = std::make_unique<CExpr>(EK::List);
                for (auto& ch : e.children) c->children.push_back(compile(*ch, info));
                return c;
            }
            case ExprKind::MapLiteral: {
                auto c = std::make_unique<CExpr>(EK::Map);
                c->keys = e.keys;
                for (auto& ch : e.children) c->children.push_back(compile(*ch, info));
                return c;
            }
            case ExprKind::Unary: {
                if (e.op == Op::Plus) return compile(*e.children[0], info);
                auto c = std::make_unique<CExpr>(e.op == Op::Not ? EK::Not : EK::Negate);
                c->children.push_back(compile(*e.children[0], info));
                return c;
            }
            case ExprKind::Binary: return compile_binary(e, info);
            case ExprKind::Comparison: {
                auto c = std::make_unique<CExpr>(EK::Compare);
                for (auto op : e.ops) c->cmps.push_back(to_cmp(op));
                for (auto& ch : e.children) c->children.push_back(compile(*ch, info));
                return c;
            }
            case ExprKind::IsNull:
            case ExprKind::IsNotNull: {
                auto c = std::make_unique<CExpr>(e.kind == ExprKind::IsNull ? EK::IsNull
                                                                            : EK::IsNotNull);
                c->children.push_back(compile(*e.children[0], info));
                info.may_entity = false;
                return c;
            }
            case ExprKind::HasLabels: {
                auto c = std::make_unique<CExpr>(EK::HasLabels);
                c->labels = e.keys;
                note_data_read(*e.children[0], info);
                Info sub;
                c->children.push_back(compile(*e.children[0], sub));
                merge_info(info, sub, false);
                return c;
            }
            case ExprKind::FunctionCall:
            case ExprKind::CountStar: return compile_call(e, info);
            case ExprKind::Case: {
                auto c = std::make_unique<CExpr>(EK::Case);
                // AST: children[0] = subject or null; then (when, then) pairs; else last if
                // the count is odd after the subject.
                c->simple_case = e.children[0] != nullptr;
                if (c->simple_case) c->children.push_back(compile(*e.children[0], info));
                size_t rest = e.children.size() - 1;
                c->has_else = rest % 2 == 1;
                for (size_t i = 1; i < e.children.size(); ++i)
                    c->children.push_back(compile(*e.children[i], info));
                return c;
            }
            case ExprKind::ListComprehension: return compile_iteration(e, info, EK::ListComp);
            case ExprKind::Quantifier: return compile_iteration(e, info, EK::Quantifier);
            case ExprKind::Reduce: {
                auto c = std::make_unique<CExpr>(EK::Reduce);
                c->children.push_back(compile(*e.children[0], info));
                c->children.push_back(compile(*e.children[1], info));
                c->slot2 = new_slot(e.keys.at(0));
                c->slot = new_slot(e.variable);
                locals_.push_back({e.keys[0], Var{c->slot2, VT::Value, true}});
                locals_.push_back({e.variable, Var{c->slot, VT::Value, true}});
                c->children.push_back(compile(*e.children[2], info));
                locals_.pop_back();
                locals_.pop_back();
                return c;
            }
            case ExprKind::MapProjection: {
                auto c = std::make_unique<CExpr>(EK::MapProjection);
                note_data_read(*e.children[0], info);
                Info sub;
                c->children.push_back(compile(*e.children[0], sub));
                merge_info(info, sub, false);
                for (auto& p : e.projection) {
                    exec::MapProjEntry m;
                    m.key = p.key;
                    switch (p.kind) {
                        case MapProjectionItem::Kind::Property:
                            m.kind = exec::MapProjEntry::Kind::Property;
                            break;
                        case MapProjectionItem::Kind::AllProperties:
                            m.kind = exec::MapProjEntry::Kind::AllProperties;
                            break;
                        case MapProjectionItem::Kind::Literal:
                            m.kind = exec::MapProjEntry::Kind::Value;
                            m.value = compile(*p.value, info);
                            break;
                        case MapProjectionItem::Kind::Variable: {
                            m.kind = exec::MapProjEntry::Kind::Value;
                            Expr ve = variable_expr(p.key);
                            m.value = compile(ve, info);
                            break;
                        }
                    }
                    c->projection.push_back(std::move(m));
                }
                return c;
            }
            case ExprKind::PatternComprehension: {
                bool yields_entity = false;
                int r = hoist(
                    [&] {
                        RelScope rels;
                        plan_part(*e.pattern, rels);
                        if (e.children[0]) {
                            Info wi;
                            auto pred = compile(*e.children[0], wi);
                            add_filter(std::move(pred), wi);
                        }
                    },
                    e.children[1].get(), &yields_entity);
                info.may_entity |= yields_entity;
                return slot_expr(r);
            }
            case ExprKind::PatternPredicate: return non_empty(hoist_pattern(*e.pattern));
            case ExprKind::Exists: {
                int r = hoist(
                    [&] {
                        if (e.subquery->parts.size() != 1) unsupported("UNION inside EXISTS");
                        for (const auto& c : e.subquery->parts[0].clauses) {
                            switch (c.kind) {
                                case ClauseKind::Match: plan_match(c); break;
                                case ClauseKind::Unwind: plan_unwind(c); break;
                                case ClauseKind::With:
                                    plan_projection(c.body, c.where.get(), false);
                                    break;
                                case ClauseKind::Return: break;
                                default: unsupported("updating clauses inside EXISTS");
                            }
                        }
                    },
                    nullptr, nullptr);
                return non_empty(r);
            }
        }
        unsupported("expression");
    }

    // Plans a subquery run once per row: the rows go to the coordinator, are remembered,
    // run `body`, and come back each with the list of `yield` values (or of nulls) its
    // subquery produced, in the returned slot.
    int hoist(const std::function<void()>& body, const Expr* yield, bool* yields_entity) {
        if (!locals_.empty())
            unsupported("patterns that use a list comprehension or quantifier variable");
        auto saved_scope = scope_;
        auto saved_attached = attached_;
        bool saved_blocked = agg_blocked_;
        agg_blocked_ = true;
        bool saved_read = read_, saved_wrote = wrote_;
        Step b = coord(OpKind::OptionalBegin);
        b.slot = new_slot(" subquery_tag");
        pinned_.push_back(b.slot);
        size_t begin = plan_->steps.size();
        add(std::move(b));
        body();
        pinned_.pop_back();
        int yslot = -1;
        if (yield) {
            Info yi;
            auto ce = compile(*yield, yi);
            if (yields_entity) *yields_entity = yi.may_entity;
            yslot = project_new(std::move(ce), yi, " subquery_value");
        }
        int result = new_slot(" subquery_result");
        Step end = coord(OpKind::SubqueryEnd, true);
        end.pair = static_cast<int>(begin);
        end.slot = result;
        end.to_slot = yslot;
        add(std::move(end));
        scope_ = std::move(saved_scope);
        attached_ = std::move(saved_attached);
        agg_blocked_ = saved_blocked;
        read_ = saved_read;
        wrote_ = saved_wrote;
        return result;
    }

    // Computes `e` into a new slot and attaches every entity inside it.
    int materialize(CExprPtr e, const Info& info) {
        int slot;
        if (e->kind == EK::Slot)
            slot = e->slot;
        else
            slot = project_new(std::move(e), info, " entity");
        if (!attached_.count(slot)) {
            Step a = coord(OpKind::AttachDeep, true);
            a.slots = {slot};
            add(std::move(a));
            attached_.insert(slot);
        }
        return slot;
    }

    int hoist_pattern(const PatternPart& part) {
        return hoist(
            [&] {
                RelScope rels;
                plan_part(part, rels);
            },
            nullptr, nullptr);
    }

    CExprPtr non_empty(int list_slot) {
        auto size = std::make_unique<CExpr>(EK::Call);
        size->fn = fn::find_function("size");
        size->children.push_back(slot_expr(list_slot));
        auto cmp = std::make_unique<CExpr>(EK::Compare);
        cmp->cmps.push_back(exec::Cmp::Gt);
        cmp->children.push_back(std::move(size));
        auto zero = std::make_unique<CExpr>(EK::Literal);
        zero->value = Value(int64_t{0});
        cmp->children.push_back(std::move(zero));
        return cmp;
    }

    // `into_entity`: the sub-expression's entity-ness carries over to the result.
    static void merge_info(Info& into, const Info& sub, bool into_entity) {
        into.data_slots.insert(sub.data_slots.begin(), sub.data_slots.end());
        into.deep_slots.insert(sub.deep_slots.begin(), sub.deep_slots.end());
        into.aggregate |= sub.aggregate;
        if (into_entity) into.may_entity |= sub.may_entity;
    }

    static exec::Cmp to_cmp(Op op) {
        switch (op) {
            case Op::Eq: return exec::Cmp::Eq;
            case Op::Ne: return exec::Cmp::Ne;
            case Op::Lt: return exec::Cmp::Lt;
            case Op::Le: return exec::Cmp::Le;
            case Op::Gt: return exec::Cmp::Gt;
            default: return exec::Cmp::Ge;
        }
    }

    CExprPtr compile_binary(const Expr& e, Info& info) {
        EK k;
        char arith = 0;
        switch (e.op) {
            case Op::Or: k = EK::Or; break;
            case Op::Xor: k = EK::Xor; break;
            case Op::And: k = EK::And; break;
            case Op::Add:
                k = EK::Arith;
                arith = '+';
                break;
            case Op::Subtract:
                k = EK::Arith;
                arith = '-';
                break;
            case Op::Multiply:
                k = EK::Arith;
                arith = '*';
                break;
            case Op::Divide:
                k = EK::Arith;
                arith = '/';
                break;
            case Op::Modulo:
                k = EK::Arith;
                arith = '%';
                break;
            case Op::Power:
                k = EK::Arith;
                arith = '^';
                break;
            case Op::In: k = EK::In; break;
            case Op::StartsWith: k = EK::StartsWith; break;
            case Op::EndsWith: k = EK::EndsWith; break;
            case Op::Contains: k = EK::Contains; break;
            case Op::RegexMatch: k = EK::Regex; break;
            case Op::Eq:
            case Op::Ne:
            case Op::Lt:
            case Op::Le:
            case Op::Gt:
            case Op::Ge: {
                auto c = std::make_unique<CExpr>(EK::Compare);
                c->cmps.push_back(to_cmp(e.op));
                c->children.push_back(compile(*e.children[0], info));
                c->children.push_back(compile(*e.children[1], info));
                info.may_entity = false;
                return c;
            }
            default: unsupported("operator");
        }
        auto c = std::make_unique<CExpr>(k);
        c->arith = arith;
        Info a, b;
        c->children.push_back(compile(*e.children[0], a));
        c->children.push_back(compile(*e.children[1], b));
        merge_info(info, a, k == EK::Arith);
        merge_info(info, b, k == EK::Arith);
        return c;
    }

    CExprPtr compile_iteration(const Expr& e, Info& info, EK kind) {
        auto c = std::make_unique<CExpr>(kind);
        c->quant = static_cast<int>(e.quantifier);
        Info li;
        c->children.push_back(compile(*e.children[0], li));
        c->slot = new_slot(e.variable);
        locals_.push_back({e.variable, Var{c->slot, VT::Value, li.may_entity}});
        bool reads_elements = false;
        for (size_t i = 1; i < 3; ++i) {
            if (i < e.children.size() && e.children[i]) {
                Info sub;
                c->children.push_back(compile(*e.children[i], sub));
                reads_elements |= sub.deep_slots.erase(c->slot) > 0;
                merge_info(info, sub, kind == EK::ListComp && i == 2);
            } else if (kind == EK::ListComp) {
                c->children.push_back(nullptr);
            }
        }
        locals_.pop_back();
        if (reads_elements && li.may_entity && locals_.empty()) {
            // The elements' properties are read: the list's entities must be attached.
            c->children[0] = slot_expr(materialize(std::move(c->children[0]), li));
            li = Info{};
        }
        merge_info(info, li, kind == EK::ListComp);
        // Data read through the iteration variable: the list's entities must be attached.
        if (kind == EK::Quantifier) info.may_entity = false;
        return c;
    }

    CExprPtr compile_call(const Expr& e, Info& info) {
        if (is_aggregate_call(e)) {
            if (!agg_sink_ || agg_blocked_)
                throw_semantic("SyntaxError", "InvalidAggregation",
                               "Aggregation is not allowed here: " + e.text);
            return agg_sink_(e, info);
        }
        const fn::FunctionInfo* f = fn::find_function(e.name);
        if (!f)
            throw_semantic("SyntaxError", "UnknownFunction", "Unknown function '" + e.name + "'");
        auto c = std::make_unique<CExpr>(EK::Call);
        c->fn = f;
        std::string_view n = f->name;
        if (n == "size" && e.children.size() == 1 &&
            e.children[0]->kind == ExprKind::PatternPredicate) {
            c->children.push_back(slot_expr(hoist_pattern(*e.children[0]->pattern)));
            return c;
        }
        bool reads_data = n == "labels" || n == "keys" || n == "properties" || n == "exists";
        bool yields_entity = n == "startnode" || n == "endnode" || n == "nodes" ||
                             n == "relationships" || n == "coalesce" || n == "head" ||
                             n == "last" || n == "tail" || n == "reverse";
        for (auto& a : e.children) {
            if (reads_data) note_data_read(*a, info);
            Info sub;
            c->children.push_back(compile(*a, sub));
            merge_info(info, sub, yields_entity);
        }
        if (n == "startnode" || n == "endnode" || n == "nodes" || n == "relationships")
            info.may_entity = true;
        return c;
    }

    // ------------------------------------------------------------ MATCH

    struct Pending {
        const Expr* expr;
        std::set<std::string> vars;
    };

    bool bound_all(const std::set<std::string>& vars) const {
        for (auto& v : vars)
            if (!scope_.count(v)) return false;
        return true;
    }

    void flush_ready(std::vector<Pending>& pending, bool all) {
        for (auto it = pending.begin(); it != pending.end();) {
            if (all || bound_all(it->vars)) {
                Info info;
                auto pred = compile(*it->expr, info);
                add_filter(std::move(pred), info);
                it = pending.erase(it);
            } else {
                ++it;
            }
        }
    }

    void note_read_clause() {
        if (wrote_) {
            add(coord(OpKind::Eager, true));
            wrote_ = false;
        }
        if (!read_) reads_from_ = plan_->steps.size();
        read_ = true;
    }

    // `rels_only`: the clause only creates relationships between nodes bound before. Such a
    // clause cannot change what reads of node existence, labels and properties see, so when
    // the reads since the last barrier are only those (no expansion, no subquery), the rows
    // may stream into it without an Eager barrier: bulk loads of the form
    // UNWIND .. MATCH (a {id: ..}), (b {id: ..}) CREATE (a)-[:T]->(b) need no round trip
    // through the coordinator.
    void note_write_clause(bool rels_only = false) {
        if (read_ && !(rels_only && reads_only_nodes())) {
            add(coord(OpKind::Eager, true));
            read_ = false;
        }
        wrote_ = true;
    }

    bool reads_only_nodes() const {
        for (size_t i = reads_from_; i < plan_->steps.size(); ++i) {
            switch (plan_->steps[i].op) {
                case OpKind::ScanNodes:
                case OpKind::NodeIndexSeek:
                case OpKind::Filter:
                case OpKind::Project:
                case OpKind::Unwind:
                case OpKind::Attach:
                case OpKind::AttachDeep:
                case OpKind::CreateRel: continue;
                default: return false;
            }
        }
        return true;
    }

    // Filters for the labels and inline properties of a node pattern bound to `v`.
    void node_constraints(const NodePattern& np, const Var& v, size_t skip_labels) {
        if (np.labels.size() > skip_labels) {
            auto c = std::make_unique<CExpr>(EK::HasLabels);
            c->labels.assign(np.labels.begin() + static_cast<long>(skip_labels), np.labels.end());
            c->children.push_back(slot_expr(v.slot));
            Info info;
            info.data_slots.insert(v.slot);
            add_filter(std::move(c), info);
        }
        property_constraints(np.properties.get(), v);
    }

    void property_constraints(const Expr* props, const Var& v) {
        if (!props) return;
        if (props->kind != ExprKind::MapLiteral) {
            // MATCH (n $map): every entry of the map must match.
            unsupported("parameter maps in MATCH patterns");
        }
        for (size_t i = 0; i < props->keys.size(); ++i) {
            auto cmp = std::make_unique<CExpr>(EK::Compare);
            cmp->cmps.push_back(exec::Cmp::Eq);
            auto prop = std::make_unique<CExpr>(EK::Property);
            prop->name = props->keys[i];
            prop->children.push_back(slot_expr(v.slot));
            cmp->children.push_back(std::move(prop));
            Info info;
            info.data_slots.insert(v.slot);
            cmp->children.push_back(compile(*props->children[i], info));
            add_filter(std::move(cmp), info);
        }
    }

    const Var& bind_node(const NodePattern& np, bool& fresh) {
        std::string name = np.variable ? *np.variable : anon();
        if (const Var* v = lookup(name); v && np.variable) {
            if (v->type != VT::Node && v->type != VT::Value)
                throw_semantic("SyntaxError", "VariableTypeConflict",
                               "Variable `" + name + "` is not a node");
            fresh = false;
            node_slot_[&np] = v->slot;
            return *v;
        }
        fresh = true;
        declare(name, VT::Node);
        node_slot_[&np] = scope_[name].slot;
        return scope_[name];
    }

    void plan_match(const Clause& c) {
        note_read_clause();
        size_t optional_begin = 0;
        std::set<std::string> before;
        for (auto& [k, v] : scope_) before.insert(k);
        auto attached_before = attached_;
        if (c.optional) {
            Step b = coord(OpKind::OptionalBegin);
            b.slot = new_slot(" optional_tag");
            optional_begin = plan_->steps.size();
            add(std::move(b));
        }
        std::vector<Pending> pending;
        std::vector<const Expr*> conj;
        split_and(c.where.get(), conj);
        for (auto* e : conj) {
            Pending p{e, {}};
            collect_variables(*e, p.vars);
            pending.push_back(std::move(p));
        }
        RelScope clause_rels;
        for (const auto& part : c.pattern.parts) {
            plan_part(part, clause_rels, true, [&] { flush_ready(pending, false); });
            flush_ready(pending, false);
        }
        list_uniqueness(clause_rels);
        flush_ready(pending, true);
        if (c.optional) {
            Step e = coord(OpKind::OptionalEnd, true);
            e.pair = static_cast<int>(optional_begin);
            for (auto& [k, v] : scope_)
                if (!before.count(k)) e.slots.push_back(v.slot);
            add(std::move(e));
            // Null-extended rows are the remembered inputs: only what was attached before
            // the OPTIONAL MATCH is attached in every row.
            attached_ = std::move(attached_before);
        }
    }

    // No relationship may appear twice in one MATCH: variable-length lists must not repeat a
    // single relationship of the pattern (new or bound) nor share one with another list.
    void list_uniqueness(const RelScope& rels) {
        for (size_t i = 0; i < rels.lists.size(); ++i) {
            auto none = std::make_unique<CExpr>(EK::Quantifier);
            none->quant = 2;
            none->slot = new_slot(" r");
            none->children.push_back(slot_expr(rels.lists[i]));
            std::unique_ptr<CExpr> any;
            auto add_term = [&](std::unique_ptr<CExpr> t) {
                if (!any) {
                    any = std::move(t);
                    return;
                }
                auto o = std::make_unique<CExpr>(EK::Or);
                o->children.push_back(std::move(any));
                o->children.push_back(std::move(t));
                any = std::move(o);
            };
            std::vector<int> singles = rels.fixed;
            singles.insert(singles.end(), rels.bound.begin(), rels.bound.end());
            for (int f : singles) {
                auto eq = std::make_unique<CExpr>(EK::Compare);
                eq->cmps.push_back(exec::Cmp::Eq);
                eq->children.push_back(slot_expr(none->slot));
                eq->children.push_back(slot_expr(f));
                add_term(std::move(eq));
            }
            for (size_t j = i + 1; j < rels.lists.size(); ++j) {
                auto in = std::make_unique<CExpr>(EK::In);
                in->children.push_back(slot_expr(none->slot));
                in->children.push_back(slot_expr(rels.lists[j]));
                add_term(std::move(in));
            }
            if (!any) continue;
            none->children.push_back(std::move(any));
            add_filter(std::move(none), Info{});
        }
    }

    void plan_part(const PatternPart& part, RelScope& clause_rels, bool with_path = true,
                   const std::function<void()>& after_bind = {}) {
        if (part.shortest != PatternPart::Shortest::None) unsupported("shortestPath");
        size_t n = part.nodes.size();
        size_t start = n;
        for (size_t i = 0; i < n && start == n; ++i)
            if (part.nodes[i].variable && lookup(*part.nodes[i].variable)) start = i;
        for (size_t i = 0; i < n && start == n; ++i)
            if (!part.nodes[i].labels.empty()) start = i;
        if (start == n) start = 0;

        bool fresh = false;
        const NodePattern& sp = part.nodes[start];
        Var sv = bind_node(sp, fresh);
        if (fresh) {
            Step s;
            s.op = OpKind::ScanNodes;
            s.loc.kind = LocKind::AllShards;
            s.slot = sv.slot;
            if (!sp.labels.empty()) s.labels.push_back(sp.labels[0]);
            add(std::move(s));
            node_constraints(sp, sv, sp.labels.empty() ? 0 : 1);
        } else {
            node_constraints(sp, sv, 0);
        }
        // WHERE conjuncts whose variables are bound run as early as possible.
        if (after_bind) after_bind();
        for (size_t i = start; i + 1 < n; ++i) {
            expand(part.nodes[i], part.rels[i], part.nodes[i + 1], false, clause_rels);
            if (after_bind) after_bind();
        }
        for (size_t i = start; i > 0; --i) {
            expand(part.nodes[i], part.rels[i - 1], part.nodes[i - 1], true, clause_rels);
            if (after_bind) after_bind();
        }
        if (part.path_variable && with_path) bind_path(part);
    }

    void bind_path(const PatternPart& part) {
        auto b = std::make_unique<CExpr>(EK::PathBuild);
        for (size_t i = 0; i < part.nodes.size(); ++i) {
            if (i) b->children.push_back(slot_expr(rel_slot_.at(&part.rels[i - 1])));
            b->children.push_back(slot_expr(node_slot_.at(&part.nodes[i])));
        }
        if (lookup(*part.path_variable))
            throw_semantic("SyntaxError", "VariableAlreadyBound",
                           "Variable `" + *part.path_variable + "` already declared");
        Var pv = declare(*part.path_variable, VT::Path);
        Step p;
        p.op = OpKind::Project;
        p.loc = {LocKind::Any, -1};
        p.outputs.push_back({pv.slot, std::move(b)});
        add(std::move(p));
    }

    void expand(const NodePattern& from_np, const RelPattern& rp, const NodePattern& to_np,
                bool reversed, RelScope& clause_rels) {
        Step s;
        s.op = OpKind::Expand;
        if (rp.range) {
            s.op = OpKind::VarExpand;
            s.min_hops = rp.range->min.value_or(1);
            s.max_hops = rp.range->max.value_or(-1);
            s.aux_slot = new_slot(" frontier");
            s.reversed = reversed;
        }
        // The from node was bound just before (by scan or an earlier expand).
        s.slot = node_slot_.at(&from_np);
        s.loc = {LocKind::Shard, s.slot};
        exec::Direction d = exec::Direction::Both;
        if (rp.direction == Direction::Outgoing)
            d = reversed ? exec::Direction::Incoming : exec::Direction::Outgoing;
        if (rp.direction == Direction::Incoming)
            d = reversed ? exec::Direction::Outgoing : exec::Direction::Incoming;
        s.dir = d;
        s.types = rp.types;
        std::string rname = rp.variable ? *rp.variable : anon();
        Var rv;
        if (const Var* existing = rp.variable ? lookup(rname) : nullptr) {
            if (rp.range) unsupported("a bound variable-length relationship");
            if (existing->type != VT::Rel && existing->type != VT::Value)
                throw_semantic("SyntaxError", "VariableTypeConflict",
                               "Variable `" + rname + "` is not a relationship");
            rv = *existing;
            s.rel_bound = true;
        } else {
            rv = declare(rname, rp.range ? VT::Value : VT::Rel);
            if (rp.range) scope_[rname].may_entity = true;
        }
        rel_slot_[&rp] = rv.slot;
        s.rel_slot = rv.slot;
        if (rp.range) s.loc = {LocKind::Shard, s.aux_slot};
        bool fresh = false;
        Var tv = bind_node(to_np, fresh);
        s.to_slot = tv.slot;
        s.to_bound = !fresh;
        bool rel_bound = s.rel_bound;
        add(std::move(s));
        // Relationship uniqueness within one MATCH.
        if (rel_bound) clause_rels.bound.push_back(rv.slot);
        if (rp.range) clause_rels.lists.push_back(rv.slot);
        if (!rel_bound && !rp.range) {
            for (int other : clause_rels.fixed) {
                auto cmp = std::make_unique<CExpr>(EK::Compare);
                cmp->cmps.push_back(exec::Cmp::Ne);
                cmp->children.push_back(slot_expr(rv.slot));
                cmp->children.push_back(slot_expr(other));
                add_filter(std::move(cmp), Info{});
            }
            clause_rels.fixed.push_back(rv.slot);
        }
        if (rp.range) {
            if (rp.properties) {
                // Every relationship of the path must have the properties.
                auto all = std::make_unique<CExpr>(EK::Quantifier);
                all->quant = 0;
                all->slot = new_slot(" r");
                all->children.push_back(slot_expr(rv.slot));
                const Expr* props = rp.properties.get();
                if (props->kind != ExprKind::MapLiteral)
                    unsupported("parameter maps in MATCH patterns");
                std::unique_ptr<CExpr> conj;
                Info info;
                for (size_t i = 0; i < props->keys.size(); ++i) {
                    auto cmp = std::make_unique<CExpr>(EK::Compare);
                    cmp->cmps.push_back(exec::Cmp::Eq);
                    auto prop = std::make_unique<CExpr>(EK::Property);
                    prop->name = props->keys[i];
                    prop->children.push_back(slot_expr(all->slot));
                    cmp->children.push_back(std::move(prop));
                    cmp->children.push_back(compile(*props->children[i], info));
                    if (!conj) {
                        conj = std::move(cmp);
                    } else {
                        auto a = std::make_unique<CExpr>(EK::And);
                        a->children.push_back(std::move(conj));
                        a->children.push_back(std::move(cmp));
                        conj = std::move(a);
                    }
                }
                if (conj) {
                    all->children.push_back(std::move(conj));
                    // The relationships of the list are read: attach them first.
                    materialize(slot_expr(rv.slot), Info{});
                    add_filter(std::move(all), info);
                }
            }
        } else {
            property_constraints(rp.properties.get(), rv);
        }
        node_constraints(to_np, tv, 0);
    }

    // ------------------------------------------------------------ MERGE

    void plan_merge(const Clause& c) {
        if (read_ || wrote_) add(coord(OpKind::Eager, true));
        read_ = false;
        wrote_ = true;
        const PatternPart& part = c.pattern.parts.at(0);
        for (const auto& rp : part.rels) {
            if (rp.types.size() != 1)
                throw_semantic("SyntaxError", "NoSingleRelationshipType",
                               "A single relationship type must be specified for MERGE");
            if (rp.range)
                throw_semantic("SyntaxError", "CreatingVarLength",
                               "Variable length relationships cannot be used in MERGE");
            if (rp.variable && lookup(*rp.variable))
                throw_semantic("SyntaxError", "VariableAlreadyBound",
                               "Variable `" + *rp.variable + "` already declared");
        }
        std::vector<bool> node_new;
        for (const auto& np : part.nodes) {
            bool bound = np.variable && lookup(*np.variable);
            if (bound && (!np.labels.empty() || np.properties) && part.nodes.size() == 1)
                throw_semantic("SyntaxError", "VariableAlreadyBound",
                               "Variable `" + *np.variable + "` already declared");
            node_new.push_back(!bound);
        }
        // The merge key: what decides which entities get created. Inputs with equal keys
        // share one creation.
        auto key = std::make_unique<CExpr>(EK::List);
        Info ki;
        auto add_key = [&](const Expr* props) {
            if (props) {
                key->children.push_back(compile(*props, ki));
            } else {
                key->children.push_back(std::make_unique<CExpr>(EK::Literal));
            }
        };
        for (size_t i = 0; i < part.nodes.size(); ++i) {
            if (node_new[i])
                add_key(part.nodes[i].properties.get());
            else
                key->children.push_back(slot_expr(lookup(*part.nodes[i].variable)->slot));
        }
        for (const auto& rp : part.rels) add_key(rp.properties.get());
        int key_slot = new_slot(" merge_key");
        {
            Step p;
            p.op = OpKind::Project;
            p.loc = place(ki);
            p.outputs.push_back({key_slot, std::move(key)});
            add(std::move(p));
        }
        Step b = coord(OpKind::OptionalBegin);
        b.slot = new_slot(" merge_tag");
        size_t begin = plan_->steps.size();
        add(std::move(b));
        RelScope rels;
        plan_part(part, rels, false);
        int flag = new_slot(" merge_matched");
        int group = new_slot(" merge_group");
        Step end = coord(OpKind::MergeEnd, true);
        end.pair = static_cast<int>(begin);
        end.slot = flag;
        end.aux_slot = group;
        end.key_slots = {key_slot};
        size_t end_index = plan_->steps.size();
        add(std::move(end));
        // Create branch: only rows flagged false.
        std::vector<int> created;
        guard_slot_ = flag;
        guard_value_ = false;
        attached_.clear();
        for (size_t i = 0; i < part.nodes.size(); ++i) {
            if (!node_new[i]) continue;
            const NodePattern& np = part.nodes[i];
            int slot = node_slot_.at(&np);
            add(new_node_step(np, slot));
            created.push_back(slot);
        }
        for (size_t i = 0; i < part.rels.size(); ++i) {
            const RelPattern& rp = part.rels[i];
            int a = node_slot_.at(&part.nodes[i]), bslot = node_slot_.at(&part.nodes[i + 1]);
            if (rp.direction == Direction::Incoming) std::swap(a, bslot);
            created.push_back(rel_slot_.at(&rp));
            add(new_rel_step(rp, a, bslot, rel_slot_.at(&rp)));
        }
        guard_slot_ = -1;
        Step join = coord(OpKind::MergeJoin, true);
        join.pair = static_cast<int>(end_index);
        join.slot = flag;
        join.aux_slot = group;
        join.slots = created;
        add(std::move(join));
        guard_slot_ = flag;
        guard_value_ = true;
        for (const auto& it : c.on_match) plan_set_item(it);
        guard_value_ = false;
        for (const auto& it : c.on_create) plan_set_item(it);
        guard_slot_ = -1;
        attached_.clear();
        if (part.path_variable) bind_path(part);
    }

    // ------------------------------------------------------------ CALL

    static bool type_accepts(std::string type, const Value& v) {
        if (v.is_null()) return true;
        while (!type.empty() && (type.back() == '?' || type.back() == ' ')) type.pop_back();
        for (auto& ch : type) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (type == "ANY") return true;
        if (type == "INTEGER") return v.is_int();
        if (type == "FLOAT") return v.is_number();
        if (type == "NUMBER") return v.is_number();
        if (type == "STRING") return v.is_string();
        if (type == "BOOLEAN") return v.is_bool();
        if (type == "MAP") return v.is_map();
        if (type.rfind("LIST", 0) == 0) return v.is_list();
        if (type == "NODE") return v.is_node();
        if (type == "RELATIONSHIP") return v.is_relationship();
        if (type == "PATH") return v.is_path();
        if (type == "VECTOR") return v.is_vector();
        return true;
    }

    // Returns true when the CALL produces the query's result (a standalone call).
    bool plan_call(const Clause& c, bool standalone) {
        if (c.procedure == exec::kVectorQueryProcedure) return plan_vector_query(c, standalone);
        auto entry = procedures_ ? procedures_->find(c.procedure) : nullptr;
        if (!entry)
            throw Error(ErrorClass::Semantic, ErrorPhase::Compile, "ProcedureError",
                        "ProcedureNotFound",
                        "There is no procedure with the name `" + c.procedure + "` registered");
        const auto& sig = entry->signature;
        Step s = coord(OpKind::CallProcedure);
        s.procedure = entry;
        Info info;
        if (c.args) {
            if (c.args->size() != sig.inputs.size())
                throw_semantic("SyntaxError", "InvalidNumberOfArguments",
                               "Procedure " + sig.name + " takes " +
                                   std::to_string(sig.inputs.size()) + " arguments, got " +
                                   std::to_string(c.args->size()));
            for (size_t i = 0; i < c.args->size(); ++i) {
                const Expr& a = *(*c.args)[i];
                if (a.kind == ExprKind::Literal && !type_accepts(sig.inputs[i].second, a.value))
                    throw_semantic("SyntaxError", "InvalidArgumentType",
                                   "Wrong argument type for " + sig.inputs[i].first +
                                       ": expected " + sig.inputs[i].second);
                s.args.push_back(compile(a, info));
            }
        } else {
            if (!standalone && !sig.inputs.empty())
                throw_semantic(
                    "SyntaxError", "InvalidArgumentPassingMode",
                    "Procedure arguments can only be passed implicitly to a standalone CALL");
            for (const auto& in : sig.inputs) {
                auto p = std::make_unique<CExpr>(EK::Param);
                p->name = in.first;
                s.args.push_back(std::move(p));
            }
        }
        std::vector<std::pair<std::string, std::string>> yields;  // (field, variable)
        if (c.yield_star || (standalone && c.yields.empty())) {
            for (const auto& o : sig.outputs) yields.emplace_back(o.first, o.first);
        } else {
            for (const auto& y : c.yields) {
                bool known = false;
                for (const auto& o : sig.outputs) known |= o.first == y.field;
                if (!known)
                    throw_semantic("SyntaxError", "UndefinedVariable",
                                   "Unknown procedure output: `" + y.field + "`");
                yields.emplace_back(y.field, y.alias ? *y.alias : y.field);
            }
            if (!standalone && c.yields.empty() && !sig.outputs.empty())
                throw_semantic("SyntaxError", "UndefinedVariable",
                               "Procedure call inside a query does not support naming results "
                               "implicitly (name explicitly using `YIELD` instead)");
        }
        for (const auto& [field, var] : yields) {
            if (lookup(var))
                throw_semantic("SyntaxError", "VariableAlreadyBound",
                               "Variable `" + var + "` already declared");
            Var v = declare(var, VT::Value);
            scope_[var].may_entity = true;
            s.yields.emplace_back(field, v.slot);
        }
        place(info);
        add(std::move(s));
        if (c.where) {
            Info wi;
            auto pred = compile(*c.where, wi);
            add_filter(std::move(pred), wi);
        }
        if (!standalone) return false;
        Step p = coord(OpKind::Produce);
        for (const auto& [field, var] : yields) {
            p.slots.push_back(scope_[var].slot);
            plan_->columns.push_back(var);
        }
        add(std::move(p));
        return true;
    }

    // db.index.vector.queryNodes(indexName, k, query) YIELD node, score: arguments computed
    // where their data lives, checked and tagged at the coordinator, searched at every shard,
    // the k best per input row kept by a coordinator barrier (see exec/vector_query.cpp).
    bool plan_vector_query(const Clause& c, bool standalone) {
        static const std::array<const char*, 3> inputs = {"indexName", "numberOfNearestNeighbours",
                                                          "query"};
        const std::string name(exec::kVectorQueryProcedure);
        Info info;
        Step p;
        p.op = OpKind::Project;
        std::vector<int> arg_slots;
        for (size_t i = 0; i < inputs.size(); ++i)
            arg_slots.push_back(new_slot(std::string(" ") + inputs[i]));
        if (c.args) {
            if (c.args->size() != inputs.size())
                throw_semantic("SyntaxError", "InvalidNumberOfArguments",
                               "Procedure " + name + " takes 3 arguments, got " +
                                   std::to_string(c.args->size()));
            for (size_t i = 0; i < inputs.size(); ++i)
                p.outputs.push_back({arg_slots[i], compile(*(*c.args)[i], info)});
        } else {
            if (!standalone)
                throw_semantic(
                    "SyntaxError", "InvalidArgumentPassingMode",
                    "Procedure arguments can only be passed implicitly to a standalone CALL");
            for (size_t i = 0; i < inputs.size(); ++i) {
                auto e = std::make_unique<CExpr>(EK::Param);
                e->name = inputs[i];
                p.outputs.push_back({arg_slots[i], std::move(e)});
            }
        }
        p.loc = place(info);
        add(std::move(p));
        const int tag = new_slot(" vector tag");
        Step b = coord(OpKind::VectorBegin);
        b.key_slots = arg_slots;
        b.to_slot = tag;
        add(std::move(b));

        std::vector<std::pair<std::string, std::string>> yields;  // (field, variable)
        if (c.yield_star || (standalone && c.yields.empty())) {
            yields = {{"node", "node"}, {"score", "score"}};
        } else {
            for (const auto& y : c.yields) {
                if (y.field != "node" && y.field != "score")
                    throw_semantic("SyntaxError", "UndefinedVariable",
                                   "Unknown procedure output: `" + y.field + "`");
                yields.emplace_back(y.field, y.alias ? *y.alias : y.field);
            }
            if (!standalone && c.yields.empty())
                throw_semantic("SyntaxError", "UndefinedVariable",
                               "Procedure call inside a query does not support naming results "
                               "implicitly (name explicitly using `YIELD` instead)");
        }
        int node_slot = -1, score_slot = -1;
        for (const auto& [field, var] : yields) {
            if (lookup(var))
                throw_semantic("SyntaxError", "VariableAlreadyBound",
                               "Variable `" + var + "` already declared");
            Var v = declare(var, field == "node" ? VT::Node : VT::Value);
            (field == "node" ? node_slot : score_slot) = v.slot;
        }
        if (node_slot < 0) node_slot = new_slot(" vector node");
        if (score_slot < 0) score_slot = new_slot(" vector score");
        Step search;
        search.op = OpKind::VectorSearch;
        search.loc = {LocKind::AllShards, -1};
        search.key_slots = arg_slots;
        search.to_slot = tag;
        search.slot = node_slot;
        search.aux_slot = score_slot;
        Step topk = coord(OpKind::VectorTopK, true);
        topk.key_slots = arg_slots;
        topk.to_slot = tag;
        topk.slot = node_slot;
        topk.aux_slot = score_slot;
        add(std::move(search));
        add(std::move(topk));
        ordered_ = true;  // best first, as Neo4j yields them: later steps keep the order
        if (c.where) {
            Info wi;
            auto pred = compile(*c.where, wi);
            add_filter(std::move(pred), wi);
        }
        if (!standalone) return false;
        if (std::any_of(yields.begin(), yields.end(),
                        [](const auto& y) { return y.first == "node"; })) {
            Step a = coord(OpKind::AttachDeep, true);  // results carry the node's data
            a.slots = {node_slot};
            add(std::move(a));
        }
        Step out = coord(OpKind::Produce);
        for (const auto& [field, var] : yields) {
            out.slots.push_back(scope_[var].slot);
            plan_->columns.push_back(var);
        }
        add(std::move(out));
        return true;
    }

    // ------------------------------------------------------------ UNWIND

    void plan_unwind(const Clause& c) {
        Info info;
        auto e = compile(*c.expr, info);
        Step s;
        s.op = OpKind::Unwind;
        s.loc = place(info);
        s.expr = std::move(e);
        if (lookup(c.variable))
            throw_semantic("SyntaxError", "VariableAlreadyBound",
                           "Variable `" + c.variable + "` already declared");
        Var v = declare(c.variable, VT::Value);
        scope_[c.variable].may_entity = info.may_entity;
        s.slot = v.slot;
        add(std::move(s));
    }

    // ------------------------------------------------------------ WITH / RETURN

    struct Item {
        const Expr* expr;
        std::string name;
    };

    VT type_of(const Expr& e) const {
        if (e.kind == ExprKind::Variable) {
            if (const Var* v = lookup(e.name)) return v->type;
        }
        return VT::Value;
    }

    void plan_projection(const ProjectionBody& body, const Expr* where, bool is_return) {
        std::vector<Item> items;
        std::vector<std::unique_ptr<Expr>> synthetic;
        if (body.star) {
            std::vector<std::string> names;
            for (auto& [k, v] : scope_)
                if (!k.empty() && k[0] != ' ') names.push_back(k);
            for (auto& n : names) {
                auto v = std::make_unique<Expr>(variable_expr(n));
                items.push_back({v.get(), n});
                synthetic.push_back(std::move(v));
            }
        }
        for (auto& it : body.items)
            items.push_back({it.expr.get(), it.alias ? *it.alias : it.text});

        bool agg = false;
        for (auto& it : items) agg |= contains_aggregate(*it.expr);

        std::map<std::string, Var> out_scope;
        std::vector<int> out_slots;
        std::vector<std::pair<int, CExprPtr>> post;  // after aggregation
        std::vector<Info> post_info;

        if (!agg) {
            for (auto& it : items) {
                Var v = project_item(*it.expr, it.name);
                out_scope[it.name] = v;
                out_slots.push_back(v.slot);
            }
            if (is_return) attach_outputs(out_scope);
        } else {
            std::vector<int> key_slots;
            std::vector<AggItem> aggs;
            // Grouping keys first: they are evaluated before the aggregation.
            std::vector<int> item_slot(items.size(), -1);
            for (size_t i = 0; i < items.size(); ++i) {
                if (contains_aggregate(*items[i].expr)) continue;
                Var v = project_item(*items[i].expr, items[i].name);
                out_scope[items[i].name] = v;
                item_slot[i] = v.slot;
                key_slots.push_back(v.slot);
            }
            if (is_return) attach_outputs(out_scope);
            // Aggregation is allowed here even inside a subquery (EXISTS { ... WITH count(*)
            // ... }); there it groups per outer row through the subquery's tag slots.
            bool saved_agg_blocked = agg_blocked_;
            agg_blocked_ = false;
            agg_sink_ = [&](const Expr& call, Info& outer) -> CExprPtr {
                AggItem a;
                a.count_star = call.kind == ExprKind::CountStar;
                a.fn = fn::find_function(a.count_star ? "count" : call.name);
                a.distinct = call.distinct;
                bool saved_blocked = agg_blocked_;
                agg_blocked_ = true;  // nested aggregation is an error
                for (auto& arg : call.children) {
                    if (contains_aggregate(*arg))
                        throw_semantic("SyntaxError", "NestedAggregation",
                                       "Cannot nest aggregations: " + call.text);
                    Info ai;
                    auto ce = compile(*arg, ai);
                    a.arg_slots.push_back(project_new(std::move(ce), ai, " aggarg"));
                    // Only these aggregates hand their input values back out.
                    std::string_view fname = a.fn->name;
                    if (ai.may_entity && (fname == "collect" || fname == "min" || fname == "max"))
                        outer.may_entity = true;
                }
                agg_blocked_ = saved_blocked;
                a.slot = new_slot(call.text);
                int slot = a.slot;
                aggs.push_back(std::move(a));
                return slot_expr(slot);
            };
            for (size_t i = 0; i < items.size(); ++i) {
                if (item_slot[i] >= 0) continue;
                Info info;
                auto ce = compile(*items[i].expr, info);
                if (ce->kind == EK::Slot) {
                    item_slot[i] = ce->slot;
                } else {
                    item_slot[i] = new_slot(items[i].name);
                    post.emplace_back(item_slot[i], std::move(ce));
                    post_info.push_back(info);
                }
                Var v{item_slot[i], VT::Value, info.may_entity};
                out_scope[items[i].name] = v;
            }
            agg_sink_ = nullptr;
            agg_blocked_ = saved_agg_blocked;
            Step a = coord(OpKind::Aggregate, true);
            a.key_slots = key_slots;
            a.key_slots.insert(a.key_slots.end(), pinned_.begin(), pinned_.end());
            a.aggs = std::move(aggs);
            add(std::move(a));
            for (size_t i = 0; i < post.size(); ++i) {
                Step p;
                p.op = OpKind::Project;
                p.loc = {LocKind::Any, -1};
                p.outputs.push_back({post[i].first, std::move(post[i].second)});
                add(std::move(p));
            }
            for (auto& it : items) out_slots.push_back(out_scope[it.name].slot);
        }

        // ORDER BY sees the projected names, and (without DISTINCT or aggregation) the
        // variables in scope before the projection.
        std::vector<SortKey> sort_keys;
        std::map<std::string, int> item_text;
        for (size_t i = 0; i < items.size(); ++i)
            if (items[i].expr->kind != ExprKind::Variable)
                item_text[items[i].expr->text] = out_scope[items[i].name].slot;
        if (!body.order_by.empty()) {
            auto saved = scope_;
            if (agg || body.distinct) scope_.clear();
            for (auto& [k, v] : out_scope) scope_[k] = v;
            text_subst_ = item_text;
            for (auto& si : body.order_by) {
                Info info;
                auto ce = compile(*si.expr, info);
                int slot;
                if (ce->kind == EK::Slot) {
                    slot = ce->slot;
                    for (int s : info.data_slots) (void)s;
                } else {
                    slot = project_new(std::move(ce), info, " sortkey");
                }
                sort_keys.push_back({slot, si.descending});
            }
            text_subst_.clear();
            scope_ = std::move(saved);
        }
        if (body.distinct) {
            Step d = coord(OpKind::Distinct);
            d.slots = out_slots;
            add(std::move(d));
        }
        if (!sort_keys.empty()) {
            Step s = coord(OpKind::Sort, true);
            s.sort = sort_keys;
            add(std::move(s));
        }
        if (body.skip) add_skip_limit(OpKind::Skip, *body.skip);
        if (body.limit) add_skip_limit(OpKind::Limit, *body.limit);

        if (is_return) {
            std::vector<int> deep;
            for (auto& it : items) {
                const Var& v = out_scope[it.name];
                if ((v.type == VT::Value && v.may_entity) || v.type == VT::Path)
                    if (!attached_.count(v.slot)) deep.push_back(v.slot);
            }
            if (!deep.empty()) {
                Step a = coord(OpKind::AttachDeep, true);
                a.slots = deep;
                add(std::move(a));
            }
            Step p = coord(OpKind::Produce);
            p.slots = out_slots;
            for (auto& it : items) plan_->columns.push_back(it.name);
            add(std::move(p));
        } else {
            if (where) {
                // WITH ... WHERE sees the projected names, and (without DISTINCT or
                // aggregation) the variables in scope before the projection.
                auto saved = scope_;
                if (agg || body.distinct) scope_.clear();
                for (auto& [k, v] : out_scope) scope_[k] = v;
                text_subst_ = item_text;
                Info info;
                auto pred = compile(*where, info);
                text_subst_.clear();
                add_filter(std::move(pred), info);
                scope_ = std::move(saved);
            }
            scope_ = std::move(out_scope);
            clear_dead_slots();
        }
    }

    // After WITH only the projected variables live on: null every other slot so rows stop
    // carrying (and shipping between shards) values nothing can read any more.
    void clear_dead_slots() {
        std::set<int> live(pinned_.begin(), pinned_.end());
        for (auto& [k, v] : scope_) live.insert(v.slot);
        Step p;
        p.op = OpKind::Project;
        p.loc = {LocKind::Any, -1};
        for (int s = 0; s < next_slot_; ++s) {
            if (live.count(s)) continue;
            p.outputs.push_back({s, std::make_unique<CExpr>(EK::Literal)});
        }
        if (!p.outputs.empty()) add(std::move(p));
    }

    // Attaches the data of entity columns while the rows are still at the shards.
    void attach_outputs(const std::map<std::string, Var>& outs) {
        for (auto& [k, v] : outs) {
            if (!entity_type(v.type) || attached_.count(v.slot)) continue;
            if (ordered_) {
                Step a = coord(OpKind::AttachDeep, true);
                a.slots = {v.slot};
                add(std::move(a));
                attached_.insert(v.slot);
                continue;
            }
            attach(v.slot);
        }
    }

    Var project_item(const Expr& e, const std::string& name) {
        if (e.kind == ExprKind::Variable) {
            const Var* v = lookup(e.name);
            if (!v) undefined(e.name);
            return *v;
        }
        Info info;
        auto ce = compile(e, info);
        int slot = project_new(std::move(ce), info, name);
        return Var{slot, VT::Value, info.may_entity};
    }

    void add_skip_limit(OpKind op, const Expr& e) {
        std::set<std::string> vars;
        collect_variables(e, vars);
        if (!vars.empty())
            throw_semantic("SyntaxError", "NonConstantExpression",
                           "It is not allowed to refer to variables in SKIP or LIMIT");
        Info info;
        auto saved = std::move(scope_);
        scope_.clear();
        auto ce = compile(e, info);
        scope_ = std::move(saved);
        Step s = coord(op);
        s.expr = std::move(ce);
        add(std::move(s));
    }

    // ------------------------------------------------------------ CREATE

    void plan_create(const Clause& c) {
        bool rels_only = true;
        for (const auto& part : c.pattern.parts)
            for (const auto& np : part.nodes)
                if (!np.variable || !lookup(*np.variable) || !np.labels.empty() || np.properties)
                    rels_only = false;
        note_write_clause(rels_only);
        for (const auto& part : c.pattern.parts) {
            std::vector<int> slots;
            // A node created next to another node created by the same path lands on that
            // node's shard, so the path and its relationships are written at one shard (one
            // hop instead of one per node). The first new node of a path still goes
            // round-robin, so rows spread; a node next to an existing one does too (a hub
            // would otherwise collect all its new neighbours).
            int prev_new = -1;
            for (const auto& np : part.nodes) {
                int fresh = -1;
                slots.push_back(create_node(np, prev_new, &fresh));
                node_slot_[&np] = slots.back();
                prev_new = fresh;
            }
            for (size_t i = 0; i < part.rels.size(); ++i) {
                const RelPattern& rp = part.rels[i];
                if (rp.types.size() != 1)
                    throw_semantic("SyntaxError", "NoSingleRelationshipType",
                                   "A single relationship type must be specified for CREATE");
                if (rp.range)
                    throw_semantic("SyntaxError", "CreatingVarLength",
                                   "Variable length relationships cannot be used in CREATE");
                if (rp.direction == Direction::Both)
                    throw_semantic("SyntaxError", "RequiresDirectedRelationship",
                                   "Only directed relationships are supported in CREATE");
                int start = slots[i], end = slots[i + 1];
                if (rp.direction == Direction::Incoming) std::swap(start, end);
                std::string rname = rp.variable ? *rp.variable : anon();
                if (rp.variable && lookup(rname))
                    throw_semantic("SyntaxError", "VariableAlreadyBound",
                                   "Variable `" + rname + "` already declared");
                Step s = new_rel_step(rp, start, end, -1);
                Var rv = declare(rname, VT::Rel);
                s.rel_slot = rv.slot;
                rel_slot_[&rp] = rv.slot;
                add(std::move(s));
            }
            if (part.path_variable) bind_path(part);
        }
    }

    // The slot of `np`'s node; a new node gets a CreateNode step, placed next to the node in
    // `near` when that is >= 0, and its slot is stored in `*fresh`.
    int create_node(const NodePattern& np, int near = -1, int* fresh = nullptr) {
        if (np.variable) {
            if (const Var* v = lookup(*np.variable)) {
                if (!np.labels.empty() || np.properties)
                    throw_semantic("SyntaxError", "VariableAlreadyBound",
                                   "Variable `" + *np.variable + "` already declared");
                if (v->type != VT::Node && v->type != VT::Value)
                    throw_semantic("SyntaxError", "VariableTypeConflict",
                                   "Variable `" + *np.variable + "` is not a node");
                return v->slot;
            }
        }
        // Properties are compiled before the variable exists: CREATE (n {v: n.x}) is an error.
        Step s = new_node_step(np, -1);
        if (near >= 0) s.loc = {LocKind::Shard, near};
        Var v = declare(np.variable ? *np.variable : anon(), VT::Node);
        s.slot = v.slot;
        add(std::move(s));
        if (fresh) *fresh = v.slot;
        return v.slot;
    }

    // The CreateRel step for a relationship pattern: it runs at the start node's shard.
    Step new_rel_step(const RelPattern& rp, int start, int end, int rel_slot) {
        Step s;
        s.op = OpKind::CreateRel;
        Info info;
        if (rp.properties) s.expr = compile(*rp.properties, info);
        s.loc = place(info, start);
        s.slot = start;
        s.to_slot = end;
        s.types = rp.types;
        s.rel_slot = rel_slot;
        return s;
    }

    // The CreateNode step for a node pattern. A new node lands on a shard picked
    // round-robin: everything its properties read must travel with the row.
    Step new_node_step(const NodePattern& np, int slot) {
        Step s;
        s.op = OpKind::CreateNode;
        Info info;
        if (np.properties) s.expr = compile(*np.properties, info);
        for (int d : info.data_slots) attach(d);
        Info deep_only;
        deep_only.deep_slots = info.deep_slots;
        place(deep_only);
        s.loc.kind = LocKind::NewNode;
        s.labels = np.labels;
        s.slot = slot;
        return s;
    }

    // ------------------------------------------------------------ SET / REMOVE / DELETE

    int entity_target(const Expr& e, const char* what) {
        if (e.kind != ExprKind::Variable) unsupported(std::string(what) + " on an expression");
        const Var* v = lookup(e.name);
        if (!v) undefined(e.name);
        if (!entity_type(v->type) && v->type != VT::Value)
            throw_type_error("InvalidArgumentType",
                             std::string(what) + " requires a node or relationship");
        return v->slot;
    }

    void plan_set(const Clause& c) {
        note_write_clause();
        for (const auto& it : c.set_items) plan_set_item(it);
    }

    void plan_set_item(const SetItem& it) {
        Step s;
        Info info;
        switch (it.kind) {
            case SetItem::Kind::Property: {
                s.op = OpKind::SetProperty;
                s.slot = entity_target(*it.target->children[0], "SET");
                s.key = it.target->name;
                break;
            }
            case SetItem::Kind::Replace:
            case SetItem::Kind::Merge:
                s.op = OpKind::SetProperties;
                s.slot = entity_target(*it.target, "SET");
                s.merge_props = it.kind == SetItem::Kind::Merge;
                note_data_read(*it.value, info);
                break;
            case SetItem::Kind::Labels:
                s.op = OpKind::SetLabels;
                s.slot = entity_target(*it.target, "SET");
                s.labels = it.labels;
                break;
        }
        if (it.value) s.expr = compile(*it.value, info);
        s.loc = place(info, s.slot);
        add(std::move(s));
    }

    void plan_remove(const Clause& c) {
        note_write_clause();
        for (const auto& it : c.remove_items) {
            Step s;
            if (it.kind == RemoveItem::Kind::Property) {
                s.op = OpKind::RemoveProperty;
                s.slot = entity_target(*it.target->children[0], "REMOVE");
                s.key = it.target->name;
            } else {
                s.op = OpKind::RemoveLabels;
                s.slot = entity_target(*it.target, "REMOVE");
                s.labels = it.labels;
            }
            s.loc = {LocKind::Shard, s.slot};
            add(std::move(s));
        }
    }

    void plan_delete(const Clause& c) {
        note_write_clause();
        std::vector<int> rels, nodes, computed;
        for (const auto& e : c.delete_exprs) {
            if (e->kind == ExprKind::Literal || e->kind == ExprKind::Parameter ||
                e->kind == ExprKind::Binary)
                throw_semantic("SyntaxError", "InvalidDelete",
                               "DELETE expects a node, relationship or path");
            if (e->kind == ExprKind::Variable) {
                const Var* v = lookup(e->name);
                if (!v) undefined(e->name);
                if (v->type == VT::Rel) {
                    rels.push_back(v->slot);
                    continue;
                }
                if (v->type == VT::Node) {
                    nodes.push_back(v->slot);
                    continue;
                }
            }
            // A path, a list, or a computed entity: its parts are deleted one by one.
            Info info;
            auto ce = compile(*e, info);
            computed.push_back(project_new(std::move(ce), info, " delete"));
        }
        for (int s : rels) {
            Step d;
            d.op = OpKind::DeleteRel;
            d.slot = s;
            d.loc = {LocKind::Shard, s};
            add(std::move(d));
        }
        for (int s : computed) delete_parts(s, false, c.detach);
        if ((!rels.empty() || !computed.empty()) && (!nodes.empty() || !computed.empty()))
            add(coord(OpKind::Eager, true));
        for (int s : nodes) {
            Step d;
            d.op = OpKind::DeleteNode;
            d.slot = s;
            d.detach = c.detach;
            d.loc = {LocKind::Shard, s};
            add(std::move(d));
        }
        for (int s : computed) delete_parts(s, true, c.detach);
        attached_.clear();
    }

    // Deletes the relationships (or nodes) inside the value in `slot`, as a per-row
    // subquery so the rows themselves go on unchanged.
    void delete_parts(int slot, bool nodes, bool detach) {
        hoist(
            [&] {
                auto parts = std::make_unique<CExpr>(EK::Entities);
                parts->quant = nodes ? 1 : 0;
                parts->children.push_back(slot_expr(slot));
                int each = new_slot(nodes ? " delete_node" : " delete_rel");
                Step u;
                u.op = OpKind::Unwind;
                u.loc = {LocKind::Any, -1};
                u.slot = each;
                u.expr = std::move(parts);
                add(std::move(u));
                Step d;
                d.op = nodes ? OpKind::DeleteNode : OpKind::DeleteRel;
                d.slot = each;
                d.detach = detach;
                d.loc = {LocKind::Shard, each};
                add(std::move(d));
            },
            nullptr, nullptr);
    }

    std::shared_ptr<Plan> plan_;
    const exec::Procedures* procedures_ = nullptr;
    std::map<std::string, Var> scope_;
    std::vector<std::pair<std::string, Var>> locals_;
    std::set<int> attached_;
    std::map<const NodePattern*, int> node_slot_;
    std::map<const RelPattern*, int> rel_slot_;
    std::function<CExprPtr(const Expr&, Info&)> agg_sink_;
    bool agg_blocked_ = false;
    bool ordered_ = false;     // rows sit at the coordinator in ORDER BY order
    std::vector<int> pinned_;  // tag slots of enclosing subqueries: never cleared
    // Expression text -> slot of a projected item with that text (ORDER BY and WITH ...
    // WHERE may repeat a projected expression instead of naming its alias).
    std::map<std::string, int> text_subst_;
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

}  // namespace

PlanPtr build_plan(const Statement& statement, const std::string& text,
                   const exec::Procedures* procedures, const storage::IndexRegistry* indexes) {
    Planner p(text, procedures, indexes);
    return p.run(statement);
}

}  // namespace lora::plan
