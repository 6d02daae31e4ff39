#include "coordinator/store/group_commit.h"

#include <chrono>

namespace augsweep {

uint64_t GroupCommit::Queue(WriteSet writes) {
  MutexLock lock(&mu_);
  const uint64_t ticket = next_ticket_++;
  if (!failure_.ok()) {
    failed_.emplace(ticket, failure_);
  } else {
    queued_.emplace_back(ticket, std::move(writes));
  }
  return ticket;
}

Status GroupCommit::Wait(uint64_t ticket) {
  MutexLock lock(&mu_);
  while (true) {
    auto failed = failed_.find(ticket);
    if (failed != failed_.end()) {
      Status error = std::move(failed->second);
      failed_.erase(failed);
      return error;
    }
    if (ticket <= durable_through_) return OkStatus();
    if (writing_) {
      written_.Wait(&mu_);
      continue;
    }
    // Lead: write everything queued (this ticket among it) as one batch, outside the lock so
    // that more transitions queue meanwhile for the next batch.
    writing_ = true;
    std::deque<std::pair<uint64_t, WriteSet>> batch;
    batch.swap(queued_);
    mu_.Unlock();
    WriteSet merged;
    for (auto& [queued_ticket, writes] : batch) merged.Append(std::move(writes));
    const auto start = std::chrono::steady_clock::now();
    Status written = store_->Commit(merged);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    mu_.Lock();
    writing_ = false;
    write_seconds_.Observe(seconds);
    if (written.ok()) {
      if (!batch.empty()) durable_through_ = batch.back().first;
      sets_written_ += batch.size();
    } else {
      failure_ = written;
      for (const auto& queued : batch) failed_.emplace(queued.first, written);
      for (const auto& queued : queued_) failed_.emplace(queued.first, written);
      queued_.clear();
    }
    written_.SignalAll();
  }
}

bool GroupCommit::failed() const {
  MutexLock lock(&mu_);
  return !failure_.ok();
}

void GroupCommit::Reset() {
  MutexLock lock(&mu_);
  failure_ = OkStatus();
}

Histogram GroupCommit::write_seconds() const {
  MutexLock lock(&mu_);
  return write_seconds_;
}

uint64_t GroupCommit::sets_written() const {
  MutexLock lock(&mu_);
  return sets_written_;
}

}  // namespace augsweep
