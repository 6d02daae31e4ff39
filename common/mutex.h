// A mutex, its scoped lock and a condition variable that clang's thread-safety analysis
// understands (common/thread_annotations.h), as LevelDB's port::Mutex: every class that owns a
// lock uses these, and marks what the lock guards with AUGSWEEP_GUARDED_BY.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "common/thread_annotations.h"

namespace augsweep {

class AUGSWEEP_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() AUGSWEEP_ACQUIRE() { mu_.lock(); }
  void Unlock() AUGSWEEP_RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` for its scope, or until Unlock().
class AUGSWEEP_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) AUGSWEEP_ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() AUGSWEEP_RELEASE() {
    if (held_) mu_->Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // Releases `mu` early: for work that must not hold it, such as waiting for a disk write.
  void Unlock() AUGSWEEP_RELEASE() {
    mu_->Unlock();
    held_ = false;
  }

 private:
  Mutex* const mu_;
  bool held_ = true;
};

// Waits are called with the mutex held, release it while waiting, and hold it again on return;
// callers loop on their condition (`while (!ready_) cv_.Wait(&mu_);`), so the analysis sees
// every read of guarded state under the lock.
class CondVar {
 public:
  void Wait(Mutex* mu) AUGSWEEP_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // False when the deadline passed (the wait may also end early: check the condition again).
  bool WaitUntil(Mutex* mu, std::chrono::steady_clock::time_point deadline) AUGSWEEP_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool notified = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return notified;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace augsweep
