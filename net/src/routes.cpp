// The routes of lorad: POST /query, /explain and /profile call the embedding API; /health and /metrics
// report the database's state and the server's counters; /tx/... runs explicit transactions.
#include <lora/lora.hpp>
#include <lora/net/admin.hpp>
#include <lora/net/http_server.hpp>
#include <lora/net/transactions.hpp>

#include "json_format.hpp"

#include <nlohmann/json.hpp>

namespace lora::net {

namespace {

using Json = nlohmann::json;

// nlohmann's parser is iterative, but turning a document into Values and back recurses; a
// bound on nesting keeps a hostile body from exhausting the worker's stack.
constexpr int kMaxJsonDepth = 256;

bool nesting_within(const std::string& text, int max_depth) {
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

std::string dump(const Json& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Response ok_json(const Json& j) {
    Response r;
    r.body = dump(j);
    return r;
}

struct QueryBody {
    std::string query;
    Params params;
};

// Reads {"query": string, "params": object?}; a bad body is answered with 400, never thrown
// further as an engine error.
std::optional<QueryBody> parse_query_body(const Request& req, Response& error) {
    if (!nesting_within(req.body, kMaxJsonDepth)) {
        error = request_error(400, "Request.InvalidJson",
                              "request body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        return std::nullopt;
    }
    Json j;
    try {
        j = Json::parse(req.body);
    } catch (const Json::exception& e) {
        error = request_error(400, "Request.InvalidJson",
                              std::string("request body is not valid JSON: ") + e.what());
        return std::nullopt;
    }
    if (!j.is_object()) {
        error = request_error(400, "Request.InvalidField",
                              "request body must be a JSON object with a \"query\" string");
        return std::nullopt;
    }
    QueryBody out;
    auto q = j.find("query");
    if (q == j.end()) {
        error = request_error(400, "Request.MissingField", "request body has no \"query\" field");
        return std::nullopt;
    }
    if (!q->is_string()) {
        error = request_error(400, "Request.InvalidField",
                              std::string("\"query\" must be a string, got ") + q->type_name());
        return std::nullopt;
    }
    out.query = q->get<std::string>();
    auto p = j.find("params");
    if (p != j.end() && !p->is_null()) {
        if (!p->is_object()) {
            error = request_error(400, "Request.InvalidField",
                                  std::string("\"params\" must be an object, got ") + p->type_name());
            return std::nullopt;
        }
        for (auto it = p->begin(); it != p->end(); ++it)
            out.params.emplace(it.key(), lora::json::from_json(it.value()));
    }
    return out;
}

Json stats_json(const QueryStats& s) {
    Json o;
    o["nodes_created"] = s.nodes_created;
    o["nodes_deleted"] = s.nodes_deleted;
    o["relationships_created"] = s.relationships_created;
    o["relationships_deleted"] = s.relationships_deleted;
    o["properties_set"] = s.properties_set;
    o["labels_added"] = s.labels_added;
    o["labels_removed"] = s.labels_removed;
    o["contains_updates"] = s.contains_updates();
    return o;
}

// Runs one statement, counting it; engine errors become their HTTP answer.
template <typename F>
Response run_query(Metrics& metrics, F&& f) {
    metrics.query_started();
    struct Done {
        Metrics& m;
        ~Done() { m.query_finished(); }
    } done{metrics};
    try {
        Response r = f();
        metrics.record_query(true);
        return r;
    } catch (const Error& e) {
        metrics.record_query(false);
        return engine_error(e);
    }
}

// The registry's own refusals (unknown id, cap reached, shutting down) are errors of the
// request, not of the engine: answered in the request error shape.
std::optional<Response> registry_refusal(const Error& e) {
    if (e.detail() == "TransactionNotFound") return request_error(404, e.code(), e.message());
    if (e.detail() == "TooManyTransactions" || e.detail() == "ShuttingDown")
        return request_error(503, e.code(), e.message());
    return std::nullopt;
}

Response tx_engine_error(const Error& e, bool closed) {
    Response r = engine_error(e);
    if (closed) {
        Json j = Json::parse(r.body);
        j["error"]["transaction_closed"] = true;
        r.body = dump(j);
    }
    return r;
}

}  // namespace

Response health_response(bool read_only, std::string_view reason) {
    if (!read_only) return ok_json(Json{{"status", "ok"}});
    // 503 takes a read-only instance out of a load balancer's write pool.
    Response r = ok_json(Json{{"status", "read-only"}, {"reason", reason}});
    r.status = 503;
    return r;
}

void add_standard_routes(Router& router, Database& db, Metrics& metrics) {
    router.add({"POST", "/query", Dispatch::Worker, [&db, &metrics](const Request& req) {
                    Response bad;
                    auto body = parse_query_body(req, bad);
                    if (!body) return bad;
                    return run_query(metrics, [&] {
                        Result r = db.execute(body->query, body->params);
                        Json j = lora::json::result_to_json(r);
                        j["stats"] = stats_json(r.stats);
                        return ok_json(j);
                    });
                }});
    router.add({"POST", "/explain", Dispatch::Worker, [&db, &metrics](const Request& req) {
                    Response bad;
                    auto body = parse_query_body(req, bad);
                    if (!body) return bad;
                    return run_query(metrics, [&] {
                        Result r = db.execute("EXPLAIN " + body->query, body->params);
                        Json plan = Json::array();
                        for (const auto& row : r.rows)
                            if (!row.empty() && row[0].is_string()) plan.push_back(row[0].as_string());
                        return ok_json(Json{{"plan", std::move(plan)}});
                    });
                }});
    // PROFILE runs the query and answers with its plan: rows that entered each step.
    router.add({"POST", "/profile", Dispatch::Worker, [&db, &metrics](const Request& req) {
                    Response bad;
                    auto body = parse_query_body(req, bad);
                    if (!body) return bad;
                    return run_query(metrics, [&] {
                        Result r = db.execute("PROFILE " + body->query, body->params);
                        Json steps = Json::array();
                        for (const auto& row : r.rows) {
                            if (row.size() < 3) continue;
                            steps.push_back(Json{{"step", row[0].as_int()},
                                                 {"operator", row[1].as_string()},
                                                 {"rows", row[2].as_int()}});
                        }
                        Json j{{"profile", std::move(steps)}};
                        j["stats"] = stats_json(r.stats);
                        return ok_json(j);
                    });
                }});
    // Probes must work without credentials.
    router.add({"GET", "/health", Dispatch::Inline,
                [&db](const Request&) {
                    Health h = db.health();
                    return health_response(h.read_only, h.reason);
                },
                false});
    router.add({"GET", "/metrics", Dispatch::Inline, [&db, &metrics](const Request&) {
                    Response r;
                    r.content_type = "text/plain; version=0.0.4";
                    r.body = metrics.render() + render_wal_metrics(db.wal_status());
                    return r;
                }});
}

void add_transaction_routes(Router& router, TransactionRegistry& registry, Metrics& metrics) {
    // Worker dispatch throughout: begin waits out a running checkpoint, and a request on a
    // transaction waits for the one before it on the same transaction.
    router.add({"POST", "/tx", Dispatch::Worker, [&registry](const Request&) {
                    try {
                        Response r = ok_json(Json{{"id", registry.begin()}});
                        r.status = 201;
                        return r;
                    } catch (const Error& e) {
                        if (auto refused = registry_refusal(e)) return *refused;
                        return engine_error(e);
                    }
                }});
    router.add({"POST", "/tx/{id}/query", Dispatch::Worker, [&registry, &metrics](const Request& req) {
                    Response bad;
                    auto body = parse_query_body(req, bad);
                    if (!body) return bad;
                    const std::string& id = req.params.at("id");
                    TransactionRegistry::StatementOutcome out;
                    metrics.query_started();
                    try {
                        out = registry.execute(id, body->query, body->params);
                    } catch (const Error& e) {
                        metrics.query_finished();
                        if (auto refused = registry_refusal(e)) return *refused;
                        throw;
                    }
                    metrics.query_finished();
                    metrics.record_query(!out.error);
                    if (out.error) return tx_engine_error(*out.error, out.closed);
                    Json j = lora::json::result_to_json(*out.result);
                    j["stats"] = stats_json(out.result->stats);
                    return ok_json(j);
                }});
    router.add({"POST", "/tx/{id}/commit", Dispatch::Worker, [&registry](const Request& req) {
                    try {
                        registry.commit(req.params.at("id"));
                    } catch (const Error& e) {
                        if (auto refused = registry_refusal(e)) return *refused;
                        // A failed commit is rolled back; the id is gone either way.
                        return tx_engine_error(e, true);
                    }
                    return ok_json(Json{{"committed", true}});
                }});
    router.add({"POST", "/tx/{id}/rollback", Dispatch::Worker, [&registry](const Request& req) {
                    try {
                        registry.rollback(req.params.at("id"));
                    } catch (const Error& e) {
                        if (auto refused = registry_refusal(e)) return *refused;
                        return tx_engine_error(e, true);
                    }
                    return ok_json(Json{{"rolled_back", true}});
                }});
}

}  // namespace lora::net
