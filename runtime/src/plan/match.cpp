// MATCH: patterns planned as a scan and expansions, WHERE conjuncts as early as their variables
// are bound, paths, and relationship uniqueness within one MATCH.
#include "plan/planner_state.hpp"

namespace lora::plan {

namespace {

void split_and(const Expr* e, std::vector<const Expr*>& out) {
    if (!e) return;
    if (e->kind == ExprKind::Binary && e->op == Op::And) {
        for (const auto& c : e->children) split_and(c.get(), out);
        return;
    }
    out.push_back(e);
}

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

}  // namespace

void collect_variables(const Expr& e, std::set<std::string>& out) {
    if (e.kind == ExprKind::Variable) out.insert(e.name);
    if (e.pattern) collect_pattern_variables(*e.pattern, out);
    if (e.subquery) {
        for (const auto& part : e.subquery->parts)
            for (const auto& c : part.clauses) {
                for (const auto& pp : c.pattern.parts) collect_pattern_variables(pp, out);
                if (c.where) collect_variables(*c.where, out);
                if (c.expr) collect_variables(*c.expr, out);
                for (const auto& it : c.body.items)
                    if (it.expr) collect_variables(*it.expr, out);
                for (const auto& o : c.body.order_by)
                    if (o.expr) collect_variables(*o.expr, out);
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

// Filters for the labels and inline properties of a node pattern bound to `v`.
void Planner::node_constraints(const NodePattern& np, const Var& v, size_t skip_labels) {
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

void Planner::property_constraints(const Expr* props, const Var& v) {
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

const Var& Planner::bind_node(const NodePattern& np, bool& fresh) {
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

// Binds a node of a pattern: a scan (by its first label) when its variable is new, then the
// filters of its labels and properties. Returns its slot.
int Planner::scan_node(const NodePattern& np) {
    bool fresh = false;
    Var v = bind_node(np, fresh);
    if (fresh) {
        ScanNodes s{v.slot, std::nullopt};
        if (!np.labels.empty()) s.label = np.labels[0];
        add(step({LocKind::AllShards, -1}, std::move(s)));
        node_constraints(np, v, np.labels.empty() ? 0 : 1);
    } else {
        node_constraints(np, v, 0);
    }
    return v.slot;
}

void Planner::plan_match(const Clause& c) {
    note_read_clause();
    size_t optional_begin = 0;
    std::set<std::string> before;
    for (auto& [k, v] : scope_) before.insert(k);
    auto attached_before = attached_;
    if (c.optional) {
        Step b = coord(OptionalBegin{new_slot(" optional_tag")});
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
    match_where_ = &pending;
    // Shortest path parts go last: the other parts may bind their endpoints.
    for (bool shortest : {false, true})
        for (const auto& part : c.pattern.parts) {
            if ((part.shortest != PatternPart::Shortest::None) != shortest) continue;
            plan_part(part, clause_rels, true, [&] { flush_ready(pending, false); });
            flush_ready(pending, false);
        }
    match_where_ = nullptr;
    list_uniqueness(clause_rels);
    flush_ready(pending, true);
    if (c.optional) {
        OptionalEnd e{static_cast<int>(optional_begin), {}};
        for (auto& [k, v] : scope_)
            if (!before.count(k)) e.nulls.push_back(v.slot);
        add(coord(std::move(e), true));
        // Null-extended rows are the remembered inputs: only what was attached before
        // the OPTIONAL MATCH is attached in every row.
        attached_ = std::move(attached_before);
    }
}

// No relationship may appear twice in one MATCH: variable-length lists must not repeat a
// single relationship of the pattern (new or bound) nor share one with another list.
void Planner::list_uniqueness(const RelScope& rels) {
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

void Planner::plan_part(const PatternPart& part, RelScope& clause_rels, bool with_path,
                        const std::function<void()>& after_bind) {
    if (part.shortest != PatternPart::Shortest::None) {
        plan_shortest(part, with_path, after_bind);
        return;
    }
    size_t n = part.nodes.size();
    size_t start = n;
    for (size_t i = 0; i < n && start == n; ++i)
        if (part.nodes[i].variable && lookup(*part.nodes[i].variable)) start = i;
    for (size_t i = 0; i < n && start == n; ++i)
        if (!part.nodes[i].labels.empty()) start = i;
    if (start == n) start = 0;

    scan_node(part.nodes[start]);
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

void Planner::bind_path(const PatternPart& part) {
    auto b = std::make_unique<CExpr>(EK::PathBuild);
    for (size_t i = 0; i < part.nodes.size(); ++i) {
        if (i) b->children.push_back(slot_expr(rel_slot_.at(&part.rels[i - 1])));
        b->children.push_back(slot_expr(node_slot_.at(&part.nodes[i])));
    }
    if (lookup(*part.path_variable))
        throw_semantic("SyntaxError", "VariableAlreadyBound",
                       "Variable `" + *part.path_variable + "` already declared");
    Var pv = declare(*part.path_variable, VT::Path);
    Project p;
    p.outputs.push_back({pv.slot, std::move(b)});
    add(step({LocKind::Any, -1}, std::move(p)));
}

void Planner::expand(const NodePattern& from_np, const RelPattern& rp, const NodePattern& to_np,
                     bool reversed, RelScope& clause_rels) {
    // Fields an Expand and a VarExpand share are gathered here; VarExpand's own ones in `var`.
    Expand s;
    VarExpand var;
    if (rp.range) {
        var.min_hops = rp.range->min.value_or(1);
        var.max_hops = rp.range->max.value_or(-1);
        var.frontier = new_slot(" frontier");
        var.reversed = reversed;
    }
    // The from node was bound just before (by scan or an earlier expand).
    s.from = node_slot_.at(&from_np);
    Location loc = {LocKind::Shard, s.from};
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
    s.rel = rv.slot;
    if (rp.range) loc = {LocKind::Shard, var.frontier};
    bool fresh = false;
    Var tv = bind_node(to_np, fresh);
    s.to = tv.slot;
    s.to_bound = !fresh;
    bool rel_bound = s.rel_bound;
    if (rp.range) {
        var.from = s.from;
        var.rel = s.rel;
        var.to = s.to;
        var.dir = s.dir;
        var.to_bound = s.to_bound;
        var.types = std::move(s.types);
        add(step(loc, std::move(var)));
    } else {
        add(step(loc, std::move(s)));
    }
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

}  // namespace lora::plan
