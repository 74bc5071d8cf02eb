// Seeded generators of random graphs and random read queries for the random-query test
// (random_query_test.cpp). Everything here is text: a graph is one CREATE statement plus
// index DDL, a query is a structured description whose text() is the Cypher to run, and
// whose variants (partitioned WHERE, fresh ORDER BY, grouping instead of DISTINCT) are built
// from the same parts.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace lora::randomtest {

// A deterministic random source (independent of the standard library's distributions, so a
// seed gives the same graph and queries with every compiler).
class Rng {
public:
    explicit Rng(uint64_t seed) : g_(seed) {}
    int64_t uni(int64_t lo, int64_t hi) {  // [lo, hi]
        return lo + static_cast<int64_t>(g_() % static_cast<uint64_t>(hi - lo + 1));
    }
    bool chance(int percent) { return uni(0, 99) < percent; }
    template <class T>
    const T& pick(const std::vector<T>& v) {
        return v[static_cast<size_t>(uni(0, static_cast<int64_t>(v.size()) - 1))];
    }

private:
    std::mt19937_64 g_;
};

inline std::string float_literal(double d) {
    if (std::isnan(d)) return "(0.0 / 0.0)";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    std::string s = buf;
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}

// ---------------------------------------------------------------------------------------
// Graphs

struct Graph {
    std::string create;                // one CREATE statement building the whole graph
    std::vector<std::string> indexes;  // CREATE INDEX statements for the indexed databases
    bool index_first = false;          // indexes created before the data (else after)
};

class GraphGen {
public:
    explicit GraphGen(Rng& rng) : r_(rng) {}

    std::string str_value() {
        static const std::vector<std::string> parts = {"a", "b", "ab", "A",  "B",
                                                       " ", "x", "é",  "ba", ""};
        std::string s;
        int64_t n = r_.uni(0, 3);
        for (int64_t i = 0; i < n; ++i) s += r_.pick(parts);
        return "'" + s + "'";
    }
    std::string int_value() { return std::to_string(r_.uni(-3, 9)); }
    std::string float_value() {
        if (r_.chance(3)) return float_literal(NAN);
        // Never integral, so 1 and 1.0 do not meet in DISTINCT or grouping by accident.
        double d = static_cast<double>(r_.uni(-20, 20)) + static_cast<double>(r_.uni(1, 3)) * 0.25;
        return float_literal(d);
    }
    std::string list_value() {
        std::string s = "[";
        int64_t n = r_.uni(0, 4);
        for (int64_t i = 0; i < n; ++i) s += (i ? ", " : "") + int_value();
        return s + "]";
    }
    std::string mixed_value() {
        switch (r_.uni(0, 6)) {
            case 0: return int_value();
            case 1: return float_value();
            case 2: return str_value();
            case 3: return r_.chance(50) ? "true" : "false";
            case 4: return list_value();
            case 5: return "['" + std::string(r_.chance(50) ? "a" : "b") + "', 'c']";
            default: return int_value();
        }
    }

    Graph make() {
        Graph g;
        int64_t nodes = r_.uni(4, 18);
        int64_t rels = r_.uni(0, nodes * 2);
        std::string c = "CREATE ";
        static const std::vector<std::string> labels = {"A", "B", "C"};
        for (int64_t i = 0; i < nodes; ++i) {
            std::string n = "(n" + std::to_string(i);
            for (const auto& l : labels)
                if (r_.chance(45)) n += ":" + l;
            n += " {k: " + std::to_string(i);
            if (r_.chance(80)) n += ", i: " + int_value();
            if (r_.chance(70)) n += ", f: " + float_value();
            if (r_.chance(75)) n += ", s: " + str_value();
            if (r_.chance(65)) n += ", l: " + list_value();
            if (r_.chance(65)) n += ", b: " + std::string(r_.chance(50) ? "true" : "false");
            if (r_.chance(60)) n += ", m: " + mixed_value();
            n += "})";
            c += (i ? ", " : "") + n;
        }
        static const std::vector<std::string> types = {"R", "S", "T"};
        for (int64_t j = 0; j < rels; ++j) {
            int64_t a = r_.uni(0, nodes - 1);
            int64_t b = r_.chance(10) ? a : r_.uni(0, nodes - 1);  // some self loops
            std::string rel = "[:" + r_.pick(types) + " {k: " + std::to_string(j);
            if (r_.chance(80)) rel += ", w: " + int_value();
            if (r_.chance(30)) rel += ", m: " + mixed_value();
            rel += "}]";
            c += ", (n" + std::to_string(a) + ")-" + rel + "->(n" + std::to_string(b) + ")";
        }
        g.create = c;
        static const std::vector<std::string> ddl = {
            "CREATE INDEX FOR (n:A) ON (n.i)",     "CREATE INDEX FOR (n:B) ON (n.s)",
            "CREATE INDEX FOR (n:A) ON (n.m)",     "CREATE INDEX FOR (n:C) ON (n.f)",
            "CREATE INDEX FOR (n:B) ON (n.i)",     "CREATE INDEX FOR (n:C) ON (n.l)",
            "CREATE INDEX FOR (n:B) ON (n.i, n.s)"};
        for (const auto& d : ddl)
            if (r_.chance(60)) g.indexes.push_back(d);
        g.index_first = r_.chance(50);
        return g;
    }

private:
    Rng& r_;
};

// ---------------------------------------------------------------------------------------
// Queries

enum class T { Int, Float, Str, Bool, List, Any };

struct Column {
    std::string expr;
    bool aggregate = false;
    bool unordered = false;  // a collect(): element order is not defined, compare sorted
    // A node or relationship: ORDER BY orders them by id, which differs between databases.
    bool entity = false;
};

struct Query {
    std::string head;    // [UNWIND ...] MATCH pattern
    std::string where;   // predicate of that MATCH ("" = none)
    std::string middle;  // OPTIONAL MATCH / WITH / UNWIND after it
    bool middle_barrier = false;
    bool distinct = false;
    std::vector<Column> cols;
    std::vector<std::pair<size_t, bool>> order;  // (column, descending)
    std::optional<int64_t> skip, limit;

    bool aggregates() const {
        for (const auto& c : cols)
            if (c.aggregate) return true;
        return false;
    }
    std::string alias(size_t i) const { return "c" + std::to_string(i); }
    // The query text; `where` replaces the WHERE predicate when given ("" drops it).
    std::string text(const std::optional<std::string>& where_override = std::nullopt) const {
        std::string w = where_override ? *where_override : where;
        std::string q = head;
        if (!w.empty()) q += " WHERE " + w;
        q += middle;
        q += " RETURN ";
        if (distinct) q += "DISTINCT ";
        for (size_t i = 0; i < cols.size(); ++i)
            q += (i ? ", " : "") + cols[i].expr + " AS " + alias(i);
        if (!order.empty()) {
            q += " ORDER BY ";
            for (size_t i = 0; i < order.size(); ++i)
                q += (i ? ", " : "") + alias(order[i].first) + (order[i].second ? " DESC" : "");
        }
        if (skip) q += " SKIP " + std::to_string(*skip);
        if (limit) q += " LIMIT " + std::to_string(*limit);
        return q;
    }
    // ORDER BY names every column, so the order of distinct rows is fixed.
    bool total_order() const {
        if (order.empty()) return false;
        std::vector<bool> seen(cols.size());
        for (const auto& o : order) seen[o.first] = true;
        for (size_t i = 0; i < cols.size(); ++i)
            if (!seen[i] || cols[i].unordered || cols[i].entity) return false;
        return true;
    }
};

class QueryGen {
public:
    // `known_bugs`: also generate the shapes of known, not yet fixed engine bugs (see
    // docs/testing.md); off, they are left out so the default run stays green.
    QueryGen(Rng& rng, bool known_bugs) : r_(rng), g_(rng), known_bugs_(known_bugs) {}

    Query make() {
        scope_ = {};
        vals_ = {};
        next_node_ = 0;
        next_rel_ = 0;
        Query q;
        if (r_.chance(12)) {
            q.head = "UNWIND " + (r_.chance(50) ? g_.list_value() : "range(0, 2)") + " AS u ";
            vals_.push_back({"u", T::Int});
        }
        q.head += "MATCH " + pattern(true);
        if (r_.chance(25)) q.head += ", " + pattern(r_.chance(60));
        if (r_.chance(80)) q.where = where_pred(3);
        if (r_.chance(30)) {
            q.middle += " OPTIONAL MATCH " + pattern(true, true);
            if (r_.chance(40)) q.middle += " WHERE " + where_pred(2);
        }
        if (r_.chance(25)) with_part(q);
        if (r_.chance(8) && !scope_.nodes.empty()) top_k(q);
        if (r_.chance(10)) {
            q.middle += " UNWIND " + expr(T::List, 2) + " AS v" + std::to_string(next_node_);
            vals_.push_back({"v" + std::to_string(next_node_++), T::Int});
        }
        bool agg = r_.chance(35);
        int64_t ncols = r_.uni(1, 3);
        if (agg) {
            int64_t keys = r_.uni(0, 2);
            for (int64_t i = 0; i < keys; ++i) q.cols.push_back({expr(T::Any, 2)});
            for (int64_t i = keys; i < std::max<int64_t>(ncols, keys + 1); ++i)
                q.cols.push_back(aggregate());
        } else {
            for (int64_t i = 0; i < ncols; ++i) q.cols.push_back(column_expr());
            q.distinct = r_.chance(25);
        }
        if (r_.chance(40)) {
            std::vector<size_t> cand;
            for (size_t i = 0; i < q.cols.size(); ++i)
                if (!q.cols[i].unordered && !q.cols[i].entity) cand.push_back(i);
            for (size_t i : cand)
                if (r_.chance(75)) q.order.push_back({i, r_.chance(40)});
            shuffle(q.order);
            if (q.total_order() && r_.chance(60)) {
                if (r_.chance(50)) q.skip = r_.uni(0, 3);
                if (r_.chance(80)) q.limit = r_.uni(0, 6);
            }
        }
        return q;
    }

private:
    template <class V>
    void shuffle(std::vector<V>& v) {
        for (size_t i = v.size(); i > 1; --i)
            std::swap(v[i - 1], v[static_cast<size_t>(r_.uni(0, static_cast<int64_t>(i) - 1))]);
    }

    struct Scope {
        std::vector<std::string> nodes, rels, rel_lists, paths;
    };

    std::string label() {
        static const std::vector<std::string> l = {"", "", ":A", ":B", ":C", ":A:B"};
        return r_.pick(l);
    }
    std::string node(bool may_reuse) {
        if (may_reuse && !scope_.nodes.empty() && r_.chance(50))
            return "(" + r_.pick(scope_.nodes) + ")";
        std::string v = "n" + std::to_string(next_node_++);
        std::string s = "(" + v + label();
        if (r_.chance(15)) {
            switch (r_.uni(0, 2)) {
                case 0: s += " {i: " + g_.int_value() + "}"; break;
                case 1: s += " {s: " + g_.str_value() + "}"; break;
                default: s += " {b: " + std::string(r_.chance(50) ? "true" : "false") + "}";
            }
        }
        scope_.nodes.push_back(v);
        return s + ")";
    }
    std::string rel() {
        static const std::vector<std::string> types = {"", ":R", ":S", ":T", ":R|S"};
        std::string t = r_.pick(types);
        std::string inner;
        bool varlen = r_.chance(20);
        bool named = r_.chance(60);
        std::string v = "r" + std::to_string(next_rel_++);
        if (varlen) {
            static const std::vector<std::string> b = {"*1..2", "*0..2", "*2", "*..2", "*1..3"};
            inner = (named ? v : "") + t + r_.pick(b);
            if (named) scope_.rel_lists.push_back(v);
        } else {
            inner = (named ? v : "") + t;
            if (r_.chance(10)) inner += " {w: " + g_.int_value() + "}";
            if (named) scope_.rels.push_back(v);
        }
        std::string body = inner.empty() ? "--" : "-[" + inner + "]-";
        switch (r_.uni(0, 2)) {
            case 0: return body + ">";
            case 1: return "<" + body;
            default: return body;
        }
    }
    // A chain of 1-3 nodes; `connected` starts from a bound node when there is one.
    std::string pattern(bool connected, bool optional = false) {
        std::string s;
        bool path = !optional && r_.chance(10);
        std::string pv;
        if (path) {
            pv = "p" + std::to_string(next_node_++);
            s = pv + " = ";
        }
        s += node(connected || optional);
        int64_t hops = optional ? r_.uni(1, 2) : r_.uni(0, 2);
        for (int64_t i = 0; i < hops; ++i) s += rel() + node(false);
        if (path) scope_.paths.push_back(pv);
        return s;
    }

    // WITH n, x ORDER BY n.k, x SKIP/LIMIT: keeps one node, so rows that tie are equal.
    void top_k(Query& q) {
        std::string n = node_var();
        std::string x = "x" + std::to_string(next_node_++);
        std::string e = expr(T::Int, 1);
        q.middle += " WITH " + n + ", " + e + " AS " + x + " ORDER BY " + n + ".k" +
                    (r_.chance(50) ? " DESC" : "") + ", " + x + (r_.chance(50) ? " DESC" : "");
        if (r_.chance(50)) q.middle += " SKIP " + std::to_string(r_.uni(0, 3));
        q.middle += " LIMIT " + std::to_string(r_.uni(0, 5));
        scope_ = {};
        scope_.nodes.push_back(n);
        vals_ = {{x, T::Int}};
        q.middle_barrier = true;
    }

    void with_part(Query& q) {
        if (r_.chance(50)) {
            // Projection: keep some variables, add a computed value, maybe filter.
            std::vector<std::string> keep;
            Scope kept;
            for (const auto& n : scope_.nodes)
                if (r_.chance(70)) kept.nodes.push_back(n), keep.push_back(n);
            for (const auto& n : scope_.rels)
                if (r_.chance(50)) kept.rels.push_back(n), keep.push_back(n);
            std::vector<std::pair<std::string, T>> kept_vals;
            for (const auto& v : vals_)
                if (r_.chance(70)) kept_vals.push_back(v), keep.push_back(v.first);
            std::string x = "x" + std::to_string(next_node_++);
            T t = r_.pick(std::vector<T>{T::Int, T::Str, T::Float, T::List});
            std::string e = expr(t, 2);
            bool distinct = r_.chance(20);
            q.middle_barrier |= distinct;
            q.middle += std::string(" WITH ") + (distinct ? "DISTINCT " : "");
            for (const auto& k : keep) q.middle += k + ", ";
            q.middle += e + " AS " + x;
            scope_ = kept;
            vals_ = kept_vals;
            vals_.push_back({x, t});
            if (r_.chance(50)) q.middle += " WHERE " + where_pred(2);
        } else {
            // Aggregation: group by one or two values; only exact aggregates (no float sums),
            // so later comparisons see the same values on every configuration.
            std::string g = "g" + std::to_string(next_node_++);
            std::string c = "c" + std::to_string(next_node_++);
            T kt = r_.pick(std::vector<T>{T::Int, T::Str, T::Any, T::Bool});
            q.middle += " WITH " + expr(kt, 2) + " AS " + g + ", ";
            std::string a = r_.pick(
                std::vector<std::string>{"count(*)", "count(DISTINCT ", "sum(", "min(", "max("});
            if (a == "count(*)")
                q.middle += a;
            else
                q.middle += a + expr(T::Int, 1) + ")";
            q.middle += " AS " + c;
            bool keep_node = !scope_.nodes.empty() && r_.chance(30);
            std::string n = keep_node ? r_.pick(scope_.nodes) : "";
            if (keep_node) q.middle += ", " + n;
            scope_ = {};
            if (keep_node) scope_.nodes.push_back(n);
            vals_ = {{g, kt}, {c, T::Int}};
            q.middle_barrier = true;
            if (r_.chance(40)) q.middle += " WHERE " + where_pred(2);
        }
    }

    Column aggregate() {
        switch (r_.uni(0, 12)) {
            case 11:
                return {"percentileDisc(" + expr(T::Int, 2) + ", " +
                            r_.pick(std::vector<std::string>{"0.0", "0.5", "0.9", "1.0"}) + ")",
                        true};
            case 12: return {"stdev(" + expr(T::Int, 2) + ")", true};
            case 0: return {"count(*)", true};
            case 1: return {"count(" + expr(T::Any, 2) + ")", true};
            case 2: return {"count(DISTINCT " + expr(T::Any, 2) + ")", true};
            case 3: return {"sum(" + expr(T::Int, 2) + ")", true};
            case 4: return {"sum(" + expr(T::Float, 2) + ")", true};
            case 5: return {"avg(" + expr(r_.chance(50) ? T::Int : T::Float, 2) + ")", true};
            case 6: return {"min(" + expr(T::Any, 2) + ")", true};
            case 7: return {"max(" + expr(T::Any, 2) + ")", true};
            case 8: return {"collect(" + expr(T::Any, 2) + ")", true, true};
            case 9: return {"collect(DISTINCT " + expr(T::Any, 2) + ")", true, true};
            default: return {"count(" + expr(T::Bool, 2) + ")", true};
        }
    }

    Column column_expr() {
        if (!scope_.nodes.empty() && r_.chance(10))
            return {r_.pick(scope_.nodes), false, false, true};
        if (!scope_.rels.empty() && r_.chance(5)) return {r_.pick(scope_.rels), false, false, true};
        if (!scope_.nodes.empty() && r_.chance(5))
            return {node_var() + " {.i, .s, z: " + expr(T::Int, 1) + "}"};
        return {expr(T::Any, 3)};
    }

    std::string node_var() { return r_.pick(scope_.nodes); }
    std::optional<std::string> val_of(T t) {
        std::vector<std::string> c;
        for (const auto& v : vals_)
            if (v.second == t || t == T::Any) c.push_back(v.first);
        if (c.empty()) return std::nullopt;
        return r_.pick(c);
    }
    std::string prop(const std::string& key) {
        // A node property, or for `w`/`m` sometimes a relationship's.
        if (!scope_.rels.empty() && (key == "m" || key == "k") && r_.chance(25))
            return r_.pick(scope_.rels) + "." + key;
        if (scope_.nodes.empty()) return "null";
        return node_var() + "." + key;
    }

    std::string expr(T t, int depth) {
        if (depth <= 0 || r_.chance(30)) return leaf(t);
        switch (t) {
            case T::Int: return int_expr(depth - 1);
            case T::Float: return float_expr(depth - 1);
            case T::Str: return str_expr(depth - 1);
            case T::Bool: return bool_expr(depth - 1);
            case T::List: return list_expr(depth - 1);
            case T::Any: {
                T u = r_.pick(std::vector<T>{T::Int, T::Float, T::Str, T::Bool, T::List});
                if (r_.chance(15)) return prop("m");
                return expr(u, depth);
            }
        }
        return "null";
    }

    std::string leaf(T t) {
        if (auto v = val_of(t); v && r_.chance(40)) return *v;
        switch (t) {
            case T::Int:
                if (!scope_.rels.empty() && r_.chance(25)) return r_.pick(scope_.rels) + ".w";
                return r_.chance(60) ? prop(r_.chance(85) ? "i" : "k") : g_.int_value();
            case T::Float: return r_.chance(70) ? prop("f") : g_.float_value();
            case T::Str: return r_.chance(70) ? prop("s") : g_.str_value();
            case T::Bool:
                return r_.chance(60) ? prop("b")
                                     : r_.pick(std::vector<std::string>{"true", "false", "null"});
            case T::List: return r_.chance(70) ? prop("l") : g_.list_value();
            case T::Any:
                return r_.chance(50) ? prop("m") : leaf(r_.pick(std::vector<T>{T::Int, T::Str}));
        }
        return "null";
    }

    std::string int_expr(int d) {
        switch (r_.uni(0, 19)) {
            case 18:
                // Properties of entities computed from other variables (attached data).
                if (!derived_entity_ok()) return "abs(" + expr(T::Int, d) + ")";
                if (!scope_.rels.empty())
                    return r_.pick(std::vector<std::string>{"startNode(", "endNode("}) +
                           r_.pick(scope_.rels) + ")." + (r_.chance(50) ? "i" : "k");
                if (!scope_.paths.empty())
                    return r_.pick(std::vector<std::string>{"head(nodes(", "last(nodes("}) +
                           r_.pick(scope_.paths) + "))." + (r_.chance(50) ? "i" : "k");
                return "abs(" + expr(T::Int, d) + ")";
            case 19:
                if (!derived_entity_ok()) return expr(T::List, d) + "[" + expr(T::Int, d) + "]";
                if (!scope_.rel_lists.empty())
                    return r_.pick(std::vector<std::string>{"head(", "last("}) +
                           r_.pick(scope_.rel_lists) + ").w";
                if (!scope_.paths.empty())
                    return "last(relationships(" + r_.pick(scope_.paths) + ")).k";
                return expr(T::List, d) + "[" + expr(T::Int, d) + "]";
            case 15:
                if (!scope_.nodes.empty())
                    return "size([(" + node_var() + ")" + anon_rel() + "(pc" + label() +
                           ") | pc.k])";
                return "size(" + expr(T::Str, d) + ")";
            case 16:
                if (!scope_.nodes.empty())
                    return "reduce(acc = 0, y IN [(" + node_var() + ")" + anon_rel() +
                           "(pc) WHERE " + "pc.i > " + g_.int_value() + " | pc.k] | acc + y)";
                return "size(" + expr(T::Str, d) + ")";
            case 17:
                return "CASE " + expr(T::Int, d) + " WHEN " + g_.int_value() + " THEN " +
                       expr(T::Int, d) + " WHEN " + g_.int_value() + " THEN " + g_.int_value() +
                       " END";
            case 0: return "size(" + expr(T::Str, d) + ")";
            case 1: return "size(" + expr(T::List, d) + ")";
            case 2: return "(" + expr(T::Int, d) + " + " + expr(T::Int, d) + ")";
            case 3: return "(" + expr(T::Int, d) + " - " + expr(T::Int, d) + ")";
            case 4: return "(" + expr(T::Int, d) + " * " + g_.int_value() + ")";
            case 5: return "(" + expr(T::Int, d) + " % " + std::to_string(r_.uni(1, 4)) + ")";
            case 6: return "abs(" + expr(T::Int, d) + ")";
            case 7: return "coalesce(" + expr(T::Int, d) + ", " + g_.int_value() + ")";
            case 8: return "head(" + expr(T::List, d) + ")";
            case 9: return "toInteger(" + expr(T::Float, d) + ")";
            case 10:
                if (!scope_.paths.empty()) return "length(" + r_.pick(scope_.paths) + ")";
                if (!scope_.rel_lists.empty()) return "size(" + r_.pick(scope_.rel_lists) + ")";
                return "sign(" + expr(T::Int, d) + ")";
            case 11: return "reduce(acc = 0, x IN " + expr(T::List, d) + " | acc + x)";
            case 12:
                return "CASE WHEN " + expr(T::Bool, d) + " THEN " + expr(T::Int, d) + " ELSE " +
                       expr(T::Int, d) + " END";
            case 13: return "last(" + expr(T::List, d) + ")";
            default:
                if (!scope_.nodes.empty()) return "size(labels(" + node_var() + "))";
                return "-" + expr(T::Int, d);
        }
    }
    std::string float_expr(int d) {
        switch (r_.uni(0, 7)) {
            case 0: return "(" + expr(T::Float, d) + " * " + g_.float_value() + ")";
            case 1: return "(" + expr(T::Float, d) + " + " + expr(T::Int, d) + ")";
            case 2: return "toFloat(" + expr(T::Int, d) + ")";
            case 3: return "round(" + expr(T::Float, d) + ")";
            case 4: return "floor(" + expr(T::Float, d) + ")";
            case 5: return "abs(" + expr(T::Float, d) + ")";
            case 6: return "(" + expr(T::Int, d) + " / 4.0)";
            default: return "coalesce(" + expr(T::Float, d) + ", " + g_.float_value() + ")";
        }
    }
    std::string str_expr(int d) {
        std::string s = expr(T::Str, d);
        switch (r_.uni(0, 17)) {
            case 0: return "toUpper(" + s + ")";
            case 1: return "toLower(" + s + ")";
            case 2: return "trim(" + s + ")";
            case 3: return "ltrim(" + s + ")";
            case 4: return "rtrim(" + s + ")";
            case 5: return "reverse(" + s + ")";
            case 6: return "left(" + s + ", " + std::to_string(r_.uni(0, 3)) + ")";
            case 7: return "right(" + s + ", " + std::to_string(r_.uni(0, 3)) + ")";
            case 8: return "substring(" + s + ", " + std::to_string(r_.uni(0, 3)) + ")";
            case 9:
                return "substring(" + s + ", " + std::to_string(r_.uni(0, 2)) + ", " +
                       std::to_string(r_.uni(0, 3)) + ")";
            case 10: return "replace(" + s + ", " + g_.str_value() + ", " + g_.str_value() + ")";
            case 11: return "(" + s + " + " + expr(r_.chance(80) ? T::Str : T::Int, d) + ")";
            case 12: return "toString(" + expr(T::Int, d) + ")";
            case 13:
                if (!scope_.rels.empty()) return "type(" + r_.pick(scope_.rels) + ")";
                return "toString(" + expr(T::Bool, d) + ")";
            case 14:
                if (!scope_.nodes.empty()) return "head(labels(" + node_var() + "))";
                return s;
            case 15: return "head(split(" + s + ", " + g_.str_value() + "))";
            case 16: return "coalesce(" + s + ", " + g_.str_value() + ")";
            default: return "toString(" + expr(T::Float, d) + ")";
        }
    }
    std::string where_pred(int depth) {
        in_where_ = true;
        std::string p = expr(T::Bool, depth);
        in_where_ = false;
        return p;
    }
    std::string cmp_op() {
        return r_.pick(std::vector<std::string>{" = ", " <> ", " < ", " <= ", " > ", " >= "});
    }
    std::string bool_expr(int d) {
        switch (r_.uni(0, 20)) {
            case 18:
            case 19:
                if (!scope_.nodes.empty() && in_where_)
                    return std::string(r_.chance(30) ? "NOT " : "") + "(" + node_var() + ")" +
                           anon_rel() + "(" + label() + ")";
                return expr(T::Bool, d);
            case 20:
                if (!scope_.nodes.empty() && in_where_)
                    return "EXISTS { MATCH (" + node_var() + ")" + anon_rel() + "(pc" + label() +
                           ") WHERE pc.i " + cmp_op() + g_.int_value() + " }";
                return expr(T::Bool, d);
            case 0:
            case 1: {
                T t = r_.pick(std::vector<T>{T::Int, T::Float, T::Str, T::Int, T::Any, T::List});
                T u = t == T::Int && r_.chance(30) ? T::Float : t;
                return expr(t, d) + cmp_op() + expr(u, d);
            }
            case 2: return expr(T::Any, d) + (r_.chance(50) ? " IS NULL" : " IS NOT NULL");
            case 3: return expr(T::Int, d) + " IN " + expr(T::List, d);
            case 4:
                return expr(T::Any, d) + " IN [" + g_.mixed_value() + ", " + g_.mixed_value() +
                       ", null]";
            case 5: return expr(T::Str, d) + " STARTS WITH " + g_.str_value();
            case 6: return expr(T::Str, d) + " ENDS WITH " + expr(T::Str, d);
            case 7: return expr(T::Str, d) + " CONTAINS " + g_.str_value();
            case 8: return "NOT " + expr(T::Bool, d);
            case 9: return "(" + expr(T::Bool, d) + " AND " + expr(T::Bool, d) + ")";
            case 10: return "(" + expr(T::Bool, d) + " OR " + expr(T::Bool, d) + ")";
            case 11: return "(" + expr(T::Bool, d) + " XOR " + expr(T::Bool, d) + ")";
            case 12:
                if (!scope_.nodes.empty()) return node_var() + label_pred();
                return expr(T::Bool, d);
            case 13: {
                std::string q = r_.pick(std::vector<std::string>{"any", "all", "none", "single"});
                return q + "(x IN " + expr(T::List, d) + " WHERE x" + cmp_op() +
                       iteration_body(T::Int, d) + ")";
            }
            case 14: return "(" + prop("i") + cmp_op() + g_.int_value() + ")";
            case 15: return "(" + prop("s") + cmp_op() + g_.str_value() + ")";
            case 16: return "(" + prop("m") + cmp_op() + g_.mixed_value() + ")";
            default: return expr(T::Int, d) + " = " + expr(T::Int, d);
        }
    }
    std::string anon_rel() {
        return r_.pick(std::vector<std::string>{"-->", "<--", "--", "-[:R]->", "-[:S|T]-",
                                                "<-[:T]-", "-[*1..2]->"});
    }
    std::string label_pred() { return r_.pick(std::vector<std::string>{":A", ":B", ":C", ":A:C"}); }
    std::string list_expr(int d) {
        switch (r_.uni(0, 10)) {
            case 0: return "range(" + std::to_string(r_.uni(-1, 2)) + ", " + expr(T::Int, d) + ")";
            case 1: return "tail(" + expr(T::List, d) + ")";
            case 2: return "reverse(" + expr(T::List, d) + ")";
            case 3: return "(" + expr(T::List, d) + " + " + expr(T::List, d) + ")";
            case 4:
                return "[x IN " + expr(T::List, d) + " WHERE x" + cmp_op() +
                       iteration_body(T::Int, d) + "]";
            case 5: return "[x IN " + expr(T::List, d) + " | x * " + g_.int_value() + "]";
            case 6:
                return expr(T::List, d) + "[" + std::to_string(r_.uni(-2, 2)) + ".." +
                       std::to_string(r_.uni(0, 3)) + "]";
            case 7:
                if (!derived_entity_ok()) return "[" + expr(T::Int, d) + "]";
                if (!scope_.rel_lists.empty())
                    return "[x IN " + r_.pick(scope_.rel_lists) + " | x.k]";
                if (!scope_.paths.empty() && r_.chance(50) && known_bugs_)
                    return "[x IN relationships(" + r_.pick(scope_.paths) + ") | startNode(x).k]";
                if (!scope_.paths.empty())
                    return "[x IN nodes(" + r_.pick(scope_.paths) + ") | x.k]";
                return "[" + expr(T::Int, d) + ", " + expr(T::Int, d) + "]";
            case 8:
                if (!scope_.rels.empty() && r_.chance(30) && derived_entity_ok())
                    return "[x IN [" + r_.pick(scope_.rels) + "] | x.k]";
                return "[" + expr(T::Int, d) + ", " + expr(T::Int, d) + "]";
            case 9: return "coalesce(" + expr(T::List, d) + ", [])";
            default: return "(" + expr(T::List, d) + " + " + expr(T::Int, d) + ")";
        }
    }

    Rng& r_;
    GraphGen g_;
    Scope scope_;
    std::vector<std::pair<std::string, T>> vals_;
    int next_node_ = 0, next_rel_ = 0;
    bool in_where_ = false;  // pattern predicates are allowed only in WHERE
    const bool known_bugs_;
    int in_iteration_ = 0;  // inside the predicate of a quantifier or list comprehension
    // Known bug (planner, runtime/src/plan/expressions.cpp): inside a quantifier's or list
    // comprehension's predicate or mapping, properties of entities that are not plain
    // variables (startNode(r), last(nodes(p)), startNode(x) of the element x, elements of
    // an inner comprehension over relationships) are read without being attached on 4
    // shards: DatabaseError.Internal.
    bool derived_entity_ok() const { return known_bugs_ || in_iteration_ == 0; }
    std::string iteration_body(T t, int d) {
        ++in_iteration_;
        std::string e = expr(t, d);
        --in_iteration_;
        return e;
    }
};

}  // namespace lora::randomtest
