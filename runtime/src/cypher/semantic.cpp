// Semantic analysis: walks clauses in order keeping the variables in scope with a coarse
// static type, and raises the openCypher compile-time errors the TCK names.
#include <lora/cypher/semantic.hpp>

#include <lora/functions/functions.hpp>

#include <lora/error.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace lora::cypher {

namespace {

// Coarse static types: Any when unknown (parameters, properties, most function results).
enum class T : uint8_t { Any, Null, Bool, Int, Float, String, List, Map, Node, Rel, Path };

struct Type {
    T t = T::Any;
    T elem = T::Any;  // for List
};

const char* type_name(T t) {
    switch (t) {
        case T::Any: return "Any";
        case T::Null: return "Null";
        case T::Bool: return "Boolean";
        case T::Int: return "Integer";
        case T::Float: return "Float";
        case T::String: return "String";
        case T::List: return "List";
        case T::Map: return "Map";
        case T::Node: return "Node";
        case T::Rel: return "Relationship";
        case T::Path: return "Path";
    }
    return "Any";
}

using Scope = std::map<std::string, Type, std::less<>>;

[[noreturn]] void fail(const char* detail, const std::string& message) {
    throw_semantic("SyntaxError", detail, message);
}

std::string where_at(const Pos& p) {
    return " (line " + std::to_string(p.line) + ", column " + std::to_string(p.column) + ")";
}

bool is_one_of(T t, std::initializer_list<T> ts) {
    return std::find(ts.begin(), ts.end(), t) != ts.end();
}

bool is_aggregate(const Expr& e) {
    if (e.kind == ExprKind::CountStar) return true;
    if (e.kind != ExprKind::FunctionCall) return false;
    const auto* f = fn::find_function(e.name);
    return f && f->aggregate;
}

// True when `e` holds an aggregate outside nested comprehensions' own scopes.
bool contains_aggregate(const Expr* e) {
    if (!e) return false;
    if (is_aggregate(*e)) return true;
    for (const auto& c : e->children)
        if (contains_aggregate(c.get())) return true;
    for (const auto& p : e->projection)
        if (contains_aggregate(p.value.get())) return true;
    return false;
}

struct ExprCtx {
    bool aggregates_allowed = false;
    const char* aggregate_error = "InvalidAggregation";
    bool in_aggregate = false;
};

class Analyzer {
public:
    void statement(const Statement& st) { query(st.query, Scope{}, false); }

private:
    // ------------------------------------------------------------ queries

    // Returns the column names of the query (for UNION checks).
    std::vector<std::string> query(const Query& q, const Scope& outer, bool subquery) {
        for (size_t k = 1; k < q.union_all.size(); ++k)
            if (q.union_all[k] != q.union_all[0])
                fail("InvalidClauseComposition", "Invalid combination of UNION and UNION ALL");
        std::vector<std::string> first;
        for (size_t k = 0; k < q.parts.size(); ++k) {
            auto cols = single_query(q.parts[k], outer, subquery);
            if (k == 0)
                first = cols;
            else if (cols != first)
                fail("DifferentColumnsInUnion",
                     "All sub queries in an UNION must have the same return column names");
        }
        return first;
    }

    std::vector<std::string> single_query(const SingleQuery& sq, const Scope& outer,
                                          bool subquery) {
        Scope scope = outer;
        std::vector<std::string> columns;
        const auto& cs = sq.clauses;
        for (size_t k = 0; k < cs.size(); ++k) {
            const Clause& c = cs[k];
            bool last = k + 1 == cs.size();
            if (c.kind == ClauseKind::Return && !last)
                fail("InvalidClauseComposition",
                     "RETURN can only be used at the end of the query" + where_at(c.pos));
            if (subquery && is_update(c.kind))
                fail("InvalidClauseComposition",
                     "A subquery expression (EXISTS, COUNT, COLLECT) cannot contain an updating "
                     "clause" +
                         where_at(c.pos));
            clause(c, scope, columns, cs.size() == 1);
        }
        const Clause& last = cs.back();
        if (!subquery && !is_update(last.kind) && last.kind != ClauseKind::Return &&
            last.kind != ClauseKind::Call && !is_schema(last.kind) && !is_unit_subquery(last))
            fail("InvalidClauseComposition",
                 "Query cannot conclude with " + clause_name(last.kind) +
                     " (must be RETURN or an update clause)" + where_at(last.pos));
        return columns;
    }

    static bool is_schema(ClauseKind k) {
        return k == ClauseKind::CreateIndex || k == ClauseKind::DropIndex ||
               k == ClauseKind::CreateConstraint || k == ClauseKind::DropConstraint;
    }

    // CALL { ... } without RETURN: it may end a query (it writes, or does nothing).
    static bool is_unit_subquery(const Clause& c) {
        return c.kind == ClauseKind::Subquery &&
               c.subquery->parts.back().clauses.back().kind != ClauseKind::Return;
    }

    static bool is_update(ClauseKind k) {
        return k == ClauseKind::Create || k == ClauseKind::Merge || k == ClauseKind::Set ||
               k == ClauseKind::Remove || k == ClauseKind::Delete || k == ClauseKind::Foreach;
    }

    static std::string clause_name(ClauseKind k) {
        switch (k) {
            case ClauseKind::Match: return "MATCH";
            case ClauseKind::Unwind: return "UNWIND";
            case ClauseKind::With: return "WITH";
            case ClauseKind::Return: return "RETURN";
            case ClauseKind::Create: return "CREATE";
            case ClauseKind::Merge: return "MERGE";
            case ClauseKind::Set: return "SET";
            case ClauseKind::Remove: return "REMOVE";
            case ClauseKind::Delete: return "DELETE";
            case ClauseKind::Call: return "CALL";
            case ClauseKind::Foreach: return "FOREACH";
            case ClauseKind::Subquery: return "CALL { }";
            case ClauseKind::CreateIndex: return "CREATE INDEX";
            case ClauseKind::DropIndex: return "DROP INDEX";
            case ClauseKind::CreateConstraint: return "CREATE CONSTRAINT";
            case ClauseKind::DropConstraint: return "DROP CONSTRAINT";
            case ClauseKind::LoadCsv: return "LOAD CSV";
        }
        return "?";
    }

    // ------------------------------------------------------------ clauses

    void clause(const Clause& c, Scope& scope, std::vector<std::string>& columns, bool standalone) {
        ExprCtx no_agg;
        switch (c.kind) {
            case ClauseKind::Match: {
                bind_pattern(c.pattern, scope, PatternUse::Match);
                if (c.where) predicate(*c.where, scope, no_agg);
                break;
            }
            case ClauseKind::Unwind: {
                Type lt = expr(*c.expr, scope, no_agg);
                if (scope.count(c.variable))
                    fail("VariableAlreadyBound",
                         "Variable `" + c.variable + "` already declared" + where_at(c.pos));
                scope[c.variable] = Type{lt.t == T::List ? lt.elem : T::Any};
                break;
            }
            case ClauseKind::With:
            case ClauseKind::Return: projection(c, scope, columns); break;
            case ClauseKind::Create: bind_pattern(c.pattern, scope, PatternUse::Create); break;
            case ClauseKind::Merge:
                bind_pattern(c.pattern, scope, PatternUse::Merge);
                for (const auto& s : c.on_create) set_item(s, scope);
                for (const auto& s : c.on_match) set_item(s, scope);
                break;
            case ClauseKind::Set:
                for (const auto& s : c.set_items) set_item(s, scope);
                break;
            case ClauseKind::Remove:
                for (const auto& r : c.remove_items) expr(*r.target, scope, no_agg);
                break;
            case ClauseKind::Delete:
                for (const auto& d : c.delete_exprs) {
                    if (d->kind == ExprKind::HasLabels)
                        fail("InvalidDelete",
                             "DELETE takes nodes, relationships or paths, not label "
                             "expressions; use REMOVE to remove labels" +
                                 where_at(d->pos));
                    Type t = expr(*d, scope, no_agg);
                    if (is_one_of(t.t, {T::Bool, T::Int, T::Float, T::String, T::Map}))
                        fail("InvalidArgumentType",
                             std::string("DELETE expected a node, relationship or path but got ") +
                                 type_name(t.t) + where_at(d->pos));
                }
                break;
            case ClauseKind::Call: call(c, scope, standalone); break;
            case ClauseKind::Foreach: foreach_clause(c, scope); break;
            case ClauseKind::Subquery: call_subquery(c, scope); break;
            case ClauseKind::CreateIndex:
            case ClauseKind::CreateConstraint:
                if (c.index_options) expr(*c.index_options, scope, no_agg);
                break;
            case ClauseKind::DropIndex:
            case ClauseKind::DropConstraint: break;
            case ClauseKind::LoadCsv: load_csv(c, scope); break;
        }
    }

    // LOAD CSV: the row is a list of strings, or a map with headers.
    void load_csv(const Clause& c, Scope& scope) {
        ExprCtx no_agg;
        expr(*c.expr, scope, no_agg);
        if (scope.count(c.variable))
            fail("VariableAlreadyBound",
                 "Variable `" + c.variable + "` already declared" + where_at(c.pos));
        scope[c.variable] = Type{c.csv_headers ? T::Map : T::List};
    }

    void call(const Clause& c, Scope& scope, bool standalone) {
        ExprCtx no_agg;
        if (c.args)
            for (const auto& a : *c.args) expr(*a, scope, no_agg);
        std::set<std::string> seen;
        for (const auto& y : c.yields) {
            const std::string& name = y.alias ? *y.alias : y.field;
            if (scope.count(name) || !seen.insert(name).second)
                fail("VariableAlreadyBound",
                     "Variable `" + name + "` already declared" + where_at(c.pos));
        }
        for (const auto& y : c.yields) scope[y.alias ? *y.alias : y.field] = Type{};
        if (c.where) predicate(*c.where, scope, no_agg);
    }

    // FOREACH (x IN list | updates): x and whatever the updates bind live only inside.
    void foreach_clause(const Clause& c, Scope& scope) {
        ExprCtx no_agg;
        Type lt = expr(*c.expr, scope, no_agg);
        if (scope.count(c.variable))
            fail("VariableAlreadyBound",
                 "Variable `" + c.variable + "` already declared" + where_at(c.pos));
        Scope inner = scope;
        inner[c.variable] = Type{lt.t == T::List ? lt.elem : T::Any};
        std::vector<std::string> no_columns;
        for (const auto& b : c.body_clauses) {
            if (!is_update(b.kind))
                fail("InvalidClauseComposition",
                     "FOREACH can only contain updating clauses (CREATE, MERGE, SET, REMOVE, "
                     "DELETE, FOREACH), not " +
                         clause_name(b.kind) + where_at(b.pos));
            clause(b, inner, no_columns, false);
        }
    }

    // CALL { ... }: the query sees the variables it imports (all for CALL (*), those named
    // for CALL (x, y), those of an importing WITH it begins with, else none); what it
    // returns joins the scope and may not rebind a variable.
    void call_subquery(const Clause& c, Scope& scope) {
        Scope inner;
        if (c.scope_all || (!c.scope && begins_with_importing_with(*c.subquery))) {
            inner = scope;
        } else if (c.scope) {
            for (const auto& name : *c.scope) {
                auto it = scope.find(name);
                if (it == scope.end())
                    fail("UndefinedVariable",
                         "Variable `" + name + "` not defined" + where_at(c.pos));
                inner[name] = it->second;
            }
        }
        auto columns = query(*c.subquery, inner, false);
        if (c.in_transactions) {
            if (c.in_transactions->batch_size) {
                Scope none;
                ExprCtx no_agg;
                expr(*c.in_transactions->batch_size, none, no_agg);
            }
            if (const auto& s = c.in_transactions->status) {
                if (c.in_transactions->on_error == InTransactions::OnError::Fail)
                    fail("InvalidClauseComposition",
                         "REPORT STATUS can only be used with ON ERROR CONTINUE or ON ERROR "
                         "BREAK" +
                             where_at(c.pos));
                if (scope.count(*s))
                    fail("VariableAlreadyBound",
                         "Variable `" + *s + "` already declared" + where_at(c.pos));
                scope[*s] = Type{T::Map};
            }
        }
        if (c.subquery->parts.back().clauses.back().kind != ClauseKind::Return) return;
        for (const auto& item : c.subquery->parts.back().clauses.back().body.items)
            if (!item.alias && item.expr->kind != ExprKind::Variable)
                fail("NoExpressionAlias",
                     "Expression in a CALL { } subquery's RETURN must be aliased (use AS)" +
                         where_at(item.expr->pos));
        for (const auto& name : columns) {
            if (scope.count(name))
                fail("VariableAlreadyBound",
                     "Variable `" + name + "` already declared in outer scope" + where_at(c.pos));
            scope[name] = Type{};
        }
    }

    // WITH a, b (or WITH *) first in each part: the subquery imports those variables.
    static bool begins_with_importing_with(const Query& q) {
        for (const auto& part : q.parts) {
            const Clause& first = part.clauses.front();
            if (first.kind != ClauseKind::With || first.where || first.body.distinct ||
                !first.body.order_by.empty() || first.body.skip || first.body.limit)
                return false;
            for (const auto& it : first.body.items)
                if (it.expr->kind != ExprKind::Variable || (it.alias && *it.alias != it.expr->name))
                    return false;
        }
        return true;
    }

    void set_item(const SetItem& s, Scope& scope) {
        ExprCtx no_agg;
        expr(*s.target, scope, no_agg);
        if (s.value) expr(*s.value, scope, no_agg);
    }

    // ------------------------------------------------------------ projections

    struct Column {
        std::string name;
        const ProjectionItem* item;
    };

    void projection(const Clause& c, Scope& scope, std::vector<std::string>& columns) {
        const ProjectionBody& b = c.body;
        bool is_with = c.kind == ClauseKind::With;
        if (!is_with && b.star && scope.empty() && b.items.empty())
            fail("NoVariablesInScope",
                 std::string(is_with ? "WITH" : "RETURN") +
                     " * is not allowed when there are no variables in scope" + where_at(c.pos));

        ExprCtx proj;
        proj.aggregates_allowed = true;
        bool aggregating = false;
        for (const auto& item : b.items) {
            expr(*item.expr, scope, proj);
            if (contains_aggregate(item.expr.get())) aggregating = true;
        }
        if (aggregating) check_ambiguous_aggregation(b.items);

        Scope next;
        if (b.star) next = scope;
        std::set<std::string> names;
        if (b.star)
            for (const auto& [n, t] : scope) names.insert(n);
        std::vector<std::string> cols;
        if (b.star)
            for (const auto& [n, t] : scope) cols.push_back(n);
        for (const auto& item : b.items) {
            std::string name;
            if (item.alias)
                name = *item.alias;
            else if (item.expr->kind == ExprKind::Variable)
                name = item.expr->name;
            else
                name = item.text;
            if (!cols.empty() && std::find(cols.begin(), cols.end(), name) != cols.end() &&
                !(b.star && !item.alias && item.expr->kind == ExprKind::Variable))
                fail("ColumnNameConflict", "Multiple result columns with the same name `" + name +
                                               "`" + where_at(item.expr->pos));
            cols.push_back(name);
            Type t = item.expr->kind == ExprKind::Variable && scope.count(item.expr->name)
                         ? scope.at(item.expr->name)
                         : static_type(*item.expr, scope);
            next[name] = t;
        }

        // ORDER BY sees the projected names; without DISTINCT or aggregation it also sees
        // the variables from before the projection.
        bool restricted = b.distinct || aggregating;
        Scope order_scope = next;
        if (!restricted)
            for (const auto& [n, t] : scope) order_scope.emplace(n, t);
        for (const auto& s : b.order_by) {
            check_sort_scope(*s.expr, order_scope, b.items, restricted);
            if (contains_aggregate(s.expr.get()) && !matches_item(s.expr->text, b.items)) {
                if (!aggregating)
                    fail("InvalidAggregation",
                         "Aggregation in ORDER BY is only allowed when the projection "
                         "aggregates" +
                             where_at(s.expr->pos));
                std::set<std::string> key_texts, key_vars(cols.begin(), cols.end());
                for (const auto& it : b.items)
                    if (!contains_aggregate(it.expr.get()) &&
                        (it.expr->kind == ExprKind::Property ||
                         it.expr->kind == ExprKind::Variable))
                        key_texts.insert(it.expr->text);
                ambiguity_walk(*s.expr, key_texts, key_vars, {});
            }
            ExprCtx sort_ctx;
            sort_ctx.aggregates_allowed = aggregating;
            Scope tmp = order_scope;
            expr(*s.expr, tmp, sort_ctx, &b.items);
        }
        if (b.skip) skip_limit(*b.skip, "SKIP");
        if (b.limit) skip_limit(*b.limit, "LIMIT");

        if (is_with) {
            for (const auto& item : b.items)
                if (!item.alias && item.expr->kind != ExprKind::Variable)
                    fail("NoExpressionAlias",
                         "Expression in WITH must be aliased (use AS)" + where_at(item.expr->pos));
            if (c.where) {
                Scope where_scope = order_scope;
                predicate(*c.where, where_scope, ExprCtx{}, &b.items);
            }
        }
        scope = std::move(next);
        columns = std::move(cols);
    }

    static bool matches_item(std::string_view text, const std::vector<ProjectionItem>& items) {
        for (const auto& it : items)
            if (it.expr->text == text) return true;
        return false;
    }

    // Variables in a sort key must be visible; a sub-expression equal to a projected
    // expression counts as that column.
    void check_sort_scope(const Expr& e, const Scope& scope,
                          const std::vector<ProjectionItem>& items, bool restricted) {
        if (restricted && matches_item(e.text, items)) return;
        if (e.kind == ExprKind::Variable) {
            if (!scope.count(e.name))
                fail("UndefinedVariable",
                     "Variable `" + e.name + "` not defined" + where_at(e.pos));
            return;
        }
        // Comprehensions bind their own variables; their bodies are checked later.
        if (e.kind == ExprKind::ListComprehension || e.kind == ExprKind::Quantifier ||
            e.kind == ExprKind::Reduce || e.kind == ExprKind::PatternComprehension ||
            e.kind == ExprKind::Subquery || e.kind == ExprKind::PatternPredicate)
            return;
        // The leading operands of a chain may be a projected expression (a + b in a + b - c).
        size_t from = 0;
        if (restricted && e.kind == ExprKind::Binary)
            for (size_t k = e.children.size() - 2; k >= 1 && from == 0; --k)
                if (matches_item(chain_prefix_text(e, k), items)) from = k + 1;
        for (size_t i = from; i < e.children.size(); ++i)
            if (e.children[i]) check_sort_scope(*e.children[i], scope, items, restricted);
        for (const auto& p : e.projection)
            if (p.value) check_sort_scope(*p.value, scope, items, restricted);
    }

    // In an aggregating projection, values outside the aggregates must be grouping keys.
    void check_ambiguous_aggregation(const std::vector<ProjectionItem>& items) {
        std::set<std::string> key_texts;
        std::set<std::string> key_vars;
        for (const auto& it : items) {
            if (contains_aggregate(it.expr.get())) continue;
            key_texts.insert(it.expr->text);
            if (it.expr->kind == ExprKind::Variable) key_vars.insert(it.expr->name);
        }
        for (const auto& it : items)
            if (contains_aggregate(it.expr.get()))
                ambiguity_walk(*it.expr, key_texts, key_vars, {});
    }

    void ambiguity_walk(const Expr& e, const std::set<std::string>& key_texts,
                        const std::set<std::string>& key_vars, std::set<std::string> locals) {
        if (is_aggregate(e)) return;
        if (e.kind == ExprKind::Variable) {
            if (!locals.count(e.name) && !key_vars.count(e.name))
                fail("AmbiguousAggregationExpression",
                     "Expression `" + e.text +
                         "` mixes aggregation with a non-grouping "
                         "variable `" +
                         e.name + "`" + where_at(e.pos));
            return;
        }
        if (e.kind == ExprKind::Property) {
            const Expr* root = &e;
            while (root->kind == ExprKind::Property) root = root->children[0].get();
            if (root->kind == ExprKind::Variable &&
                (key_texts.count(e.text) || key_vars.count(root->name) || locals.count(root->name)))
                return;
        }
        if (!e.variable.empty()) locals.insert(e.variable);
        if (e.kind == ExprKind::Reduce && !e.keys.empty()) locals.insert(e.keys[0]);
        if (e.kind == ExprKind::PatternComprehension || e.kind == ExprKind::Subquery ||
            e.kind == ExprKind::PatternPredicate)
            return;
        for (const auto& c : e.children)
            if (c) ambiguity_walk(*c, key_texts, key_vars, locals);
        for (const auto& p : e.projection)
            if (p.value) ambiguity_walk(*p.value, key_texts, key_vars, locals);
    }

    static bool has_free_variable(const Expr& e) {
        if (e.kind == ExprKind::Variable) return true;
        if (e.kind == ExprKind::ListComprehension || e.kind == ExprKind::Quantifier ||
            e.kind == ExprKind::Reduce)
            return e.children[0] && has_free_variable(*e.children[0]);
        for (const auto& c : e.children)
            if (c && has_free_variable(*c)) return true;
        return e.kind == ExprKind::PatternPredicate || e.kind == ExprKind::PatternComprehension;
    }

    void skip_limit(const Expr& e, const char* what) {
        if (has_free_variable(e))
            fail("NonConstantExpression", std::string(what) +
                                              " must be a constant expression, not `" + e.text +
                                              "`" + where_at(e.pos));
        Scope empty;
        expr(e, empty, ExprCtx{});
        if (e.kind == ExprKind::Literal) {
            if (e.value.is_int() && e.value.as_int() < 0)
                fail("NegativeIntegerArgument", std::string(what) +
                                                    " must be a non-negative integer, got " +
                                                    e.text + where_at(e.pos));
            if (!e.value.is_int() && !e.value.is_null())
                fail("InvalidArgumentType",
                     std::string(what) + " must be an integer, got " + e.text + where_at(e.pos));
        }
    }

    // ------------------------------------------------------------ patterns

    enum class PatternUse { Match, Create, Merge, Expression, Comprehension };

    void properties(const ExprPtr& props, Scope& scope, PatternUse use) {
        if (!props) return;
        if (props->kind == ExprKind::Parameter &&
            (use == PatternUse::Match || use == PatternUse::Merge))
            fail("InvalidParameterUse",
                 "Parameter maps cannot be used in MATCH or MERGE patterns; use a literal map "
                 "such as {key: $param.key}" +
                     where_at(props->pos));
        expr(*props, scope, ExprCtx{});
    }

    void bind_pattern(const Pattern& p, Scope& scope, PatternUse use) {
        std::set<std::string> rels_here;
        for (const auto& part : p.parts) bind_part(part, scope, use, rels_here);
    }

    void bind_part(const PatternPart& part, Scope& scope, PatternUse use,
                   std::set<std::string>& rels_here) {
        bool creating = use == PatternUse::Create || use == PatternUse::Merge;
        bool must_be_bound = use == PatternUse::Expression;
        for (const auto& n : part.nodes) {
            properties(n.properties, scope, use);
            if (!n.variable) continue;
            const std::string& v = *n.variable;
            auto it = scope.find(v);
            if (it == scope.end()) {
                if (must_be_bound)
                    fail("UndefinedVariable", "Variable `" + v + "` not defined" + where_at(n.pos));
                scope[v] = Type{T::Node};
                continue;
            }
            if (!is_one_of(it->second.t, {T::Node, T::Any, T::Null}))
                fail("VariableTypeConflict",
                     "Type mismatch: `" + v + "` defined with conflicting type " +
                         type_name(it->second.t) + " (expected Node)" + where_at(n.pos));
            if (creating && (!n.labels.empty() || n.properties ||
                             (part.rels.empty() && part.nodes.size() == 1)))
                fail("VariableAlreadyBound", "Can't create node `" + v +
                                                 "` with labels or properties here. The "
                                                 "variable is already declared in this context" +
                                                 where_at(n.pos));
            it->second = Type{T::Node};
        }
        for (const auto& r : part.rels) {
            properties(r.properties, scope, use);
            if (creating && r.variable && scope.count(*r.variable))
                fail("VariableAlreadyBound", "Can't create relationship `" + *r.variable +
                                                 "`: the variable is already declared" +
                                                 where_at(r.pos));
            if (creating) {
                if (r.types.size() != 1)
                    fail("NoSingleRelationshipType",
                         "A single relationship type must be specified for " +
                             std::string(use == PatternUse::Create ? "CREATE" : "MERGE") +
                             where_at(r.pos));
                if (r.range)
                    fail("CreatingVarLength",
                         "Variable length relationships cannot be used in " +
                             std::string(use == PatternUse::Create ? "CREATE" : "MERGE") +
                             where_at(r.pos));
                if (use == PatternUse::Create && r.direction == Direction::Both)
                    fail("RequiresDirectedRelationship",
                         "Only directed relationships are supported in CREATE" + where_at(r.pos));
            }
            if (!r.variable) continue;
            const std::string& v = *r.variable;
            Type want = r.range ? Type{T::List, T::Rel} : Type{T::Rel};
            auto it = scope.find(v);
            if (it == scope.end()) {
                if (must_be_bound)
                    fail("UndefinedVariable", "Variable `" + v + "` not defined" + where_at(r.pos));
                scope[v] = want;
                rels_here.insert(v);
                continue;
            }
            if (creating)
                fail("VariableAlreadyBound", "Can't create relationship `" + v +
                                                 "`: the variable is already declared" +
                                                 where_at(r.pos));
            T have = it->second.t;
            bool ok = have == T::Any || have == T::Null || (have == T::Rel && !r.range) ||
                      (have == T::List && r.range &&
                       (it->second.elem == T::Rel || it->second.elem == T::Any));
            if (!ok)
                fail("VariableTypeConflict",
                     "Type mismatch: `" + v + "` defined with conflicting type " + type_name(have) +
                         " (expected Relationship)" + where_at(r.pos));
            if (use == PatternUse::Match && !rels_here.insert(v).second)
                fail("RelationshipUniquenessViolation",
                     "Cannot use the same relationship variable `" + v +
                         "` for multiple relationships" + where_at(r.pos));
        }
        if (part.path_variable) {
            const std::string& v = *part.path_variable;
            if (scope.count(v))
                fail("VariableAlreadyBound",
                     "Variable `" + v + "` already declared" + where_at(part.pos));
            scope[v] = Type{T::Path};
        }
    }

    // ------------------------------------------------------------ expressions

    void predicate(const Expr& e, Scope& scope, ExprCtx ctx,
                   const std::vector<ProjectionItem>* items = nullptr) {
        Type t = expr(e, scope, ctx, items);
        require_boolean(t, e);
    }

    // The scope inside a comprehension, quantifier or reduce: `variable` holds the elements.
    static Scope iteration_scope(const Scope& scope, const std::string& variable,
                                 const Type& list) {
        Scope inner = scope;
        inner[variable] = Type{list.t == T::List ? list.elem : T::Any};
        return inner;
    }

    // An optional WHERE of an iteration must be boolean.
    void optional_predicate(const ExprPtr& where, Scope& inner, const ExprCtx& body) {
        if (!where) return;
        Type w = expr(*where, inner, body);
        require_boolean(w, *where);
    }

    static void require_boolean(const Type& t, const Expr& e) {
        if (!is_one_of(t.t, {T::Any, T::Null, T::Bool}))
            fail("InvalidArgumentType", std::string("Type mismatch: expected Boolean but was ") +
                                            type_name(t.t) + " in `" + e.text + "`" +
                                            where_at(e.pos));
    }

    static void require(const Type& t, const Expr& e, std::initializer_list<T> forbidden,
                        const char* expected) {
        if (is_one_of(t.t, forbidden))
            fail("InvalidArgumentType", std::string("Type mismatch: expected ") + expected +
                                            " but was " + type_name(t.t) + " in `" + e.text + "`" +
                                            where_at(e.pos));
    }

    // The type of an expression without checking it (used for projected columns).
    Type static_type(const Expr& e, const Scope& scope) {
        Scope copy = scope;
        ExprCtx ctx;
        ctx.aggregates_allowed = true;
        return expr(e, copy, ctx);
    }

    static Type list_of(const std::vector<Type>& elems) {
        T common = T::Any;
        for (size_t k = 0; k < elems.size(); ++k) {
            if (k == 0)
                common = elems[k].t;
            else if (elems[k].t != common)
                common = T::Any;
        }
        if (common == T::Null) common = T::Any;
        return Type{T::List, common};
    }

    Type expr(const Expr& e, Scope& scope, ExprCtx ctx,
              const std::vector<ProjectionItem>* items = nullptr) {
        // Inside ORDER BY / WITH ... WHERE, an expression equal to a projected one is
        // that column, even if its variables are no longer in scope.
        if (items && matches_item(e.text, *items)) return {};
        auto sub = [&](const ExprPtr& c) -> Type {
            return c ? expr(*c, scope, ctx, items) : Type{T::Null};
        };
        switch (e.kind) {
            case ExprKind::Literal:
                switch (e.value.kind()) {
                    case ValueKind::Null: return {T::Null};
                    case ValueKind::Bool: return {T::Bool};
                    case ValueKind::Int: return {T::Int};
                    case ValueKind::Float: return {T::Float};
                    case ValueKind::String: return {T::String};
                    default: return {};
                }
            case ExprKind::Parameter: return {};
            case ExprKind::Variable: {
                auto it = scope.find(e.name);
                if (it == scope.end())
                    fail("UndefinedVariable",
                         "Variable `" + e.name + "` not defined" + where_at(e.pos));
                return it->second;
            }
            case ExprKind::Property: {
                Type t = sub(e.children[0]);
                // Property access on a statically known non-map: a path variable is a
                // SyntaxError in the TCK, a value of another type a TypeError.
                if (is_one_of(t.t, {T::Bool, T::Int, T::Float, T::String, T::List, T::Path}))
                    throw_semantic(t.t == T::Path ? "SyntaxError" : "TypeError",
                                   "InvalidArgumentType",
                                   std::string("Type mismatch: expected Map, Node or "
                                               "Relationship but was ") +
                                       type_name(t.t) + " in `" + e.text + "`" + where_at(e.pos));
                return {};
            }
            case ExprKind::DynamicSubscript:
                sub(e.children[0]);
                sub(e.children[1]);
                return {};
            case ExprKind::Slice:
                sub(e.children[0]);
                sub(e.children[1]);
                sub(e.children[2]);
                return {T::List};
            case ExprKind::ListLiteral: {
                std::vector<Type> elems;
                for (const auto& c : e.children) elems.push_back(sub(c));
                return list_of(elems);
            }
            case ExprKind::MapLiteral:
                for (const auto& c : e.children) sub(c);
                return {T::Map};
            case ExprKind::Unary: {
                Type t = sub(e.children[0]);
                if (e.op == Op::Not) {
                    require_boolean(t, *e.children[0]);
                    return {T::Bool};
                }
                require(t, *e.children[0],
                        {T::Bool, T::String, T::List, T::Map, T::Node, T::Rel, T::Path},
                        "a number");
                return t.t == T::Int || t.t == T::Float ? t : Type{};
            }
            case ExprKind::Binary: {
                // A chain, folded from the left: a + b - c is (a + b) - c. Its leading
                // operands may be a projected expression (a + b).
                size_t first = 0;
                if (items)
                    for (size_t k = e.children.size() - 2; k >= 1 && first == 0; --k)
                        if (matches_item(chain_prefix_text(e, k), *items)) first = k;
                Type t = first > 0 ? Type{} : sub(e.children[0]);
                for (size_t i = first + 1; i < e.children.size(); ++i)
                    t = binary(binary_op(e, i), *e.children[i - 1], t, *e.children[i],
                               sub(e.children[i]));
                return t;
            }
            case ExprKind::Comparison:
                for (const auto& c : e.children) sub(c);
                return {T::Bool};
            case ExprKind::IsNull:
            case ExprKind::IsNotNull: sub(e.children[0]); return {T::Bool};
            case ExprKind::HasLabels: {
                Type t = sub(e.children[0]);
                require(t, e, {T::Bool, T::Int, T::Float, T::String, T::List, T::Map, T::Path},
                        "Node or Relationship");
                return {T::Bool};
            }
            case ExprKind::FunctionCall: return function(e, scope, ctx, items);
            case ExprKind::CountStar: aggregate_allowed(e, ctx); return {T::Int};
            case ExprKind::Case:
                for (const auto& c : e.children) sub(c);
                return {};
            case ExprKind::ListComprehension: {
                Type lt = sub(e.children[0]);
                Scope inner = iteration_scope(scope, e.variable, lt);
                ExprCtx body = ctx;
                body.aggregates_allowed = false;
                optional_predicate(e.children[1], inner, body);
                if (e.children[2]) {
                    Type p = expr(*e.children[2], inner, body);
                    return {T::List, p.t};
                }
                return lt.t == T::List ? lt : Type{T::List};
            }
            case ExprKind::Quantifier: {
                Type lt = sub(e.children[0]);
                require(lt, *e.children[0],
                        {T::Bool, T::Int, T::Float, T::String, T::Map, T::Node, T::Rel}, "a list");
                Scope inner = iteration_scope(scope, e.variable, lt);
                ExprCtx body = ctx;
                body.aggregates_allowed = false;
                optional_predicate(e.children[1], inner, body);
                return {T::Bool};
            }
            case ExprKind::Reduce: {
                sub(e.children[0]);
                Type lt = sub(e.children[1]);
                Scope inner = iteration_scope(scope, e.variable, lt);
                inner[e.keys[0]] = Type{};
                ExprCtx body = ctx;
                body.aggregates_allowed = false;
                expr(*e.children[2], inner, body);
                return {};
            }
            case ExprKind::PatternComprehension: {
                Scope inner = scope;
                std::set<std::string> rels;
                bind_part(*e.pattern, inner, PatternUse::Comprehension, rels);
                ExprCtx body = ctx;
                body.aggregates_allowed = false;
                if (e.children[0]) {
                    Type w = expr(*e.children[0], inner, body);
                    require_boolean(w, *e.children[0]);
                }
                Type p = expr(*e.children[1], inner, body);
                return {T::List, p.t};
            }
            case ExprKind::PatternPredicate: {
                Scope inner = scope;
                std::set<std::string> rels;
                bind_part(*e.pattern, inner, PatternUse::Expression, rels);
                return {T::Bool};
            }
            case ExprKind::Subquery: {
                auto columns = query(*e.subquery, scope, true);
                switch (e.subquery_kind) {
                    case SubqueryKind::Exists: return {T::Bool};
                    case SubqueryKind::Count: return {T::Int};
                    case SubqueryKind::Collect:
                        if (columns.size() != 1 ||
                            e.subquery->parts.back().clauses.back().kind != ClauseKind::Return)
                            fail("InvalidClauseComposition",
                                 "A COLLECT subquery must end with a RETURN of exactly one "
                                 "column" +
                                     where_at(e.pos));
                        return {T::List};
                }
                return {};
            }
            case ExprKind::MapProjection: {
                Type t = sub(e.children[0]);
                require(t, e, {T::Bool, T::Int, T::Float, T::String, T::List, T::Path},
                        "Map, Node or Relationship");
                for (const auto& p : e.projection) {
                    if (p.kind == MapProjectionItem::Kind::Variable && !scope.count(p.key))
                        fail("UndefinedVariable",
                             "Variable `" + p.key + "` not defined" + where_at(e.pos));
                    if (p.value) sub(p.value);
                }
                return {T::Map};
            }
        }
        return {};
    }

    Type binary(Op op, const Expr& l, Type a, const Expr& r, Type b) {
        switch (op) {
            case Op::And:
            case Op::Or:
            case Op::Xor:
                require_boolean(a, l);
                require_boolean(b, r);
                return {T::Bool};
            case Op::In:
                require(b, r,
                        {T::Bool, T::Int, T::Float, T::String, T::Map, T::Node, T::Rel, T::Path},
                        "a list");
                return {T::Bool};
            case Op::StartsWith:
            case Op::EndsWith:
            case Op::Contains:
            case Op::RegexMatch: return {T::Bool};
            case Op::Add:
                if (a.t == T::List || b.t == T::List) return {T::List};
                if (a.t == T::String || b.t == T::String) return {T::String};
                if (a.t == T::Int && b.t == T::Int) return {T::Int};
                if (is_one_of(a.t, {T::Int, T::Float}) && is_one_of(b.t, {T::Int, T::Float}))
                    return {T::Float};
                return {};
            default: {
                std::initializer_list<T> bad = {T::Bool, T::String, T::List, T::Map,
                                                T::Node, T::Rel,    T::Path};
                require(a, l, bad, "a number");
                require(b, r, bad, "a number");
                if (op == Op::Power) return {T::Float};
                if (a.t == T::Int && b.t == T::Int) return {T::Int};
                if (is_one_of(a.t, {T::Int, T::Float}) && is_one_of(b.t, {T::Int, T::Float}))
                    return {T::Float};
                return {};
            }
        }
    }

    static void aggregate_allowed(const Expr& e, const ExprCtx& ctx) {
        if (ctx.in_aggregate)
            fail("NestedAggregation",
                 "Can't use aggregate functions inside of aggregate functions: `" + e.text + "`" +
                     where_at(e.pos));
        if (!ctx.aggregates_allowed)
            fail(ctx.aggregate_error, "Invalid use of aggregating function `" + e.text +
                                          "` in this context" + where_at(e.pos));
    }

    Type function(const Expr& e, Scope& scope, ExprCtx ctx,
                  const std::vector<ProjectionItem>* items) {
        const auto* f = fn::find_function(e.name);
        if (!f) fail("UnknownFunction", "Unknown function '" + e.name + "'" + where_at(e.pos));
        int n = static_cast<int>(e.children.size());
        if (n < f->min_args || (f->max_args >= 0 && n > f->max_args))
            fail(
                "InvalidNumberOfArguments",
                "Function '" + e.name + "' takes " +
                    (f->min_args == f->max_args
                         ? std::to_string(f->min_args)
                         : std::to_string(f->min_args) + ".." +
                               (f->max_args < 0 ? std::string("n") : std::to_string(f->max_args))) +
                    " argument(s) but was given " + std::to_string(n) + where_at(e.pos));
        ExprCtx arg_ctx = ctx;
        if (f->aggregate) {
            aggregate_allowed(e, ctx);
            arg_ctx.in_aggregate = true;
        } else if (!f->deterministic && ctx.in_aggregate) {
            fail("NonConstantExpression", "Aggregation over a non-deterministic function `" +
                                              e.text + "`" + where_at(e.pos));
        }
        std::vector<Type> args;
        for (const auto& c : e.children) args.push_back(expr(*c, scope, arg_ctx, items));
        std::string name(f->name);
        auto arg_check = [&](std::initializer_list<T> bad, const char* expected) {
            if (!args.empty()) require(args[0], *e.children[0], bad, expected);
        };
        if (name == "labels")
            arg_check({T::Bool, T::Int, T::Float, T::String, T::List, T::Map, T::Rel, T::Path},
                      "Node");
        else if (name == "type")
            arg_check({T::Bool, T::Int, T::Float, T::String, T::List, T::Map, T::Node, T::Path},
                      "Relationship");
        else if (name == "properties")
            arg_check({T::Bool, T::Int, T::Float, T::String, T::List, T::Path},
                      "Map, Node or Relationship");
        else if (name == "size")
            arg_check({T::Bool, T::Int, T::Float, T::Map, T::Node, T::Rel, T::Path},
                      "String or List");
        else if (name == "length")
            arg_check({T::Bool, T::Int, T::Float, T::Map, T::Node, T::Rel}, "Path");
        if (name == "count" || name == "size" || name == "length") return {T::Int};
        return {};
    }
};

}  // namespace

void analyze(const Statement& statement) { Analyzer().statement(statement); }

}  // namespace lora::cypher
