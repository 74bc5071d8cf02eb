// Shared helpers of the durability tests: temp dirs, the durability_child process (spawn,
// read its ack lines, kill), and the whole-pair check of the (:W)-[:R]->(:W) graph.
#pragma once

#include <lora/lora.hpp>
#include <lora/wal/fault.hpp>

#include "program_dir.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace durability {

namespace fs = std::filesystem;

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "lora-durability-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// Arms fault points (lora/wal/fault.hpp) for a scope: every point is disarmed when it ends,
// however it ends.
struct FaultGuard {
    explicit FaultGuard(const std::string& spec) { lora::fault::set(spec); }
    ~FaultGuard() { lora::fault::clear(); }
    FaultGuard(const FaultGuard&) = delete;
    FaultGuard& operator=(const FaultGuard&) = delete;
};

inline std::unique_ptr<lora::Database> open_db(const fs::path& dir, uint32_t shards = 4) {
    lora::Options o;
    o.shards = shards;
    o.threads = 2;
    o.data_dir = dir.string();
    o.checkpoint_wal_bytes = 0;  // no automatic checkpoints: the tests decide
    return lora::Database::open(o);
}

inline const std::string kCreatePair = "CREATE (:W {w: $w, s: $s})-[:R]->(:W {w: $w, s: $s, t: 1})";

inline void create_pair(lora::Database& db, int64_t w, int64_t s) {
    db.execute(kCreatePair, {{"w", lora::Value(w)}, {"s", lora::Value(s)}});
}

// Writer w's statements s = from .. to-1, one after another.
inline void create_pairs(lora::Database& db, int64_t w, int64_t from, int64_t to) {
    for (int64_t s = from; s < to; ++s) create_pair(db, w, s);
}

inline int64_t count(lora::Database& db, const std::string& query) {
    auto r = db.execute(query);
    if (r.rows.size() != 1 || r.rows[0].size() != 1 || !r.rows[0][0].is_int())
        throw std::runtime_error("expected one integer from " + query);
    return r.rows[0][0].as_int();
}

// What the graph holds, judged pair by pair. A pair (w, s) is whole when there is exactly
// one head node (no t), one tail node (t = 1) and one R relationship head -> tail.
struct GraphCheck {
    std::map<int64_t, std::vector<int64_t>> whole;  // writer -> its whole pairs' s, ascending
    std::vector<std::string> problems;              // partial pairs, stray records
    int64_t nodes = 0, rels = 0, pairs = 0;

    bool has(int64_t w, int64_t s) const {
        auto it = whole.find(w);
        return it != whole.end() && std::binary_search(it->second.begin(), it->second.end(), s);
    }
    std::string summary() const {
        std::ostringstream o;
        o << "nodes=" << nodes << " rels=" << rels << " whole pairs=" << pairs;
        for (auto& [w, ss] : whole)
            o << " w" << w << ":" << ss.size()
              << (ss.empty() ? "" : "[0.." + std::to_string(ss.back()) + "]");
        for (size_t i = 0; i < problems.size() && i < 10; ++i) o << "\n  " << problems[i];
        return o.str();
    }
};

// `other_nodes`/`other_rels`: how many nodes without :W and relationships other than the
// pairs' the graph is expected to hold besides the pairs.
inline GraphCheck inspect(lora::Database& db, int64_t other_nodes = 0, int64_t other_rels = 0) {
    struct Parts {
        int heads = 0, tails = 0, rels = 0;
    };
    std::map<std::pair<int64_t, int64_t>, Parts> seen;
    GraphCheck c;
    for (auto& row : db.execute("MATCH (n:W) RETURN n.w, n.s, n.t").rows) {
        if (!row[0].is_int() || !row[1].is_int()) {
            c.problems.push_back("a :W node without integer w/s: " + row[0].to_string() + "," +
                                 row[1].to_string());
            continue;
        }
        auto& p = seen[{row[0].as_int(), row[1].as_int()}];
        if (row[2].is_null())
            ++p.heads;
        else if (row[2].is_int() && row[2].as_int() == 1)
            ++p.tails;
        else
            c.problems.push_back("a :W node with t = " + row[2].to_string());
    }
    for (auto& row :
         db.execute("MATCH (a:W)-[r:R]->(b:W) RETURN a.w, a.s, a.t, b.w, b.s, b.t").rows) {
        bool ok = row[0].is_int() && row[1].is_int() && row[2].is_null() && row[3].is_int() &&
                  row[4].is_int() && row[5].is_int() && row[5].as_int() == 1 &&
                  row[0].as_int() == row[3].as_int() && row[1].as_int() == row[4].as_int();
        if (!ok) {
            c.problems.push_back("an R relationship joining the wrong nodes: (" +
                                 row[0].to_string() + "," + row[1].to_string() + "," +
                                 row[2].to_string() + ")->(" + row[3].to_string() + "," +
                                 row[4].to_string() + "," + row[5].to_string() + ")");
            continue;
        }
        ++seen[{row[0].as_int(), row[1].as_int()}].rels;
    }
    for (auto& [key, p] : seen) {
        if (p.heads == 1 && p.tails == 1 && p.rels == 1) {
            c.whole[key.first].push_back(key.second);
            ++c.pairs;
        } else {
            c.problems.push_back(
                "pair (" + std::to_string(key.first) + "," + std::to_string(key.second) +
                ") is partial or duplicated: heads=" + std::to_string(p.heads) +
                " tails=" + std::to_string(p.tails) + " rels=" + std::to_string(p.rels));
        }
    }
    c.nodes = count(db, "MATCH (n) RETURN count(n)");
    c.rels = count(db, "MATCH ()-[r]->() RETURN count(r)");
    if (c.nodes != 2 * c.pairs + other_nodes)
        c.problems.push_back("node count " + std::to_string(c.nodes) + " != 2 * whole pairs " +
                             std::to_string(c.pairs) + " + " + std::to_string(other_nodes));
    if (c.rels != c.pairs + other_rels)
        c.problems.push_back("relationship count " + std::to_string(c.rels) + " != whole pairs " +
                             std::to_string(c.pairs) + " + " + std::to_string(other_rels));
    const int64_t labelled = count(db, "MATCH (n:W) RETURN count(n)");
    if (labelled != c.nodes - other_nodes)
        c.problems.push_back("label scan count " + std::to_string(labelled) + " != all nodes " +
                             std::to_string(c.nodes) + " - " + std::to_string(other_nodes));
    return c;
}

// Checks the graph against what a writer process acknowledged: `acked[w]` is writer w's
// last acknowledged s (-1: none). Writers run their statements one after another, so a
// writer's pairs must be the prefix 0..k with k = acked (or acked + step when
// `allow_unacked`: the statement in flight may have become durable without its ack).
// `step`: pairs per statement; a writer's pair count must be a multiple of it.
inline void require_consistent(const GraphCheck& c, const std::map<int64_t, int64_t>& acked,
                               bool allow_unacked, int64_t step = 1) {
    INFO(c.summary());
    CHECK(c.problems.empty());
    for (auto& [w, ss] : c.whole) {
        INFO("writer " << w);
        CHECK(acked.count(w) == 1);  // no pairs of writers that never ran
        for (size_t i = 0; i < ss.size(); ++i) {
            INFO("pair index " << i);
            REQUIRE(ss[i] == static_cast<int64_t>(i));  // no holes
        }
    }
    for (auto& [w, last] : acked) {
        INFO("writer " << w << " acknowledged up to s=" << last);
        int64_t present = c.whole.count(w) ? static_cast<int64_t>(c.whole.at(w).size()) - 1 : -1;
        CHECK(present >= last);  // every acknowledged pair survived
        if (allow_unacked)
            CHECK(present <= last + step);
        else
            CHECK(present == last);
        CHECK((present + 1) % step == 0);  // statements are all or nothing
    }
}

// ---- the child process ---------------------------------------------------------------------

struct ChildResult {
    std::map<int64_t, int64_t> acked;  // writer -> last acknowledged s
    int64_t acks = 0;
    std::vector<std::string> errors;  // "err ..." lines
    std::vector<std::string> other;   // every other line (ready, ckpt, done, openerr...)
    int checkpoints = 0;
    bool killed_by_sigkill = false;
    bool exited = false;
    int exit_code = -1;
    bool sequence_ok = true;  // each writer's acks came as 0, 1, 2, ...
    std::string log_tail;

    std::string describe() const {
        std::ostringstream o;
        o << "acks=" << acks << " checkpoints=" << checkpoints
          << (killed_by_sigkill ? " SIGKILLed" : "")
          << (exited ? " exit=" + std::to_string(exit_code) : "");
        for (auto& e : errors) o << "\n  " << e;
        for (size_t i = 0; i < other.size() && i < 8; ++i) o << "\n  " << other[i];
        return o.str();
    }
};

class Child {
public:
    // Starts durability_child DIR args... with LORA_FAULT=fault (unset when empty).
    Child(const fs::path& dir, const std::vector<std::string>& args,
          const std::string& fault = "") {
        // durability_child is built next to the test program.
        const std::string child = (lora::test::program_dir() / "durability_child").string();
        std::vector<std::string> argv_s{child, dir.string()};
        argv_s.insert(argv_s.end(), args.begin(), args.end());
        std::vector<std::string> env_s;
        for (char** e = environ; *e; ++e)
            if (std::strncmp(*e, "LORA_FAULT=", 11) != 0) env_s.emplace_back(*e);
        if (!fault.empty()) env_s.push_back("LORA_FAULT=" + fault);
        std::vector<char*> argv, envp;
        for (auto& s : argv_s) argv.push_back(s.data());
        argv.push_back(nullptr);
        for (auto& s : env_s) envp.push_back(s.data());
        envp.push_back(nullptr);
        int out[2], in[2];
        if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0)
            throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            // Only async-signal-safe calls between fork and exec.
            ::dup2(out[1], STDOUT_FILENO);
            ::dup2(in[0], STDIN_FILENO);
            ::execve(argv[0], argv.data(), envp.data());
            ::_exit(127);
        }
        ::close(out[1]);
        ::close(in[0]);
        out_ = out[0];
        in_ = in[1];
    }
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int st;
            ::waitpid(pid_, &st, 0);
        }
        if (out_ >= 0) ::close(out_);
        if (in_ >= 0) ::close(in_);
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    // The next output line; nullopt at end of output or when `timeout` passes first
    // (then timed_out() is true).
    std::optional<std::string> line(std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            auto nl = buf_.find('\n');
            if (nl != std::string::npos) {
                std::string l = buf_.substr(0, nl);
                buf_.erase(0, nl + 1);
                record(l);
                return l;
            }
            if (eof_) return std::nullopt;
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                timed_out_ = true;
                return std::nullopt;
            }
            pollfd p{out_, POLLIN, 0};
            int r = ::poll(&p, 1, static_cast<int>(left.count()));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) continue;
            char tmp[4096];
            ssize_t n = ::read(out_, tmp, sizeof tmp);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0)
                eof_ = true;
            else
                buf_.append(tmp, static_cast<size_t>(n));
        }
    }

    // Reads lines until `stop` says so (true), the output ends, or the timeout passes.
    template <class Pred>
    bool read_until(Pred stop, std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            auto l = line(std::max(left, std::chrono::milliseconds(0)));
            if (!l) return false;
            if (stop(*l)) return true;
        }
    }

    void kill_now() { ::kill(pid_, SIGKILL); }
    void close_stdin() {
        if (in_ >= 0) ::close(in_);
        in_ = -1;
    }

    // Reads what is left of the output (acks written before a kill are still in the pipe),
    // then reaps the process. Kills it first when it outlives `timeout`.
    ChildResult finish(std::chrono::milliseconds timeout) {
        while (line(timeout)) {}
        if (timed_out_) {
            result_.other.push_back("(test: child timed out, killed)");
            ::kill(pid_, SIGKILL);
            while (line(std::chrono::milliseconds(5000))) {}
        }
        int st = 0;
        ::waitpid(pid_, &st, 0);
        pid_ = -1;
        if (WIFSIGNALED(st)) result_.killed_by_sigkill = WTERMSIG(st) == SIGKILL;
        if (WIFEXITED(st)) {
            result_.exited = true;
            result_.exit_code = WEXITSTATUS(st);
        }
        return result_;
    }

    bool timed_out() const { return timed_out_; }
    const ChildResult& so_far() const { return result_; }

private:
    void record(const std::string& l) {
        std::istringstream in(l);
        std::string kind;
        in >> kind;
        if (kind == "ack") {
            int64_t w = -1, s = -1;
            in >> w >> s;
            auto it = result_.acked.find(w);
            int64_t prev = it == result_.acked.end() ? -1 : it->second;
            if (s != prev + 1) result_.sequence_ok = false;
            result_.acked[w] = s;
            ++result_.acks;
        } else if (kind == "err") {
            result_.errors.push_back(l);
        } else {
            if (kind == "ckpt")
                ++result_.checkpoints;
            else
                result_.other.push_back(l);
        }
    }

    pid_t pid_ = -1;
    int out_ = -1, in_ = -1;
    std::string buf_;
    bool eof_ = false, timed_out_ = false;
    ChildResult result_;
};

// ---- files ---------------------------------------------------------------------------------

inline std::vector<fs::path> wal_segments(const fs::path& dir) {
    std::vector<fs::path> v;
    for (auto& e : fs::directory_iterator(dir / "wal"))
        if (e.path().extension() == ".wal") v.push_back(e.path());
    std::sort(v.begin(), v.end());
    return v;
}

inline void flip_byte(const fs::path& file, uint64_t offset) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + file.string());
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.read(&c, 1);
    if (!f)
        throw std::runtime_error("cannot read " + file.string() + " at " + std::to_string(offset));
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(&c, 1);
    f.flush();
    if (!f) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace durability
