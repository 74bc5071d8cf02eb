// `lora --connect URL`: the remote client that the URL's scheme names.
#include <lora/errors.hpp>
#include <lora/net/bolt/client.hpp>
#include <lora/net/remote.hpp>

namespace lora::net {

std::unique_ptr<Remote> open_remote(const std::string& url, const std::string& token) {
    if (url.rfind("http://", 0) == 0) return std::make_unique<RemoteDatabase>(url, token);
    if (url.rfind("bolt://", 0) == 0 || url.rfind("neo4j://", 0) == 0)
        return std::make_unique<bolt::BoltRemote>(url, token);
    throw errors::invalid_option("--connect: '" + url +
                                 "' must start with http://, bolt:// or neo4j:// (https and "
                                 "TLS schemes such as bolt+s:// are not supported)");
}

}  // namespace lora::net
