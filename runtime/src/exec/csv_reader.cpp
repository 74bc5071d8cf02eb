// LOAD CSV's files: URL resolution confined to the import directory, and the streaming
// record reader (zlib's gzread reads gzip and plain files alike; libcsv splits records).
#include <lora/exec/csv_reader.hpp>

#include <lora/errors.hpp>

#include <csv.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace lora::exec {

namespace fs = std::filesystem;

namespace {

constexpr size_t kChunkBytes = 64u << 10;

bool starts_with_ci(const std::string& s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

// %XX escapes of a file URL's path.
std::string percent_decode(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() &&
            std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

void field_cb(void* data, size_t len, void* self) {
    static_cast<CsvReader*>(self)->on_field(data, len);
}

void record_cb(int, void* self) { static_cast<CsvReader*>(self)->on_record(); }

// Spaces around unquoted fields are part of them (libcsv trims them by default).
int no_space(unsigned char) { return 0; }

}  // namespace

std::string resolve_csv_url(const std::string& url, const std::string& import_dir) {
    if (starts_with_ci(url, "http://") || starts_with_ci(url, "https://") ||
        starts_with_ci(url, "ftp://"))
        throw errors::not_supported("LOAD CSV from " + url.substr(0, url.find(':')) +
                                    " URLs (put the file in the import directory and load it "
                                    "as file:///name.csv)");
    std::string path = url;
    if (starts_with_ci(url, "file:")) {
        path = percent_decode(url.substr(5));
    } else if (auto colon = url.find("://"); colon != std::string::npos) {
        throw errors::invalid_path("LOAD CSV reads file:/// URLs only, not '" + url + "'");
    }
    if (import_dir.empty())
        throw errors::invalid_path(
            "LOAD CSV needs an import directory (lorad --import-dir, Options::import_dir; an "
            "in-memory database has none by default)");
    // file:///a.csv, file://a.csv and /a.csv all name a.csv in the import directory.
    const size_t first = path.find_first_not_of('/');
    const fs::path rel =
        fs::path(first == std::string::npos ? "" : path.substr(first)).lexically_normal();
    if (rel.empty() || rel == ".")
        throw errors::invalid_path("LOAD CSV URL '" + url + "' names no file");
    if (*rel.begin() == "..")
        throw errors::invalid_path("LOAD CSV URL '" + url +
                                   "' points outside the import directory");
    std::error_code ec;
    const fs::path root = fs::canonical(import_dir, ec);
    if (ec)
        throw errors::invalid_path("the import directory '" + import_dir +
                                   "' does not exist: " + ec.message());
    const fs::path full = fs::canonical(root / rel, ec);
    if (ec)
        throw errors::external_resource("Couldn't load the external resource at: " + url + " (" +
                                        (root / rel).string() + ": " + ec.message() + ")");
    const std::string r = root.string(), f = full.string();
    if (f.size() <= r.size() || f.compare(0, r.size(), r) != 0 || f[r.size()] != '/')
        throw errors::invalid_path("LOAD CSV URL '" + url +
                                   "' resolves (through a symbolic link) outside the import "
                                   "directory");
    if (!fs::is_regular_file(full, ec))
        throw errors::external_resource("Couldn't load the external resource at: " + url +
                                        " (not a regular file)");
    return f;
}

CsvReader::CsvReader(std::string path, char delimiter)
    : path_(std::move(path)), parser_(std::make_unique<csv_parser>()), buf_(kChunkBytes) {
    if (csv_init(parser_.get(), CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
        throw errors::out_of_memory("LOAD CSV parser");
    csv_set_delim(parser_.get(), static_cast<unsigned char>(delimiter));
    csv_set_space_func(parser_.get(), no_space);
    gz_ = gzopen(path_.c_str(), "rb");
    if (!gz_) {
        csv_free(parser_.get());
        throw errors::external_resource("Couldn't load the external resource at: " + path_ + " (" +
                                        std::strerror(errno) + ")");
    }
    gzbuffer(static_cast<gzFile>(gz_), kChunkBytes);
}

CsvReader::~CsvReader() {
    if (gz_) gzclose(static_cast<gzFile>(gz_));
    csv_free(parser_.get());
}

void CsvReader::malformed(int64_t line, const std::string& what) const {
    throw errors::external_resource("malformed CSV in " + path_ + " at line " +
                                    std::to_string(line) + ": " + what);
}

void CsvReader::on_field(const void* data, size_t len) {
    if (data)
        current_.fields.emplace_back(std::string(static_cast<const char*>(data), len));
    else
        current_.fields.emplace_back(std::nullopt);
}

void CsvReader::on_record() {
    ready_.push_back(std::move(current_));
    current_ = CsvRecord{};
    record_started_ = false;
}

// Feeds one line at a time, so each record learns the line it starts on.
void CsvReader::feed(const char* data, size_t len) {
    while (len > 0) {
        const char* nl = static_cast<const char*>(std::memchr(data, '\n', len));
        const size_t n = nl ? static_cast<size_t>(nl - data) + 1 : len;
        if (!record_started_) {
            bool blank = true;
            for (size_t i = 0; i < n && blank; ++i) blank = data[i] == '\n' || data[i] == '\r';
            if (!blank) {
                record_started_ = true;
                current_.line = line_;
            }
        }
        const int64_t start = current_.line;
        if (csv_parse(parser_.get(), data, n, field_cb, record_cb, this) != n)
            malformed(line_, csv_strerror(csv_error(parser_.get())));
        if (record_started_ && csv_get_buffer_size(parser_.get()) > kMaxFieldBytes)
            malformed(start, "a field is longer than " + std::to_string(kMaxFieldBytes >> 20) +
                                 " MiB (an unclosed quote?)");
        if (nl) ++line_;
        data += n;
        len -= n;
    }
}

void CsvReader::feed_more() {
    auto* gz = static_cast<gzFile>(gz_);
    const int got = gzread(gz, buf_.data(), static_cast<unsigned>(buf_.size()));
    if (got < 0) {
        int code = 0;
        const char* msg = gzerror(gz, &code);
        throw errors::external_resource("cannot read " + path_ + " near line " +
                                        std::to_string(line_) + ": " + (msg ? msg : "error"));
    }
    if (got == 0) {
        eof_ = true;
        const int64_t start = current_.line;
        if (csv_fini(parser_.get(), field_cb, record_cb, this) != 0)
            malformed(start, "a quoted field is not closed before the end of the file");
        return;
    }
    const char* p = buf_.data();
    size_t n = static_cast<size_t>(got);
    if (at_start_) {
        at_start_ = false;
        if (n >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3;
            n -= 3;
        }
    }
    feed(p, n);
}

bool CsvReader::next(CsvRecord& out) {
    while (ready_.empty()) {
        if (eof_) return false;
        feed_more();
    }
    out = std::move(ready_.front());
    ready_.pop_front();
    return true;
}

CsvSource::CsvSource(std::string path, char delimiter, bool headers)
    : reader(path, delimiter), with_headers(headers), file(std::move(path)) {
    if (!with_headers) return;
    CsvRecord rec;
    if (reader.next(rec)) header = std::move(rec.fields);
}

Value CsvSource::row_value(CsvRecord& rec) const {
    if (!with_headers) {
        List l;
        l.reserve(rec.fields.size());
        for (auto& f : rec.fields) l.push_back(f ? Value(std::move(*f)) : Value());
        return Value(std::move(l));
    }
    Map m;
    for (size_t i = 0; i < header.size(); ++i) {
        if (!header[i]) continue;  // a column without a name
        if (i < rec.fields.size() && rec.fields[i])
            m.insert_or_assign(*header[i], Value(std::move(*rec.fields[i])));
        else
            m.insert_or_assign(*header[i], Value());
    }
    return Value(std::move(m));
}

}  // namespace lora::exec
