// `lora --connect URL`: the remote client that the URL's scheme names.
#include <lora/errors.hpp>
#include <lora/net/bolt/client.hpp>
#include <lora/net/remote.hpp>

namespace lora::net {

std::unique_ptr<Remote> open_remote(const std::string& url, const std::string& token,
                                    const std::string& ca_file) {
    if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0)
        return std::make_unique<RemoteDatabase>(url, token, ca_file);
    for (const char* scheme :
         {"bolt://", "neo4j://", "bolt+s://", "neo4j+s://", "bolt+ssc://", "neo4j+ssc://"})
        if (url.rfind(scheme, 0) == 0)
            return std::make_unique<bolt::BoltRemote>(url, token, ca_file);
    throw errors::invalid_option("--connect: '" + url +
                                 "' must start with http://, https://, bolt://, neo4j:// or a "
                                 "TLS Bolt scheme (bolt+s://, bolt+ssc://, neo4j+s://, "
                                 "neo4j+ssc://)");
}

}  // namespace lora::net
