#include "history.hpp"

#include <editline/readline.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace lora::shell {

namespace {

constexpr const char* kCookie = "_HiStOrY_V2_";

bool needs_escape(unsigned char c) { return c <= 0x20 || c == 0x7F; }

// One entry as libedit stores it: vis(3) with VIS_WHITE, i.e. whitespace and control
// characters as \ooo octal, a backslash doubled.
std::string encode_history_entry(const std::string& entry) {
    std::string out;
    out.reserve(entry.size());
    for (unsigned char c : entry) {
        if (c == '\\') {
            out += "\\\\";
        } else if (needs_escape(c)) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\%03o", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

}  // namespace

std::string default_history_path() {
    const char* home = std::getenv("HOME");
    if (!home || !*home) return {};
    return std::string(home) + "/.lora_history";
}

History::History(std::string path, int max_entries)
    : path_(std::move(path)), max_entries_(max_entries) {
    using_history();
    stifle_history(max_entries_);
    if (!path_.empty()) read_history(path_.c_str());
}

History::~History() { trim_file(); }

void History::add(const std::string& entry) {
    add_history(entry.c_str());
    if (path_.empty()) return;
    // A missing file has no size (ec set): it starts with the format's first line too.
    std::error_code ec;
    const bool fresh = std::filesystem::file_size(path_, ec) == 0 || ec;
    std::ofstream out(path_, std::ios::app | std::ios::binary);
    if (!out) return;  // history is a convenience: an unwritable file is not an error
    if (fresh) out << kCookie << '\n';
    out << encode_history_entry(entry) << '\n';
}

void History::trim_file() const {
    if (path_.empty()) return;
    std::ifstream in(path_, std::ios::binary);
    if (!in) return;
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
    in.close();
    const bool has_cookie = !lines.empty() && lines.front() == kCookie;
    const size_t entries = lines.size() - (has_cookie ? 1 : 0);
    if (entries <= static_cast<size_t>(max_entries_)) return;
    const std::string tmp = path_ + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
        if (!out) return;
        out << kCookie << '\n';
        for (size_t i = lines.size() - static_cast<size_t>(max_entries_); i < lines.size(); ++i)
            out << lines[i] << '\n';
        if (!out.flush()) return;
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path_, ec);
}

}  // namespace lora::shell
