// The Bolt server in-process with short timeouts: stalled, silent and non-reading clients are
// dropped (their queries cancelled) while others are served, and stop() closes connections
// and rolls back their open transactions.
#include "engine/helpers.hpp"
#include "net/bolt/raw_client.hpp"

#include <lora/lora.hpp>
#include <lora/net/bolt/server.hpp>

#include <thread>

using namespace lora;
using namespace lora::test;
using std::chrono::milliseconds;

namespace {

net::bolt::ServerOptions quick(milliseconds handshake, milliseconds message, milliseconds write,
                               milliseconds idle) {
    net::bolt::ServerOptions o;
    o.port = 0;
    o.worker_threads = 4;
    o.handshake_timeout = handshake;
    o.message_timeout = message;
    o.write_timeout = write;
    o.idle_timeout = idle;
    return o;
}

const milliseconds kLong{60000};
const milliseconds kShort{300};

// A working connection: RETURN 1 answered.
void check_serves(uint16_t port) {
    RawBolt c(port);
    handshake_58(c);
    hello_logon(c);
    c.send_message(kRun, {Value("RETURN 1 AS x"), Value(Map{}), Value(Map{})});
    c.send_message(kPull, {Value(pull_n(-1))});
    auto r = c.replies(3);
    REQUIRE(r.size() == 3);
    CHECK(r[1].field == Value(List{Value(1)}));
}

}  // namespace

TEST_CASE("bolt server: a silent client is dropped at the handshake", "[bolt][server]") {
    auto db = open_db(2);
    net::bolt::Server server(quick(kShort, kLong, kLong, kLong), *db);
    server.start();
    RawBolt silent(server.port());
    CHECK(silent.closed_by_server());
    check_serves(server.port());
    CHECK(server.stop(milliseconds(1000)));
}

TEST_CASE("bolt server: a client stalled mid-message is dropped", "[bolt][server]") {
    auto db = open_db(2);
    net::bolt::Server server(quick(kLong, kShort, kLong, kLong), *db);
    server.start();
    RawBolt stalled(server.port());
    handshake_58(stalled);
    hello_logon(stalled);
    stalled.send(bytes({0x00, 0x10, 0xB3, 0x10}));  // 2 of the chunk's 16 bytes
    CHECK(stalled.closed_by_server());
    check_serves(server.port());
    CHECK(server.stop(milliseconds(1000)));
}

TEST_CASE("bolt server: an idle connection is closed", "[bolt][server]") {
    auto db = open_db(2);
    net::bolt::Server server(quick(kLong, kLong, kLong, kShort), *db);
    server.start();
    RawBolt idle(server.port());
    handshake_58(idle);
    hello_logon(idle);
    CHECK(idle.closed_by_server());
    CHECK(server.stop(milliseconds(1000)));
}

TEST_CASE("bolt server: a client that does not read is dropped and its query cancelled",
          "[bolt][server]") {
    auto db = open_db(2);
    net::bolt::Server server(quick(kLong, kLong, kShort, kLong), *db);
    server.start();
    RawBolt lazy(server.port());
    handshake_58(lazy);
    hello_logon(lazy);
    // Far more than the socket buffers hold; the client then reads nothing. (Small lists: a
    // range of 10^8 would be one long uncancellable call, far longer under a sanitizer.)
    lazy.send_message(kRun, {Value("UNWIND range(1, 10000) AS a UNWIND range(1, 10000) AS i "
                                   "RETURN i, 'a string that makes every row longer' AS s"),
                             Value(Map{}), Value(Map{})});
    lazy.send_message(kPull, {Value(pull_n(-1))});
    // Others are served meanwhile; once a write timed out the connection is closed and the
    // query cancelled (its snapshot released). Only then does the client read: what the
    // server had sent, then the end.
    check_serves(server.port());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (db->mvcc_status().running_snapshots > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(milliseconds(20));
    CHECK(db->mvcc_status().running_snapshots == 0);
    CHECK(lazy.closed_by_server());
    CHECK(server.stop(milliseconds(5000)));
}

TEST_CASE("bolt server: stop closes connections and rolls back open transactions",
          "[bolt][server]") {
    auto db = open_db(2);
    net::bolt::Server server(quick(kLong, kLong, kLong, kLong), *db);
    server.start();
    RawBolt c(server.port());
    handshake_58(c);
    hello_logon(c);
    c.send_message(kBegin, {Value(Map{})});
    c.send_message(kRun, {Value("CREATE (:Open {v: 1})"), Value(Map{}), Value(Map{})});
    c.send_message(kPull, {Value(pull_n(-1))});
    auto r = c.replies(3);
    REQUIRE(r.size() == 3);
    REQUIRE(r[2].success());
    CHECK(server.stop(milliseconds(100)));
    CHECK(c.closed_by_server());
    CHECK(db->execute("MATCH (n:Open) RETURN count(n)").rows[0][0] == Value(0));
}
