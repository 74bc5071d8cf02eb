// OpenSSL for the Bolt client: a client context per connection, the handshake on a blocking
// socket (bounded by poll), then SSL_read / SSL_write for the client's reads and writes.
#include <lora/errors.hpp>
#include <lora/net/bolt/client_tls.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <poll.h>

namespace lora::net::bolt {

struct TlsChannel::Impl {
    SSL_CTX* ctx = nullptr;
    SSL* ssl = nullptr;
    ~Impl() {
        if (ssl) SSL_free(ssl);
        if (ctx) SSL_CTX_free(ctx);
    }
};

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    unsigned long code = ERR_get_error();
    std::string reason = what;
    if (code) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        reason += ": ";
        reason += buf;
    }
    ERR_clear_error();
    throw errors::database("ConnectionFailed", where + ": " + reason);
}

bool is_ip(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

TlsChannel::TlsChannel(int fd, const std::string& host, TlsMode mode, const std::string& ca_file,
                       int timeout_ms, const std::string& where)
    : impl_(std::make_unique<Impl>()) {
    auto& s = *impl_;
    s.ctx = SSL_CTX_new(TLS_client_method());
    if (!s.ctx) fail(where, "cannot set up TLS");
    SSL_CTX_set_min_proto_version(s.ctx, TLS1_2_VERSION);
    // A read that finds only TLS records without data (session tickets) returns, so the
    // client's poll keeps bounding the wait.
    SSL_CTX_clear_mode(s.ctx, SSL_MODE_AUTO_RETRY);
    if (mode == TlsMode::Verified) {
        SSL_CTX_set_verify(s.ctx, SSL_VERIFY_PEER, nullptr);
        if (ca_file.empty() ? SSL_CTX_set_default_verify_paths(s.ctx) != 1
                            : SSL_CTX_load_verify_locations(s.ctx, ca_file.c_str(), nullptr) != 1)
            fail(where, ca_file.empty() ? std::string("cannot load the system's CA certificates")
                                        : "cannot load the CA certificates in " + ca_file);
    } else {
        SSL_CTX_set_verify(s.ctx, SSL_VERIFY_NONE, nullptr);
    }
    s.ssl = SSL_new(s.ctx);
    if (!s.ssl || SSL_set_fd(s.ssl, fd) != 1) fail(where, "cannot set up TLS");
    if (!is_ip(host)) SSL_set_tlsext_host_name(s.ssl, host.c_str());
    if (mode == TlsMode::Verified) {
        X509_VERIFY_PARAM* param = SSL_get0_param(s.ssl);
        int ok = is_ip(host) ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                             : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
        if (ok != 1) fail(where, "cannot check the server's name " + host);
    }
    // The socket is blocking: poll bounds each step of the handshake by the timeout.
    for (;;) {
        int rc = SSL_connect(s.ssl);
        if (rc == 1) break;
        int err = SSL_get_error(s.ssl, rc);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            long verify = SSL_get_verify_result(s.ssl);
            if (verify != X509_V_OK)
                fail(where, std::string("the server's certificate is not trusted: ") +
                                X509_verify_cert_error_string(verify));
            fail(where, "the TLS handshake failed (is the server's port TLS?)");
        }
        pollfd p{fd, static_cast<short>(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
        if (poll(&p, 1, timeout_ms) <= 0) fail(where, "no TLS handshake answer");
    }
}

TlsChannel::~TlsChannel() = default;

ssize_t TlsChannel::send(const char* data, size_t size) {
    size_t done = 0;
    if (SSL_write_ex(impl_->ssl, data, size, &done) != 1) {
        ERR_clear_error();
        return -1;
    }
    return static_cast<ssize_t>(done);
}

ssize_t TlsChannel::recv(char* buf, size_t size) {
    size_t got = 0;
    if (SSL_read_ex(impl_->ssl, buf, size, &got) == 1) return static_cast<ssize_t>(got);
    int err = SSL_get_error(impl_->ssl, 0);
    ERR_clear_error();
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return -2;
    return err == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

bool TlsChannel::pending() const { return SSL_pending(impl_->ssl) > 0; }

}  // namespace lora::net::bolt
