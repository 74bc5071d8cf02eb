// Private helpers of data_dir.cpp and checkpoint.cpp: the error shorthand, durable file I/O
// (every failure names the file) and a bounds-checked binary writer/reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lora::storage::persist {

[[noreturn]] void fail(std::string detail, std::string message);
// "Io" error naming the operation, the file and errno's text.
[[noreturn]] void fail_errno(std::string_view what, const std::filesystem::path& file, int err);

// The whole file; MissingFile when it does not exist.
std::vector<std::byte> read_file(const std::filesystem::path& file);
// Creates/truncates `file`, writes `data` and fsyncs it (the directory is not synced).
void write_file_synced(const std::filesystem::path& file, std::span<const std::byte> data);
// tmp file next to `file`, fsync, rename over `file`, fsync the directory.
void write_file_atomic(const std::filesystem::path& file, std::span<const std::byte> data);
void sync_dir(const std::filesystem::path& dir);

// Appends little-endian integers, strings and raw bytes.
class Writer {
public:
    template <typename T>
    void put(T v) {
        const size_t at = out_.size();
        out_.resize(at + sizeof v);
        std::memcpy(out_.data() + at, &v, sizeof v);
    }
    void put_string(std::string_view s);
    void put_bytes(std::span<const std::byte> b);
    std::vector<std::byte>& bytes() { return out_; }
    size_t size() const { return out_.size(); }

private:
    std::vector<std::byte> out_;
};

// Reads what Writer wrote; running past the end is CorruptFile naming `source` and the offset.
class Reader {
public:
    Reader(std::span<const std::byte> in, std::string_view source, std::string_view region)
        : in_(in), source_(source), region_(region) {}

    template <typename T>
    T get(std::string_view what) {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, in_.data() + pos_, sizeof v);
        pos_ += sizeof v;
        return v;
    }
    std::string get_string(std::string_view what);
    std::span<const std::byte> get_bytes(size_t n, std::string_view what);
    size_t offset() const { return pos_; }
    bool at_end() const { return pos_ == in_.size(); }
    size_t remaining() const { return in_.size() - pos_; }
    // CorruptFile: "<source>: <message> at offset N of the <region>".
    [[noreturn]] void corrupt(std::string_view message) const;

private:
    void need(size_t n, std::string_view what) const;

    std::span<const std::byte> in_;
    size_t pos_ = 0;
    std::string source_;
    std::string region_;
};

}  // namespace lora::storage::persist
