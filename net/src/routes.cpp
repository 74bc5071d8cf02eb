// The routes of lorad: POST /query, /query/stream, /explain and /profile call the embedding
// API; /health and /metrics report the database's state and the server's counters; /tx/...
// runs explicit transactions.
#include <lora/lora.hpp>
#include <lora/net/admin.hpp>
#include <lora/net/http_server.hpp>
#include <lora/net/transactions.hpp>

#include <lora/net/json_format.hpp>
#include <lora/net/query_body.hpp>

#include <nlohmann/json.hpp>

#include <chrono>

namespace lora::net {

namespace {

using Json = nlohmann::json;

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Response ok_json(const Json& j) {
    Response r;
    r.body = dump(j);
    return r;
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

// The end of a query counted running by metrics.query_started(): its answer from `f`, or
// the engine error `f` throws, recorded either way.
template <typename F>
Response finish_query(Metrics& metrics, F&& f) {
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

// Runs one statement, counting it; engine errors become their HTTP answer.
template <typename F>
Response run_query(Metrics& metrics, F&& f) {
    metrics.query_started();
    return finish_query(metrics, std::forward<F>(f));
}

// The registry's own refusals (unknown id, cap reached, shutting down) are errors of the
// request, not of the engine: answered in the request error shape.
std::optional<Response> registry_refusal(const Error& e) {
    switch (e.kind()) {
        case ErrorKind::TransactionNotFound:
        case ErrorKind::Overloaded:
        case ErrorKind::ShuttingDown: return request_error(http_status(e), e.code(), e.message());
        default: return std::nullopt;
    }
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

// Who sent a request, for SHOW TRANSACTIONS.
ClientInfo client_of(const Request& req) {
    ClientInfo c;
    c.protocol = "http";
    c.connection_id = req.connection_id;
    c.address = req.client_address;
    return c;
}

QueryOptions options_for(const Request& req) {
    QueryOptions o;
    o.cancel = req.cancel;
    o.client = client_of(req);
    o.read_only = req.read_only;
    return o;
}

bool timed_out(const Request& req) { return req.timed_out && req.timed_out->load(); }

Json timeout_json() {
    return Json{
        {"error",
         {{"code", "Request.Timeout"},
          {"class", "request"},
          {"message", "the query ran past the server's query time limit and was cancelled"}}}};
}

// An engine error before the stream started: the query's own status, or 504 when the
// error is the cancellation by the server's query time limit.
Response stream_error(const Request& req, const Error& e) {
    if (timed_out(req) && e.kind() == ErrorKind::Cancelled) {
        Response r = ok_json(timeout_json());
        r.status = 504;
        return r;
    }
    return engine_error(e);
}

// POST /query/stream: NDJSON, one line per message, written while the query runs: the
// columns, the rows, then a summary, or an error line when the query fails midway.
Response stream_query(Database& db, Metrics& metrics, const Request& req, ResponseStream& out) {
    Response bad;
    auto body = parse_query_body(req, bad);
    if (!body) return bad;
    metrics.query_started();
    struct Done {
        Metrics& m;
        ~Done() { m.query_finished(); }
    } done{metrics};
    auto started = std::chrono::steady_clock::now();
    std::unique_ptr<Cursor> cursor;
    std::vector<std::vector<Value>> rows;
    bool more = false;
    try {
        cursor = db.stream(body->query, body->params, options_for(req));
        more = cursor->next(rows);
    } catch (const Error& e) {
        metrics.record_query(false);
        return stream_error(req, e);
    }
    if (!out.begin(200, "application/x-ndjson")) {
        metrics.record_query(false);
        return {};  // the cursor's destructor cancels the query
    }
    std::string buf = dump(Json{{"columns", cursor->columns()}});
    buf += '\n';
    int64_t count = 0;
    for (;;) {
        for (const auto& row : rows) {
            Json line = Json::array();
            for (const auto& v : row) line.push_back(lora::json::to_json(v));
            buf += dump(line);
            buf += '\n';
        }
        count += static_cast<int64_t>(rows.size());
        // One write per chunk the engine hands out: the client sees rows as they come.
        if (!out.write(std::move(buf))) {
            metrics.record_query(false);
            return {};
        }
        buf.clear();
        if (!more) break;
        try {
            more = cursor->next(rows);
        } catch (const Error& e) {
            metrics.record_query(false);
            Json err = timed_out(req) && e.kind() == ErrorKind::Cancelled
                           ? timeout_json()
                           : lora::json::error_to_json(e);
            out.write(dump(err) + "\n");
            return {};
        }
    }
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                  .count();
    Json summary{{"rows", count}, {"stats", stats_json(cursor->stats())}, {"time_ms", ms}};
    metrics.record_query(true);
    out.write(dump(Json{{"summary", std::move(summary)}}) + "\n");
    return {};
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
    // Started here without blocking; the JSON answer is built on the query pool.
    Route query{"POST", "/query", Dispatch::Async, nullptr};
    query.async_handler = [&db, &metrics](const Request& req, Finish finish) {
        Response bad;
        auto body = parse_query_body(req, bad);
        if (!body) return finish([bad] { return bad; });
        metrics.query_started();
        db.execute_async(
            std::move(body->query), std::move(body->params),
            [&metrics, finish](Completion&& c) {
                finish([&metrics, c = std::make_shared<Completion>(std::move(c))] {
                    return finish_query(metrics, [&] {
                        if (c->error) throw *c->error;
                        Json j = lora::json::result_to_json(c->result);
                        j["stats"] = stats_json(c->result.stats);
                        return ok_json(j);
                    });
                });
            },
            options_for(req));
    };
    router.add(std::move(query));
    router.add({"POST", "/explain", Dispatch::Worker, [&db, &metrics](const Request& req) {
                    Response bad;
                    auto body = parse_query_body(req, bad);
                    if (!body) return bad;
                    return run_query(metrics, [&] {
                        Result r =
                            db.execute("EXPLAIN " + body->query, body->params, options_for(req));
                        Json plan = Json::array();
                        for (const auto& row : r.rows)
                            if (!row.empty() && row[0].is_string())
                                plan.push_back(row[0].as_string());
                        return ok_json(Json{{"plan", std::move(plan)}});
                    });
                }});
    router.add({"POST", "/query/stream", Dispatch::Stream, nullptr, true,
                [&db, &metrics](const Request& req, ResponseStream& out) {
                    return stream_query(db, metrics, req, out);
                }});
    // PROFILE runs the query and answers with its plan: rows that entered each step and
    // the step's own time in microseconds, summed over all shards.
    router.add({"POST", "/profile", Dispatch::Worker, [&db, &metrics](const Request& req) {
                    Response bad;
                    auto body = parse_query_body(req, bad);
                    if (!body) return bad;
                    return run_query(metrics, [&] {
                        Result r =
                            db.execute("PROFILE " + body->query, body->params, options_for(req));
                        Json steps = Json::array();
                        for (const auto& row : r.rows) {
                            if (row.size() < 3) continue;
                            Json step{{"step", row[0].as_int()},
                                      {"operator", row[1].as_string()},
                                      {"rows", row[2].as_int()}};
                            if (row.size() > 3 && row[3].is_int())
                                step["time_us"] = row[3].as_int();
                            steps.push_back(std::move(step));
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
                    r.body = metrics.render() + render_wal_metrics(db.wal_status()) +
                             render_engine_metrics(db.engine_stats());
                    return r;
                }});
}

void add_transaction_routes(Router& router, TransactionRegistry& registry, Metrics& metrics) {
    // Worker dispatch throughout: begin waits out a running checkpoint, and a request on a
    // transaction waits for the one before it on the same transaction.
    router.add({"POST", "/tx", Dispatch::Worker, [&registry](const Request& req) {
                    try {
                        Response r = ok_json(Json{{"id", registry.begin(client_of(req))}});
                        r.status = 201;
                        return r;
                    } catch (const Error& e) {
                        if (auto refused = registry_refusal(e)) return *refused;
                        return engine_error(e);
                    }
                }});
    router.add(
        {"POST", "/tx/{id}/query", Dispatch::Worker, [&registry, &metrics](const Request& req) {
             Response bad;
             auto body = parse_query_body(req, bad);
             if (!body) return bad;
             const std::string& id = req.params.at("id");
             TransactionRegistry::StatementOutcome out;
             metrics.query_started();
             try {
                 out = registry.execute(id, body->query, body->params, req.read_only);
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
