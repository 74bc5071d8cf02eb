// The lora shell as a user runs it: scripted (-e, -f, piped stdin), embedded or against a
// running lorad (--connect), and interactive through a pseudo-terminal.
#include "net_support.hpp"

#include <catch2/catch.hpp>

#include <pty.h>
#include <fstream>

using lora::test::kLoraShell;
using lora::test::Lorad;
using lora::test::run_process;
using lora::test::TempDir;
using nlohmann::json;

namespace {

std::string url(const Lorad& d) { return "http://127.0.0.1:" + std::to_string(d.port()); }
std::string bolt_url(const Lorad& d, const std::string& scheme = "bolt") {
    return scheme + "://127.0.0.1:" + std::to_string(d.bolt_port());
}

// Every line of `out` parsed as JSON.
std::vector<json> json_lines(const std::string& out) {
    std::vector<json> lines;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) lines.push_back(json::parse(line));
    return lines;
}

// The interactive shell on a pseudo-terminal; killed at scope exit if still running.
class Pty {
public:
    Pty(std::vector<std::string> args, const std::string& home) {
        pid_ = forkpty(&master_, nullptr, nullptr, nullptr);
        if (pid_ < 0) throw std::runtime_error("forkpty failed");
        if (pid_ == 0) {
            setenv("HOME", home.c_str(), 1);
            setenv("TERM", "dumb", 1);
            std::vector<char*> argv{const_cast<char*>(kLoraShell.c_str())};
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            execv(kLoraShell.c_str(), argv.data());
            _exit(127);
        }
    }
    ~Pty() {
        if (!exited_) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        close(master_);
    }

    void send(const std::string& text) {
        size_t off = 0;
        while (off < text.size()) {
            ssize_t n = write(master_, text.data() + off, text.size() - off);
            if (n <= 0) throw std::runtime_error("write to pty failed");
            off += static_cast<size_t>(n);
        }
    }

    // Reads until `needle` appears after everything matched so far; false on timeout.
    bool expect(const std::string& needle,
                std::chrono::seconds timeout = std::chrono::seconds(30)) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            auto at = seen_.find(needle, matched_);
            if (at != std::string::npos) {
                matched_ = at + needle.size();
                return true;
            }
            if (std::chrono::steady_clock::now() > deadline) return false;
            pollfd p{master_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            char buf[4096];
            ssize_t n = read(master_, buf, sizeof buf);
            if (n <= 0) return seen_.find(needle, matched_) != std::string::npos;
            seen_.append(buf, static_cast<size_t>(n));
        }
    }

    int wait_exit(std::chrono::seconds timeout = std::chrono::seconds(30)) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            // Keep draining so the child never blocks writing to the terminal.
            pollfd p{master_, POLLIN, 0};
            if (poll(&p, 1, 20) > 0) {
                char buf[4096];
                ssize_t n = read(master_, buf, sizeof buf);
                if (n > 0) seen_.append(buf, static_cast<size_t>(n));
            }
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                exited_ = true;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
        }
        return -1;
    }

    const std::string& seen() const { return seen_; }

private:
    int master_ = -1;
    pid_t pid_ = -1;
    bool exited_ = false;
    std::string seen_;
    size_t matched_ = 0;
};

}  // namespace

TEST_CASE("lora -e runs statements and renders a table", "[net][shell]") {
    auto r = run_process(
        kLoraShell, {"--shards", "2", "-e",
                     "CREATE (:A {v: 1}), (:A {v: 2}); MATCH (a:A) RETURN a.v AS v ORDER BY v"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("| v |") != std::string::npos);
    CHECK(r.out.find("| 1 |\n| 2 |") != std::string::npos);
    CHECK(r.out.find("2 rows") != std::string::npos);
    CHECK(r.out.find(" ms)") == std::string::npos);  // timing is for interactive use only

    auto bad = run_process(kLoraShell, {"-e", "RETURN 1 AS ok; RETURN x; RETURN 3 AS never"});
    CHECK(bad.exit_code == 1);
    CHECK(bad.err.find("error: SyntaxError.UndefinedVariable") != std::string::npos);
    CHECK(bad.out.find("ok") != std::string::npos);
    CHECK(bad.out.find("never") == std::string::npos);  // stops at the first error
}

TEST_CASE("lora reads a script from -f or from piped stdin", "[net][shell]") {
    TempDir dir;
    const std::string script =
        "RETURN 1 AS one;\n// a comment; with a semicolon\nRETURN 'a;b' AS two;\n";
    std::ofstream(dir.path / "s.cypher") << script;
    auto from_file =
        run_process(kLoraShell, {"--format", "json", "-f", (dir.path / "s.cypher").string()});
    CHECK(from_file.exit_code == 0);
    auto lines = json_lines(from_file.out);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0]["rows"] == json::array({json::array({1})}));
    CHECK(lines[1]["rows"] == json::array({json::array({"a;b"})}));

    auto piped = run_process(kLoraShell, {"--format", "json"}, script);
    CHECK(piped.exit_code == 0);
    CHECK(json_lines(piped.out) == lines);

    auto piped_error =
        run_process(kLoraShell, {"--format", "json", "-p", "n=5"}, "RETURN $n AS n; MATCH (;");
    CHECK(piped_error.exit_code == 1);
    auto el = json_lines(piped_error.out);
    REQUIRE(el.size() == 2);
    CHECK(el[0]["rows"] == json::array({json::array({5})}));
    CHECK(el[1]["error"]["class"] == "syntax");
}

TEST_CASE("lora --data persists and CHECKPOINT works", "[net][shell][persist]") {
    TempDir dir;
    const std::string data = (dir.path / "db").string();
    auto w = run_process(kLoraShell,
                         {"--data", data, "--shards", "2", "-e",
                          "CREATE (:P {n: 1}), (:P {n: 2}); CHECKPOINT; CREATE (:P {n: 3})"});
    INFO(w.err);
    CHECK(w.exit_code == 0);
    CHECK(w.out.find("checkpoint_lsn") != std::string::npos);
    auto r = run_process(
        kLoraShell, {"--data", data, "--format", "json", "-e", "MATCH (p:P) RETURN sum(p.n) AS s"});
    CHECK(r.exit_code == 0);
    CHECK(json_lines(r.out).at(0)["rows"] == json::array({json::array({6})}));
}

TEST_CASE("lora --connect renders lorad's answers like the embedded shell",
          "[net][shell][remote]") {
    Lorad d({"--shards", "2"});
    const std::string setup =
        "CREATE (:City {name: 'Lyon', pop: 0.5})-[:ROAD {km: 465}]->(:City {name: 'Paris'})";
    const std::string read =
        "MATCH p = (a:City)-[r:ROAD]->(b) RETURN a, r, b.name AS name, p, [1, 'x', null] AS l";
    auto remote = run_process(kLoraShell, {"--connect", url(d), "-e", setup + "; " + read});
    INFO(remote.err);
    CHECK(remote.exit_code == 0);
    auto local = run_process(kLoraShell, {"--shards", "2", "-e", setup + "; " + read});
    CHECK(local.exit_code == 0);
    CHECK(remote.out == local.out);
    CHECK(remote.out.find("Lyon") != std::string::npos);

    auto as_json = run_process(
        kLoraShell, {"--connect", url(d) + "/", "--format", "json", "-p", "min=400", "-e",
                     "MATCH ()-[r:ROAD]->() WHERE r.km > $min RETURN r.km AS km"});
    CHECK(as_json.exit_code == 0);
    CHECK(json_lines(as_json.out).at(0) == json{{"columns", {"km"}}, {"rows", {{465}}}});

    auto err = run_process(kLoraShell, {"--connect", url(d), "-e", "RETURN nope"});
    CHECK(err.exit_code == 1);
    CHECK(err.err.find("error: SyntaxError.UndefinedVariable") != std::string::npos);

    auto cp =
        run_process(kLoraShell, {"--connect", url(d), "--format", "json", "-e", "checkpoint"});
    INFO(cp.out << cp.err);
    CHECK(cp.exit_code == 0);
    CHECK(json_lines(cp.out).at(0)["columns"] == json::array({"checkpoint_lsn"}));
    CHECK(json_lines(cp.out).at(0)["rows"][0][0].get<int64_t>() >= 1);

    // Piped stdin goes to the server too.
    auto piped = run_process(kLoraShell, {"--connect", url(d), "--format", "json"},
                             "MATCH (c:City) RETURN count(c) AS n;");
    CHECK(piped.exit_code == 0);
    CHECK(json_lines(piped.out).at(0)["rows"] == json::array({json::array({2})}));
    CHECK(d.stop() == 0);
}

TEST_CASE("lora --connect sends the bearer token and reports connection errors",
          "[net][shell][remote]") {
    Lorad d({"--auth-token", "t0k"});
    auto denied = run_process(kLoraShell, {"--connect", url(d), "-e", "RETURN 1 AS x"});
    CHECK(denied.exit_code == 1);
    CHECK(denied.err.find("Unauthorized") != std::string::npos);
    CHECK(run_process(kLoraShell, {"--connect", url(d), "--token", "t0k", "-e", "RETURN 1 AS x"})
              .exit_code == 0);
    CHECK(run_process(kLoraShell, {"--connect", url(d), "-e", "RETURN 1 AS x"}, "",
                      {{"LORA_AUTH_TOKEN", "t0k"}})
              .exit_code == 0);
    const std::string closed_url = url(d);
    CHECK(d.stop() == 0);

    auto down = run_process(kLoraShell, {"--connect", closed_url, "-e", "RETURN 1"});
    CHECK(down.exit_code == 1);
    CHECK(down.err.find("cannot connect to " + closed_url) != std::string::npos);
    auto bad_url = run_process(kLoraShell, {"--connect", "ftp://127.0.0.1:1", "-e", "RETURN 1"});
    CHECK(bad_url.exit_code == 1);
    CHECK(bad_url.err.find("http://, https://") != std::string::npos);
    auto both =
        run_process(kLoraShell, {"--connect", closed_url, "--data", "/tmp/x", "-e", "RETURN 1"});
    CHECK(both.exit_code != 0);
    CHECK(both.err.find("excludes") != std::string::npos);
}

TEST_CASE("lora --connect bolt:// and neo4j:// render like the embedded shell",
          "[net][shell][remote][bolt]") {
    Lorad d({"--shards", "2"});
    const std::string setup =
        "CREATE (:City {name: 'Lyon', pop: 0.5})-[:ROAD {km: 465}]->(:City {name: 'Paris'})";
    const std::string read =
        "MATCH p = (a:City)-[r:ROAD]->(b) RETURN a, r, b.name AS name, p, [1, 'x', null] AS l, "
        "{k: 2.5, t: true} AS m, [date('2020-01-02'), localtime('12:00:01.5'), "
        "time('12:00+01:00'), localdatetime('2020-01-02T03:04'), "
        "datetime('2020-01-02T03:04:05.000000006[Europe/Paris]'), datetime('2020-07-02T03:04Z'), "
        "duration('P1M2DT3.5S')] AS times";
    // A script on stdin: the write, then the read of nodes, relationships, a path and every
    // temporal kind.
    auto remote = run_process(kLoraShell, {"--connect", bolt_url(d)}, setup + ";\n" + read + ";\n");
    INFO(remote.err);
    CHECK(remote.exit_code == 0);
    auto local = run_process(kLoraShell, {"--shards", "2"}, setup + ";\n" + read + ";\n");
    CHECK(local.exit_code == 0);
    CHECK(remote.out == local.out);
    CHECK(remote.out.find("Lyon") != std::string::npos);

    auto routed = run_process(
        kLoraShell, {"--connect", bolt_url(d, "neo4j") + "/", "--format", "json", "-p", "min=400"},
        "MATCH ()-[r:ROAD]->() WHERE r.km > $min RETURN r.km AS km;");
    INFO(routed.err);
    CHECK(routed.exit_code == 0);
    CHECK(json_lines(routed.out).at(0) == json{{"columns", {"km"}}, {"rows", {{465}}}});

    // An error: its code and message as the embedded shell prints them, and the script stops.
    auto err = run_process(kLoraShell, {"--connect", bolt_url(d)},
                           "RETURN 1 AS one; RETURN nope; RETURN 3 AS never;");
    CHECK(err.exit_code == 1);
    CHECK(err.out.find("one") != std::string::npos);
    CHECK(err.out.find("never") == std::string::npos);
    auto local_err = run_process(kLoraShell, {"-e", "RETURN nope"});
    CHECK(err.err == local_err.err);
    CHECK(err.err.find("error: SyntaxError.UndefinedVariable") != std::string::npos);

    // The session goes on after an error (the client RESETs), as json lines.
    auto after = run_process(kLoraShell, {"--connect", bolt_url(d), "--format", "json", "-i"},
                             "RETURN 1/0 AS x;\nMATCH (c:City) RETURN count(c) AS n;\n");
    INFO(after.out << after.err);
    CHECK(after.out.find("\"error\"") != std::string::npos);
    CHECK(after.out.find("[[2]]") != std::string::npos);

    auto cp = run_process(kLoraShell, {"--connect", bolt_url(d), "-e", "CHECKPOINT"});
    CHECK(cp.exit_code == 1);
    CHECK(cp.err.find("http://") != std::string::npos);
    CHECK(d.stop() == 0);
}

TEST_CASE("lora --connect bolt:// sends the token and reports connection errors",
          "[net][shell][remote][bolt]") {
    Lorad d({"--auth-token", "t0k"});
    auto denied = run_process(kLoraShell, {"--connect", bolt_url(d), "-e", "RETURN 1 AS x"});
    CHECK(denied.exit_code == 1);
    CHECK(denied.err.find("Unauthorized") != std::string::npos);
    auto wrong =
        run_process(kLoraShell, {"--connect", bolt_url(d), "--token", "nope", "-e", "RETURN 1"});
    CHECK(wrong.exit_code == 1);
    CHECK(wrong.err.find("Unauthorized") != std::string::npos);
    CHECK(run_process(kLoraShell, {"--connect", bolt_url(d), "--token", "t0k", "-e", "RETURN 1"})
              .exit_code == 0);
    CHECK(run_process(kLoraShell, {"--connect", bolt_url(d), "-e", "RETURN 1 AS x"}, "",
                      {{"LORA_AUTH_TOKEN", "t0k"}})
              .exit_code == 0);
    const std::string closed_url = bolt_url(d);
    CHECK(d.stop() == 0);

    auto down = run_process(kLoraShell, {"--connect", closed_url, "-e", "RETURN 1"});
    CHECK(down.exit_code == 1);
    CHECK(down.err.find("cannot connect to " + closed_url) != std::string::npos);
    auto bad_port =
        run_process(kLoraShell, {"--connect", "bolt://127.0.0.1:99999", "-e", "RETURN 1"});
    CHECK(bad_port.exit_code == 1);
    CHECK(bad_port.err.find("bad port") != std::string::npos);
    auto bad_scheme =
        run_process(kLoraShell, {"--connect", "bolt+x://127.0.0.1:1", "-e", "RETURN 1"});
    CHECK(bad_scheme.exit_code == 1);
    CHECK(bad_scheme.err.find("bolt+s://") != std::string::npos);
}

TEST_CASE("lora interactive: multi-line statements, parameters, history",
          "[net][shell][interactive]") {
    TempDir home;
    {
        Pty sh({"--shards", "1"}, home.path.string());
        REQUIRE(sh.expect("lora> "));
        sh.send("RETURN 40 +\r");
        REQUIRE(sh.expect("... "));
        sh.send("2 AS answer;\r");
        REQUIRE(sh.expect("| 42     |"));
        CHECK(sh.expect(" ms)"));
        sh.send(":param limit 2\r");
        REQUIRE(sh.expect("$limit = 2"));
        sh.send(":param who {\"name\": \"Ada\"}\r");
        sh.send(":params\r");
        REQUIRE(sh.expect("who: {\"name\":\"Ada\"}"));
        sh.send("UNWIND range(1, 10) AS i RETURN i, $who.name AS who LIMIT $limit;\r");
        REQUIRE(sh.expect("2 rows"));
        CHECK(sh.seen().find("| 2 | 'Ada' |") != std::string::npos);
        sh.send("RETURN nope;\r");
        REQUIRE(sh.expect("UndefinedVariable"));
        sh.send(":bogus\r");
        REQUIRE(sh.expect("unknown command :bogus"));
        sh.send(":help\r");
        REQUIRE(sh.expect(":param NAME JSON"));
        sh.send(":quit\r");
        INFO(sh.seen());
        CHECK(sh.wait_exit() == 0);
    }
    std::ifstream hist(home.path / ".lora_history");
    std::string text((std::istreambuf_iterator<char>(hist)), std::istreambuf_iterator<char>());
    // libedit stores entries vis(3)-encoded: a space is written as \040.
    for (size_t at; (at = text.find("\\040")) != std::string::npos;) text.replace(at, 4, " ");
    INFO(text);
    CHECK(text.find("RETURN 40 + 2 AS answer;") != std::string::npos);
    CHECK(text.find(":param limit 2") != std::string::npos);
}

TEST_CASE("lora interactive: non-ASCII text typed and piped, history appended as it goes",
          "[net][shell][interactive]") {
    TempDir home;
    const auto hist_path = home.path / ".lora_history";
    auto history_text = [&] {
        std::ifstream hist(hist_path);
        return std::string((std::istreambuf_iterator<char>(hist)),
                           std::istreambuf_iterator<char>());
    };
    {
        Pty sh({"--shards", "1"}, home.path.string());
        REQUIRE(sh.expect("lora> "));
        sh.send("RETURN 'é日本' AS s, toUpper('é') AS u;\r");
        REQUIRE(sh.expect("1 row"));
        CHECK(sh.seen().find("| 'é日本' | 'É' |") != std::string::npos);
        // On file before the shell leaves: appended per statement, the format's first line
        // once.
        REQUIRE(sh.expect(" ms)"));
        std::string text = history_text();
        INFO(text);
        CHECK(text.rfind("_HiStOrY_V2_\n", 0) == 0);
        CHECK(text.find("RETURN\\040'é日本'\\040AS\\040s,") != std::string::npos);
        sh.send(":quit\r");
        CHECK(sh.wait_exit() == 0);
    }
    {
        // A new shell recalls it (Ctrl-P twice: the newest entry is the :quit), as libedit
        // reads the file back.
        Pty sh({"--shards", "1"}, home.path.string());
        REQUIRE(sh.expect("lora> "));
        sh.send("\x10\x10\r");
        INFO(sh.seen());
        REQUIRE(sh.expect("1 row"));
        CHECK(sh.seen().find("| 'é日本' | 'É' |") != std::string::npos);
        sh.send(":quit\r");
        CHECK(sh.wait_exit() == 0);
    }
    std::string text = history_text();
    INFO(text);
    CHECK(text.find("_HiStOrY_V2_") == text.rfind("_HiStOrY_V2_"));

    // Piped into -i (no terminal): the characters survive too.
    // Under the C locale (LC_ALL=C) the shell reads UTF-8 all the same.
    auto piped = run_process(kLoraShell, {"-i", "--shards", "1"}, "RETURN 'Ωé' AS w;\n",
                             {{"HOME", home.path.string()}, {"LC_ALL", "C"}});
    INFO(piped.err);
    CHECK(piped.out.find("| 'Ωé' |") != std::string::npos);
}

TEST_CASE("lora interactive: the history file keeps the newest 1000 entries",
          "[net][shell][interactive]") {
    TempDir home;
    std::string script;
    for (int i = 0; i < 1100; ++i) script += "RETURN " + std::to_string(i) + " AS i;\n";
    auto r =
        run_process(kLoraShell, {"-i", "--shards", "1"}, script, {{"HOME", home.path.string()}});
    CHECK(r.exit_code == 0);
    std::ifstream hist(home.path / ".lora_history");
    std::vector<std::string> lines;
    for (std::string l; std::getline(hist, l);) lines.push_back(l);
    REQUIRE(lines.size() == 1001);
    CHECK(lines.front() == "_HiStOrY_V2_");
    CHECK(lines[1] == "RETURN\\040100\\040AS\\040i;");
    CHECK(lines.back() == "RETURN\\0401099\\040AS\\040i;");
}

// Kept out of the default run: under heavy load the first ^D can race libedit's switch to
// raw mode for longer than the retries allow (seen once in a loaded CI run).
TEST_CASE("lora interactive: Ctrl-D leaves and -i forces interactive mode",
          "[net][shell][interactive][slow]") {
    TempDir home;
    // Ctrl-D leaves too, and -i forces interactive mode.
    Pty again({"-i"}, home.path.string());
    REQUIRE(again.expect("lora> "));
    // A ^D typed while the terminal is still in cooked mode ends up as an empty read that
    // raw mode never sees, so type it again until the shell takes it (as a user would).
    int code = -1;
    for (int attempt = 0; attempt < 10 && code == -1; ++attempt) {
        again.send("\x04");
        code = again.wait_exit(std::chrono::seconds(3));
    }
    CHECK(code == 0);
}
