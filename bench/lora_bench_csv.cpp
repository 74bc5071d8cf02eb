// lora-bench csv-import (see lora_bench_csv.hpp).
#include "lora_bench_csv.hpp"
#include "lora_bench_http.hpp"

#include <zlib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace lora::bench {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A "VmHWM:" / "VmRSS:" line of /proc/<pid>/status, in KiB (-1 when unreadable).
int64_t proc_kib(int64_t pid, const std::string& key) {
    if (pid <= 0) return -1;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key + ":", 0) == 0) return std::stoll(line.substr(key.size() + 1));
    return -1;
}

// id,name,score,note: the note is quoted and every 100th holds a comma and a newline.
void write_file(const std::string& path, uint64_t lines, bool gzip) {
    std::string chunk;
    auto line = [&](uint64_t i) {
        chunk += std::to_string(i);
        chunk += ",person-";
        chunk += std::to_string(i);
        chunk += ",";
        chunk += std::to_string((i * 7919) % 1000);
        chunk += i % 100 == 0 ? ",\"multi, line\nnote\"\n" : ",plain\n";
    };
    if (gzip) {
        gzFile gz = gzopen(path.c_str(), "wb1");
        if (!gz) throw std::runtime_error("cannot write " + path);
        auto flush = [&] {
            if (gzwrite(gz, chunk.data(), static_cast<unsigned>(chunk.size())) !=
                static_cast<int>(chunk.size()))
                throw std::runtime_error("cannot write " + path);
            chunk.clear();
        };
        chunk = "id,name,score,note\n";
        for (uint64_t i = 1; i <= lines; ++i) {
            line(i);
            if (chunk.size() > (1u << 20)) flush();
        }
        flush();
        gzclose(gz);
        return;
    }
    std::ofstream out(path, std::ios::binary);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << "id,name,score,note\n";
    for (uint64_t i = 1; i <= lines; ++i) {
        line(i);
        if (chunk.size() > (1u << 20)) {
            out << chunk;
            chunk.clear();
        }
    }
    out << chunk;
    if (!out) throw std::runtime_error("cannot write " + path);
}

nlohmann::json post_query(HttpConnection& http, const std::string& query) {
    HttpReply r = http.request("POST", "/query", nlohmann::json{{"query", query}}.dump());
    if (r.status != 200)
        throw std::runtime_error("lorad answered " + std::to_string(r.status) + ": " + r.body);
    return nlohmann::json::parse(r.body);
}

}  // namespace

CsvImportResult run_csv_import(const CsvImportConfig& c) {
    CsvImportResult r;
    const std::string name = c.gzip ? "lora-bench-import.csv.gz" : "lora-bench-import.csv";
    const std::string path = (std::filesystem::path(c.import_dir) / name).string();
    auto t0 = Clock::now();
    write_file(path, c.lines, c.gzip);
    r.write_seconds = seconds_since(t0);
    r.file_bytes = std::filesystem::file_size(path);

    HttpConnection http(parse_http_url(c.url), c.auth_token, std::chrono::seconds(24 * 3600));
    post_query(http, "MATCH (n:CsvPerson) DETACH DELETE n");
    r.vm_hwm_kib_before = proc_kib(c.lorad_pid, "VmHWM");
    const std::string query =
        "LOAD CSV WITH HEADERS FROM 'file:///" + name +
        "' AS row CALL (row) { CREATE (:CsvPerson {id: toInteger(row.id), name: row.name, "
        "score: toInteger(row.score), note: row.note}) } IN TRANSACTIONS OF " +
        std::to_string(c.batch) + " ROWS";
    t0 = Clock::now();
    post_query(http, query);
    r.import_seconds = seconds_since(t0);
    r.vm_hwm_kib_after = proc_kib(c.lorad_pid, "VmHWM");
    r.vm_rss_kib_after = proc_kib(c.lorad_pid, "VmRSS");
    auto count = post_query(http, "MATCH (n:CsvPerson) RETURN count(n) AS n");
    r.rows = count.at("rows").at(0).at(0).get<uint64_t>();
    std::filesystem::remove(path);
    return r;
}

std::string csv_import_json(const CsvImportConfig& c, const CsvImportResult& r) {
    nlohmann::json j{{"bench", "csv-import"},
                     {"lines", c.lines},
                     {"batch", c.batch},
                     {"gzip", c.gzip},
                     {"file_bytes", r.file_bytes},
                     {"rows", r.rows},
                     {"write_s", r.write_seconds},
                     {"import_s", r.import_seconds},
                     {"rows_per_s", r.import_seconds > 0 ? r.rows / r.import_seconds : 0.0},
                     {"lorad_vm_hwm_kib_before", r.vm_hwm_kib_before},
                     {"lorad_vm_hwm_kib_after", r.vm_hwm_kib_after},
                     {"lorad_vm_rss_kib_after", r.vm_rss_kib_after}};
    return j.dump();
}

}  // namespace lora::bench
