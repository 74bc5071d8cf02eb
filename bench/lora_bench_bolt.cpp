// lora-bench writers --via bolt: each writer thread owns one Bolt connection; a transient
// failure (a conflict) is retried, any other ends the run.
#include "lora_bench_bolt.hpp"
#include "lora_bench_remote.hpp"

#include <lora/errors.hpp>
#include <lora/net/bolt/client.hpp>

namespace lora::bench {

namespace {

namespace bolt = lora::net::bolt;

bolt::ClientOptions client_options(const std::string& token) {
    bolt::ClientOptions o;
    o.auth_token = token;
    o.user_agent = "lora-bench/1";
    o.timeout = std::chrono::seconds(60);
    return o;
}

class BoltWriter : public RemoteWriter {
public:
    BoltWriter(const bolt::Endpoint& target, const std::string& token)
        : client_(target, client_options(token)) {}
    Outcome commit(uint32_t w, uint64_t s, std::string& error) override {
        try {
            client_.run(kWriteQuery, Map{{"w", Value(static_cast<int64_t>(w))},
                                         {"s", Value(static_cast<int64_t>(s))}});
            return Outcome::Committed;
        } catch (const Error& e) {
            if (e.error_class() == ErrorClass::Transient) return Outcome::Retry;
            error = e.code() + ": " + e.message();
            return Outcome::Failed;
        }
    }

private:
    bolt::Client client_;
};

}  // namespace

bolt::Endpoint bolt_target(const std::string& url) {
    if (url.rfind("bolt://", 0) != 0)
        throw errors::invalid_option("--url must be bolt://HOST:PORT with --via bolt, got '" + url +
                                     "'");
    return bolt::parse_bolt_url(url);
}

WritersResult run_writers_bolt(const WritersConfig& config, const std::string& url,
                               const std::string& auth_token) {
    const bolt::Endpoint target = bolt_target(url);
    bolt::Client control(target, client_options(auth_token));
    RemoteControl rc;
    rc.connect = [&] { return std::make_unique<BoltWriter>(target, auth_token); };
    rc.wal = [] { return WalFigures{}; };
    rc.count_relationships = [&] {
        Result r = control.run("MATCH (:W)-[r:R]->(:W) RETURN count(r) AS c");
        if (r.rows.empty()) throw errors::database("Bolt", "counting relationships found no row");
        return r.rows.at(0).at(0).as_int();
    };
    return run_writers_remote(config, "bolt", rc);
}

ReadStatement bolt_reader(const std::string& url, const std::string& auth_token) {
    auto client = std::make_shared<bolt::Client>(bolt_target(url), client_options(auth_token));
    return [client](const std::string& q, const Params& p) { return client->run(q, p); };
}

}  // namespace lora::bench
