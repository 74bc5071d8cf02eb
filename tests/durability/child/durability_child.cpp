// durability_child: a writer process for the durability tests to kill. It opens a data dir,
// runs concurrent writers and prints "ack W S" after each acknowledged commit.
//
//   durability_child DIR [--writers N] [--shards N] [--max S] [--checkpoint-ms MS]
//                        [--sync MODE] [--w-base W] [--batch K] [--async] [--open-only]
//
// With --async the writers are chains of Database::execute_async calls (no thread each):
// each completion prints the ack and starts the writer's next statement.
// Writers are numbered from --w-base (default 0), so successive runs on one data dir can
// use distinct writer numbers and their pairs never collide. With --batch K each statement
// creates K pairs (s = S*K .. S*K+K-1 for statement S) spread over every shard, so a crash
// can catch a statement half applied; "ack W S" then names the statement.
//
// Output lines (each written with one write(2), so a SIGKILL never leaves half a line):
//   ready                 the database is open
//   ack W S               writer W's statement S is acknowledged (committed and durable)
//   err W S CODE MESSAGE  writer W's statement S failed; the writer stops
//   ckpt LSN              a checkpoint finished
//   ckpterr MESSAGE       a checkpoint failed; checkpointing stops
//   openerr CODE MESSAGE  Database::open failed (exit status 2)
//   done                  every writer reached --max (exit status 0)
// Faults come from the LORA_FAULT environment variable (read by the engine itself).
#include <lora/lora.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace {

// Writes one whole line with a single write(2): lines from several threads never interleave
// and nothing sits in a stdio buffer when the process is killed.
void emit(const std::string& line) {
    std::string s = line + "\n";
    const char* p = s.data();
    size_t left = s.size();
    while (left > 0) {
        ssize_t n = ::write(STDOUT_FILENO, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            std::_Exit(3);  // the test stopped listening
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
}

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    return s;
}

[[noreturn]] void usage(const std::string& why) {
    std::fprintf(stderr, "durability_child: %s\n", why.c_str());
    std::exit(64);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) usage("usage: durability_child DIR [options]");
    std::string dir = argv[1];
    int writers = 8;
    uint32_t shards = 4;
    int64_t max_s = 1000000;
    int checkpoint_ms = 0;
    std::string sync = "per-commit";
    bool open_only = false;
    int w_base = 0;
    int64_t batch = 1;
    bool async = false;
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) usage(a + " needs a value");
            return argv[++i];
        };
        if (a == "--writers")
            writers = std::stoi(next());
        else if (a == "--shards")
            shards = static_cast<uint32_t>(std::stoul(next()));
        else if (a == "--max")
            max_s = std::stoll(next());
        else if (a == "--checkpoint-ms")
            checkpoint_ms = std::stoi(next());
        else if (a == "--sync")
            sync = next();
        else if (a == "--w-base")
            w_base = std::stoi(next());
        else if (a == "--batch")
            batch = std::stoll(next());
        else if (a == "--open-only")
            open_only = true;
        else if (a == "--async")
            async = true;
        else
            usage("unknown option " + a);
    }

    std::unique_ptr<lora::Database> db;
    try {
        lora::Options o;
        o.shards = shards;
        o.threads = 2;
        o.data_dir = dir;
        o.sync = sync;
        o.checkpoint_wal_bytes = 0;  // checkpoints only when asked for, so tests control them
        db = lora::Database::open(o);
    } catch (const lora::Error& e) {
        emit("openerr " + e.code() + " " + one_line(e.message()));
        return 2;
    } catch (const std::exception& e) {
        emit("openerr Unknown " + one_line(e.what()));
        return 2;
    }
    emit("ready");
    if (open_only) {
        // Hold the database (and its LOCK) until the test closes our stdin.
        char c;
        while (::read(STDIN_FILENO, &c, 1) > 0) {}
        return 0;
    }

    std::atomic<bool> stop{false};
    std::thread checkpointer;
    if (checkpoint_ms > 0) {
        checkpointer = std::thread([&] {
            while (!stop.load()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(checkpoint_ms));
                if (stop.load()) break;
                try {
                    emit("ckpt " + std::to_string(db->checkpoint()));
                } catch (const std::exception& e) {
                    emit("ckpterr " + one_line(e.what()));
                    return;
                }
            }
        });
    }

    const std::string query = batch == 1
                                  ? "CREATE (:W {w: $w, s: $s})-[:R]->(:W {w: $w, s: $s, t: 1})"
                                  : "UNWIND range($s * $k, $s * $k + $k - 1) AS i "
                                    "CREATE (:W {w: $w, s: i})-[:R]->(:W {w: $w, s: i, t: 1})";
    auto params_for = [&](int w, int64_t s) {
        lora::Params params{{"w", lora::Value(int64_t{w})}, {"s", lora::Value(s)}};
        if (batch != 1) params["k"] = lora::Value(batch);
        return params;
    };
    auto err_line = [](int w, int64_t s, const std::string& code, const std::string& message) {
        return "err " + std::to_string(w) + " " + std::to_string(s) + " " + code + " " +
               one_line(message);
    };
    if (async) {
        // Writer w's state is touched only by its own completions, which follow one another.
        struct Chain {
            int w;
            int64_t s = 0;
        };
        std::vector<Chain> chains;
        for (int w = w_base; w < w_base + writers; ++w) chains.push_back(Chain{w});
        std::atomic<int> running{writers};
        std::function<void(Chain&)> submit = [&](Chain& c) {
            if (c.s >= max_s) {
                --running;
                return;
            }
            db->execute_async(query, params_for(c.w, c.s), [&, cp = &c](lora::Completion&& done) {
                if (done.error) {
                    emit(err_line(cp->w, cp->s, done.error->code(), done.error->message()));
                    --running;
                    return;
                }
                emit("ack " + std::to_string(cp->w) + " " + std::to_string(cp->s));
                ++cp->s;
                submit(*cp);
            });
        };
        for (auto& c : chains) submit(c);
        while (running.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        stop.store(true);
        if (checkpointer.joinable()) checkpointer.join();
        emit("done");
        return 0;
    }
    std::vector<std::thread> threads;
    for (int w = w_base; w < w_base + writers; ++w) {
        threads.emplace_back([&, w] {
            for (int64_t s = 0; s < max_s; ++s) {
                try {
                    db->execute(query, params_for(w, s));
                } catch (const lora::Error& e) {
                    emit(err_line(w, s, e.code(), e.message()));
                    return;
                } catch (const std::exception& e) {
                    emit(err_line(w, s, "Unknown", e.what()));
                    return;
                }
                emit("ack " + std::to_string(w) + " " + std::to_string(s));
            }
        });
    }
    for (auto& t : threads) t.join();
    stop.store(true);
    if (checkpointer.joinable()) checkpointer.join();
    emit("done");
    return 0;
}
