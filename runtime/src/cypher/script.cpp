// Splits a Cypher script into statements (the lora shell, lora-import).
#include <lora/cypher/script.hpp>

namespace lora::cypher {

std::vector<std::string> split_statements(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    char quote = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (quote) {
            cur += c;
            if (c == '\\' && quote != '`' && i + 1 < s.size()) {
                cur += s[++i];
            } else if (c == quote) {
                quote = 0;
            }
            continue;
        }
        if (c == '\'' || c == '"' || c == '`') {
            quote = c;
            cur += c;
        } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
            while (i < s.size() && s[i] != '\n') ++i;
            cur += '\n';
        } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
            size_t end = s.find("*/", i + 2);
            i = end == std::string::npos ? s.size() : end + 1;
            cur += ' ';
        } else if (c == ';') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    std::vector<std::string> trimmed;
    for (auto& st : out) {
        auto b = st.find_first_not_of(" \t\r\n");
        if (b == std::string::npos) continue;
        auto e = st.find_last_not_of(" \t\r\n");
        trimmed.push_back(st.substr(b, e - b + 1));
    }
    return trimmed;
}

}  // namespace lora::cypher
