import CCurl
import Foundation

/// Turns a libcurl result code into a typed ``HTTPClientError`` with a message an operator can act on.
/// Codes and their meaning: https://curl.se/libcurl/c/libcurl-errors.html (libcurl 7.88.1).
enum CurlErrorClassifier {
    /// What the transfer had reached when it failed, as far as classification needs it.
    struct Context {
        /// The URL requested.
        var url: String
        /// libcurl's `CURLOPT_ERRORBUFFER` text; may be empty.
        var errorText: String
        /// An HTTP status line had arrived (`CURLINFO_RESPONSE_CODE` > 0).
        var receivedStatus: Bool
        /// Redirects followed before the failure (`CURLINFO_REDIRECT_COUNT`).
        var redirectCount: Int
        /// Our write callback refused the body because it passed the limit.
        var exceededBodyLimit: Bool
        /// The body limit in force, in bytes.
        var maxBodyBytes: Int
        /// The redirect limit in force.
        var maxRedirects: Int
        /// The total timeout in force, in milliseconds.
        var timeoutMilliseconds: Int
        /// The `Location` of a redirect that was not followed (`CURLINFO_REDIRECT_URL`), if any.
        var unfollowedRedirect: String?
    }

    /// Classifies a failed transfer.
    static func error(for code: CURLcode, _ context: Context) -> HTTPClientError {
        let curlText: String = {
            let text = context.errorText.trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { return text }
            return String(cString: curl_easy_strerror(code))
        }()
        let (kind, advice) = Self.classify(code, context)
        let message = advice.isEmpty ? curlText : "\(advice) (libcurl: \(curlText))"
        return HTTPClientError(kind: kind, url: context.url, message: message)
    }

    private static func classify(_ code: CURLcode, _ context: Context) -> (HTTPClientError.Kind, String) {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST:
            return (.dns, "the host name did not resolve; check the URL and this machine's DNS")
        case CURLE_COULDNT_RESOLVE_PROXY:
            return (.proxy, "the proxy's host name did not resolve; check the proxy setting")
        case CURLE_PROXY:
            return (.proxy, "the proxy refused or failed the connection; check the proxy setting")
        case CURLE_COULDNT_CONNECT:
            return (.connect, "the connection was refused or the host is unreachable; the site may be down")
        case CURLE_OPERATION_TIMEDOUT:
            let seconds = Double(context.timeoutMilliseconds) / 1000
            return (.timeout, "no complete answer within \(seconds) s; the site may be slow or blocking us")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return (.tls, "the TLS handshake or certificate check failed; check the site's certificate")
        case CURLE_FILESIZE_EXCEEDED:
            return (.bodyTooLarge, Self.bodyAdvice(context.maxBodyBytes))
        case CURLE_WRITE_ERROR where context.exceededBodyLimit:
            return (.bodyTooLarge, Self.bodyAdvice(context.maxBodyBytes))
        case CURLE_PARTIAL_FILE:
            return (.truncated, "the connection closed before the whole body arrived")
        case CURLE_RECV_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_GOT_NOTHING:
            if context.receivedStatus {
                return (.truncated, "the connection failed after the answer began; the body is incomplete")
            }
            return (.transport, "the connection failed before an answer arrived")
        case CURLE_TOO_MANY_REDIRECTS:
            return (.redirect, "more than \(context.maxRedirects) redirects; check the URL for a redirect loop")
        case CURLE_UNSUPPORTED_PROTOCOL where context.redirectCount > 0 || context.unfollowedRedirect != nil:
            let target = context.unfollowedRedirect.map { " to \($0)" } ?? ""
            return (.redirect, "refused a redirect\(target): only http and https are followed")
        case CURLE_UNSUPPORTED_PROTOCOL where context.errorText.contains("HTTP/0.9"):
            // The server answered bytes that are not an HTTP answer (libcurl takes them for
            // HTTP/0.9, which it refuses): nothing in the config to fix (a tester was told to).
            return (
                .transport,
                "the server's answer is not HTTP (no status line); the server or what stands "
                    + "in front of it at this address is not a web server, or is broken"
            )
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return (.invalidRequest, "the URL cannot be fetched; fix it in the configuration")
        default:
            return (.transport, "")
        }
    }

    private static func bodyAdvice(_ limit: Int) -> String {
        "the body is larger than the limit of \(limit) bytes; raise max_body_size in [daemon] if this source is legitimate"
    }
}
