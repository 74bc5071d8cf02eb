// lora-soak: kill -9 cycles of a mixed workload on one data directory. Each cycle runs the
// workload (workload.hpp) for a random time, alternately in an embedded child process and
// through lorad, kills the process with SIGKILL, reopens the directory and checks every
// invariant (ledger.hpp). Stops at the first cycle whose check fails, keeping the directory.
//
//   lora-soak [--cycles N (1000)] [--dir DIR] [--seed S] [--min-ms MS (100)] [--max-ms MS (600)]
//
// Prints a progress line every 50 cycles and the figures at the end; exits 0 when every
// check of every cycle passed, 1 otherwise.
#include "ledger.hpp"

#include "net/net_support.hpp"

#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace soak {
namespace {

std::unique_ptr<lora::Database> open_embedded(const fs::path& data) {
    lora::Options o;
    o.shards = kShards;
    o.threads = 2;
    o.data_dir = data.string();
    return lora::Database::open(o);
}

// The child's report lines go to this descriptor (its stdout carries the engine's log).
constexpr int kReportFd = 3;

// One whole line per write(2): lines from the workload's threads never interleave and none
// is half written when the process is killed.
void emit(const std::string& line) {
    const std::string s = line + "\n";
    size_t done = 0;
    while (done < s.size()) {
        const ssize_t n = ::write(kReportFd, s.data() + done, s.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) std::_Exit(3);  // the driver stopped listening
        done += static_cast<size_t>(n);
    }
}

// The child's events, as lines for the driver: "ack W LAST", "count C", "fail TEXT".
class LineEvents : public Events {
public:
    void ack(int64_t w, int64_t last_pair) override {
        emit("ack " + std::to_string(w) + " " + std::to_string(last_pair));
    }
    void count(Counter c) override { emit("count " + std::to_string(static_cast<int>(c))); }
    void failure(const std::string& what) override {
        std::string one = what;
        for (char& ch : one)
            if (ch == '\n') ch = ' ';
        emit("fail " + one);
    }
};

int child_main(const std::string& data, int64_t cycle, uint64_t seed) {
    std::unique_ptr<lora::Database> db;
    try {
        db = open_embedded(data);
    } catch (const lora::Error& e) {
        emit("fail the embedded database did not open: " + e.code() + ": " + e.message());
        return 2;
    }
    emit("ready");
    LineEvents events;
    std::atomic<bool> never{false};
    run_workload(
        cycle, seed, [&] { return embedded_session(*db, data); }, events, never);
    return 0;
}

// Reads a child's report lines into the ledger; `ready` is set at its "ready" line.
void read_child(int fd, Ledger& ledger, std::atomic<bool>& ready) {
    std::string buf;
    char chunk[4096];
    while (true) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        buf.append(chunk, static_cast<size_t>(n));
        size_t nl;
        while ((nl = buf.find('\n')) != std::string::npos) {
            const std::string line = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            if (line == "ready") {
                ready = true;
            } else if (line.rfind("ack ", 0) == 0) {
                int64_t w = 0, last = 0;
                std::sscanf(line.c_str() + 4, "%ld %ld", &w, &last);
                ledger.ack(w, last);
            } else if (line.rfind("count ", 0) == 0) {
                ledger.count(static_cast<Counter>(std::stoi(line.substr(6))));
            } else if (line.rfind("fail ", 0) == 0) {
                ledger.failure("embedded: " + line.substr(5));
            } else {
                ledger.failure("embedded: an unexpected line from the workload: " + line);
            }
        }
    }
}

// Whether `pid` has ended by itself (a zombie not yet waited for).
bool ended(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_s, comm, state;
    f >> pid_s >> comm >> state;
    return !f || state == "Z";
}

// One embedded cycle: the workload in a child process, killed after `run_ms`.
void embedded_cycle(const std::string& self, const fs::path& data, int64_t cycle, uint64_t seed,
                    int run_ms, Ledger& ledger) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(fds[1], kReportFd);
        if (fds[0] != kReportFd) close(fds[0]);
        if (fds[1] != kReportFd) close(fds[1]);
        const std::string d = data.string(), c = std::to_string(cycle), s = std::to_string(seed);
        execl(self.c_str(), self.c_str(), "--child", d.c_str(), c.c_str(), s.c_str(), nullptr);
        _exit(127);
    }
    close(fds[1]);
    std::atomic<bool> ready{false};
    std::thread reader([&] { read_child(fds[0], ledger, ready); });
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    while (!ready && Clock::now() < deadline && !ended(pid))
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (!ready) ledger.failure("the embedded workload did not start within 120 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(run_ms));
    if (ended(pid)) ledger.failure("the embedded workload's process ended by itself");
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    reader.join();
    close(fds[0]);
}

// One lorad cycle: lorad on the data directory, the workload's threads here over HTTP,
// lorad killed after `run_ms`.
void lorad_cycle(const fs::path& data, int64_t cycle, uint64_t seed, int run_ms, Ledger& ledger) {
    lora::test::Lorad d({"--shards", std::to_string(kShards), "--bolt", "off"}, {}, data.string());
    std::atomic<bool> stop{false};
    std::thread workload([&] {
        run_workload(
            cycle, seed, [&] { return http_session(d.port()); }, ledger, stop);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(run_ms));
    if (ended(d.pid())) ledger.failure("lorad ended by itself; its log:\n" + d.stderr_text());
    d.stop(SIGKILL, std::chrono::seconds(30));
    stop = true;
    workload.join();
}

struct Options {
    int64_t cycles = 1000;
    std::string dir;
    uint64_t seed = 0;
    int min_ms = 100, max_ms = 600;
};

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "lora-soak: " << why
              << "\nusage: lora-soak [--cycles N] [--dir DIR] [--seed S] [--min-ms MS] "
                 "[--max-ms MS]\n";
    std::exit(64);
}

Options parse(int argc, char** argv) {
    Options o;
    o.seed = static_cast<uint64_t>(Clock::now().time_since_epoch().count());
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) usage(a + " needs a value");
        const std::string v = argv[++i];
        try {
            if (a == "--cycles")
                o.cycles = std::stoll(v);
            else if (a == "--dir")
                o.dir = v;
            else if (a == "--seed")
                o.seed = std::stoull(v);
            else if (a == "--min-ms")
                o.min_ms = std::stoi(v);
            else if (a == "--max-ms")
                o.max_ms = std::stoi(v);
            else
                usage("unknown option " + a);
        } catch (const std::logic_error&) {
            usage("bad value for " + a + ": " + v);
        }
    }
    if (o.cycles < 1 || o.min_ms < 1 || o.max_ms < o.min_ms) usage("bad cycle count or times");
    return o;
}

struct Figures {
    int64_t cycles = 0, embedded = 0, lorad = 0;
    double recovery_ms_sum = 0, recovery_ms_max = 0;
    int64_t max_pairs = 0;
};

void report(const Figures& f, const Ledger& l, double seconds, bool final) {
    std::printf(
        "%s %ld cycles (%ld embedded, %ld lorad) in %.0f s: %lu acknowledged writes, %lu "
        "transfers (%lu refused on conflict, retried), %lu balance reads, %lu checkpoints, %lu "
        "index changes, %lu snapshot saves; recovery (open) %.0f ms mean, %.0f ms max; at most "
        "%ld pairs held\n",
        final ? "soak:" : "  ..", static_cast<long>(f.cycles), static_cast<long>(f.embedded),
        static_cast<long>(f.lorad), seconds, static_cast<unsigned long>(l.acks()),
        static_cast<unsigned long>(l.counted(Counter::Transfer)),
        static_cast<unsigned long>(l.counted(Counter::Conflict)),
        static_cast<unsigned long>(l.counted(Counter::Read)),
        static_cast<unsigned long>(l.counted(Counter::Checkpoint)),
        static_cast<unsigned long>(l.counted(Counter::IndexChange)),
        static_cast<unsigned long>(l.counted(Counter::SnapshotSave)),
        f.cycles ? f.recovery_ms_sum / static_cast<double>(f.cycles) : 0.0, f.recovery_ms_max,
        static_cast<long>(f.max_pairs));
    std::fflush(stdout);
}

int driver_main(const std::string& self, const Options& o) {
    std::unique_ptr<lora::test::TempDir> temp;
    fs::path root = o.dir;
    if (root.empty()) {
        temp = std::make_unique<lora::test::TempDir>();
        root = temp->path;
    } else if (fs::exists(root) && !fs::is_empty(root)) {
        usage("--dir " + o.dir + " is not empty");
    }
    const fs::path data = root / "data";
    fs::create_directories(data / "snapshots");
    std::printf("soak: %ld cycles on %s, seed %lu, %d-%d ms per cycle\n",
                static_cast<long>(o.cycles), data.c_str(), static_cast<unsigned long>(o.seed),
                o.min_ms, o.max_ms);
    std::fflush(stdout);
    set_up(*open_embedded(data));

    Ledger ledger;
    Figures f;
    std::mt19937_64 rng(o.seed);
    const auto start = Clock::now();
    size_t failures_seen = 0;
    for (int64_t c = 1; c <= o.cycles; ++c) {
        ledger.start_cycle(c);
        const int run_ms =
            o.min_ms + static_cast<int>(rng() % static_cast<uint64_t>(o.max_ms - o.min_ms + 1));
        const uint64_t seed = rng();
        const bool embedded = c % 2 == 1;
        if (embedded)
            embedded_cycle(self, data, c, seed, run_ms, ledger);
        else
            lorad_cycle(data, c, seed, run_ms, ledger);
        (embedded ? f.embedded : f.lorad)++;

        std::vector<std::string> problems(
            ledger.failures().begin() + static_cast<long>(failures_seen), ledger.failures().end());
        failures_seen = ledger.failures().size();
        try {
            const auto t0 = Clock::now();
            auto db = open_embedded(data);
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
            f.recovery_ms_sum += ms;
            f.recovery_ms_max = std::max(f.recovery_ms_max, ms);
            f.max_pairs = std::max<int64_t>(
                f.max_pairs,
                db->execute("MATCH ()-[r:R]->() RETURN count(r)").rows.at(0).at(0).as_int());
            for (auto& p : check_recovery(*db, ledger, c, data.string())) problems.push_back(p);
        } catch (const lora::Error& e) {
            problems.push_back("recovery failed: " + e.code() + ": " + e.message());
        }
        f.cycles = c;
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (!problems.empty()) {
            std::printf("soak: cycle %ld (%s) FAILED:\n", static_cast<long>(c),
                        embedded ? "embedded" : "lorad");
            for (const auto& p : problems) std::printf("  %s\n", p.c_str());
            report(f, ledger, seconds, true);
            if (temp) {
                // Keep the directory for a post-mortem.
                const fs::path kept =
                    fs::temp_directory_path() / ("lora-soak-failed-" + std::to_string(getpid()));
                fs::rename(root, kept);
                fs::create_directories(root);
                std::printf("soak: the data directory is kept in %s\n", (kept / "data").c_str());
            }
            return 1;
        }
        if (c % 50 == 0 && c != o.cycles) report(f, ledger, seconds, false);
    }
    report(f, ledger, std::chrono::duration<double>(Clock::now() - start).count(), true);
    std::printf("soak: every invariant held after each of the %ld recoveries\n",
                static_cast<long>(f.cycles));
    return 0;
}

}  // namespace
}  // namespace soak

int main(int argc, char** argv) {
    spdlog::set_level(spdlog::level::warn);  // not each recovery's "recovered N commits"
    try {
        if (argc == 5 && std::strcmp(argv[1], "--child") == 0)
            return soak::child_main(argv[2], std::stoll(argv[3]), std::stoull(argv[4]));
        const std::string self = fs::canonical("/proc/self/exe").string();
        return soak::driver_main(self, soak::parse(argc, argv));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lora-soak: %s\n", e.what());
        return 1;
    }
}
