// A shard's transaction bookkeeping (ShardState), driven without an actor.
#include <lora/actors/install.hpp>
#include <lora/actors/shard_state.hpp>

#include <lora/storage/catalog.hpp>
#include <lora/storage/partition.hpp>
#include <lora/storage/versions.hpp>

#include <catch2/catch.hpp>

using namespace lora;
using lora::actors::ShardState;

namespace {

struct Fixture {
    storage::Catalog catalog;
    ShardState st;
    Fixture() {
        st.part = std::make_shared<storage::Partition>(0, 1, catalog);
        st.catalog = &catalog;
    }
};

exec::RedoOp create_node(uint64_t id) {
    exec::RedoOp op{};
    op.kind = exec::RedoOp::Kind::CreateNode;
    op.id = id;
    return op;
}

}  // namespace

TEST_CASE("a finished small transaction's log is reused by the next one", "[actors][shard]") {
    Fixture f;
    exec::TxnLog& first = f.st.log_of(7);
    first.redo.push_back(create_node(1));
    CHECK(&f.st.log_of(7) == &first);  // the same transaction finds its log
    f.st.abort(7);
    CHECK(f.st.txns.empty());
    REQUIRE(f.st.spare_logs.size() == 1);
    exec::TxnLog& second = f.st.log_of(8);
    CHECK(&second == &first);  // the spare map node, emptied
    CHECK(second.redo.empty());
    CHECK(f.st.spare_logs.empty());
}

TEST_CASE("a bulk transaction's log is freed, not kept", "[actors][shard]") {
    Fixture f;
    exec::TxnLog& log = f.st.log_of(3);
    log.redo.resize(1000);
    f.st.abort(3);
    CHECK(f.st.txns.empty());
    CHECK(f.st.spare_logs.empty());
}

TEST_CASE("prepare reads the transaction's redo here, empty when it did nothing here",
          "[actors][shard]") {
    Fixture f;
    CHECK(f.st.redo_of(42).empty());
    f.st.log_of(42).redo.push_back(create_node(5));
    REQUIRE(f.st.redo_of(42).size() == 1);
    CHECK(f.st.redo_of(42)[0].id == 5);
}

TEST_CASE("the last shard to install a commit runs its callback, once", "[actors][shard]") {
    Fixture a, b;
    int installed = 0;
    auto in = std::make_shared<actors::Install>(2, [&] { ++installed; });
    a.st.log_of(9).redo.push_back(create_node(1));
    CHECK_FALSE(a.st.install(9, 100, in));
    CHECK(installed == 0);
    CHECK(a.st.txns.empty());         // the log is done with
    CHECK(b.st.install(9, 100, in));  // nothing of txn 9 here: still counted
    CHECK(installed == 1);
}

TEST_CASE("version collection asks for a timer only while versions remain", "[actors][shard]") {
    Fixture f;
    CHECK_FALSE(f.st.collect());  // nothing kept
    CHECK_FALSE(f.st.collect_scheduled);
}

TEST_CASE("a snapshot load replaces the partition and forgets open logs", "[actors][shard]") {
    Fixture f;
    f.st.log_of(1);
    auto fresh = std::make_shared<storage::Partition>(0, 1, f.catalog);
    f.st.replace(fresh);
    CHECK(f.st.part == fresh);
    CHECK(f.st.txns.empty());
}
