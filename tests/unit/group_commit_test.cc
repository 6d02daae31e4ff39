#include "coordinator/store/group_commit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace augsweep {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = (fs::temp_directory_path() /
            ("augsweep_group_commit_test_" + std::to_string(getpid()) + "_" + info->name()))
               .string();
    fs::remove_all(dir_);
    auto store = Store::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  bool Has(const std::string& key) {
    auto value = store_->Get(Family::kJobs, key);
    EXPECT_TRUE(value.ok()) << value.status().ToString();
    return value.ok() && value->has_value();
  }

  static WriteSet PutOf(const std::string& key) {
    WriteSet writes;
    writes.Put(Family::kJobs, key, "v");
    writes.AppendEvent(key);
    return writes;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

// Many threads queue and wait at once: everything is written, and no Wait returns before the
// ticket before its own is on disk (prefix durability).
TEST_F(GroupCommitTest, ConcurrentSetsShareSyncsAndAreDurableInQueueOrder) {
  GroupCommit commits(store_.get());
  constexpr int kThreads = 8, kPerThread = 150;
  std::mutex order_mu;  // makes "queue, then note the ticket's key" one step
  std::map<uint64_t, std::string> key_of_ticket;
  std::vector<std::thread> threads;
  std::vector<int> prefix_violations(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = "k" + std::to_string(t) + "-" + std::to_string(i);
        uint64_t ticket;
        {
          std::lock_guard<std::mutex> lock(order_mu);
          ticket = commits.Queue(PutOf(key));
          key_of_ticket[ticket] = key;
        }
        ASSERT_TRUE(commits.Wait(ticket).ok());
        if (ticket > 1) {
          std::string earlier;
          {
            std::lock_guard<std::mutex> lock(order_mu);
            earlier = key_of_ticket.at(ticket - 1);
          }
          if (!Has(earlier)) ++prefix_violations[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(prefix_violations[t], 0) << "thread " << t;
  EXPECT_EQ(commits.sets_written(), uint64_t{kThreads * kPerThread});
  // Events are numbered in queue order: the n-th event is the n-th ticket's key.
  std::vector<std::string> events;
  ASSERT_TRUE(store_
                  ->ScanEvents(0,
                               [&](uint64_t, std::string_view value) {
                                 events.emplace_back(value);
                                 return true;
                               })
                  .ok());
  ASSERT_EQ(events.size(), key_of_ticket.size());
  size_t i = 0;
  for (const auto& [ticket, key] : key_of_ticket) EXPECT_EQ(events[i++], key) << ticket;
}

// Whatever is queued when a waiter leads goes to disk in one synced commit.
TEST_F(GroupCommitTest, OneCommitCarriesEverythingQueuedBeforeIt) {
  GroupCommit commits(store_.get());
  const uint64_t first = commits.Queue(PutOf("a"));
  commits.Queue(PutOf("b"));
  const uint64_t last = commits.Queue(PutOf("c"));
  ASSERT_TRUE(commits.Wait(last).ok());
  EXPECT_EQ(commits.write_seconds().count(), 1u);
  EXPECT_EQ(commits.sets_written(), 3u);
  EXPECT_TRUE(Has("a") && Has("b") && Has("c"));
  EXPECT_TRUE(commits.Wait(first).ok());  // already durable: no second commit
  EXPECT_EQ(commits.write_seconds().count(), 1u);
}

// A failed write fails the sets written with it and every set queued after it until Reset;
// none of them reaches the store, and what was written before stays.
TEST_F(GroupCommitTest, AFailedWriteFailsItsBatchAndEverythingQueuedUntilReset) {
  GroupCommit commits(store_.get());
  const uint64_t first = commits.Queue(PutOf("first"));
  ASSERT_TRUE(commits.Wait(first).ok());

  WriteSet bad;  // a misuse the store refuses: its whole batch fails
  bad.Put(Family::kEvents, "x", "y");
  const uint64_t bad_ticket = commits.Queue(std::move(bad));
  const uint64_t with_bad = commits.Queue(PutOf("with-bad"));
  const Status failed = commits.Wait(with_bad);
  EXPECT_EQ(failed.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(failed.message(), HasSubstr("events family"));
  EXPECT_EQ(commits.Wait(bad_ticket).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(commits.failed());

  const uint64_t after = commits.Queue(PutOf("after-failure"));
  EXPECT_EQ(commits.Wait(after).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Has("with-bad"));
  EXPECT_FALSE(Has("after-failure"));
  EXPECT_TRUE(Has("first"));

  commits.Reset();
  EXPECT_FALSE(commits.failed());
  const uint64_t again = commits.Queue(PutOf("after-reset"));
  EXPECT_TRUE(commits.Wait(again).ok());
  EXPECT_TRUE(Has("after-reset"));
}

}  // namespace
}  // namespace augsweep
