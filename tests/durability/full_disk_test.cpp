// A real full disk: the data directory sits on a small tmpfs mounted in a mount namespace of
// this test process's own (nothing outside sees it, and it goes when the process ends), and
// a filler file takes its last byte. Writes then fail with an error naming the disk, the
// database turns read-only and keeps serving reads, nothing acknowledged is lost, and once
// the space is back a restart recovers it. Where mounting is not permitted (no
// CAP_SYS_ADMIN), the WAL's ENOSPC fault point stands in for the full disk, and the test
// says so.
#include "durability_support.hpp"

#include <sched.h>
#include <sys/mount.h>

using namespace durability;

namespace {

// Mounts a tmpfs of `bytes` at `dir`, in a new mount namespace of this thread (threads it
// starts later, such as the database's, inherit it). False, with the reason, when not
// permitted.
bool mount_small_disk(const fs::path& dir, uint64_t bytes, std::string& why) {
    auto failed = [&](const std::string& call) {
        why = call + ": " + std::strerror(errno);
        return false;
    };
    if (unshare(CLONE_NEWNS) != 0) return failed("unshare(CLONE_NEWNS)");
    if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        return failed("making / private");
    const std::string size = "size=" + std::to_string(bytes);
    if (mount("tmpfs", dir.c_str(), "tmpfs", 0, size.c_str()) != 0) return failed("mount tmpfs");
    return true;
}

// Writes `file` until its filesystem has no byte left; returns the bytes written.
uint64_t fill(const fs::path& file) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    std::vector<char> buf(1 << 20, 'x');
    uint64_t total = 0;
    for (size_t chunk = buf.size(); chunk >= 512; chunk /= 2)
        while (true) {
            const ssize_t n = ::write(fd, buf.data(), chunk);
            if (n <= 0) break;
            total += static_cast<uint64_t>(n);
            if (static_cast<size_t>(n) < chunk) break;
        }
    ::fsync(fd);
    ::close(fd);
    return total;
}

lora::Options small_wal(const fs::path& dir) {
    lora::Options o;
    o.shards = 4;
    o.threads = 2;
    o.data_dir = dir.string();
    o.checkpoint_wal_bytes = 0;
    o.wal_segment_bytes = 1 << 20;  // a new segment file soon: the disk is asked for space
    return o;
}

const std::string kCreatePadded =
    "CREATE (:W {w: $w, s: $s, pad: $pad})-[:R]->(:W {w: $w, s: $s, t: 1})";

}  // namespace

TEST_CASE(
    "a full disk fails writes cleanly, loses nothing acknowledged and recovers once "
    "space is back",
    "[durability][disk]") {
    TempDir tmp;
    const fs::path disk = tmp.path / "disk";
    fs::create_directories(disk);
    std::string why;
    const bool real = mount_small_disk(disk, 32 << 20, why);
    if (!real)
        WARN("no real full disk here (" << why << "): the WAL's ENOSPC fault point stands in");
    const fs::path dir = disk / "db";
    const fs::path filler = disk / "filler";
    const lora::Params pad{{"pad", lora::Value(std::string(16384, 'p'))}};
    int64_t last = -1;  // writer 0's last acknowledged pair
    {
        auto db = lora::Database::open(small_wal(dir));
        create_pairs(*db, 0, 0, 20);
        last = 19;
        db->checkpoint();
        std::optional<FaultGuard> fault;
        if (real) {
            INFO("filled " << fill(filler) << " bytes");
            // The WAL's current segment was allocated in full: writes still fit in it.
            create_pairs(*db, 0, 20, 22);
            last = 21;
            // A checkpoint on the full disk fails and leaves the last one in place.
            try {
                db->checkpoint();
                FAIL("a checkpoint succeeded on a full disk");
            } catch (const lora::Error& e) {
                INFO(e.code() << ": " << e.message());
                CHECK(e.message().find("No space left on device") != std::string::npos);
            }
        } else {
            fault.emplace("wal_write_enospc");
        }
        // Writes go on until the WAL needs space it cannot get.
        std::optional<lora::Error> failed;
        for (int64_t s = last + 1; s < 100000 && !failed; ++s) {
            lora::Params p = pad;
            p["w"] = lora::Value(int64_t{0});
            p["s"] = lora::Value(s);
            try {
                db->execute(kCreatePadded, p);
                last = s;
            } catch (const lora::Error& e) {
                failed = e;
            }
        }
        REQUIRE(failed);
        INFO("the failed write: " << failed->code() << ": " << failed->message());
        CHECK(failed->detail() == "WalFailure");
        CHECK(failed->message().find("No space left on device") != std::string::npos);
        // Read-only now, saying why; reads go on and see every acknowledged write.
        const lora::Health h = db->health();
        CHECK(h.read_only);
        CHECK(h.reason.find("No space left on device") != std::string::npos);
        try {
            db->execute("CREATE (:Other)");
            FAIL("a write succeeded on a read-only database");
        } catch (const lora::Error& e) {
            CHECK(e.detail() == "ReadOnly");
        }
        require_consistent(inspect(*db), {{0, last}}, /*allow_unacked=*/false);
    }
    // The space comes back; a restart recovers everything acknowledged and writes again.
    if (real) fs::remove(filler);
    {
        auto db = lora::Database::open(small_wal(dir));
        CHECK_FALSE(db->health().read_only);
        require_consistent(inspect(*db), {{0, last}}, /*allow_unacked=*/false);
        create_pairs(*db, 0, last + 1, last + 11);
        db->checkpoint();
    }
    auto db = lora::Database::open(small_wal(dir));
    require_consistent(inspect(*db), {{0, last + 10}}, /*allow_unacked=*/false);
}
