#include "load_client/raw_connection.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>

#include "load_client/load_worker.h"

namespace iiot::bench {

namespace net = boost::asio;

namespace {

constexpr int kMaxAttempts = 5;
constexpr std::chrono::milliseconds kRetryPause{200};
constexpr std::size_t kMaxHandshakeBytes = std::size_t{16} * 1024;
constexpr std::uint64_t kMaxFrameBytes = std::uint64_t{64} * 1024 * 1024;
constexpr int kReadsPerTurn = 16;  // then yield to the other connections of this thread
// The RFC 6455 example key: the client does not check Sec-WebSocket-Accept.
constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";

enum Opcode : unsigned {
  kContinuation = 0,
  kText = 1,
  kBinary = 2,
  kClose = 8,
  kPing = 9,
  kPong = 10
};

}  // namespace

RawConnection::RawConnection(LoadWorker& worker, std::size_t global_index)
    : worker_(worker), index_(global_index), socket_(worker.io()) {}

void RawConnection::start() {
  attempt();
}

void RawConnection::attempt() {
  ++attempts_;
  socket_ = net::ip::tcp::socket(worker_.io());
  carry_.clear();
  message_.clear();
  writing_.clear();
  pending_.clear();
  write_in_flight_ = false;
  handshaken_ = false;
  filter_sent_ = false;
  const LoadOptions& o = worker_.options();
  error_code ec;
  socket_.open(worker_.endpoint().protocol(), ec);
  if (!ec && o.mode == LoadMode::kStall && o.stall_rcvbuf > 0) {
    // Set before connecting so the advertised window is small from the start.
    socket_.set_option(net::socket_base::receive_buffer_size(o.stall_rcvbuf), ec);
  }
  if (ec) {
    set_up_failed("socket: " + ec.message());
    return;
  }
  socket_.async_connect(worker_.endpoint(),
                        [self = shared_from_this(), gen = attempts_](error_code e) {
                          if (gen == self->attempts_) self->on_connect(e);
                        });
}

void RawConnection::on_connect(error_code ec) {
  if (ec) {
    set_up_failed("connect: " + ec.message());
    return;
  }
  error_code ignored;
  socket_.set_option(net::ip::tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);
  const LoadOptions& o = worker_.options();
  pending_ =
      "GET " + o.path + " HTTP/1.1\r\nHost: " + o.host + ":" + o.port +
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + std::string(kKey) +
      "\r\nSec-WebSocket-Version: 13\r\nUser-Agent: iiot-bench-load-client\r\n" +
      (o.token.empty() ? std::string() : "Authorization: Bearer " + o.token + "\r\n") + "\r\n";
  flush_writes();
  wait_readable();
}

void RawConnection::wait_readable() {
  socket_.async_wait(net::socket_base::wait_read,
                     [self = shared_from_this(), gen = attempts_](error_code ec) {
                       if (gen == self->attempts_) self->on_readable(ec);
                     });
}

void RawConnection::on_readable(error_code ec) {
  if (ec) {
    if (ec != net::error::operation_aborted) ended(ec.message().c_str());
    return;
  }
  std::vector<char>& buffer = worker_.read_buffer();
  for (int turn = 0; turn < kReadsPerTurn; ++turn) {
    const std::size_t n = socket_.read_some(net::buffer(buffer), ec);
    if (ec == net::error::would_block || ec == net::error::try_again) {
      wait_readable();
      return;
    }
    if (ec) {
      ended(ec == net::error::eof ? "closed by the gateway" : ec.message().c_str());
      return;
    }
    if (!consume(buffer.data(), n)) return;
    if (worker_.options().mode == LoadMode::kRate) {
      pace(n);
      return;
    }
  }
  // Still more to read: continue after the other connections had a turn.
  net::post(worker_.io(), [self = shared_from_this(), gen = attempts_] {
    if (gen == self->attempts_) self->on_readable({});
  });
}

void RawConnection::pace(std::size_t bytes) {
  const double rate = worker_.options().rate_bytes_per_s;
  const auto now = std::chrono::steady_clock::now();
  // A burst allowance of 100 ms of reading, so the pace is smooth but not one read at a time.
  tokens_ = std::min(tokens_ + std::chrono::duration<double>(now - refilled_at_).count() * rate,
                     rate * 0.1);
  refilled_at_ = now;
  tokens_ -= static_cast<double>(bytes);
  if (!timer_) timer_ = std::make_unique<net::steady_timer>(worker_.io());
  const auto pause = tokens_ >= 0 ? std::chrono::nanoseconds(0)
                                  : std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::duration<double>(-tokens_ / rate));
  timer_->expires_after(pause);
  timer_->async_wait([self = shared_from_this(), gen = attempts_](error_code e) {
    if (!e && gen == self->attempts_) self->on_readable({});
  });
}

bool RawConnection::consume(const char* data, std::size_t size) {
  if (!handshaken_) {
    carry_.append(data, size);
    return parse_handshake();
  }
  bool open = true;
  if (carry_.empty()) {
    const std::size_t used = parse_frames(data, size, open);
    if (open && used < size) carry_.assign(data + used, size - used);
  } else {
    carry_.append(data, size);
    const std::size_t used = parse_frames(carry_.data(), carry_.size(), open);
    if (open) carry_.erase(0, used);
  }
  return open;
}

bool RawConnection::parse_handshake() {
  const std::size_t end = carry_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (carry_.size() > kMaxHandshakeBytes) {
      set_up_failed("handshake answer too long");
      return false;
    }
    wait_readable();
    return false;  // wait_readable() continues
  }
  if (carry_.rfind("HTTP/1.1 101", 0) != 0) {
    set_up_failed("handshake refused: " + carry_.substr(0, carry_.find('\r')));
    return false;
  }
  handshaken_ = true;
  const std::string rest = carry_.substr(end + 4);
  carry_.clear();
  const LoadMode mode = worker_.options().mode;
  if (mode == LoadMode::kIdle) {
    set_up_done();
    return false;  // never reads again
  }
  filter_sent_ = true;
  send_frame(kText, worker_.plan().filter_frame(index_, worker_.options().latest));
  if (mode == LoadMode::kStall) return false;  // ready once the filter is written
  refilled_at_ = std::chrono::steady_clock::now();
  return rest.empty() || consume(rest.data(), rest.size());
}

std::size_t RawConnection::parse_frames(const char* data, std::size_t size, bool& open) {
  std::size_t pos = 0;
  while (size - pos >= 2) {
    const auto b0 = static_cast<unsigned char>(data[pos]);
    const auto b1 = static_cast<unsigned char>(data[pos + 1]);
    std::size_t header = 2;
    std::uint64_t length = b1 & 0x7f;
    if (length == 126) {
      if (size - pos < 4) break;
      length = (std::uint64_t{static_cast<unsigned char>(data[pos + 2])} << 8) |
               static_cast<unsigned char>(data[pos + 3]);
      header = 4;
    } else if (length == 127) {
      if (size - pos < 10) break;
      length = 0;
      for (std::size_t i = 0; i < 8; ++i) {
        length = (length << 8) | static_cast<unsigned char>(data[pos + 2 + i]);
      }
      header = 10;
    }
    if ((b1 & 0x80) != 0 || (b0 & 0x70) != 0 || length > kMaxFrameBytes) {
      ended("protocol error (masked, extension bits or oversized frame from the server)");
      open = false;
      return pos;
    }
    if (size - pos - header < length) break;
    const std::string_view payload(data + pos + header, static_cast<std::size_t>(length));
    pos += header + static_cast<std::size_t>(length);
    if (!on_frame(b0 & 0x0f, (b0 & 0x80) != 0, payload)) {
      open = false;
      return pos;
    }
  }
  return pos;
}

bool RawConnection::on_frame(unsigned opcode, bool fin, std::string_view payload) {
  auto deliver = [&](std::string_view text) {
    if (worker_.on_message(text) == FrameKind::kFilterAck && !set_up_) set_up_done();
  };
  switch (opcode) {
    case kText:
    case kBinary:
      if (fin) {
        deliver(payload);
      } else {
        message_.assign(payload);
      }
      return true;
    case kContinuation:
      message_.append(payload);
      if (fin) {
        deliver(message_);
        message_.clear();
      }
      return true;
    case kPing:
      send_frame(kPong, payload);
      return true;
    case kPong:
      return true;
    case kClose:
      ended("close frame from the gateway");
      return false;
    default:
      ended("unknown opcode");
      return false;
  }
}

void RawConnection::send_frame(unsigned opcode, std::string_view payload) {
  static constexpr unsigned char kMask[4] = {0x5a, 0x13, 0xc7, 0x2e};
  pending_.push_back(static_cast<char>(0x80 | opcode));
  const std::size_t n = payload.size();
  if (n < 126) {
    pending_.push_back(static_cast<char>(0x80 | n));
  } else if (n < 65536) {
    pending_.push_back(static_cast<char>(0x80 | 126));
    pending_.push_back(static_cast<char>(n >> 8));
    pending_.push_back(static_cast<char>(n & 0xff));
  } else {
    pending_.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) pending_.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  }
  pending_.append(reinterpret_cast<const char*>(kMask), sizeof kMask);
  for (std::size_t i = 0; i < n; ++i) {
    pending_.push_back(static_cast<char>(static_cast<unsigned char>(payload[i]) ^ kMask[i % 4]));
  }
  flush_writes();
}

void RawConnection::flush_writes() {
  if (write_in_flight_ || pending_.empty()) return;
  writing_.swap(pending_);
  pending_.clear();
  write_in_flight_ = true;
  net::async_write(socket_, net::buffer(writing_),
                   [self = shared_from_this(), gen = attempts_](error_code ec, std::size_t) {
                     if (gen != self->attempts_) return;
                     self->write_in_flight_ = false;
                     self->writing_.clear();
                     if (ec) {
                       if (ec != net::error::operation_aborted) self->ended(ec.message().c_str());
                       return;
                     }
                     if (self->filter_sent_ && !self->set_up_ && self->pending_.empty() &&
                         self->worker_.options().mode == LoadMode::kStall) {
                       self->set_up_done();
                     }
                     self->flush_writes();
                   });
}

void RawConnection::ended(const char* why) {
  if (!set_up_) {
    set_up_failed(why);
    return;
  }
  if (socket_.is_open()) {
    if (worker_.phase() != Phase::kDone) ++worker_.result().disconnected;
    error_code ignored;
    socket_.close(ignored);
  }
}

void RawConnection::set_up_failed(const std::string& why) {
  if (set_up_) return;
  error_code ignored;
  socket_.close(ignored);
  if (attempts_ >= kMaxAttempts || worker_.phase() != Phase::kConnecting) {
    set_up_ = true;
    worker_.set_up_finished(false);
    std::fprintf(stderr, "bench_load_client: connection %zu gave up: %s\n", index_, why.c_str());
    return;
  }
  ++worker_.result().retries;
  if (!timer_) timer_ = std::make_unique<net::steady_timer>(worker_.io());
  timer_->expires_after(kRetryPause * attempts_);
  timer_->async_wait([self = shared_from_this(), gen = attempts_](error_code e) {
    if (!e && gen == self->attempts_) self->attempt();
  });
}

void RawConnection::set_up_done() {
  set_up_ = true;
  worker_.set_up_finished(true);
}

}  // namespace iiot::bench
