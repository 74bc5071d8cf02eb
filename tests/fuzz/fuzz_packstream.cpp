// Bolt's decoding of a peer's bytes: a request message as the server decodes it (Bolt 4.4
// and 5.8), and PackStream values as a server reads them (no graph values) and as a client
// reads records (graph values), each encoded again. Bad bytes must end in ProtocolError or
// UnsupportedValue, nothing else.
#include <lora/net/bolt/handshake.hpp>
#include <lora/net/bolt/messages.hpp>
#include <lora/net/bolt/packstream.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

void decode_all(std::string_view bytes, bool graph_values) {
    using namespace lora::net::bolt;
    try {
        Decoder d(bytes, graph_values);
        while (!d.at_end()) {
            lora::Value v = d.value();
            std::string out;
            Encoder e(out, true);
            e.value(v);
        }
    } catch (const ProtocolError&) {
    } catch (const UnsupportedValue&) {}
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    decode_all(bytes, false);
    decode_all(bytes, true);
    using namespace lora::net::bolt;
    for (Version v : {Version{4, 4}, Version{5, 8}}) {
        try {
            Request r = decode_request(bytes, v);
            std::string out;
            write_request(out, r.signature, r.fields);
        } catch (const ProtocolError&) {}
    }
    return 0;
}
