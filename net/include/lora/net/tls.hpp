// TLS for lorad's listeners: the server's SSL context, and a stream that speaks TLS when the
// server has a context and plain TCP otherwise, so each server has one code path for both.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace lora::net {

// A server context holding the certificate chain of `cert_file` and the private key of
// `key_file` (PEM; TLS 1.2 and later). Throws lora::Error (an option error) naming the file
// that cannot be read or used, or both when the key does not belong to the certificate.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const std::string& cert_file,
                                                                   const std::string& key_file);

// The reason of a failed TLS handshake in a few words (OpenSSL's reason text when there is
// one), for the one log line a refused client gets.
std::string tls_failure_text(const boost::system::error_code& ec);

// `Next` (a tcp::socket or beast::tcp_stream) with TLS on top when constructed with a
// context. Reads and writes go through TLS then; timeouts, cancellation and closing stay
// with the next layer. Not movable: the TLS layer refers to the next one.
template <class Next>
class MaybeTlsStream {
public:
    using executor_type = typename Next::executor_type;

    template <class Socket>
    MaybeTlsStream(Socket&& socket, boost::asio::ssl::context* context)
        : next_(std::forward<Socket>(socket)) {
        if (context) tls_.emplace(next_, *context);
    }
    MaybeTlsStream(const MaybeTlsStream&) = delete;
    MaybeTlsStream& operator=(const MaybeTlsStream&) = delete;

    executor_type get_executor() { return next_.get_executor(); }
    Next& next_layer() { return next_; }
    bool is_tls() const { return tls_.has_value(); }

    // The server side of the handshake (only when is_tls()).
    template <class Handler>
    void async_handshake(Handler&& handler) {
        tls_->async_handshake(boost::asio::ssl::stream_base::server,
                              std::forward<Handler>(handler));
    }

    // The TLS closing handshake: sends close_notify and waits for the peer's (only when
    // is_tls(); bound it with the next layer's timeout or by closing the socket).
    template <class Handler>
    void async_shutdown(Handler&& handler) {
        tls_->async_shutdown(std::forward<Handler>(handler));
    }

    template <class Buffers, class Handler>
    void async_read_some(const Buffers& buffers, Handler&& handler) {
        if (tls_)
            tls_->async_read_some(buffers, std::forward<Handler>(handler));
        else
            next_.async_read_some(buffers, std::forward<Handler>(handler));
    }

    template <class Buffers, class Handler>
    void async_write_some(const Buffers& buffers, Handler&& handler) {
        if (tls_)
            tls_->async_write_some(buffers, std::forward<Handler>(handler));
        else
            next_.async_write_some(buffers, std::forward<Handler>(handler));
    }

private:
    Next next_;
    std::optional<boost::asio::ssl::stream<Next&>> tls_;
};

}  // namespace lora::net
