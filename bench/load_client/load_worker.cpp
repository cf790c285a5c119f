#include "load_client/load_worker.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <cmath>

#include "load_client/beast_connection.h"

namespace iiot::bench {
namespace {
constexpr std::chrono::milliseconds kPacingTick{2};
}

LoadWorker::LoadWorker(const LoadOptions& options, const SubscriptionPlan& plan,
                       RunControl& control, boost::asio::ip::tcp::endpoint endpoint,
                       std::vector<std::size_t> global_indices, double connect_rate,
                       std::size_t max_pending)
    : options_(options),
      plan_(plan),
      control_(control),
      endpoint_(std::move(endpoint)),
      global_indices_(std::move(global_indices)),
      connect_rate_(connect_rate),
      max_pending_(std::max<std::size_t>(max_pending, 1)) {
  connections_.reserve(global_indices_.size());
  if (options_.tls) {
    tls_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
    tls_->set_options(boost::asio::ssl::context::default_workarounds |
                      boost::asio::ssl::context::no_tlsv1 | boost::asio::ssl::context::no_tlsv1_1);
    tls_->set_verify_mode(boost::asio::ssl::verify_peer);
    if (options_.ca_file.empty()) {
      tls_->set_default_verify_paths();
    } else {
      tls_->load_verify_file(options_.ca_file);  // throws on a bad file: a usage error
    }
  }
}

LoadWorker::~LoadWorker() {
  stop();
}

void LoadWorker::start() {
  connect_start_ = std::chrono::steady_clock::now();
  boost::asio::post(io_, [this] { connect_some(); });
  thread_ = std::thread([this] {
    auto guard = boost::asio::make_work_guard(io_);
    io_.run();
  });
}

void LoadWorker::stop() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void LoadWorker::schedule_connects() {
  pacing_timer_.expires_after(kPacingTick);
  pacing_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) connect_some();
  });
}

void LoadWorker::connect_some() {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - connect_start_).count();
  const auto allowed = static_cast<std::size_t>(std::floor(elapsed * connect_rate_)) + 1;
  while (started_ < global_indices_.size() && started_ < allowed && pending_ < max_pending_) {
    std::shared_ptr<LoadConnection> connection;
    if (options_.tls) {
      connection = std::make_shared<TlsBeastConnection>(*this, global_indices_[started_]);
    } else {
      connection = std::make_shared<BeastConnection>(*this, global_indices_[started_]);
    }
    connections_.push_back(connection);
    ++started_;
    ++pending_;
    connection->start();
  }
  if (started_ < global_indices_.size()) schedule_connects();
}

FrameKind LoadWorker::on_message(std::string_view payload) {
  const FrameInfo info = inspect_frame(payload);
  if (info.kind == FrameKind::kEvent) {
    on_event(info.timestamp, payload.size());
  } else {
    ++result_.all_frames;
  }
  return info.kind;
}

void LoadWorker::on_event(std::string_view timestamp, std::size_t bytes) {
  ++result_.all_frames;
  if (phase() != Phase::kMeasure) return;
  const auto now = std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
  ++result_.deliveries;
  result_.bytes += bytes;
  if (const auto sent = parser_.parse(timestamp)) {
    result_.latency.record(std::chrono::nanoseconds(now - *sent).count());
  } else {
    ++result_.unparsed_timestamps;
  }
}

void LoadWorker::start_window() {
  result_.deliveries = 0;
  result_.bytes = 0;
  result_.all_frames = 0;
  result_.unparsed_timestamps = 0;
  result_.latency = LatencyRecorder{};
}

void LoadWorker::set_up_finished(bool ok) {
  --pending_;
  (ok ? control_.ready : control_.failed).fetch_add(1, std::memory_order_relaxed);
}

}  // namespace iiot::bench
