// LOAD CSV's file access: resolving a file:/// URL inside the import directory, and a
// streaming reader of RFC 4180 records (libcsv) from plain or gzip files (zlib).
#pragma once

#include <lora/value.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct csv_parser;

namespace lora::exec {

// The file a LOAD CSV URL names: `file:///a/b.csv` (or `file:a/b.csv`, or a bare relative
// path) is `<import_dir>/a/b.csv`, canonicalized. Throws lora::Error: Request.InvalidPath when
// the path leaves the import directory (through `..`, or a symbolic link pointing outside)
// or no import directory is configured; NotSupported for http(s)/ftp URLs and other schemes;
// Statement.ExternalResourceFailed when the file does not exist.
std::string resolve_csv_url(const std::string& url, const std::string& import_dir);

// One record: its fields (an empty unquoted field is null, a quoted "" the empty string)
// and the line of the file it starts on (1-based).
struct CsvRecord {
    std::vector<std::optional<std::string>> fields;
    int64_t line = 0;
};

// Reads the records of one file in order, holding a chunk of the file and the records parsed
// from it, never the whole file. A `.gz` file (any gzip file, in fact) is decompressed as it
// is read. Errors (lora::Error, Statement.ExternalResourceFailed) name the file and line.
class CsvReader {
public:
    // The longest field accepted: a longer one (usually an unclosed quote) is an error, so a
    // malformed file cannot make the reader hold all of itself.
    static constexpr size_t kMaxFieldBytes = 16u << 20;

    CsvReader(std::string path, char delimiter);
    ~CsvReader();
    CsvReader(const CsvReader&) = delete;
    CsvReader& operator=(const CsvReader&) = delete;

    // The next record; false at the end of the file.
    bool next(CsvRecord& out);
    const std::string& path() const { return path_; }

    // libcsv's callbacks (a field ended; a record ended).
    void on_field(const void* data, size_t len);
    void on_record();

private:
    void feed_more();  // parses the next chunk of the file into ready_
    void feed(const char* data, size_t len);
    [[noreturn]] void malformed(int64_t line, const std::string& what) const;

    std::string path_;
    void* gz_ = nullptr;  // gzFile
    std::unique_ptr<csv_parser> parser_;
    std::vector<char> buf_;
    std::deque<CsvRecord> ready_;
    CsvRecord current_;
    int64_t line_ = 1;             // line of the next byte fed
    bool record_started_ = false;  // bytes of current_ were fed
    bool at_start_ = true;         // nothing fed yet (a UTF-8 byte order mark is skipped)
    bool eof_ = false;
};

// A running LOAD CSV: its reader, the header (WITH HEADERS) and the value file() gives.
struct CsvSource {
    CsvSource(std::string path, char delimiter, bool headers);
    CsvReader reader;
    bool with_headers;
    std::vector<std::optional<std::string>> header;
    Value file;
    // The row value of a record: a list of strings (nulls), or with headers a map from
    // each named column to its field (null when the record is short).
    Value row_value(CsvRecord& rec) const;
};

}  // namespace lora::exec
