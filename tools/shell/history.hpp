// The interactive shell's history file (~/.lora_history) in libedit's format, so the
// readline-compatible line editor recalls it. Each entry is appended to the file as it is
// made, never the whole file rewritten per statement; the file is trimmed to the newest
// entries on the way out, and only when it has grown past the limit.
//
// libedit's own append_history (writes one entry more than asked) and
// history_truncate_file (drops the file's format cookie, after which nothing loads) are
// not usable in Debian 12's libedit, hence this.
#pragma once

#include <string>

namespace lora::shell {

class History {
public:
    // `path` empty: in-memory history only. Loads the file's entries into the editor.
    History(std::string path, int max_entries);
    ~History();
    History(const History&) = delete;
    History& operator=(const History&) = delete;

    // Adds an entry to the editor's history and appends it to the file.
    void add(const std::string& entry);

    // Keeps only the newest max_entries entries in the file (atomic rename); no-op when
    // the file is within the limit.
    void trim_file() const;

private:
    std::string path_;
    int max_entries_;
};

// The default history file: $HOME/.lora_history, or empty without a HOME.
std::string default_history_path();

}  // namespace lora::shell
