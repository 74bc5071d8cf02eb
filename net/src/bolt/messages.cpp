// Request decoding (signature and field count checked per version) and response encoding.
#include <lora/net/bolt/chunking.hpp>
#include <lora/net/bolt/messages.hpp>
#include <lora/net/bolt/packstream.hpp>

namespace lora::net::bolt {

namespace {

constexpr auto kSuccess = static_cast<uint8_t>(Response::Success);
constexpr auto kRecord = static_cast<uint8_t>(Response::Record);
constexpr auto kIgnored = static_cast<uint8_t>(Response::Ignored);
constexpr auto kFailure = static_cast<uint8_t>(Response::Failure);

// The field counts a request may have: {min, max}.
std::optional<std::pair<size_t, size_t>> arity(uint8_t sig, Version v) {
    bool v51 = v.major > 5 || (v.major == 5 && v.minor >= 1);
    bool v54 = v.major > 5 || (v.major == 5 && v.minor >= 4);
    switch (static_cast<Signature>(sig)) {
        case Signature::Hello: return std::pair<size_t, size_t>{1, 1};
        case Signature::Goodbye:
        case Signature::Reset:
        case Signature::Commit:
        case Signature::Rollback: return std::pair<size_t, size_t>{0, 0};
        case Signature::Run: return std::pair<size_t, size_t>{2, 3};
        case Signature::Begin:
        case Signature::Discard:
        case Signature::Pull: return std::pair<size_t, size_t>{0, 1};
        case Signature::Route: return std::pair<size_t, size_t>{3, 3};
        case Signature::Telemetry:
            if (!v54) return std::nullopt;
            return std::pair<size_t, size_t>{1, 1};
        case Signature::Logon:
            if (!v51) return std::nullopt;
            return std::pair<size_t, size_t>{1, 1};
        case Signature::Logoff:
            if (!v51) return std::nullopt;
            return std::pair<size_t, size_t>{0, 0};
    }
    return std::nullopt;
}

void write_message(std::string& out, uint8_t sig, const Value* field, Version v) {
    std::string body;
    Encoder enc(body, v.major >= 5);
    enc.struct_header(sig, field ? 1 : 0);
    if (field) enc.value(*field);
    append_chunked(out, body);
}

}  // namespace

std::string_view request_name(Signature s) {
    switch (s) {
        case Signature::Hello: return "HELLO";
        case Signature::Goodbye: return "GOODBYE";
        case Signature::Reset: return "RESET";
        case Signature::Run: return "RUN";
        case Signature::Begin: return "BEGIN";
        case Signature::Commit: return "COMMIT";
        case Signature::Rollback: return "ROLLBACK";
        case Signature::Discard: return "DISCARD";
        case Signature::Pull: return "PULL";
        case Signature::Telemetry: return "TELEMETRY";
        case Signature::Route: return "ROUTE";
        case Signature::Logon: return "LOGON";
        case Signature::Logoff: return "LOGOFF";
    }
    return "?";
}

Request decode_request(std::string_view message, Version version) {
    Decoder dec(message);
    size_t fields = 0;
    uint8_t sig = dec.struct_header(fields);
    auto allowed = arity(sig, version);
    if (!allowed)
        throw ProtocolError("unknown message signature 0x" +
                            std::string(1, "0123456789ABCDEF"[sig >> 4]) +
                            std::string(1, "0123456789ABCDEF"[sig & 0xF]) + " for Bolt " +
                            std::to_string(version.major) + "." + std::to_string(version.minor));
    Request r{static_cast<Signature>(sig), {}, std::nullopt};
    if (fields < allowed->first || fields > allowed->second)
        throw ProtocolError(std::string(request_name(r.signature)) + " has " +
                            std::to_string(fields) + " field(s)");
    try {
        for (size_t i = 0; i < fields; ++i) r.fields.push_back(dec.value());
    } catch (const UnsupportedValue& e) {
        r.unsupported = e.what();
        return r;
    }
    if (!dec.at_end())
        throw ProtocolError(std::string(request_name(r.signature)) + " has " +
                            std::to_string(message.size() - dec.position()) +
                            " byte(s) after its fields");
    return r;
}

bool is_reset(std::string_view message) {
    return message.size() == 2 && static_cast<uint8_t>(message[0]) == 0xB0 &&
           static_cast<uint8_t>(message[1]) == static_cast<uint8_t>(Signature::Reset);
}

void write_success(std::string& out, const Map& metadata) {
    Value m(metadata);
    write_message(out, kSuccess, &m, Version{5, 0});
}

void write_record(std::string& out, const std::vector<Value>& row, Version v) {
    std::string body;
    Encoder enc(body, v.major >= 5);
    enc.struct_header(kRecord, 1);
    enc.list_header(row.size());
    for (const auto& value : row) enc.value(value);
    append_chunked(out, body);
}

void write_ignored(std::string& out) { write_message(out, kIgnored, nullptr, Version{5, 0}); }

void write_failure(std::string& out, const Failure& f, Version v) {
    Map m;
    m["message"] = Value(f.message);
    if (v.major > 5 || (v.major == 5 && v.minor >= 7)) {
        m["neo4j_code"] = Value(f.code);
        m["gql_status"] = Value(gql_status_of(f.code));
        m["description"] = Value("error: " + f.message);
        m["diagnostic_record"] = Value(Map{{"CURRENT_SCHEMA", Value("/")},
                                           {"OPERATION", Value("")},
                                           {"OPERATION_CODE", Value("0")}});
    } else {
        m["code"] = Value(f.code);
    }
    Value mv(std::move(m));
    write_message(out, kFailure, &mv, v);
}

void write_request(std::string& out, Signature s, const std::vector<Value>& fields) {
    std::string body;
    Encoder enc(body, true);
    enc.struct_header(static_cast<uint8_t>(s), static_cast<uint8_t>(fields.size()));
    for (const auto& f : fields) enc.value(f);
    append_chunked(out, body);
}

}  // namespace lora::net::bolt
