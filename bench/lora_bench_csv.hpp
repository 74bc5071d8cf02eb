// lora-bench csv-import: writes an N-line CSV into a running lorad's import directory and
// loads it with LOAD CSV ... CALL { ... } IN TRANSACTIONS over HTTP, reporting rows/s and the
// server's peak resident memory.
#pragma once

#include <cstdint>
#include <string>

namespace lora::bench {

struct CsvImportConfig {
    std::string url;         // the lorad, http://HOST:PORT
    std::string auth_token;  // its token, if any
    std::string import_dir;  // lorad's --import-dir (the file is written there)
    int64_t lorad_pid = 0;   // for VmHWM / VmRSS (/proc/<pid>/status); 0: not reported
    uint64_t lines = 1000000;
    uint32_t batch = 10000;  // IN TRANSACTIONS OF <batch> ROWS
    bool gzip = false;       // write and load a .csv.gz
};

struct CsvImportResult {
    uint64_t rows = 0;          // nodes the import created (checked with a count)
    double write_seconds = 0;   // writing the file
    double import_seconds = 0;  // the LOAD CSV statement
    uint64_t file_bytes = 0;
    int64_t vm_hwm_kib_before = -1;  // lorad's peak RSS before and after the import
    int64_t vm_hwm_kib_after = -1;
    int64_t vm_rss_kib_after = -1;
};

// Throws lora::Error (or std::runtime_error for a failed HTTP answer) on failure.
CsvImportResult run_csv_import(const CsvImportConfig& config);
std::string csv_import_json(const CsvImportConfig& config, const CsvImportResult& r);

}  // namespace lora::bench
