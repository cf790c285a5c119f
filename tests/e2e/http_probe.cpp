#include "http_probe.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <cctype>
#include <sstream>
#include <stdexcept>

namespace iiot::e2e {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

HttpResponse to_http_response(const http::response<http::string_body>& response) {
  HttpResponse out;
  out.status = static_cast<int>(response.result_int());
  out.body = response.body();
  for (const auto& field : response) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.headers[name] = std::string(field.value());
  }
  return out;
}

HttpResponse http_request(unsigned short port, const std::string& method, const std::string& target,
                          const std::map<std::string, std::string>& headers,
                          std::chrono::milliseconds timeout) {
  HttpResponse out;
  net::io_context io;
  beast::tcp_stream stream(io);
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  req.set(http::field::user_agent, "iiot-e2e-test");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response<http::string_body> res;

  // One chain of async operations, all bounded by the stream's deadline.
  stream.expires_after(timeout);
  const net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  stream.async_connect(endpoint, [&](beast::error_code ec) {
    if (ec) {
      out.error = "connect: " + ec.message();
      return;
    }
    http::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
      if (wec) {
        out.error = "write: " + wec.message();
        return;
      }
      http::async_read(stream, buffer, res, [&](beast::error_code rec, std::size_t) {
        if (rec) {
          out.error = "read: " + rec.message();
          return;
        }
        out = to_http_response(res);
      });
    });
  });
  io.run();
  beast::error_code ignored;
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  return out;
}

HttpResponse upgrade_request(unsigned short port, const std::string& path,
                             const std::optional<std::string>& origin) {
  std::map<std::string, std::string> headers{{"Connection", "Upgrade"},
                                             {"Upgrade", "websocket"},
                                             {"Sec-WebSocket-Version", "13"},
                                             {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  if (origin) headers["Origin"] = *origin;
  // A 101 answer has no body; Beast's parser returns once the header is complete.
  return http_request(port, "GET", path, headers);
}

boost::json::object get_stats(unsigned short port) {
  const HttpResponse res = http_get(port, "/stats");
  if (res.status != 200) {
    throw std::runtime_error("GET /stats: status " + std::to_string(res.status) + " " + res.error);
  }
  boost::json::value v = boost::json::parse(res.body);
  if (!v.is_object()) throw std::runtime_error("GET /stats: not a JSON object: " + res.body);
  return std::move(v.as_object());
}

std::optional<double> metric_value(const std::string& exposition, const std::string& name) {
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.compare(0, name.size(), name) != 0 || line.size() <= name.size() ||
        line[name.size()] != ' ') {
      continue;
    }
    return std::stod(line.substr(name.size() + 1));
  }
  return std::nullopt;
}

std::optional<boost::json::object> client_entry(const boost::json::object& stats,
                                                const std::string& id) {
  for (const boost::json::value& c : stats.at("clients").as_array()) {
    if (c.at("id").as_string() == id) return c.as_object();
  }
  return std::nullopt;
}

std::int64_t stat_value(const boost::json::object& stats, const char* key) {
  const boost::json::value* v = stats.if_contains(key);
  if (v == nullptr) throw std::runtime_error(std::string("/stats has no ") + key);
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->as_double());
  throw std::runtime_error(std::string("/stats ") + key + " is not a number");
}

std::int64_t active_clients(unsigned short port) {
  return stat_value(get_stats(port), "active_clients");
}

}  // namespace iiot::e2e
