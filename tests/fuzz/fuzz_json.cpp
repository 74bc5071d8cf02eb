// Request bodies and their parameters on any bytes, as lorad's query routes read them
// (parse_query_body, lora::json::from_json for every parameter, temporal objects included),
// then every parameter written back as JSON (to_json) and dumped. A bad body must end in a
// 400-class Response; nothing may be thrown.
#include <lora/net/json_format.hpp>
#include <lora/net/query_body.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace lora::net;
    Request req;
    req.method = "POST";
    req.path = "/query";
    req.body.assign(reinterpret_cast<const char*>(data), size);
    Response error;
    auto body = parse_query_body(req, error);
    if (!body) {
        if (error.status < 400 || error.status >= 500 || error.body.empty()) __builtin_trap();
        return 0;
    }
    for (const auto& [name, value] : body->params) {
        const nlohmann::json j = lora::json::to_json(value);
        (void)j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return 0;
}
