// GroupCommit: the WriteSets of many threads written to a Store as few synced batches, in the
// order they were queued (group commit, as databases do with their log).
//
// The scheduler applies a transition to its memory under its own lock and queues the
// transition's WriteSet there, so the queue's order is the order of the transitions. It then
// releases its lock and waits for its ticket: the first waiter that finds no write in progress
// writes everything queued as one synced batch, and the others wait for it. One sync thus
// carries every transition that arrived while the previous one ran, and no transition is
// acknowledged before it and every transition queued before it are durable.
//
// A failed write fails its tickets and every ticket queued after it until Reset(): those
// transitions were computed from memory that held the failed ones. The owner then brings its
// memory back to what the store holds and calls Reset() (see JobScheduler::AwaitDurable).
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <utility>

#include "common/metrics/histogram.h"
#include "common/mutex.h"
#include "common/status.h"
#include "coordinator/store/store.h"
#include "coordinator/store/write_set.h"

namespace augsweep {

class GroupCommit {
 public:
  explicit GroupCommit(Store* store) : store_(store) {}  // not owned; outlives this

  // Queues `writes`; returns its ticket (1, 2, ...). Never blocks on the disk.
  uint64_t Queue(WriteSet writes) AUGSWEEP_EXCLUDES(mu_);
  // Waits until `ticket` and every ticket before it are durable (OK), or returns the error of
  // the write that failed it. Each ticket is waited for once.
  Status Wait(uint64_t ticket) AUGSWEEP_EXCLUDES(mu_);
  // Whether a write failed since the last Reset (tickets queued now fail at once).
  bool failed() const AUGSWEEP_EXCLUDES(mu_);
  // Accepts new tickets again after a failure.
  void Reset() AUGSWEEP_EXCLUDES(mu_);

  // Each synced batch's write time, and how many WriteSets the batches carried in all.
  Histogram write_seconds() const AUGSWEEP_EXCLUDES(mu_);
  uint64_t sets_written() const AUGSWEEP_EXCLUDES(mu_);

 private:
  Store* const store_;
  mutable Mutex mu_;
  CondVar written_;  // signalled after every batch, written or failed
  uint64_t next_ticket_ AUGSWEEP_GUARDED_BY(mu_) = 1;
  std::deque<std::pair<uint64_t, WriteSet>> queued_ AUGSWEEP_GUARDED_BY(mu_);
  bool writing_ AUGSWEEP_GUARDED_BY(mu_) = false;
  // Every ticket up to this one that is not in failed_ is durable.
  uint64_t durable_through_ AUGSWEEP_GUARDED_BY(mu_) = 0;
  // Failed tickets whose waiters have not yet been told; set while a failure is not Reset.
  std::map<uint64_t, Status> failed_ AUGSWEEP_GUARDED_BY(mu_);
  Status failure_ AUGSWEEP_GUARDED_BY(mu_);
  Histogram write_seconds_ AUGSWEEP_GUARDED_BY(mu_){LatencyBucketsSeconds()};
  uint64_t sets_written_ AUGSWEEP_GUARDED_BY(mu_) = 0;
};

}  // namespace augsweep
