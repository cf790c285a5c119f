// A small HTTP/1.1 client for the gateway's endpoints (/health, /ready, /stats, /metrics) and for
// handshakes that must be refused (403, 503). Every call opens its own connection and is bounded
// by a timeout, so a test never hangs on a silent server. Thread-safe (no shared state).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace iiot::e2e {

struct HttpResponse {
  int status = 0;  // 0: no answer (connection refused, reset or timed out)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;                           // why status is 0
};

HttpResponse http_request(unsigned short port, const std::string& method, const std::string& target,
                          const std::map<std::string, std::string>& headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The status, body and headers of a response a Beast client read (this one, or tls_test_client's).
HttpResponse to_http_response(
    const boost::beast::http::response<boost::beast::http::string_body>& response);

inline HttpResponse http_get(unsigned short port, const std::string& target) {
  return http_request(port, "GET", target);
}

// A WebSocket upgrade request for path (with Origin if given), answered by the server's status
// (101 when accepted; the connection is then dropped).
HttpResponse upgrade_request(unsigned short port, const std::string& path,
                             const std::optional<std::string>& origin);

// GET /stats parsed; throws std::runtime_error if the answer is not 200 JSON.
boost::json::object get_stats(unsigned short port);

// The value of an unlabelled sample `name value` in a Prometheus text exposition; nullopt if the
// sample is absent.
std::optional<double> metric_value(const std::string& exposition, const std::string& name);

// A /stats counter as an integer (throws if absent or not a number). Also reads the figures of
// one entry of /stats "clients".
std::int64_t stat_value(const boost::json::object& stats, const char* key);

// /stats "active_clients": the WebSocket clients connected now.
std::int64_t active_clients(unsigned short port);

// The /stats "clients" entry of the client with this id, if it is connected.
std::optional<boost::json::object> client_entry(const boost::json::object& stats,
                                                const std::string& id);

}  // namespace iiot::e2e
