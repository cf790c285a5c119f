#include "push/client_resume.h"

#include <algorithm>
#include <cmath>

namespace iiot::push {

ClientResume::Verdict ClientResume::on_live(const PushEventPtr& event) {
  if (session_) {
    if (held_.size() >= max_held_) return Verdict::kOverflow;
    held_.push_back(event);
    return Verdict::kHold;
  }
  if (event->is_checkpoint()) {
    if (!sent_since_checkpoint_) return Verdict::kSkip;
    sent_since_checkpoint_ = false;
    return Verdict::kSend;
  }
  if (!device_positions_.empty() && older_than_snapshot(*event)) return Verdict::kSkip;
  sent_since_checkpoint_ = true;
  return Verdict::kSend;
}

bool ClientResume::older_than_snapshot(const PushEvent& event) {
  if (event.type != model::MessageType::kDeviceData) return false;
  const auto it = device_positions_.find(event.device_id);
  if (it == device_positions_.end()) return false;
  const model::RecordPosition& sent = it->second;
  const model::RecordPosition& live = event.position();
  if (live.topic == sent.topic && live.partition == sent.partition && live.offset <= sent.offset) {
    return true;
  }
  device_positions_.erase(it);  // the device has moved past its snapshot
  return false;
}

void ClientResume::begin(std::shared_ptr<ReplaySession> session, Clock::time_point now) {
  session_ = std::move(session);
  tokens_ = 0;
  refilled_ = now;
}

std::vector<PushEventPtr> ClientResume::end() {
  std::vector<PushEventPtr> out;
  if (!session_) return out;
  const ReplayOutcome& outcome = session_->outcome();
  if (session_->purpose() == ReplaySession::Purpose::kSnapshot) {
    device_positions_ = outcome.device_positions;
  }
  if (outcome.replayed > 0) sent_since_checkpoint_ = true;
  out.reserve(held_.size());
  for (PushEventPtr& event : held_) {
    if (!event->is_checkpoint() && outcome.covered.passed(event->position())) continue;
    out.push_back(std::move(event));
  }
  std::vector<PushEventPtr>().swap(held_);
  session_.reset();
  return out;
}

void ClientResume::cancel() {
  if (session_) session_->cancel();
  session_.reset();
  std::vector<PushEventPtr>().swap(held_);
}

std::size_t ClientResume::budget(Clock::time_point now, std::int64_t rate) {
  const double per_second = static_cast<double>(std::max<std::int64_t>(rate, 1));
  const double elapsed = std::chrono::duration<double>(now - refilled_).count();
  refilled_ = now;
  tokens_ = std::min(tokens_ + elapsed * per_second, std::max(per_second / 10, 1.0));
  return tokens_ < 1 ? 0 : static_cast<std::size_t>(std::floor(tokens_));
}

}  // namespace iiot::push
