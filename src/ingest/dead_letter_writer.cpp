#include "ingest/dead_letter_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "ingest/client_conf.h"

namespace iiot::ingest {
namespace {

// A failed write waits this long before it is produced again, so a permanent error (a
// dead-letter topic that does not exist, a record the broker refuses) does not spin.
constexpr std::chrono::milliseconds kRetryBackoff{1000};

void* id_to_opaque(std::uint64_t id) {
  // librdkafka's per-message opaque is a void*: it carries the write's id, never dereferenced.
  // NOLINTNEXTLINE(performance-no-int-to-ptr)
  return reinterpret_cast<void*>(static_cast<std::uintptr_t>(id));
}
std::uint64_t opaque_to_id(void* opaque) {
  return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(opaque));
}

rd_kafka_vu_t mem_arg(rd_kafka_vtype_t type, const std::optional<std::string>& bytes) {
  rd_kafka_vu_t arg{};
  arg.vtype = type;
  // RD_KAFKA_MSG_F_COPY: librdkafka copies the bytes and never writes through the pointer.
  arg.u.mem.ptr = bytes ? const_cast<char*>(bytes->data()) : nullptr;
  arg.u.mem.size = bytes ? bytes->size() : 0;
  return arg;
}

// The dead-letter topic will never take this record as it is: retrying cannot help.
bool is_permanent_refusal(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ||
         err == RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE || err == RD_KAFKA_RESP_ERR_INVALID_RECORD;
}

}  // namespace

DeadLetterWriter::DeadLetterWriter(const config::KafkaConfig& config,
                                   std::int64_t max_payload_bytes,
                                   observability::GatewayStats& stats)
    : config_(config),
      max_payload_bytes_(max_payload_bytes),
      stats_(stats),
      topic_(config.topics.dead_letter) {
  replace_failed_producer();
}

DeadLetterWriter::~DeadLetterWriter() {
  if (!pending_.empty()) {
    spdlog::warn(
        "{} dead-letter writes not acknowledged at shutdown; their source records were not "
        "committed and will be read again",
        pending_.size());
  }
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
}

void DeadLetterWriter::write(DeadLetter letter) {
  const std::uint64_t id = next_id_++;
  pending_bytes_ += letter.bytes();
  pending_.emplace(id, std::move(letter));
  update_pending_gauge();
  produce(id);
}

void DeadLetterWriter::produce(std::uint64_t id) {
  const DeadLetter& letter = pending_.at(id);
  const std::string partition = std::to_string(letter.source.partition);
  const std::string offset = std::to_string(letter.offset);
  HeadersHandle headers(rd_kafka_headers_new(4));
  rd_kafka_header_add(headers.get(), "x-error", -1, letter.reason.data(),
                      static_cast<ssize_t>(letter.reason.size()));
  rd_kafka_header_add(headers.get(), "x-source-topic", -1, letter.source.topic.data(),
                      static_cast<ssize_t>(letter.source.topic.size()));
  rd_kafka_header_add(headers.get(), "x-source-partition", -1, partition.data(),
                      static_cast<ssize_t>(partition.size()));
  rd_kafka_header_add(headers.get(), "x-source-offset", -1, offset.data(),
                      static_cast<ssize_t>(offset.size()));

  std::array<rd_kafka_vu_t, 6> args{};
  args[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  args[0].u.cstr = topic_.c_str();
  args[1] = mem_arg(RD_KAFKA_VTYPE_KEY, letter.key);
  args[2] = mem_arg(RD_KAFKA_VTYPE_VALUE, letter.value);
  args[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  args[3].u.i = RD_KAFKA_MSG_F_COPY;
  args[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
  args[4].u.ptr = id_to_opaque(id);
  args[5].vtype = RD_KAFKA_VTYPE_HEADERS;
  args[5].u.headers = headers.get();

  ErrorHandle error(rd_kafka_produceva(producer_.get(), args.data(), args.size()));
  if (!error) {
    (void)headers.release();  // the message owns them now
    return;
  }
  if (is_permanent_refusal(rd_kafka_error_code(error.get()))) {
    write_stub(id, rd_kafka_error_code(error.get()));
    return;
  }
  // Typically a full local queue while the broker is away: try again later, never block.
  spdlog::warn("dead-letter write of topic={} partition={} offset={} not queued: {}; retrying",
               letter.source.topic, letter.source.partition, letter.offset,
               rd_kafka_error_string(error.get()));
  stats_.pipeline.dead_letter_retries.fetch_add(1, std::memory_order_relaxed);
  schedule_retry(id);
}

void DeadLetterWriter::schedule_retry(std::uint64_t id) {
  retries_.emplace_back(Clock::now() + kRetryBackoff, id);
}

void DeadLetterWriter::write_stub(std::uint64_t id, rd_kafka_resp_err_t refusal) {
  DeadLetter& letter = pending_.at(id);
  pending_bytes_ -= letter.bytes();
  const std::size_t size = letter.value ? letter.value->size() : 0;
  if (!letter.stub) {
    spdlog::warn(
        "dead-letter topic refused the record of topic={} partition={} offset={} ({} bytes): {}; "
        "writing a stub with its first {} bytes",
        letter.source.topic, letter.source.partition, letter.offset, size,
        rd_kafka_err2str(refusal), kStubValueBytes);
    letter.stub = true;
    if (letter.value && letter.value->size() > kStubValueBytes) {
      letter.value->resize(kStubValueBytes);
      letter.value->shrink_to_fit();
    }
    letter.reason += "; dead-letter topic refused the record (" +
                     std::string(rd_kafka_err2str(refusal)) + "): value cut to its first " +
                     std::to_string(kStubValueBytes) + " of " + std::to_string(size) + " bytes";
    stats_.pipeline.dead_letter_stubs.fetch_add(1, std::memory_order_relaxed);
  } else {
    // Even the stub is refused (a topic limit below 64 KiB): the headers alone are written.
    spdlog::warn(
        "dead-letter topic refused the stub of topic={} partition={} offset={}: {}; "
        "writing the headers only",
        letter.source.topic, letter.source.partition, letter.offset, rd_kafka_err2str(refusal));
    letter.value.reset();
    letter.key.reset();
    letter.reason += "; the stub was refused too: key and value left out";
  }
  pending_bytes_ += letter.bytes();
  update_pending_gauge();
  // Due at once, behind the writes already due: stubs keep the order of their source records.
  const auto now = Clock::now();
  const auto position = std::find_if(retries_.begin(), retries_.end(),
                                     [now](const auto& retry) { return retry.first > now; });
  retries_.emplace(position, now, id);
}

DeadLetter DeadLetterWriter::take(std::unordered_map<std::uint64_t, DeadLetter>::iterator it) {
  pending_bytes_ -= it->second.bytes();
  DeadLetter letter = std::move(it->second);
  pending_.erase(it);
  update_pending_gauge();
  return letter;
}

void DeadLetterWriter::update_pending_gauge() {
  stats_.pipeline.dead_letter_pending.store(pending_.size(), std::memory_order_relaxed);
}

void DeadLetterWriter::poll() {
  if (producer_failed_) replace_failed_producer();
  rd_kafka_poll(producer_.get(), 0);
  const auto now = Clock::now();
  while (!retries_.empty() && retries_.front().first <= now) {
    const std::uint64_t id = retries_.front().second;
    retries_.pop_front();
    if (pending_.contains(id)) produce(id);
  }
}

bool DeadLetterWriter::flush(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!pending_.empty() && Clock::now() < deadline) {
    poll();
    rd_kafka_poll(producer_.get(), 10);
  }
  return pending_.empty();
}

void DeadLetterWriter::replace_failed_producer() {
  if (producer_) {
    std::array<char, 512> errstr{};
    const rd_kafka_resp_err_t err =
        rd_kafka_fatal_error(producer_.get(), errstr.data(), errstr.size());
    spdlog::error("dead-letter producer failed ({}: {}); replacing it and writing {} again",
                  rd_kafka_err2name(err), errstr.data(), pending_.size());
    // The old producer's delivery reports are never served: every pending write is produced
    // again on the new one.
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    producer_.reset();
  }
  ConfHandle conf = make_dead_letter_producer_conf(config_, max_payload_bytes_);
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &DeadLetterWriter::on_delivery);
  rd_kafka_conf_set_error_cb(conf.get(), &DeadLetterWriter::on_error);
  producer_ = make_client(RD_KAFKA_PRODUCER, std::move(conf), "dead-letter producer");
  producer_failed_ = false;
  retries_.clear();
  for (const auto& [id, letter] : pending_) {
    stats_.pipeline.dead_letter_retries.fetch_add(1, std::memory_order_relaxed);
    produce(id);
  }
}

void DeadLetterWriter::on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message,
                                   void* opaque) {
  auto& self = *static_cast<DeadLetterWriter*>(opaque);
  const auto found = self.pending_.find(opaque_to_id(message->_private));
  if (found == self.pending_.end()) return;
  if (is_permanent_refusal(message->err)) {
    self.write_stub(found->first, message->err);
    return;
  }
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const DeadLetter& letter = found->second;
    spdlog::warn("dead-letter write of topic={} partition={} offset={} failed: {}; retrying",
                 letter.source.topic, letter.source.partition, letter.offset,
                 rd_kafka_err2str(message->err));
    self.stats_.pipeline.dead_letter_retries.fetch_add(1, std::memory_order_relaxed);
    self.schedule_retry(found->first);
    return;
  }
  const DeadLetter letter = self.take(found);
  self.stats_.pipeline.dead_letter_written.fetch_add(1, std::memory_order_relaxed);
  if (self.on_written_) self.on_written_(letter);
}

void DeadLetterWriter::on_error(rd_kafka_t* /*rk*/, int err, const char* reason, void* opaque) {
  auto& self = *static_cast<DeadLetterWriter*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    self.producer_failed_ = true;  // replaced on the next poll(), outside librdkafka's callback
    return;
  }
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  // Connection trouble is in librdkafka's own log already, and it reconnects by itself.
  const bool connection = code == RD_KAFKA_RESP_ERR__TRANSPORT ||
                          code == RD_KAFKA_RESP_ERR__RESOLVE ||
                          code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
  spdlog::log(connection ? spdlog::level::debug : spdlog::level::warn,
              "dead-letter producer: {}: {}", rd_kafka_err2name(code), reason);
}

}  // namespace iiot::ingest
