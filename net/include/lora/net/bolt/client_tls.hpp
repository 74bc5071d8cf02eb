// The TLS side of lora's blocking Bolt client (bolt+s://, bolt+ssc://): OpenSSL over the
// client's connected socket, with its reads and writes in the socket's own terms.
#pragma once

#include <sys/types.h>
#include <cstddef>
#include <memory>
#include <string>

namespace lora::net::bolt {

// bolt:// and neo4j:// (Off); bolt+s:// and neo4j+s:// (Verified: the server's certificate
// must chain to a trusted CA, the system's or ClientOptions::ca_file, and name the host);
// bolt+ssc:// and neo4j+ssc:// (Unverified: any certificate, e.g. a self-signed one).
enum class TlsMode { Off, Verified, Unverified };

class TlsChannel {
public:
    // Runs the TLS handshake on connected socket `fd` (blocking, `timeout_ms` < 0: no limit).
    // Throws lora::Error (DatabaseError.ConnectionFailed) naming `where` and the reason.
    TlsChannel(int fd, const std::string& host, TlsMode mode, const std::string& ca_file,
               int timeout_ms, const std::string& where);
    ~TlsChannel();
    TlsChannel(const TlsChannel&) = delete;
    TlsChannel& operator=(const TlsChannel&) = delete;

    // Like send(2) / recv(2): bytes moved, 0 when the peer closed, -1 on failure; recv also
    // -2 when no application data came yet (TLS records without any: wait and call again).
    ssize_t send(const char* data, size_t size);
    ssize_t recv(char* buf, size_t size);
    // Decrypted bytes already held, which poll(2) on the socket would not announce.
    bool pending() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lora::net::bolt
