// The SSL context of lorad's listeners, built from --tls-cert and --tls-key.
#include <lora/errors.hpp>
#include <lora/net/tls.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace lora::net {

namespace asio = boost::asio;

namespace {

void check_readable(const std::string& file, const char* option) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw errors::invalid_option(std::string(option) + ": cannot read " + file + ": " +
                                     std::strerror(errno));
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_server_tls_context(const std::string& cert_file,
                                                            const std::string& key_file) {
    check_readable(cert_file, "--tls-cert");
    check_readable(key_file, "--tls-key");
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    // A key protected by a passphrase is refused rather than prompted for on the terminal.
    ctx->set_password_callback(
        [](std::size_t, asio::ssl::context::password_purpose) { return std::string(); });
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(cert_file, ec);
    if (ec)
        throw errors::invalid_option("--tls-cert: " + cert_file +
                                     " holds no usable PEM certificate: " + ec.message());
    ctx->use_private_key_file(key_file, asio::ssl::context::pem, ec);
    if (ec)
        throw errors::invalid_option("--tls-key: " + key_file +
                                     " holds no usable PEM private key " +
                                     "for the certificate in " + cert_file + ": " + ec.message());
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        ERR_clear_error();
        throw errors::invalid_option("--tls-key: the key in " + key_file +
                                     " does not match the certificate in " + cert_file);
    }
    return ctx;
}

std::string tls_failure_text(const boost::system::error_code& ec) {
    if (ec.category() == asio::error::get_ssl_category()) {
        const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
        if (reason) return reason;
    }
    return ec.message();
}

}  // namespace lora::net
