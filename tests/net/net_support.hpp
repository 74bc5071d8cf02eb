// Test helpers for lorad: a child lorad process that is always killed, and a small Beast
// HTTP client whose every operation has a deadline so a broken server fails a test, not hangs it.
#pragma once

#include "program_dir.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lora::test {

// This build's directory: test programs run from a folder one level below it (tests/,
// bench/).
inline std::string build_dir() { return program_dir().parent_path().string(); }

// The lora shell and lorad of this build.
inline const std::string kLoraShell = build_dir() + "/tools/lora";
inline const std::string kLorad = build_dir() + "/tools/lorad";

// Whether this is a sanitizer build (tests/sanitize/run.sh). ASan and TSan reserve terabytes
// of address space for their shadow memory, so lorad cannot start under an address-space
// limit (RLIMIT_AS) there, and ASan's quarantine keeps freed memory resident, so bounds on a
// process's resident memory do not hold.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

// A scratch directory removed at scope exit.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "lorad-test-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

// lorad as a child process on a free port. The destructor SIGKILLs it if it still runs, so
// a failing test never leaves a daemon behind.
class Lorad {
public:
    // `data_dir` empty: a fresh directory removed with this object; else that directory,
    // which outlives it (for restarts on the same data).
    // `address_space`: an RLIMIT_AS for the child (bytes; 0: none).
    explicit Lorad(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                   std::string data_dir = {}, uint64_t address_space = 0) {
        if (data_dir.empty()) data_dir = (dir_.path / "data").string();
        // Bolt on a free port unless the test chose (parallel tests cannot share 7687).
        bool bolt_flag = std::find(args.begin(), args.end(), "--bolt") != args.end();
        bool bolt_off = false;
        for (size_t i = 0; i + 1 < args.size(); ++i)
            if (args[i] == "--bolt") bolt_off = args[i + 1] == "off";
        if (auto it = env.find("LORA_BOLT"); it != env.end() && !bolt_flag)
            bolt_off = it->second == "off";
        if (!bolt_flag && env.count("LORA_BOLT") == 0)
            args.insert(args.begin(), {"--bolt", "127.0.0.1:0"});
        args.insert(args.begin(), {"--http", "127.0.0.1:0", "--data", data_dir});
        int fds[2];
        if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
        std::string err_log = (dir_.path / "stderr.log").string();
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            dup2(fds[1], STDOUT_FILENO);
            int err = open(err_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (err >= 0) dup2(err, STDERR_FILENO);
            close(fds[0]);
            close(fds[1]);
            for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
            if (address_space) {
                rlimit as{address_space, address_space};
                setrlimit(RLIMIT_AS, &as);
            }
            std::string bin = kLorad;
            std::vector<char*> argv{bin.data()};
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            execv(bin.c_str(), argv.data());
            _exit(127);
        }
        close(fds[1]);
        out_ = fds[0];
        std::string line = read_line(std::chrono::seconds(60));
        const std::string prefix = "listening on 127.0.0.1:";
        if (line.rfind(prefix, 0) != 0)
            throw std::runtime_error("lorad did not report its port; stdout: '" + line +
                                     "', stderr: " + stderr_text());
        port_ = static_cast<uint16_t>(std::stoi(line.substr(prefix.size())));
        if (!bolt_off) {
            line = read_line(std::chrono::seconds(60));
            const std::string bolt_prefix = "bolt listening on 127.0.0.1:";
            if (line.rfind(bolt_prefix, 0) != 0)
                throw std::runtime_error("lorad did not report its Bolt port; stdout: '" + line +
                                         "', stderr: " + stderr_text());
            bolt_port_ = static_cast<uint16_t>(std::stoi(line.substr(bolt_prefix.size())));
        }
    }

    ~Lorad() {
        if (pid_ > 0 && !exited_) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (out_ >= 0) close(out_);
    }

    uint16_t port() const { return port_; }
    uint16_t bolt_port() const { return bolt_port_; }  // 0 when Bolt is off
    pid_t pid() const { return pid_; }

    // Sends `sig` and waits (bounded) for the exit; returns the exit code, or -1 if the
    // process did not exit normally in time (it is then killed by the destructor).
    int stop(int sig = SIGTERM, std::chrono::seconds wait = std::chrono::seconds(30)) {
        kill(pid_, sig);
        auto deadline = std::chrono::steady_clock::now() + wait;
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            pid_t r = waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                exited_ = true;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
            usleep(10000);
        }
        return -1;
    }

    std::string stderr_text() const {
        std::string s;
        if (FILE* f = fopen((dir_.path / "stderr.log").c_str(), "r")) {
            char buf[4096];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
            fclose(f);
        }
        return s;
    }

private:
    TempDir dir_;
    pid_t pid_ = -1;
    int out_ = -1;
    uint16_t port_ = 0;
    uint16_t bolt_port_ = 0;
    bool exited_ = false;

    std::string read_line(std::chrono::milliseconds timeout) {
        std::string line;
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{out_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            char c;
            ssize_t n = read(out_, &c, 1);
            if (n <= 0) break;
            if (c == '\n') return line;
            line += c;
        }
        return line;
    }
};

struct ProcessResult {
    int exit_code = -1;  // -1 when killed by a signal
    std::string out, err;
};

// Runs `bin args...` to completion with `input` on stdin and `env` added to the environment;
// the output goes through files, so a chatty child can never block on a full pipe.
inline ProcessResult run_process(const std::string& bin, std::vector<std::string> args,
                                 const std::string& input = {},
                                 const std::map<std::string, std::string>& env = {}) {
    TempDir dir;
    auto in_path = (dir.path / "in").string(), out_path = (dir.path / "out").string(),
         err_path = (dir.path / "err").string();
    {
        FILE* f = fopen(in_path.c_str(), "w");
        if (!f) throw std::runtime_error("cannot write " + in_path);
        fwrite(input.data(), 1, input.size(), f);
        fclose(f);
    }
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int in = open(in_path.c_str(), O_RDONLY);
        int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(in, STDIN_FILENO);
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> argv{const_cast<char*>(bin.c_str())};
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(bin.c_str(), argv.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    auto slurp = [](const std::string& path) {
        std::string s;
        if (FILE* f = fopen(path.c_str(), "r")) {
            char buf[4096];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
            fclose(f);
        }
        return s;
    };
    ProcessResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    return r;
}

struct Reply {
    unsigned status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
    bool closed = false;  // the server closed the connection after this reply
    nlohmann::json json() const { return nlohmann::json::parse(body); }
};

// One keep-alive connection. Each call runs the io_context until the exchange completes or
// its deadline passes (then the call throws).
class HttpClient {
public:
    explicit HttpClient(uint16_t port, std::chrono::seconds timeout = std::chrono::seconds(60))
        : stream_(ioc_), timeout_(timeout) {
        boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), port);
        stream_.expires_after(timeout_);
        boost::beast::error_code result;
        stream_.async_connect(ep, [&](boost::beast::error_code ec) { result = ec; });
        ioc_.run();
        if (result) throw std::runtime_error("connect failed: " + result.message());
    }

    Reply request(const std::string& method, const std::string& target,
                  const std::string& body = "",
                  const std::map<std::string, std::string>& headers = {}) {
        namespace http = boost::beast::http;
        http::request<http::string_body> req{http::string_to_verb(method), target, 11};
        req.set(http::field::host, "127.0.0.1");
        if (req.method() == http::verb::unknown) req.method_string(method);
        for (const auto& [k, v] : headers) req.set(k, v);
        if (!body.empty() || method == "POST") {
            req.set(http::field::content_type, "application/json");
            req.body() = body;
        }
        req.prepare_payload();
        return exchange(req);
    }

    Reply query(const nlohmann::json& body,
                const std::map<std::string, std::string>& headers = {}) {
        return request("POST", "/query", body.dump(), headers);
    }

    // Writes raw bytes and reads one response (or reports that the connection closed).
    Reply raw(const std::string& bytes) {
        boost::beast::error_code wec;
        stream_.expires_after(timeout_);
        boost::asio::async_write(stream_, boost::asio::buffer(bytes),
                                 [&](boost::beast::error_code ec, size_t) { wec = ec; });
        ioc_.restart();
        ioc_.run();
        return read_reply();
    }

private:
    boost::asio::io_context ioc_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::chrono::seconds timeout_;

    template <typename Req>
    Reply exchange(Req& req) {
        boost::beast::error_code wec;
        stream_.expires_after(timeout_);
        boost::beast::http::async_write(stream_, req,
                                        [&](boost::beast::error_code ec, size_t) { wec = ec; });
        ioc_.restart();
        ioc_.run();
        // A server may answer (413) and close before taking the whole body; read anyway.
        return read_reply();
    }

    Reply read_reply() {
        namespace http = boost::beast::http;
        http::response_parser<http::string_body> parser;
        parser.body_limit(1u << 30);
        boost::beast::error_code rec;
        stream_.expires_after(timeout_);
        http::async_read(stream_, buffer_, parser,
                         [&](boost::beast::error_code ec, size_t) { rec = ec; });
        ioc_.restart();
        ioc_.run();
        Reply r;
        if (rec == boost::beast::error::timeout) throw std::runtime_error("HTTP read timed out");
        if (rec) {
            r.closed = true;
            return r;
        }
        auto res = parser.release();
        r.status = res.result_int();
        r.body = res.body();
        for (const auto& f : res) r.headers[std::string(f.name_string())] = std::string(f.value());
        r.closed = !res.keep_alive();
        return r;
    }
};

}  // namespace lora::test
