#include "push/replay_service.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "push/push_event.h"

namespace iiot::push {
namespace {

FrameClass class_of(const PushEvent& event) {
  return event.is_alert() ? FrameClass::kAlert : FrameClass::kTelemetry;
}

// Replay jobs yield the CPU to the consumer and push threads when the machine is busy: a replay
// may take longer, the live clients do not wait for it (CONTRACT section 8: a replay never slows
// live clients). Linux keeps a nice value per thread; raising one's own needs no privilege.
constexpr int kReplayNice = 10;

void yield_to_live_threads() {
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kReplayNice) != 0) {
    spdlog::debug("replay job: cannot lower its priority: {}",
                  std::error_code(errno, std::generic_category()).message());
  }
}

ReplayFrame replay_frame(const PushEventPtr& event, model::EventMark mark, FrameClass cls,
                         int window_bits) {
  return ReplayFrame{event, make_marked_frame(*event, mark, window_bits), cls};
}

}  // namespace

ReplayService::ReplayService(const config::ResumeConfig& config, std::vector<std::string> topics,
                             EventRing& ring, const processing::DefaultMessageProcessor& decoder,
                             processing::RecordHistory* history, observability::GatewayStats& stats,
                             std::size_t max_jobs)
    : config_(config),
      topics_(std::move(topics)),
      ring_(ring),
      decoder_(decoder),
      history_(history),
      stats_(stats),
      max_jobs_(std::max<std::size_t>(max_jobs, 1)) {}

ReplayService::~ReplayService() {
  stop();
}

model::DecodeResult<model::StreamCursor> ReplayService::decode_cursor(std::string_view text) const {
  return model::decode_cursor(text, topics_);
}

void ReplayService::launch(std::shared_ptr<ReplaySession> session, std::function<void()> work) {
  std::list<Job> done;  // joined after the lock
  std::lock_guard lock(mutex_);
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    auto next = std::next(it);
    if (it->finished.load(std::memory_order_acquire)) done.splice(done.end(), jobs_, it);
    it = next;
  }
  for (Job& job : done) job.thread.join();
  if (stopped_) {
    session->finish(ReplayOutcome{false, 0, {}, {}});
    return;
  }
  if (jobs_.size() >= max_jobs_) {
    waiting_.push_back(Waiting{std::move(session), std::move(work)});
    return;
  }
  Job& job = jobs_.emplace_back();
  job.session = std::move(session);
  stats_.resume.replays_active.fetch_add(1, std::memory_order_relaxed);
  job.thread = std::thread([this, &job, work = std::move(work)]() mutable {
    yield_to_live_threads();
    serve(job, std::move(work));
  });
}

void ReplayService::serve(Job& job, std::function<void()> work) {
  for (;;) {
    work();
    stats_.resume.replays_active.fetch_sub(1, std::memory_order_relaxed);
    const std::lock_guard lock(mutex_);
    if (stopped_ || waiting_.empty()) {
      job.finished.store(true, std::memory_order_release);
      return;
    }
    job.session = std::move(waiting_.front().session);
    work = std::move(waiting_.front().work);
    waiting_.pop_front();
    stats_.resume.replays_active.fetch_add(1, std::memory_order_relaxed);
  }
}

std::shared_ptr<ReplaySession> ReplayService::start_resume(model::StreamCursor from,
                                                           model::StreamCursor until,
                                                           model::Filter filter, int window_bits) {
  auto session = std::make_shared<ReplaySession>(ReplaySession::Purpose::kResume, kSessionBuffer);
  launch(session, [this, s = session.get(), from = std::move(from), until = std::move(until),
                   filter = std::move(filter),
                   window_bits] { run_resume(*s, from, until, filter, window_bits); });
  return session;
}

std::shared_ptr<ReplaySession> ReplayService::start_snapshot(model::Filter filter,
                                                             model::StreamCursor until,
                                                             int window_bits) {
  auto session = std::make_shared<ReplaySession>(ReplaySession::Purpose::kSnapshot, kSessionBuffer);
  launch(session, [this, s = session.get(), filter = std::move(filter), until = std::move(until),
                   window_bits] { run_snapshot(*s, filter, until, window_bits); });
  return session;
}

void ReplayService::run_resume(ReplaySession& session, const model::StreamCursor& from,
                               const model::StreamCursor& until, const model::Filter& filter,
                               int window_bits) {
  const auto max_events = static_cast<std::size_t>(config_.max_replay_events);
  ReplayOutcome outcome;
  // Live events held meanwhile are duplicates when the replay reached them or the client had
  // them before its cursor.
  outcome.covered = until;
  for (const auto& [key, next] : from.offsets()) {
    outcome.covered.set(key, std::max(next, outcome.covered.next(key).value_or(0)));
  }
  EventRing::Selection selection = ring_.select(from, until, filter, max_events);
  if (selection.covered) {
    stats_.resume.replays_from_memory.fetch_add(1, std::memory_order_relaxed);
    outcome.recovered = !selection.capped;
    for (const PushEventPtr& event : selection.events) {
      if (!session.put(
              replay_frame(event, model::EventMark::kReplay, class_of(*event), window_bits))) {
        break;
      }
      ++outcome.replayed;
    }
  } else {
    stats_.resume.replays_from_kafka.fetch_add(1, std::memory_order_relaxed);
    outcome.recovered = replay_from_kafka(session, from, filter, window_bits, outcome);
  }
  if (!outcome.recovered) {
    stats_.resume.replays_not_recovered.fetch_add(1, std::memory_order_relaxed);
  }
  stats_.resume.replayed_events.fetch_add(outcome.replayed, std::memory_order_relaxed);
  session.finish(std::move(outcome));
}

bool ReplayService::replay_from_kafka(ReplaySession& session, const model::StreamCursor& from,
                                      const model::Filter& filter, int window_bits,
                                      ReplayOutcome& outcome) {
  if (history_ == nullptr) return false;
  std::string error;
  std::optional<processing::HistoryPlan> plan = history_->plan(from, error);
  if (!plan) {
    spdlog::warn("replay: cannot plan a read of Kafka: {}", error);
    return false;
  }
  bool recovered = !plan->retention_cut;
  // The cap counts records (matching or not): only Kafka knows how many match, by reading them.
  std::int64_t total = 0;
  for (const auto& range : plan->ranges) total += range.end - range.begin;
  if (total > config_.max_replay_events) {
    recovered = false;
    for (auto& range : plan->ranges) {
      const auto share = static_cast<std::int64_t>(static_cast<double>(range.end - range.begin) *
                                                   static_cast<double>(config_.max_replay_events) /
                                                   static_cast<double>(total));
      range.begin = range.end - share;
    }
  }
  for (const auto& range : plan->ranges) {
    const std::int64_t reached =
        std::max(outcome.covered.next(range.partition).value_or(0), range.end);
    outcome.covered.set(range.partition, reached);
  }
  const bool read = history_->read(
      *plan,
      [&](const processing::HistoryRecord& record) {
        const processing::ProcessResult result =
            decoder_.decode(record.kind, record.payload, record.position);
        if (!result.ok()) return true;  // a dead-lettered record: never pushed live either
        const PushEventPtr event = make_push_event(result.event(), Framing::kTextOnly);
        if (!event->matches(filter)) return true;
        if (!session.put(
                replay_frame(event, model::EventMark::kReplay, class_of(*event), window_bits))) {
          return false;
        }
        ++outcome.replayed;
        return true;
      },
      session.cancelled(), error);
  if (!read) {
    spdlog::warn("replay: reading Kafka failed: {}", error);
    return false;
  }
  return recovered;
}

void ReplayService::run_snapshot(ReplaySession& session, const model::Filter& filter,
                                 const model::StreamCursor& until, int window_bits) {
  stats_.resume.snapshots.fetch_add(1, std::memory_order_relaxed);
  ReplayOutcome outcome;
  outcome.covered = until;
  for (const auto& state : decoder_.device_states().all()) {
    // Matched on the stored state's attributes before any encoding: most devices may not match.
    const model::DeviceData& data = state->device_data();
    if (!filter.matches(model::MessageType::kDeviceData, data.device_id, data.device_type,
                        data.location, model::Severity::kInfo)) {
      continue;
    }
    const PushEventPtr event = make_push_event(state, Framing::kTextOnly);
    // Control class: a snapshot frame is never dropped for telemetry nor conflated.
    if (!session.put(
            replay_frame(event, model::EventMark::kSnapshot, FrameClass::kControl, window_bits))) {
      break;
    }
    outcome.device_positions.emplace(state->device_data().device_id, state->position);
    ++outcome.replayed;
  }
  session.finish(std::move(outcome));
}

void ReplayService::stop() {
  std::list<Job> jobs;
  std::deque<Waiting> waiting;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    jobs.splice(jobs.end(), jobs_);
    waiting.swap(waiting_);
    // A job thread reads its session under the lock: cancel it here, not after.
    for (Job& job : jobs) job.session->cancel();
  }
  for (Waiting& w : waiting) w.session->finish(ReplayOutcome{false, 0, {}, {}});
  for (Job& job : jobs) job.thread.join();
}

}  // namespace iiot::push
