// Cypher parser. Expressions follow the openCypher precedence ladder; a '(' in expression
// position is first tried as a pattern and falls back to a parenthesized expression.
#include <lora/cypher/parser.hpp>
#include <lora/cypher/show_commands.hpp>

#include <lora/cypher/lexer.hpp>

#include <lora/error.hpp>
#include <lora/errors.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>

namespace lora::cypher {

namespace {

// Words that end an expression or start a clause: never taken as a bare variable.
constexpr std::array kReserved = {
    "AND",      "AS",     "ASC",    "ASCENDING", "BY",         "CALL",     "CASE",
    "CONTAINS", "CREATE", "DELETE", "DESC",      "DESCENDING", "DETACH",   "DISTINCT",
    "DROP",     "ELSE",   "END",    "ENDS",      "FOREACH",    "IN",       "IS",
    "LIMIT",    "MATCH",  "MERGE",  "NOT",       "ON",         "OPTIONAL", "OR",
    "ORDER",    "REMOVE", "RETURN", "SET",       "SKIP",       "STARTS",   "THEN",
    "UNION",    "UNWIND", "WHEN",   "WHERE",     "WITH",       "XOR",      "YIELD",
};

// Marks a failed speculative parse, so backtracking never swallows real errors.
struct Backtrack {};

class Parser {
public:
    explicit Parser(std::string_view text) : src_(text), toks_(tokenize(text)) {}

    Statement statement() {
        Statement st;
        if (kw("EXPLAIN")) {
            st.mode = Statement::Mode::Explain;
            ++i_;
        } else if (kw("PROFILE")) {
            st.mode = Statement::Mode::Profile;
            ++i_;
        }
        st.query = query();
        if (sym(";")) ++i_;
        if (peek().kind != TokenKind::End) fail("a clause, UNION or end of input");
        return st;
    }

private:
    std::string_view src_;
    std::vector<Token> toks_;
    size_t i_ = 0;
    int where_depth_ = 0;  // pattern predicates only in a WHERE (any kind) or exists()
    int speculating_ = 0;
    int depth_ = 0;

    // Bounds the nesting of expressions so that hostile nesting ends in a syntax error, not
    // a stack overflow here or in the passes that walk the AST recursively.
    void nest() {
        if (++depth_ > 400) {
            --depth_;
            fail_detail(peek(), "UnexpectedSyntax", "Expression nested too deeply");
        }
    }
    struct DepthGuard {
        Parser& p;
        explicit DepthGuard(Parser& parser) : p(parser) { p.nest(); }
        ~DepthGuard() { --p.depth_; }
    };
    // The same bound for a loop that wraps its result once per step (a.b.c, x IS NULL IS
    // NULL, x IN l IN m).
    struct NestCounter {
        Parser& p;
        int levels = 0;
        explicit NestCounter(Parser& parser) : p(parser) {}
        void nest() {
            p.nest();
            ++levels;
        }
        ~NestCounter() { p.depth_ -= levels; }
    };

    // ------------------------------------------------------------ token helpers

    const Token& peek(size_t k = 0) const {
        size_t j = std::min(i_ + k, toks_.size() - 1);
        return toks_[j];
    }
    bool kw(std::string_view w, size_t k = 0) const { return peek(k).is_keyword(w); }
    bool sym(std::string_view s, size_t k = 0) const { return peek(k).is_symbol(s); }
    bool is_name(size_t k = 0) const {
        auto kind = peek(k).kind;
        return kind == TokenKind::Identifier || kind == TokenKind::QuotedIdentifier;
    }
    bool is_reserved(const Token& t) const {
        if (t.kind != TokenKind::Identifier) return false;
        for (auto r : kReserved)
            if (t.is_keyword(r)) return true;
        return false;
    }

    [[noreturn]] void fail(std::string_view expected) { fail_at(peek(), expected); }

    [[noreturn]] void fail_at(const Token& t, std::string_view expected,
                              std::string detail = "UnexpectedSyntax") {
        if (speculating_ > 0 && detail == "UnexpectedSyntax") throw Backtrack{};
        std::string msg;
        if (t.kind == TokenKind::End)
            msg = "Unexpected end of input: expected " + std::string(expected);
        else
            msg = "Invalid input '" + std::string(src_.substr(t.begin, t.end - t.begin)) +
                  "': expected " + std::string(expected);
        msg += " (line " + std::to_string(t.pos.line) + ", column " + std::to_string(t.pos.column) +
               ")";
        throw_syntax(std::move(detail), msg, t.pos.line, t.pos.column);
    }

    [[noreturn]] void fail_detail(const Token& t, std::string detail, std::string what) {
        throw_syntax(std::move(detail),
                     what + " (line " + std::to_string(t.pos.line) + ", column " +
                         std::to_string(t.pos.column) + ")",
                     t.pos.line, t.pos.column);
    }

    void expect_sym(std::string_view s) {
        if (!sym(s)) fail("'" + std::string(s) + "'");
        ++i_;
    }
    void expect_kw(std::string_view w) {
        if (!kw(w)) fail(w);
        ++i_;
    }
    bool accept_sym(std::string_view s) {
        if (!sym(s)) return false;
        ++i_;
        return true;
    }
    bool accept_kw(std::string_view w) {
        if (!kw(w)) return false;
        ++i_;
        return true;
    }

    // Any identifier, keywords included (property keys, labels, map keys, types).
    std::string symbolic_name(std::string_view what) {
        if (!is_name()) fail(what);
        return toks_[i_++].text;
    }
    // A variable name: reserved words only when backquoted.
    std::string variable_name() {
        if (!is_name() || is_reserved(peek())) fail("a variable name");
        return toks_[i_++].text;
    }

    ExprPtr make(ExprKind k, size_t start) {
        auto e = std::make_unique<Expr>();
        e->kind = k;
        e->pos = toks_[start].pos;
        return e;
    }
    void close(Expr& e, size_t start) {
        size_t b = toks_[start].begin;
        size_t end = i_ > start ? toks_[i_ - 1].end : b;
        e.text = std::string(src_.substr(b, end - b));
    }

    // ------------------------------------------------------------ queries

    Query query() {
        Query q;
        q.parts.push_back(single_query());
        while (kw("UNION")) {
            ++i_;
            q.union_all.push_back(accept_kw("ALL"));
            q.parts.push_back(single_query());
        }
        return q;
    }

    bool at_query_end() const {
        return peek().kind == TokenKind::End || sym(";") || sym("}") || kw("UNION");
    }

    SingleQuery single_query() {
        SingleQuery sq;
        do {
            sq.clauses.push_back(clause());
        } while (!at_query_end());
        return sq;
    }

    Clause clause() {
        Clause c;
        c.pos = peek().pos;
        if (kw("OPTIONAL") && kw("MATCH", 1)) {
            i_ += 2;
            c.kind = ClauseKind::Match;
            c.optional = true;
            match_rest(c);
        } else if (accept_kw("MATCH")) {
            c.kind = ClauseKind::Match;
            match_rest(c);
        } else if (accept_kw("UNWIND")) {
            c.kind = ClauseKind::Unwind;
            c.expr = expr();
            expect_kw("AS");
            c.variable = variable_name();
        } else if (accept_kw("WITH")) {
            c.kind = ClauseKind::With;
            projection_body(c.body);
            if (accept_kw("WHERE")) c.where = where_expr();
        } else if (accept_kw("RETURN")) {
            c.kind = ClauseKind::Return;
            projection_body(c.body);
        } else if (kw("CREATE") && kw("CONSTRAINT", 1)) {
            i_ += 2;
            create_constraint(c);
        } else if (kw("CREATE") && (kw("INDEX", 1) || (kw("VECTOR", 1) && kw("INDEX", 2)))) {
            ++i_;
            create_index(c);
        } else if (accept_kw("CREATE")) {
            c.kind = ClauseKind::Create;
            c.pattern = pattern();
        } else if (accept_kw("MERGE")) {
            c.kind = ClauseKind::Merge;
            c.pattern.parts.push_back(pattern_part());
            while (kw("ON")) {
                ++i_;
                bool on_create = false;
                if (accept_kw("CREATE"))
                    on_create = true;
                else if (!accept_kw("MATCH"))
                    fail("CREATE or MATCH");
                expect_kw("SET");
                set_items(on_create ? c.on_create : c.on_match);
            }
        } else if (accept_kw("SET")) {
            c.kind = ClauseKind::Set;
            set_items(c.set_items);
        } else if (accept_kw("REMOVE")) {
            c.kind = ClauseKind::Remove;
            remove_items(c.remove_items);
        } else if (kw("DETACH") && kw("DELETE", 1)) {
            i_ += 2;
            c.kind = ClauseKind::Delete;
            c.detach = true;
            delete_rest(c);
        } else if (accept_kw("DELETE")) {
            c.kind = ClauseKind::Delete;
            delete_rest(c);
        } else if (kw("FOREACH") && sym("(", 1)) {
            i_ += 2;
            c.kind = ClauseKind::Foreach;
            c.variable = variable_name();
            expect_kw("IN");
            c.expr = expr();
            expect_sym("|");
            do {
                c.body_clauses.push_back(clause());
            } while (!sym(")"));
            expect_sym(")");
        } else if (kw("CALL") && (sym("{", 1) || sym("(", 1))) {
            ++i_;
            call_subquery(c);
        } else if (kw("LOAD") && kw("CSV", 1)) {
            i_ += 2;
            load_csv(c);
        } else if (accept_kw("CALL")) {
            c.kind = ClauseKind::Call;
            call_rest(c);
        } else if (kw("SHOW") && show_indexes_ahead()) {
            show_indexes(c);
        } else if (kw("SHOW") && show_constraints_ahead()) {
            show_constraints(c);
        } else if (kw("SHOW") && show_library_ahead()) {
            show_library(c);
        } else if ((kw("SHOW") || kw("TERMINATE")) &&
                   (kw("TRANSACTION", 1) || kw("TRANSACTIONS", 1))) {
            show_or_terminate_transactions(c);
        } else if (kw("DROP") && (kw("INDEX", 1) || kw("CONSTRAINT", 1))) {
            c.kind = kw("INDEX", 1) ? ClauseKind::DropIndex : ClauseKind::DropConstraint;
            i_ += 2;
            c.index_name = symbolic_name(c.kind == ClauseKind::DropIndex ? "an index name"
                                                                         : "a constraint name");
            if (kw("IF") && kw("EXISTS", 1)) {
                i_ += 2;
                c.if_not_exists = true;
            }
        } else {
            fail(
                "a clause (MATCH, CREATE, MERGE, WITH, RETURN, UNWIND, SET, REMOVE, DELETE, "
                "FOREACH, CALL, ...)");
        }
        return c;
    }

    void match_rest(Clause& c) {
        c.pattern = pattern();
        if (accept_kw("WHERE")) c.where = where_expr();
    }

    ExprPtr where_expr() {
        ++where_depth_;
        auto e = expr();
        --where_depth_;
        return e;
    }

    void delete_rest(Clause& c) {
        do {
            c.delete_exprs.push_back(expr());
        } while (accept_sym(","));
    }

    std::string dotted_name() {
        std::string name = symbolic_name("a procedure name");
        while (sym(".") && is_name(1)) {
            ++i_;
            name += "." + toks_[i_++].text;
        }
        return name;
    }

    void call_rest(Clause& c) {
        c.procedure = dotted_name();
        if (accept_sym("(")) {
            std::vector<ExprPtr> args;
            if (!sym(")")) {
                do {
                    args.push_back(expr());
                } while (accept_sym(","));
            }
            expect_sym(")");
            c.args = std::move(args);
        }
        if (!accept_kw("YIELD")) return;
        if (sym("*")) {
            ++i_;
            c.yield_star = true;
            // YIELD * is only meaningful for a standalone call.
            if (!at_query_end())
                fail("end of input after YIELD * (only a standalone CALL may yield *)");
            return;
        }
        do {
            YieldItem y;
            y.field = symbolic_name("a procedure output name");
            if (accept_kw("AS")) y.alias = variable_name();
            c.yields.push_back(std::move(y));
        } while (accept_sym(","));
        if (accept_kw("WHERE")) c.where = where_expr();
    }

    // CALL [( * | x, y, ... )] { query }
    void call_subquery(Clause& c) {
        c.kind = ClauseKind::Subquery;
        const size_t call_at = i_ - 1;
        if (accept_sym("(")) {
            c.scope.emplace();
            if (accept_sym("*")) {
                c.scope_all = true;
            } else if (!sym(")")) {
                do {
                    c.scope->push_back(variable_name());
                } while (accept_sym(","));
            }
            expect_sym(")");
        }
        expect_sym("{");
        c.subquery = std::make_unique<Query>(query());
        expect_sym("}");
        if (kw("IN") && (kw("TRANSACTIONS", 1) || kw("CONCURRENT", 2))) in_transactions(c, call_at);
    }

    // IN [n CONCURRENT] TRANSACTIONS [OF n ROW[S]] [ON ERROR CONTINUE|BREAK|FAIL]
    // [REPORT STATUS AS s], the options in any order.
    void in_transactions(Clause& c, size_t call_at) {
        auto t = std::make_unique<InTransactions>();
        t->call_begin = toks_[call_at].begin;
        t->body_end = toks_[i_ - 1].end;
        ++i_;
        if (!kw("TRANSACTIONS"))
            throw errors::not_supported("CALL { ... } IN CONCURRENT TRANSACTIONS");
        ++i_;
        bool of = false, on_error = false;
        for (;;) {
            if (!of && accept_kw("OF")) {
                of = true;
                t->batch_size = expr();
                if (!accept_kw("ROWS")) expect_kw("ROW");
            } else if (!on_error && kw("ON") && kw("ERROR", 1)) {
                i_ += 2;
                on_error = true;
                if (accept_kw("CONTINUE"))
                    t->on_error = InTransactions::OnError::Continue;
                else if (accept_kw("BREAK"))
                    t->on_error = InTransactions::OnError::Break;
                else if (accept_kw("FAIL"))
                    t->on_error = InTransactions::OnError::Fail;
                else
                    fail("CONTINUE, BREAK or FAIL");
            } else if (!t->status && kw("REPORT") && kw("STATUS", 1)) {
                i_ += 2;
                expect_kw("AS");
                t->status = variable_name();
            } else {
                break;
            }
        }
        t->clause_end = toks_[i_ - 1].end;
        c.in_transactions = std::move(t);
    }

    // LOAD CSV [WITH HEADERS] FROM url AS row [FIELDTERMINATOR 'c']
    void load_csv(Clause& c) {
        c.kind = ClauseKind::LoadCsv;
        if (kw("WITH") && kw("HEADERS", 1)) {
            i_ += 2;
            c.csv_headers = true;
        }
        expect_kw("FROM");
        c.expr = expr();
        expect_kw("AS");
        c.variable = variable_name();
        if (accept_kw("FIELDTERMINATOR")) {
            const Token& t = peek();
            if (t.kind != TokenKind::String || t.text.size() != 1)
                fail_detail(t, "InvalidArgumentValue",
                            "FIELDTERMINATOR takes a string of one character (a single byte)");
            c.field_terminator = t.text[0];
            ++i_;
        }
    }

    bool show_indexes_ahead() const {
        auto indexes = [&](size_t k) { return kw("INDEX", k) || kw("INDEXES", k); };
        return indexes(1) || ((kw("ALL", 1) || kw("RANGE", 1) || kw("VECTOR", 1)) && indexes(2));
    }

    // SHOW [ALL|RANGE|VECTOR] INDEX[ES] [YIELD ... [WHERE ...] | WHERE ...]: a call of the
    // index listing procedure (see show_commands.hpp); RETURN etc. may follow a YIELD.
    void show_indexes(Clause& c) {
        ++i_;
        std::string type = "ALL";
        if (accept_kw("RANGE"))
            type = "RANGE";
        else if (accept_kw("VECTOR"))
            type = "VECTOR";
        else
            accept_kw("ALL");
        if (!accept_kw("INDEXES")) expect_kw("INDEX");
        show_call(c, kShowIndexesProcedure, {type}, kShowIndexColumns);
    }

    bool show_constraints_ahead() const {
        for (size_t k = 1; k <= 4; ++k)
            if (kw("CONSTRAINT", k) || kw("CONSTRAINTS", k)) return true;
        return false;
    }

    // SHOW [ALL | [NODE | REL[ATIONSHIP]] (UNIQUE | UNIQUENESS | KEY | [PROPERTY]
    // EXIST[ENCE] | PROPERTY TYPE)] CONSTRAINT[S] [YIELD ... | WHERE ...].
    void show_constraints(Clause& c) {
        ++i_;
        std::string entity = "ALL", kind = "ALL";
        if (!accept_kw("ALL")) {
            if (accept_kw("NODE"))
                entity = "NODE";
            else if (accept_kw("REL") || accept_kw("RELATIONSHIP"))
                entity = "RELATIONSHIP";
            if (accept_kw("UNIQUE") || accept_kw("UNIQUENESS")) {
                kind = "UNIQUENESS";
            } else if (accept_kw("KEY")) {
                kind = "KEY";
            } else if (accept_kw("EXIST") || accept_kw("EXISTENCE")) {
                kind = "EXISTENCE";
            } else if (accept_kw("PROPERTY")) {
                if (accept_kw("TYPE"))
                    kind = "PROPERTY_TYPE";
                else if (accept_kw("EXIST") || accept_kw("EXISTENCE"))
                    kind = "EXISTENCE";
                else
                    fail("TYPE or EXISTENCE");
            }
        }
        if (!accept_kw("CONSTRAINTS")) expect_kw("CONSTRAINT");
        show_call(c, kShowConstraintsProcedure, {entity, kind}, kShowConstraintColumns);
    }

    bool show_library_ahead() const {
        auto library = [&](size_t k) {
            return kw("FUNCTION", k) || kw("FUNCTIONS", k) || kw("PROCEDURE", k) ||
                   kw("PROCEDURES", k);
        };
        const bool two_words =
            (kw("BUILT", 1) && kw("IN", 2)) || (kw("USER", 1) && kw("DEFINED", 2));
        return library(1) || (kw("ALL", 1) && library(2)) || (two_words && library(3));
    }

    // SHOW [ALL | BUILT IN | USER DEFINED] FUNCTION[S] and SHOW [ALL] PROCEDURE[S], with
    // EXECUTABLE [BY CURRENT USER | BY name] accepted (lora has no roles: everything is
    // executable by everyone).
    void show_library(Clause& c) {
        ++i_;
        std::string type = "ALL";
        if (accept_kw("BUILT")) {
            expect_kw("IN");
            type = "BUILT IN";
        } else if (accept_kw("USER")) {
            expect_kw("DEFINED");
            type = "USER DEFINED";
        } else {
            accept_kw("ALL");
        }
        const bool functions = kw("FUNCTION") || kw("FUNCTIONS");
        if (!functions && type != "ALL") fail("FUNCTIONS");
        ++i_;
        if (accept_kw("EXECUTABLE") && accept_kw("BY")) {
            if (accept_kw("CURRENT"))
                expect_kw("USER");
            else
                symbolic_name("a user name");
        }
        if (functions)
            show_call(c, kShowFunctionsProcedure, {type}, kShowFunctionColumns,
                      kShowFunctionDefaultColumns);
        else
            show_call(c, kShowProceduresProcedure, {type}, kShowProcedureColumns,
                      kShowProcedureDefaultColumns);
    }

    // SHOW TRANSACTION[S] [id, ...] and TERMINATE TRANSACTION[S] id, ...: the ids are
    // expressions (a string, a list of strings, a parameter), then YIELD / WHERE as for the
    // other SHOW commands.
    void show_or_terminate_transactions(Clause& c) {
        const bool terminate = kw("TERMINATE");
        const size_t start = i_;
        i_ += 2;
        ExprPtr ids;
        if (!at_clause_end() && !kw("YIELD") && !kw("WHERE")) {
            ids = expr();
            if (accept_sym(",")) {
                auto list = make(ExprKind::ListLiteral, start);
                list->children.push_back(std::move(ids));
                do {
                    list->children.push_back(expr());
                } while (accept_sym(","));
                close(*list, start);
                ids = std::move(list);
            }
        } else if (terminate) {
            fail("the ids of the transactions to terminate");
        }
        if (!ids) ids = command_literal(c, Value(), "null");
        std::vector<ExprPtr> args;
        args.push_back(std::move(ids));
        if (terminate)
            show_call(c, kTerminateTransactionsProcedure, std::move(args),
                      kTerminateTransactionColumns, kTerminateTransactionColumns.size());
        else
            show_call(c, kShowTransactionsProcedure, std::move(args), kShowTransactionColumns,
                      kShowTransactionDefaultColumns);
    }

    // Where a SHOW command without YIELD or WHERE ends: the query's end or its next part.
    bool at_clause_end() const {
        return peek().kind == TokenKind::End || sym(";") || kw("RETURN") || kw("UNION");
    }

    // A SHOW command as a call of `procedure` with string arguments.
    template <size_t N>
    void show_call(Clause& c, std::string_view procedure, std::vector<std::string> arguments,
                   const std::array<std::string_view, N>& columns, size_t default_columns = N) {
        std::vector<ExprPtr> args;
        for (auto& a : arguments) {
            std::string text = "'" + a + "'";
            args.push_back(command_literal(c, Value(std::move(a)), std::move(text)));
        }
        show_call(c, procedure, std::move(args), columns, default_columns);
    }

    // A literal argument the parser supplies for a command (at the command's position).
    static ExprPtr command_literal(const Clause& c, Value v, std::string text) {
        auto e = std::make_unique<Expr>();
        e->kind = ExprKind::Literal;
        e->pos = c.pos;
        e->text = std::move(text);
        e->value = std::move(v);
        return e;
    }

    // A SHOW command as a call of `procedure`; YIELD [*|items] [WHERE], or WHERE alone, may
    // follow; without YIELD the command returns its first `default_columns` (as Neo4j does).
    template <size_t N>
    void show_call(Clause& c, std::string_view procedure, std::vector<ExprPtr> args,
                   const std::array<std::string_view, N>& columns, size_t default_columns) {
        c.kind = ClauseKind::Call;
        c.procedure = std::string(procedure);
        c.args = std::move(args);
        auto yield_first = [&](size_t n) {
            for (size_t i = 0; i < n; ++i)
                c.yields.push_back(YieldItem{std::string(columns[i]), std::nullopt});
        };
        if (accept_kw("YIELD")) {
            if (accept_sym("*")) {
                yield_first(N);
            } else {
                do {
                    YieldItem y;
                    y.field = symbolic_name("a column name");
                    if (accept_kw("AS")) y.alias = variable_name();
                    c.yields.push_back(std::move(y));
                } while (accept_sym(","));
            }
            if (accept_kw("WHERE")) c.where = where_expr();
        } else {
            yield_first(default_columns);
            if (accept_kw("WHERE")) c.where = where_expr();
        }
    }

    // CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR (n:L) | FOR ()-[r:T]-() REQUIRE <n.p |
    // (n.p, ...)> <IS [NODE|REL] UNIQUE | IS [NODE|REL] KEY | IS NOT NULL | IS :: TYPE>
    // [OPTIONS {...}], and Neo4j 4's ON (n:L) ASSERT ... (with ASSERT EXISTS (n.p)).
    void create_constraint(Clause& c) {
        c.kind = ClauseKind::CreateConstraint;
        if (is_name() && !kw("FOR") && !kw("ON") && !(kw("IF") && kw("NOT", 1)))
            c.index_name = toks_[i_++].text;
        if (kw("IF")) {
            ++i_;
            expect_kw("NOT");
            expect_kw("EXISTS");
            c.if_not_exists = true;
        }
        const bool legacy = accept_kw("ON");
        if (!legacy) expect_kw("FOR");
        const std::string var = constraint_target(c);
        expect_kw(legacy ? "ASSERT" : "REQUIRE");
        const Token& start = peek();
        if (legacy && kw("EXISTS") && sym("(", 1)) {
            i_ += 2;
            c.index_properties.push_back(constraint_property(var));
            expect_sym(")");
            c.require = ConstraintRequire::NotNull;
        } else {
            if (accept_sym("(")) {
                do {
                    c.index_properties.push_back(constraint_property(var));
                } while (accept_sym(","));
                expect_sym(")");
            } else {
                c.index_properties.push_back(constraint_property(var));
            }
            constraint_predicate(c);
        }
        if (c.index_properties.size() > 1 &&
            (c.require == ConstraintRequire::NotNull || c.require == ConstraintRequire::Type))
            fail_detail(start, "InvalidConstraintDefinition",
                        std::string("Constraint type '") +
                            (c.require == ConstraintRequire::NotNull ? "IS NOT NULL" : "IS ::") +
                            "' does not allow multiple properties");
        if (accept_kw("OPTIONS")) {
            if (!sym("{")) fail("a map of options");
            c.index_options = expr();
        }
    }

    // `(n:Label)` or `()-[r:TYPE]-()` (either direction): the constrained variable.
    std::string constraint_target(Clause& c) {
        expect_sym("(");
        if (accept_sym(")")) {
            c.on_relationship = true;
            accept_sym("<");
            expect_sym("-");
            expect_sym("[");
            std::string var = variable_name();
            expect_sym(":");
            c.index_label = symbolic_name("a relationship type");
            expect_sym("]");
            expect_sym("-");
            accept_sym(">");
            expect_sym("(");
            expect_sym(")");
            return var;
        }
        std::string var = variable_name();
        expect_sym(":");
        c.index_label = symbolic_name("a label");
        expect_sym(")");
        return var;
    }

    std::string constraint_property(const std::string& var) {
        if (!is_name() || peek().text != var) fail("'" + var + "'");
        ++i_;
        expect_sym(".");
        return symbolic_name("a property key");
    }

    void constraint_predicate(Clause& c) {
        auto typed = [&] {
            c.require = ConstraintRequire::Type;
            c.property_types = property_type_union();
        };
        if (sym(":") && sym(":", 1)) {
            i_ += 2;
            typed();
            return;
        }
        expect_kw("IS");
        if (accept_kw("NOT")) {
            expect_kw("NULL");
            c.require = ConstraintRequire::NotNull;
            return;
        }
        if (sym(":") && sym(":", 1)) {
            i_ += 2;
            typed();
            return;
        }
        if (accept_kw("TYPED")) {
            typed();
            return;
        }
        if (!accept_kw("NODE") && !accept_kw("REL")) accept_kw("RELATIONSHIP");
        if (accept_kw("UNIQUE")) {
            c.require = ConstraintRequire::Unique;
        } else if (accept_kw("KEY")) {
            c.require = ConstraintRequire::Key;
        } else {
            fail("UNIQUE, KEY, NOT NULL or :: <type>");
        }
    }

    // `INTEGER | FLOAT`, `LIST<STRING NOT NULL>`: Neo4j's names, sorted and without repeats.
    std::vector<std::string> property_type_union() {
        std::vector<std::string> types;
        do {
            types.push_back(property_type(true));
        } while (accept_sym("|"));
        std::sort(types.begin(), types.end());
        types.erase(std::unique(types.begin(), types.end()), types.end());
        return types;
    }

    std::string property_type(bool list_allowed) {
        const Token& t = peek();
        std::string name;
        if (accept_kw("BOOL") || accept_kw("BOOLEAN")) {
            name = "BOOLEAN";
        } else if (accept_kw("STRING") || accept_kw("VARCHAR")) {
            name = "STRING";
        } else if (accept_kw("INT") || accept_kw("INTEGER") || accept_kw("INTEGER64")) {
            name = "INTEGER";
        } else if (kw("SIGNED") && kw("INTEGER", 1)) {
            i_ += 2;
            name = "INTEGER";
        } else if (accept_kw("FLOAT") || accept_kw("FLOAT64")) {
            name = "FLOAT";
        } else if (list_allowed && (kw("LIST") || kw("ARRAY")) && sym("<", 1)) {
            i_ += 2;
            std::string inner = property_type(false);
            if (!(kw("NOT") && kw("NULL", 1)))
                fail_detail(peek(), "InvalidConstraintDefinition",
                            "a list's element type in a property type constraint must be "
                            "NOT NULL, e.g. LIST<" +
                                inner + " NOT NULL>");
            i_ += 2;
            expect_sym(">");
            return "LIST<" + inner + " NOT NULL>";
        } else if (is_name()) {
            throw errors::not_supported("property type constraints of type " + t.text +
                                        " (supported: BOOLEAN, STRING, INTEGER, FLOAT and "
                                        "LIST<... NOT NULL> of them)");
        } else {
            fail("a property type");
        }
        if (list_allowed && kw("NOT") && kw("NULL", 1))
            fail_detail(peek(), "InvalidConstraintDefinition",
                        "a property type constraint's type cannot be NOT NULL (use a separate "
                        "IS NOT NULL constraint)");
        return name;
    }

    void create_index(Clause& c) {
        c.kind = ClauseKind::CreateIndex;
        if (accept_kw("VECTOR")) c.vector_index = true;
        expect_kw("INDEX");
        if (kw("ON") && sym(":", 1)) {  // legacy form: CREATE INDEX ON :Label(prop, ...)
            i_ += 2;
            c.index_label = symbolic_name("a label");
            expect_sym("(");
            do {
                c.index_properties.push_back(symbolic_name("a property key"));
            } while (accept_sym(","));
            expect_sym(")");
            return;
        }
        if (is_name() && !kw("FOR") && !(kw("IF") && kw("NOT", 1))) c.index_name = toks_[i_++].text;
        if (kw("IF")) {
            ++i_;
            expect_kw("NOT");
            expect_kw("EXISTS");
            c.if_not_exists = true;
        }
        expect_kw("FOR");
        expect_sym("(");
        std::string var = variable_name();
        expect_sym(":");
        c.index_label = symbolic_name("a label");
        expect_sym(")");
        expect_kw("ON");
        expect_sym("(");
        do {
            if (!is_name() || peek().text != var) fail("'" + var + "'");
            ++i_;
            expect_sym(".");
            c.index_properties.push_back(symbolic_name("a property key"));
        } while (accept_sym(","));
        expect_sym(")");
        if (accept_kw("OPTIONS")) {
            if (!sym("{")) fail("a map of options");
            c.index_options = expr();
        }
    }

    void projection_body(ProjectionBody& b) {
        if (accept_kw("DISTINCT")) b.distinct = true;
        if (accept_sym("*")) {
            b.star = true;
            if (!accept_sym(",")) goto tail;
        }
        do {
            ProjectionItem item;
            size_t start = i_;
            item.expr = expr();
            item.text = item.expr->text;
            (void)start;
            if (accept_kw("AS")) item.alias = variable_name();
            b.items.push_back(std::move(item));
        } while (accept_sym(","));
    tail:
        if (kw("ORDER")) {
            ++i_;
            expect_kw("BY");
            do {
                SortItem s;
                s.expr = expr();
                if (accept_kw("DESC") || accept_kw("DESCENDING"))
                    s.descending = true;
                else if (!accept_kw("ASC"))
                    accept_kw("ASCENDING");
                b.order_by.push_back(std::move(s));
            } while (accept_sym(","));
        }
        if (accept_kw("SKIP")) b.skip = expr();
        if (accept_kw("LIMIT")) b.limit = expr();
    }

    void set_items(std::vector<SetItem>& out) {
        do {
            SetItem item;
            item.pos = peek().pos;
            auto target = postfix_expr();
            if (target->kind == ExprKind::HasLabels) {
                item.kind = SetItem::Kind::Labels;
                item.labels = std::move(target->keys);
                item.target = std::move(target->children[0]);
            } else if (target->kind == ExprKind::Property) {
                item.kind = SetItem::Kind::Property;
                expect_sym("=");
                item.target = std::move(target);
                item.value = expr();
            } else if (target->kind == ExprKind::Variable) {
                if (accept_sym("+="))
                    item.kind = SetItem::Kind::Merge;
                else if (accept_sym("="))
                    item.kind = SetItem::Kind::Replace;
                else
                    fail("'=', '+=' or a label");
                item.target = std::move(target);
                item.value = expr();
            } else {
                fail_at(toks_[i_ - 1], "a property, a variable or labels to set");
            }
            out.push_back(std::move(item));
        } while (accept_sym(","));
    }

    void remove_items(std::vector<RemoveItem>& out) {
        do {
            RemoveItem item;
            item.pos = peek().pos;
            auto target = postfix_expr();
            if (target->kind == ExprKind::HasLabels) {
                item.kind = RemoveItem::Kind::Labels;
                item.labels = std::move(target->keys);
                item.target = std::move(target->children[0]);
            } else if (target->kind == ExprKind::Property) {
                item.kind = RemoveItem::Kind::Property;
                item.target = std::move(target);
            } else {
                fail_at(toks_[i_ - 1], "a property or labels to remove");
            }
            out.push_back(std::move(item));
        } while (accept_sym(","));
    }

    // ------------------------------------------------------------ patterns

    Pattern pattern() {
        Pattern p;
        do {
            p.parts.push_back(pattern_part());
        } while (accept_sym(","));
        return p;
    }

    PatternPart pattern_part() {
        PatternPart part;
        part.pos = peek().pos;
        if (is_name() && sym("=", 1)) {
            part.path_variable = variable_name();
            ++i_;
        }
        if (path_selector(part)) {
            chain(part);
        } else if ((kw("shortestPath") || kw("allShortestPaths")) && sym("(", 1)) {
            part.shortest =
                kw("shortestPath") ? PatternPart::Shortest::Shortest : PatternPart::Shortest::All;
            i_ += 2;
            chain(part);
            expect_sym(")");
        } else {
            chain(part);
        }
        return part;
    }

    // Neo4j 5's path selectors before a pattern: SHORTEST k, ALL SHORTEST, ANY SHORTEST,
    // ANY [k], each optionally followed by PATH or PATHS, and SHORTEST [k] [PATH|PATHS]
    // GROUP|GROUPS. A count is positive (GQL's rule; 0 is a syntax error).
    bool path_selector(PatternPart& part) {
        const bool any = kw("ANY") && (sym("(", 1) || kw("PATH", 1) || kw("PATHS", 1) ||
                                       peek(1).kind == TokenKind::Integer);
        const bool shortest =
            kw("SHORTEST") && (peek(1).kind == TokenKind::Integer || kw("PATH", 1) ||
                               kw("PATHS", 1) || kw("GROUP", 1) || kw("GROUPS", 1));
        bool counted = false;
        if ((kw("SHORTEST") || kw("ANY")) && peek(1).kind == TokenKind::Parameter)
            throw errors::not_supported("a parameter as the number of paths of " +
                                        std::string(kw("ANY") ? "ANY" : "SHORTEST"));
        if ((kw("ALL") || kw("ANY")) && kw("SHORTEST", 1)) {
            part.shortest =
                kw("ALL") ? PatternPart::Shortest::All : PatternPart::Shortest::Shortest;
            i_ += 2;
        } else if (shortest || any) {
            ++i_;
            part.shortest = PatternPart::Shortest::Shortest;
            if (peek().kind == TokenKind::Integer) {
                const Token& count = peek();
                counted = true;
                part.selector_k = range_bound();
                if (part.selector_k == 0)
                    fail_at(count, "a positive number of paths or groups", "InvalidPathSelector");
            }
        } else {
            return false;
        }
        part.selector = true;
        if (!accept_kw("PATHS")) accept_kw("PATH");
        if (kw("GROUP") || kw("GROUPS")) {
            if (!shortest) fail_at(peek(), "a pattern", "InvalidPathSelector");
            ++i_;
            part.selector_groups = true;
        } else if (shortest && !counted) {
            fail_at(peek(), "a number of paths, or GROUP / GROUPS", "InvalidPathSelector");
        }
        return true;
    }

    bool at_rel_start() const { return sym("-") || (sym("<") && sym("-", 1)); }

    void chain(PatternPart& part) {
        part.nodes.push_back(node_pattern());
        while (at_rel_start()) {
            part.rels.push_back(rel_pattern());
            part.nodes.push_back(node_pattern());
        }
    }

    NodePattern node_pattern() {
        NodePattern n;
        n.pos = peek().pos;
        expect_sym("(");
        if (is_name() && !is_reserved(peek())) n.variable = toks_[i_++].text;
        while (accept_sym(":")) n.labels.push_back(symbolic_name("a label"));
        if (sym("{") || peek().kind == TokenKind::Parameter) n.properties = atom();
        expect_sym(")");
        return n;
    }

    RelPattern rel_pattern() {
        RelPattern r;
        r.pos = peek().pos;
        bool left = accept_sym("<");
        expect_sym("-");
        if (accept_sym("[")) {
            if (is_name() && !is_reserved(peek())) r.variable = toks_[i_++].text;
            if (accept_sym(":")) {
                r.types.push_back(symbolic_name("a relationship type"));
                while (accept_sym("|")) {
                    accept_sym(":");
                    r.types.push_back(symbolic_name("a relationship type"));
                }
            }
            if (sym(".."))
                fail_at(peek(), "'*' before a relationship length range",
                        "InvalidRelationshipPattern");
            if (accept_sym("*")) {
                RangeSpec range;
                if (sym("-"))
                    fail_at(peek(), "a non-negative relationship length",
                            "InvalidRelationshipPattern");
                if (peek().kind == TokenKind::Integer) range.min = range_bound();
                if (accept_sym("..")) {
                    if (peek().kind == TokenKind::Integer) range.max = range_bound();
                } else {
                    range.max = range.min;  // *2 means exactly two hops
                }
                r.range = range;
            }
            if (sym("{") || peek().kind == TokenKind::Parameter) r.properties = atom();
            expect_sym("]");
        }
        expect_sym("-");
        bool right = accept_sym(">");
        if (left && right)
            r.direction = Direction::Both;
        else if (left)
            r.direction = Direction::Incoming;
        else if (right)
            r.direction = Direction::Outgoing;
        else
            r.direction = Direction::Both;
        rel_quantifier(r);
        return r;
    }

    // Neo4j 5's quantified relationship after the pattern: + (1 or more), * (0 or more),
    // {m,n}, {m,}, {,n} (from 0), {n}; the same lengths as [*m..n] (both repeat no
    // relationship within a path).
    void rel_quantifier(RelPattern& r) {
        if (!sym("+") && !sym("*") && !sym("{")) return;
        if (r.range)
            fail_at(peek(), "one length per relationship, '*' or a quantifier",
                    "InvalidRelationshipPattern");
        RangeSpec range;
        if (accept_sym("+")) {
            range.min = 1;
        } else if (accept_sym("*")) {
            range.min = 0;
        } else {
            expect_sym("{");
            range.min = peek().kind == TokenKind::Integer ? range_bound() : 0;
            if (accept_sym(",")) {
                if (peek().kind == TokenKind::Integer) range.max = range_bound();
            } else {
                range.max = range.min;
            }
            expect_sym("}");
        }
        r.range = range;
    }

    int64_t range_bound() {
        const Token& t = toks_[i_++];
        if (!t.error.empty() || t.uint_value > static_cast<uint64_t>(INT64_MAX))
            fail_at(t, "a relationship length", t.error.empty() ? "IntegerOverflow" : t.error);
        return static_cast<int64_t>(t.uint_value);
    }

    // Tries to read a pattern with at least one relationship at the current position.
    std::unique_ptr<PatternPart> try_relationship_chain() {
        size_t save = i_;
        ++speculating_;
        try {
            auto part = std::make_unique<PatternPart>();
            part->pos = peek().pos;
            chain(*part);
            --speculating_;
            if (part->rels.empty()) {
                i_ = save;
                return nullptr;
            }
            return part;
        } catch (const Backtrack&) {
            --speculating_;
            i_ = save;
            return nullptr;
        }
    }

    // ------------------------------------------------------------ expressions

    ExprPtr expr() {
        DepthGuard guard(*this);
        return or_expr();
    }

    using Next = ExprPtr (Parser::*)();

    // One level of left-associative binary operators. A chain (a + b - c, a AND b AND c)
    // is one Binary node with an operand per term, so long flat chains cost no stack depth
    // here nor in the passes that walk the AST.
    struct Chain {
        Parser& p;
        size_t start;
        ExprPtr lhs;
        uint32_t lhs_end;   // where the text of the first operand ends
        bool open = false;  // lhs is the Binary node this chain builds

        Chain(Parser& parser, size_t first, ExprPtr operand)
            : p(parser), start(first), lhs(std::move(operand)), lhs_end(text_end()) {}

        uint32_t text_end() const {
            return static_cast<uint32_t>(p.toks_[p.i_ - 1].end - p.toks_[start].begin);
        }

        void add(Op op, ExprPtr rhs) {
            if (open) {
                if (op != lhs->op && lhs->ops.empty())
                    lhs->ops.assign(lhs->children.size() - 1, lhs->op);
                if (!lhs->ops.empty()) lhs->ops.push_back(op);
                lhs->children.push_back(std::move(rhs));
                lhs->chain_ends.push_back(text_end());
                return;
            }
            auto e = p.make(ExprKind::Binary, start);
            e->op = op;
            e->children.push_back(std::move(lhs));
            e->children.push_back(std::move(rhs));
            e->chain_ends = {lhs_end, text_end()};
            lhs = std::move(e);
            open = true;
        }
        ExprPtr done() {
            if (open) p.close(*lhs, start);
            return std::move(lhs);
        }
    };

    ExprPtr binary_level(Next next, std::string_view word, Op op) {
        size_t start = i_;
        Chain c(*this, start, (this->*next)());
        while (kw(word)) {
            ++i_;
            c.add(op, (this->*next)());
        }
        return c.done();
    }

    ExprPtr or_expr() { return binary_level(&Parser::xor_expr, "OR", Op::Or); }
    ExprPtr xor_expr() { return binary_level(&Parser::and_expr, "XOR", Op::Xor); }
    ExprPtr and_expr() { return binary_level(&Parser::not_expr, "AND", Op::And); }

    ExprPtr not_expr() {
        if (!kw("NOT")) return comparison();
        DepthGuard guard(*this);
        size_t start = i_++;
        auto e = make(ExprKind::Unary, start);
        e->op = Op::Not;
        e->children.push_back(not_expr());
        close(*e, start);
        return e;
    }

    bool comparison_op(Op& op) const {
        const Token& t = peek();
        if (t.kind != TokenKind::Symbol) return false;
        if (t.text == "=")
            op = Op::Eq;
        else if (t.text == "<>")
            op = Op::Ne;
        else if (t.text == "<")
            op = Op::Lt;
        else if (t.text == "<=")
            op = Op::Le;
        else if (t.text == ">")
            op = Op::Gt;
        else if (t.text == ">=")
            op = Op::Ge;
        else
            return false;
        return true;
    }

    ExprPtr comparison() {
        size_t start = i_;
        auto first = predicate();
        Op op;
        if (!comparison_op(op)) return first;
        auto e = make(ExprKind::Comparison, start);
        e->children.push_back(std::move(first));
        while (comparison_op(op)) {
            ++i_;
            e->ops.push_back(op);
            e->children.push_back(predicate());
        }
        close(*e, start);
        return e;
    }

    ExprPtr predicate() {
        size_t start = i_;
        auto lhs = additive();
        NestCounter nesting(*this);
        for (;;) {
            Op op;
            if (kw("IS")) {
                nesting.nest();
                ++i_;
                bool negated = accept_kw("NOT");
                expect_kw("NULL");
                auto e = make(negated ? ExprKind::IsNotNull : ExprKind::IsNull, start);
                e->children.push_back(std::move(lhs));
                close(*e, start);
                lhs = std::move(e);
                continue;
            }
            if (kw("IN")) {
                ++i_;
                op = Op::In;
            } else if (kw("STARTS") && kw("WITH", 1)) {
                i_ += 2;
                op = Op::StartsWith;
            } else if (kw("ENDS") && kw("WITH", 1)) {
                i_ += 2;
                op = Op::EndsWith;
            } else if (kw("CONTAINS")) {
                ++i_;
                op = Op::Contains;
            } else if (sym("=~")) {
                ++i_;
                op = Op::RegexMatch;
            } else {
                return lhs;
            }
            nesting.nest();
            auto e = make(ExprKind::Binary, start);
            e->op = op;
            e->children.push_back(std::move(lhs));
            e->children.push_back(additive());
            close(*e, start);
            lhs = std::move(e);
        }
    }

    ExprPtr arithmetic(Next next, std::initializer_list<std::pair<std::string_view, Op>> ops) {
        size_t start = i_;
        Chain c(*this, start, (this->*next)());
        for (;;) {
            const std::pair<std::string_view, Op>* hit = nullptr;
            for (auto& o : ops)
                if (sym(o.first)) hit = &o;
            if (!hit) return c.done();
            ++i_;
            c.add(hit->second, (this->*next)());
        }
    }

    ExprPtr additive() {
        return arithmetic(&Parser::multiplicative, {{"+", Op::Add}, {"-", Op::Subtract}});
    }
    ExprPtr multiplicative() {
        return arithmetic(&Parser::power,
                          {{"*", Op::Multiply}, {"/", Op::Divide}, {"%", Op::Modulo}});
    }
    ExprPtr power() { return arithmetic(&Parser::unary, {{"^", Op::Power}}); }

    ExprPtr unary() {
        size_t start = i_;
        if (sym("-") && peek(1).kind == TokenKind::Integer) {
            // Folded here so that -9223372036854775808 is representable.
            ++i_;
            const Token& t = toks_[i_++];
            check_literal(t);
            if (t.uint_value > static_cast<uint64_t>(INT64_MAX) + 1)
                fail_detail(t, "IntegerOverflow", "integer is too large: -" + t.text);
            auto e = make(ExprKind::Literal, start);
            e->value = Value(t.uint_value == static_cast<uint64_t>(INT64_MAX) + 1
                                 ? std::numeric_limits<int64_t>::min()
                                 : -static_cast<int64_t>(t.uint_value));
            close(*e, start);
            return postfix_rest(std::move(e), start);
        }
        if (sym("-") || sym("+")) {
            DepthGuard guard(*this);
            bool neg = sym("-");
            ++i_;
            auto e = make(ExprKind::Unary, start);
            e->op = neg ? Op::Negate : Op::Plus;
            e->children.push_back(unary());
            close(*e, start);
            return e;
        }
        return postfix_expr();
    }

    ExprPtr postfix_expr() {
        size_t start = i_;
        return postfix_rest(atom(), start);
    }

    ExprPtr postfix_rest(ExprPtr e, size_t start) {
        NestCounter nesting(*this);
        for (;;) {
            if ((sym(".") && is_name(1)) || sym("[") || (sym(":") && is_name(1))) nesting.nest();
            if (sym(".") && is_name(1)) {
                ++i_;
                auto p = make(ExprKind::Property, start);
                p->name = toks_[i_++].text;
                p->children.push_back(std::move(e));
                close(*p, start);
                e = std::move(p);
            } else if (sym("[")) {
                ++i_;
                ExprPtr lo, hi;
                if (!sym("..")) lo = expr();
                if (accept_sym("..")) {
                    if (!sym("]")) hi = expr();
                    expect_sym("]");
                    auto s = make(ExprKind::Slice, start);
                    s->children.push_back(std::move(e));
                    s->children.push_back(std::move(lo));
                    s->children.push_back(std::move(hi));
                    close(*s, start);
                    e = std::move(s);
                } else {
                    expect_sym("]");
                    auto s = make(ExprKind::DynamicSubscript, start);
                    s->children.push_back(std::move(e));
                    s->children.push_back(std::move(lo));
                    close(*s, start);
                    e = std::move(s);
                }
            } else if (sym(":") && is_name(1)) {
                auto h = make(ExprKind::HasLabels, start);
                while (accept_sym(":")) h->keys.push_back(symbolic_name("a label"));
                h->children.push_back(std::move(e));
                close(*h, start);
                e = std::move(h);
            } else {
                return e;
            }
        }
    }

    void check_literal(const Token& t) {
        if (t.error == "IntegerOverflow")
            fail_detail(t, t.error, "integer is too large: " + t.text);
        if (t.error == "InvalidNumberLiteral")
            fail_detail(t, t.error, "invalid number literal: " + t.text);
        if (t.error == "FloatingPointOverflow")
            fail_detail(t, t.error, "floating point number is too large: " + t.text);
        if (t.error == "InvalidUnicodeLiteral")
            fail_detail(t, t.error, "invalid unicode escape in string literal");
        if (!t.error.empty()) fail_detail(t, t.error, "invalid literal");
    }

    ExprPtr literal(size_t start, Value v) {
        auto e = make(ExprKind::Literal, start);
        e->value = std::move(v);
        close(*e, start);
        return e;
    }

    ExprPtr atom() {
        size_t start = i_;
        const Token& t = peek();
        switch (t.kind) {
            case TokenKind::Integer:
                ++i_;
                check_literal(t);
                if (t.uint_value > static_cast<uint64_t>(INT64_MAX))
                    fail_detail(t, "IntegerOverflow", "integer is too large: " + t.text);
                return literal(start, Value(static_cast<int64_t>(t.uint_value)));
            case TokenKind::Float:
                ++i_;
                check_literal(t);
                return literal(start, Value(t.float_value));
            case TokenKind::String:
                ++i_;
                check_literal(t);
                return literal(start, Value(t.text));
            case TokenKind::Parameter: {
                ++i_;
                auto e = make(ExprKind::Parameter, start);
                e->name = t.text;
                close(*e, start);
                return e;
            }
            case TokenKind::Symbol:
                if (t.text == "[") return list_atom();
                if (t.text == "{") return map_literal();
                if (t.text == "(") return paren_atom();
                fail("an expression");
            case TokenKind::Identifier:
            case TokenKind::QuotedIdentifier: return name_atom();
            case TokenKind::End: fail("an expression");
        }
        fail("an expression");
    }

    ExprPtr paren_atom() {
        size_t start = i_;
        if (auto part = try_relationship_chain()) {
            if (where_depth_ == 0)
                fail_at(toks_[start],
                        "an expression (pattern expressions are only allowed in "
                        "WHERE, exists() or a pattern comprehension)");
            auto e = make(ExprKind::PatternPredicate, start);
            e->pattern = std::move(part);
            close(*e, start);
            return e;
        }
        ++i_;
        auto inner = expr();
        expect_sym(")");
        close(*inner, start);
        return inner;
    }

    ExprPtr list_atom() {
        size_t start = i_;
        ++i_;
        if (is_name() && kw("IN", 1) && !is_reserved(peek())) {
            auto e = make(ExprKind::ListComprehension, start);
            e->variable = toks_[i_].text;
            i_ += 2;
            e->children.push_back(expr());
            e->children.push_back(accept_kw("WHERE") ? where_expr() : nullptr);
            e->children.push_back(accept_sym("|") ? expr() : nullptr);
            expect_sym("]");
            close(*e, start);
            return e;
        }
        if ((is_name() && sym("=", 1) && sym("(", 2)) || sym("(")) {
            size_t save = i_;
            std::optional<std::string> path;
            if (!sym("(")) {
                path = toks_[i_].text;
                i_ += 2;
            }
            auto part = try_relationship_chain();
            if (part && (kw("WHERE") || sym("|"))) {
                part->path_variable = path;
                auto e = make(ExprKind::PatternComprehension, start);
                e->pattern = std::move(part);
                e->children.push_back(accept_kw("WHERE") ? where_expr() : nullptr);
                expect_sym("|");
                e->children.push_back(expr());
                expect_sym("]");
                close(*e, start);
                return e;
            }
            i_ = save;
        }
        auto e = make(ExprKind::ListLiteral, start);
        if (!sym("]")) {
            do {
                e->children.push_back(expr());
            } while (accept_sym(","));
        }
        expect_sym("]");
        close(*e, start);
        return e;
    }

    ExprPtr map_literal() {
        size_t start = i_;
        expect_sym("{");
        auto e = make(ExprKind::MapLiteral, start);
        if (!sym("}")) {
            do {
                e->keys.push_back(symbolic_name("a property key name"));
                expect_sym(":");
                e->children.push_back(expr());
            } while (accept_sym(","));
        }
        expect_sym("}");
        close(*e, start);
        return e;
    }

    ExprPtr name_atom() {
        size_t start = i_;
        const Token& t = peek();
        bool plain = t.kind == TokenKind::Identifier;
        if (plain) {
            if (t.is_keyword("NULL")) {
                ++i_;
                return literal(start, Value());
            }
            if (t.is_keyword("TRUE")) {
                ++i_;
                return literal(start, Value(true));
            }
            if (t.is_keyword("FALSE")) {
                ++i_;
                return literal(start, Value(false));
            }
            if (t.is_keyword("CASE")) return case_expr();
            if (t.is_keyword("COUNT") && sym("(", 1) && sym("*", 2) && sym(")", 3)) {
                i_ += 4;
                auto e = make(ExprKind::CountStar, start);
                close(*e, start);
                return e;
            }
            if (t.is_keyword("EXISTS") && sym("{", 1)) return subquery(SubqueryKind::Exists);
            if (t.is_keyword("COUNT") && sym("{", 1)) return subquery(SubqueryKind::Count);
            if (t.is_keyword("COLLECT") && sym("{", 1)) return subquery(SubqueryKind::Collect);
            if ((t.is_keyword("ALL") || t.is_keyword("ANY") || t.is_keyword("NONE") ||
                 t.is_keyword("SINGLE")) &&
                sym("(", 1) && is_name(2) && kw("IN", 3))
                return quantifier();
            if (t.is_keyword("REDUCE") && sym("(", 1) && is_name(2) && sym("=", 3)) return reduce();
        }
        // Function call: a possibly dotted name followed by '('.
        size_t k = 0;
        while (is_name(k) && sym(".", k + 1)) k += 2;
        if (is_name(k) && sym("(", k + 1)) return function_call();
        if (plain && is_reserved(t)) fail("an expression");
        ++i_;
        auto v = make(ExprKind::Variable, start);
        v->name = t.text;
        close(*v, start);
        if (sym("{")) return map_projection(std::move(v), start);
        return v;
    }

    ExprPtr function_call() {
        size_t start = i_;
        auto e = make(ExprKind::FunctionCall, start);
        e->name = toks_[i_++].text;
        while (sym(".")) {
            ++i_;
            e->name += "." + toks_[i_++].text;
        }
        expect_sym("(");
        bool is_exists = e->name.size() == 6 && toks_[start].is_keyword("exists");
        if (is_exists) ++where_depth_;
        if (accept_kw("DISTINCT")) e->distinct = true;
        if (!sym(")")) {
            do {
                e->children.push_back(expr());
            } while (accept_sym(","));
        }
        if (is_exists) --where_depth_;
        expect_sym(")");
        close(*e, start);
        return e;
    }

    ExprPtr case_expr() {
        size_t start = i_++;
        auto e = make(ExprKind::Case, start);
        e->children.push_back(kw("WHEN") ? nullptr : expr());
        if (!kw("WHEN")) fail("WHEN");
        while (accept_kw("WHEN")) {
            e->children.push_back(expr());
            expect_kw("THEN");
            e->children.push_back(expr());
        }
        if (accept_kw("ELSE")) e->children.push_back(expr());
        expect_kw("END");
        close(*e, start);
        return e;
    }

    ExprPtr quantifier() {
        size_t start = i_;
        auto e = make(ExprKind::Quantifier, start);
        const Token& t = toks_[i_];
        e->quantifier = t.is_keyword("ALL")    ? QuantifierKind::All
                        : t.is_keyword("ANY")  ? QuantifierKind::Any
                        : t.is_keyword("NONE") ? QuantifierKind::None
                                               : QuantifierKind::Single;
        i_ += 2;
        e->variable = variable_name();
        expect_kw("IN");
        e->children.push_back(expr());
        e->children.push_back(accept_kw("WHERE") ? where_expr() : nullptr);
        expect_sym(")");
        close(*e, start);
        return e;
    }

    ExprPtr reduce() {
        size_t start = i_;
        auto e = make(ExprKind::Reduce, start);
        i_ += 2;
        e->keys.push_back(variable_name());
        expect_sym("=");
        e->children.push_back(expr());
        expect_sym(",");
        e->variable = variable_name();
        expect_kw("IN");
        e->children.push_back(expr());
        expect_sym("|");
        e->children.push_back(expr());
        expect_sym(")");
        close(*e, start);
        return e;
    }

    // EXISTS / COUNT / COLLECT { a query } or { a pattern [WHERE ...] }.
    ExprPtr subquery(SubqueryKind kind) {
        size_t start = i_;
        auto e = make(ExprKind::Subquery, start);
        e->subquery_kind = kind;
        i_ += 2;
        auto q = std::make_unique<Query>();
        static constexpr std::array kClauseStart = {
            "MATCH", "OPTIONAL", "WITH",   "UNWIND", "RETURN", "CALL",   "CREATE",
            "MERGE", "SET",      "DELETE", "DETACH", "REMOVE", "FOREACH"};
        bool full = false;
        for (auto w : kClauseStart)
            if (kw(w)) full = true;
        if (full) {
            *q = query();
        } else {
            Clause c;
            c.kind = ClauseKind::Match;
            c.pos = peek().pos;
            c.pattern = pattern();
            if (accept_kw("WHERE")) c.where = where_expr();
            SingleQuery sq;
            sq.clauses.push_back(std::move(c));
            q->parts.push_back(std::move(sq));
        }
        expect_sym("}");
        e->subquery = std::move(q);
        close(*e, start);
        return e;
    }

    ExprPtr map_projection(ExprPtr var, size_t start) {
        auto e = make(ExprKind::MapProjection, start);
        e->children.push_back(std::move(var));
        expect_sym("{");
        if (!sym("}")) {
            do {
                MapProjectionItem item;
                if (accept_sym(".")) {
                    if (accept_sym("*")) {
                        item.kind = MapProjectionItem::Kind::AllProperties;
                    } else {
                        item.kind = MapProjectionItem::Kind::Property;
                        item.key = symbolic_name("a property key");
                    }
                } else if (is_name() && sym(":", 1)) {
                    item.kind = MapProjectionItem::Kind::Literal;
                    item.key = toks_[i_].text;
                    i_ += 2;
                    item.value = expr();
                } else {
                    item.kind = MapProjectionItem::Kind::Variable;
                    item.key = variable_name();
                }
                e->projection.push_back(std::move(item));
            } while (accept_sym(","));
        }
        expect_sym("}");
        close(*e, start);
        return e;
    }
};

}  // namespace

Statement parse(std::string_view text) { return Parser(text).statement(); }

}  // namespace lora::cypher
