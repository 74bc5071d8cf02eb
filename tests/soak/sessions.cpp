// The soak's two kinds of session: on an embedded Database, and over lorad's HTTP API
// (auto-commit /query, explicit /tx transactions, /admin routes).
#include "workload.hpp"

#include "net/net_support.hpp"

#include <lora/net/remote.hpp>

#include <nlohmann/json.hpp>

namespace soak {
namespace {

std::vector<int64_t> first_row(const lora::Result& r) {
    std::vector<int64_t> out;
    if (r.rows.empty()) return out;
    for (const lora::Value& v : r.rows.front()) out.push_back(v.is_int() ? v.as_int() : 0);
    return out;
}

lora::Params to_params(const IntParams& params) {
    lora::Params p;
    for (const auto& [k, v] : params) p[k] = lora::Value(v);
    return p;
}

class EmbeddedSession : public Session {
public:
    EmbeddedSession(lora::Database& db, std::string data_dir)
        : db_(db), snapshot_(data_dir + "/snapshots/" + kSnapshotName) {}

    std::vector<int64_t> run(const std::string& query, const IntParams& params) override {
        return first_row(db_.execute(query, to_params(params)));
    }
    void begin() override { tx_ = db_.begin(); }
    std::vector<int64_t> tx_run(const std::string& query, const IntParams& params) override {
        return first_row(tx_->execute(query, to_params(params)));
    }
    void commit() override {
        auto tx = std::move(tx_);
        tx->commit();
    }
    void rollback() override {
        if (!tx_) return;
        try {
            tx_->rollback();
        } catch (const lora::Error&) {}
        tx_.reset();
    }
    void checkpoint() override { db_.checkpoint(); }
    void snapshot_save() override { db_.snapshot_save(snapshot_); }

private:
    lora::Database& db_;
    std::string snapshot_;
    std::unique_ptr<lora::Transaction> tx_;
};

class HttpSession : public Session {
public:
    explicit HttpSession(uint16_t port) : port_(port) {}

    std::vector<int64_t> run(const std::string& query, const IntParams& params) override {
        return rows_of(call("/query", statement(query, params)));
    }
    void begin() override { tx_ = call("/tx", nlohmann::json::object())["id"].get<std::string>(); }
    std::vector<int64_t> tx_run(const std::string& query, const IntParams& params) override {
        return rows_of(call("/tx/" + tx_ + "/query", statement(query, params)));
    }
    void commit() override {
        const std::string id = std::move(tx_);
        tx_.clear();
        call("/tx/" + id + "/commit", nlohmann::json::object());
    }
    void rollback() override {
        if (tx_.empty()) return;
        const std::string id = std::move(tx_);
        tx_.clear();
        try {
            call("/tx/" + id + "/rollback", nlohmann::json::object());
        } catch (const lora::Error&) {
            // A statement that failed may have closed the transaction already.
        }
    }
    void checkpoint() override { call("/admin/checkpoint", nlohmann::json::object()); }
    void snapshot_save() override { call("/admin/snapshot/save", {{"path", kSnapshotName}}); }

private:
    uint16_t port_;
    std::unique_ptr<lora::test::HttpClient> client_;
    std::string tx_;

    static nlohmann::json statement(const std::string& query, const IntParams& params) {
        nlohmann::json p = nlohmann::json::object();
        for (const auto& [k, v] : params) p[k] = v;
        return {{"query", query}, {"params", p}};
    }

    static std::vector<int64_t> rows_of(const nlohmann::json& body) {
        std::vector<int64_t> out;
        if (!body.contains("rows") || body["rows"].empty()) return out;
        for (const auto& v : body["rows"][0])
            out.push_back(v.is_number_integer() ? v.get<int64_t>() : 0);
        return out;
    }

    // POSTs `body`; a 2xx answer's JSON, lorad's error as lora::Error, Lost when the
    // connection is gone.
    nlohmann::json call(const std::string& target, const nlohmann::json& body) {
        lora::test::Reply r;
        try {
            if (!client_) client_ = std::make_unique<lora::test::HttpClient>(port_);
            r = client_->request("POST", target, body.dump());
        } catch (const std::runtime_error&) {
            client_.reset();
            throw Lost{};
        }
        if (r.closed) client_.reset();  // the next call connects again
        if (r.status == 0) throw Lost{};
        nlohmann::json j = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
        if (r.status / 100 != 2) throw lora::net::error_from_json(r.status, j);
        return j;
    }
};

}  // namespace

std::unique_ptr<Session> embedded_session(lora::Database& db, const std::string& data_dir) {
    return std::make_unique<EmbeddedSession>(db, data_dir);
}

std::unique_ptr<Session> http_session(uint16_t port) { return std::make_unique<HttpSession>(port); }

}  // namespace soak
