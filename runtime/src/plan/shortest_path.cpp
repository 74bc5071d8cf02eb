// shortestPath(...) / allShortestPaths(...) and Neo4j 5's SHORTEST k [GROUPS] / ALL SHORTEST /
// ANY k in MATCH: Neo4j's rules on the pattern, the endpoints bound first (scanned when the
// query has not bound them), then one ShortestPath step (exec/ops/shortest_path.cpp). WHERE
// conjuncts on the path filter the paths found; some are checked during the search
// (search_predicates).
#include "plan/planner_state.hpp"

#include <cctype>

namespace lora::plan {

namespace {

const char* function_name(const PatternPart& part) {
    return part.shortest == PatternPart::Shortest::All ? "allShortestPaths" : "shortestPath";
}

[[noreturn]] void invalid(const PatternPart& part, const std::string& what) {
    throw_semantic("SyntaxError", "InvalidShortestPath",
                   std::string(function_name(part)) + "(...) " + what);
}

// Whether a predicate can run at the shard of the one entity it reads: it names no other
// variable and holds nothing the planner would compute in steps of its own (patterns,
// subqueries, iterations) nor reads another entity (startNode, endNode).
bool local_predicate(const Expr& e, const std::string& var) {
    switch (e.kind) {
        case ExprKind::Literal:
        case ExprKind::Parameter: return true;
        case ExprKind::Variable: return e.name == var;
        case ExprKind::Property:
        case ExprKind::DynamicSubscript:
        case ExprKind::Slice:
        case ExprKind::ListLiteral:
        case ExprKind::MapLiteral:
        case ExprKind::Unary:
        case ExprKind::Binary:
        case ExprKind::Comparison:
        case ExprKind::IsNull:
        case ExprKind::IsNotNull:
        case ExprKind::HasLabels:
        case ExprKind::Case: break;
        case ExprKind::FunctionCall: {
            if (is_aggregate_call(e)) return false;
            std::string n;
            for (char c : e.name)
                n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (n == "startnode" || n == "endnode") return false;
            break;
        }
        default: return false;
    }
    for (const auto& c : e.children)
        if (c && !local_predicate(*c, var)) return false;
    return true;
}

bool names_function_of(const Expr& e, const std::string& path, const char* a, const char* b) {
    if (e.kind != ExprKind::FunctionCall || e.children.size() != 1) return false;
    std::string n;
    for (char c : e.name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const Expr& arg = *e.children[0];
    return (n == a || (b && n == b)) && arg.kind == ExprKind::Variable && arg.name == path;
}

}  // namespace

// WHERE conjuncts all(x IN relationships(p) WHERE f(x)) and none(...), and the same over
// nodes(p), whose f reads only x (and parameters) are checked during the search on each
// relationship and node it reaches, so it finds the shortest of the paths that satisfy
// them (Neo4j's rule). They stay WHERE filters of the paths found as well (the endpoints
// are checked there).
void Planner::search_predicates(const std::string& path, ShortestPath& op) {
    if (!match_where_) return;
    auto conjoin = [](CExprPtr& into, CExprPtr e) {
        if (!into) {
            into = std::move(e);
            return;
        }
        auto a = std::make_unique<CExpr>(EK::And);
        a->children.push_back(std::move(into));
        a->children.push_back(std::move(e));
        into = std::move(a);
    };
    for (const Pending& p : *match_where_) {
        const Expr& e = *p.expr;
        if (e.kind != ExprKind::Quantifier || e.children.size() < 2 || !e.children[1]) continue;
        if (e.quantifier != QuantifierKind::All && e.quantifier != QuantifierKind::None) continue;
        const bool rels = names_function_of(*e.children[0], path, "relationships", "rels");
        const bool nodes = names_function_of(*e.children[0], path, "nodes", nullptr);
        if ((!rels && !nodes) || !local_predicate(*e.children[1], e.variable)) continue;
        int& var = rels ? op.rel_var : op.node_var;
        if (var < 0) var = new_slot(e.variable);
        locals_.push_back({e.variable, Var{var, rels ? VT::Rel : VT::Node}});
        Info info;
        CExprPtr body = compile(*e.children[1], info);
        locals_.pop_back();
        if (e.quantifier == QuantifierKind::None) {
            auto n = std::make_unique<CExpr>(EK::Not);
            n->children.push_back(std::move(body));
            body = std::move(n);
        }
        conjoin(rels ? op.rel_pred : op.node_pred, std::move(body));
    }
}

void Planner::refuse_shortest(const PatternPart& part, const char* clause) {
    if (part.shortest != PatternPart::Shortest::None)
        invalid(part, std::string("cannot be used to ") + clause);
}

// Neo4j 5's selectors take one relationship quantified from any minimal length, without a
// property map (a pre-filter lora does not apply during the search).
void Planner::check_selector(const PatternPart& part) {
    const char* name = part.shortest == PatternPart::Shortest::All ? "ALL SHORTEST" : "SHORTEST";
    if (part.rels.size() != 1)
        unsupported(std::string(name) + " over a pattern of more than one relationship");
    if (part.rels[0].properties)
        unsupported(std::string(name) + " with properties on the relationship");
}

void Planner::plan_shortest(const PatternPart& part, bool with_path,
                            const std::function<void()>& after_bind) {
    if (part.selector) check_selector(part);
    if (part.rels.size() != 1) invalid(part, "requires a pattern containing a single relationship");
    const RelPattern& rp = part.rels[0];
    const NodePattern& from_np = part.nodes[0];
    const NodePattern& to_np = part.nodes[1];
    const int64_t min_hops = rp.range ? rp.range->min.value_or(1) : 1;
    if (!part.selector && min_hops != 0 && min_hops != 1)
        invalid(part, "does not support a minimal length different from 0 or 1");
    if (rp.properties)
        invalid(part, "does not support properties on its relationship; use a WHERE predicate");
    // A selector from a node back to itself finds the shortest cycles (the trail search).
    if (!part.selector && from_np.variable && to_np.variable &&
        *from_np.variable == *to_np.variable)
        throw_semantic("SemanticError", "ShortestPathCommonEndNodes",
                       "Cannot find the shortest path when the start and end nodes are the same");
    if (rp.variable && lookup(*rp.variable))
        invalid(part,
                "does not support an already bound relationship variable `" + *rp.variable + "`");

    ShortestPath op;
    op.from = scan_node(from_np);
    if (after_bind) after_bind();
    op.to = scan_node(to_np);
    if (after_bind) after_bind();
    op.dir = rp.direction == Direction::Outgoing   ? exec::Direction::Outgoing
             : rp.direction == Direction::Incoming ? exec::Direction::Incoming
                                                   : exec::Direction::Both;
    op.types = rp.types;
    op.min_hops = min_hops;
    op.max_hops = rp.range ? rp.range->max.value_or(-1) : 1;
    op.all = part.shortest == PatternPart::Shortest::All;
    if (part.selector) {
        // ALL SHORTEST is SHORTEST 1 GROUPS.
        op.k = part.selector_k;
        op.groups = op.all || part.selector_groups;
        op.all = op.groups && op.k == 1;
    }
    op.frontier = new_slot(" shortest_frontier");
    op.work = new_slot(" shortest_work");
    if (rp.variable) {
        op.rel_list = rp.range.has_value();
        op.rel = declare(*rp.variable, op.rel_list ? VT::Value : VT::Rel).slot;
        if (op.rel_list) scope_[*rp.variable].may_entity = true;
    }
    if (part.path_variable && with_path) {
        if (lookup(*part.path_variable))
            throw_semantic("SyntaxError", "VariableAlreadyBound",
                           "Variable `" + *part.path_variable + "` already declared");
        op.path = declare(*part.path_variable, VT::Path).slot;
        // A selector's MATCH ... WHERE filters the paths it selected (Neo4j 5's post-filter).
        if (!part.selector) search_predicates(*part.path_variable, op);
    }
    op.selector = part.selector;
    const int frontier = op.frontier;
    add(step({LocKind::Shard, frontier}, std::move(op)));
}

}  // namespace lora::plan
