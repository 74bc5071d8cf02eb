// Reading a query route's JSON body; a bad body becomes an HTTP answer, never an exception.
#include <lora/net/query_body.hpp>

#include <lora/net/json_format.hpp>

#include <nlohmann/json.hpp>

namespace lora::net {

namespace {

using Json = nlohmann::json;

// nlohmann's parser is iterative; this bound is for what recurses after it.
bool nesting_within(const std::string& text, int max_depth) {
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

}  // namespace

std::optional<QueryBody> parse_query_body(const Request& req, Response& error) {
    if (!nesting_within(req.body, kMaxJsonDepth)) {
        error = request_error(
            400, "Request.InvalidJson",
            "request body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        return std::nullopt;
    }
    Json j;
    try {
        j = Json::parse(req.body);
    } catch (const Json::exception& e) {
        error = request_error(400, "Request.InvalidJson",
                              std::string("request body is not valid JSON: ") + e.what());
        return std::nullopt;
    }
    if (!j.is_object()) {
        error = request_error(400, "Request.InvalidField",
                              "request body must be a JSON object with a \"query\" string");
        return std::nullopt;
    }
    QueryBody out;
    auto q = j.find("query");
    if (q == j.end()) {
        error = request_error(400, "Request.MissingField", "request body has no \"query\" field");
        return std::nullopt;
    }
    if (!q->is_string()) {
        error = request_error(400, "Request.InvalidField",
                              std::string("\"query\" must be a string, got ") + q->type_name());
        return std::nullopt;
    }
    out.query = q->get<std::string>();
    auto p = j.find("params");
    if (p != j.end() && !p->is_null()) {
        if (!p->is_object()) {
            error =
                request_error(400, "Request.InvalidField",
                              std::string("\"params\" must be an object, got ") + p->type_name());
            return std::nullopt;
        }
        try {
            for (auto it = p->begin(); it != p->end(); ++it)
                out.params.emplace(it.key(), lora::json::from_json(it.value()));
        } catch (const Error& e) {
            error = engine_error(e);
            return std::nullopt;
        }
    }
    return out;
}

}  // namespace lora::net
