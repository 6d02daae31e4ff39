// Crash consistency of the coordinator store: a writer process is killed with SIGKILL in the
// middle of a stream of commits, and a fresh process must find every acknowledged batch whole,
// no batch in part, and an event sequence without gaps.
//
// Processes are forked without exec, so the gtest process itself never opens RocksDB (whose
// background threads a forked child would not inherit): the writer, the lock probe and the
// verifier are each a child forked from the single-threaded test process.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "coordinator/store/store.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;

constexpr int kRounds = 4;
constexpr int kChunkSize = 4096;

StoreOptions CrashOptions() {
  StoreOptions options;
  options.artifact_chunk_size = kChunkSize;
  return options;
}

std::string BatchKey(int round, uint32_t batch) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "r%d/b%08u", round, batch);
  return buf;
}

// Every 4th batch also stores an artifact (PutArtifact), every 4th + 2 streams one.
bool HasArtifact(uint32_t batch) { return batch % 4 == 0 || batch % 4 == 2; }
std::string ArtifactId(int round, uint32_t batch) {
  return "art-" + std::to_string(round) + "-" + std::to_string(batch);
}
std::string ArtifactBytes(int round, uint32_t batch) {
  std::mt19937 rng(static_cast<uint32_t>(round * 100000 + batch));
  std::string s(3 * kChunkSize + 123, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

[[noreturn]] void Die(int code, const std::string& why) {
  std::fprintf(stderr, "crash-test child: %s\n", why.c_str());
  _exit(code);
}

// The writer child: commits numbered batches until killed; after each Commit (and the batch's
// artifact, if any) returns OK, writes the batch number to `ack_fd`: that is "acknowledged".
[[noreturn]] void RunWriter(const std::string& dir, int round, int ack_fd) {
  auto opened = Store::Open(dir, CrashOptions());
  if (!opened.ok()) Die(2, opened.status().ToString());
  Store& store = **opened;
  // An upload that never finishes: the kill leaves its three staged chunks behind.
  ArtifactWriter partial = store.BeginArtifact("partial-" + std::to_string(round));
  if (!partial.Append(std::string(3 * kChunkSize, 'p')).ok()) Die(3, "staging a partial upload");

  for (uint32_t i = 0;; ++i) {
    const std::string key = BatchKey(round, i);
    WriteSet w;
    w.Put(Family::kSweeps, key, "sweep " + key);
    w.Put(Family::kJobs, key, "job " + key);
    w.Put(Family::kResults, key, "result " + key);
    w.AppendEvent(key);
    Status s = store.Commit(w);
    if (!s.ok()) Die(4, s.ToString());
    if (i % 4 == 0) {
      s = store.PutArtifact(ArtifactId(round, i), ArtifactBytes(round, i));
    } else if (i % 4 == 2) {
      const std::string bytes = ArtifactBytes(round, i);
      ArtifactWriter writer = store.BeginArtifact(ArtifactId(round, i));
      for (size_t off = 0; off < bytes.size() && s.ok(); off += 1000) {
        s = writer.Append(std::string_view(bytes).substr(off, 1000));
      }
      if (s.ok()) s = writer.Finish();
    }
    if (!s.ok()) Die(5, s.ToString());
    if (write(ack_fd, &i, sizeof(i)) != static_cast<ssize_t>(sizeof(i))) Die(6, "ack pipe");
  }
}

// The verifier child's checks, after rounds 0..acked.size()-1. `acked[q]` is how many batches
// round q acknowledged (batches 0..acked[q]-1). Returns the problems found, one per line.
std::string Verify(const std::string& dir, const std::vector<uint32_t>& acked) {
  std::string problems;
  auto fail = [&](const std::string& p) { problems += p + "\n"; };
  auto opened = Store::Open(dir, CrashOptions());
  if (!opened.ok()) return "reopen: " + opened.status().ToString() + "\n";
  Store& store = **opened;
  const int last_round = static_cast<int>(acked.size()) - 1;

  if (store.discarded_staged_chunks() < 3) {
    fail("expected the unfinished upload's 3 staged chunks to be discarded on open, got " +
         std::to_string(store.discarded_staged_chunks()));
  }
  auto partial = store.StatArtifact("partial-" + std::to_string(last_round));
  if (!partial.ok() || partial->has_value()) fail("the unfinished upload is visible");

  std::vector<std::string> expected_events;
  for (int q = 0; q <= last_round; ++q) {
    // Which batches of round q each family holds.
    std::vector<std::vector<uint32_t>> present(3);
    const Family families[3] = {Family::kSweeps, Family::kJobs, Family::kResults};
    const char* prefixes[3] = {"sweep ", "job ", "result "};
    for (int f = 0; f < 3; ++f) {
      Status s = store.Scan(
          families[f], "r" + std::to_string(q) + "/", [&](std::string_view k, std::string_view v) {
            uint32_t batch =
                static_cast<uint32_t>(std::stoul(std::string(k.substr(k.find('b') + 1))));
            if (v != prefixes[f] + std::string(k)) {
              fail("round " + std::to_string(q) + ": wrong value under " + std::string(k));
            }
            present[f].push_back(batch);
            return true;
          });
      if (!s.ok()) fail(s.ToString());
    }
    if (present[0] != present[1] || present[0] != present[2]) {
      fail("round " + std::to_string(q) + ": a batch is partially present (sweeps " +
           std::to_string(present[0].size()) + ", jobs " + std::to_string(present[1].size()) +
           ", results " + std::to_string(present[2].size()) + " batches)");
    }
    // Batches 0..acked-1 must be there; batch `acked` (in flight at the kill) may be.
    const uint32_t n = acked[q];
    const size_t have = present[0].size();
    if (have != n && have != n + 1) {
      fail("round " + std::to_string(q) + ": " + std::to_string(n) + " batches acknowledged but " +
           std::to_string(have) + " present");
    }
    for (size_t i = 0; i < have; ++i) {
      if (present[0][i] != i)
        fail("round " + std::to_string(q) + ": batch " + std::to_string(i) + " missing");
      expected_events.push_back(BatchKey(q, static_cast<uint32_t>(i)));
    }
    for (uint32_t i = 0; i <= n; ++i) {
      if (!HasArtifact(i)) continue;
      auto read = store.ReadArtifact(ArtifactId(q, i));
      if (read.ok() ? *read != ArtifactBytes(q, i)
                    : (i < n || read.status().code() != StatusCode::kNotFound)) {
        fail("artifact " + ArtifactId(q, i) + (i < n ? " (acknowledged)" : " (in flight)") + ": " +
             (read.ok() ? "wrong bytes" : read.status().ToString()));
      }
    }
  }

  // Events: 1, 2, 3, ... with no gaps, in commit order across every restart.
  std::vector<std::string> events;
  uint64_t expected_seq = 1;
  Status s = store.ScanEvents(0, [&](uint64_t seq, std::string_view v) {
    if (seq != expected_seq)
      fail("event " + std::to_string(seq) + " follows " + std::to_string(expected_seq - 1));
    expected_seq = seq + 1;
    events.emplace_back(v);
    return true;
  });
  if (!s.ok()) fail(s.ToString());
  if (events != expected_events) {
    fail("events do not match the batches present: " + std::to_string(events.size()) + " events, " +
         std::to_string(expected_events.size()) + " batches");
  }
  if (store.last_event_sequence() != events.size()) {
    fail("last_event_sequence " + std::to_string(store.last_event_sequence()) + " but " +
         std::to_string(events.size()) + " events");
  }
  return problems;
}

int ThreadCount() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// Runs `body` in a forked child, which reports through a pipe; returns the report and sets
// `exit_code` (-1 if the child did not exit normally).
template <typename Body>
std::string RunChild(Body body, int* exit_code) {
  std::fflush(nullptr);
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const std::string report = body();
    if (!report.empty() && write(fds[1], report.data(), report.size()) < 0) _exit(7);
    _exit(report.empty() ? 0 : 1);
  }
  close(fds[1]);
  std::string report;
  char buf[4096];
  ssize_t got;
  while ((got = read(fds[0], buf, sizeof(buf))) > 0) report.append(buf, got);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return report;
}

TEST(StoreCrashTest, KillNineLosesNothingAcknowledgedAndLeavesNoPartialBatch) {
  const std::string dir =
      (fs::temp_directory_path() / ("augsweep_store_crash_test_" + std::to_string(getpid())))
          .string();
  fs::remove_all(dir);
  const uint32_t seed = std::random_device()();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);

  std::vector<uint32_t> acked;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    ASSERT_EQ(ThreadCount(), 1) << "fork without exec needs a single-threaded test process";
    const uint32_t kill_after = std::uniform_int_distribution<uint32_t>(3, 25)(rng);

    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::fflush(nullptr);
    const pid_t writer = fork();
    ASSERT_GE(writer, 0);
    if (writer == 0) {
      close(fds[0]);
      RunWriter(dir, round, fds[1]);
    }
    close(fds[1]);

    uint32_t count = 0;
    auto read_ack = [&]() {
      uint32_t batch = 0;
      ssize_t got;
      do {
        got = read(fds[0], &batch, sizeof(batch));
      } while (got < 0 && errno == EINTR);
      if (got != static_cast<ssize_t>(sizeof(batch))) return false;
      EXPECT_EQ(batch, count) << "acknowledgements out of order";
      ++count;
      return true;
    };
    while (count < kill_after && read_ack()) {
    }
    ASSERT_EQ(count, kill_after) << "the writer died before it was killed (see its stderr)";

    if (round == 0) {
      // Another process opening the directory while the writer holds it is refused.
      int code = 0;
      std::string report = RunChild(
          [&dir]() -> std::string {
            auto second = Store::Open(dir, CrashOptions());
            if (second.ok()) return "second Open succeeded";
            if (second.status().code() != StatusCode::kUnavailable ||
                second.status().message().find(dir) == std::string::npos) {
              return "second Open: " + second.status().ToString();
            }
            return "";
          },
          &code);
      EXPECT_EQ(code, 0) << report;
    }

    // Land the kill at different points of a commit.
    usleep(std::uniform_int_distribution<int>(0, 3000)(rng));
    ASSERT_EQ(kill(writer, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(writer, &status, 0), writer);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer exited on its own with status " << status;
    // Acknowledgements already in the pipe count too: the writer sent them before dying.
    while (read_ack()) {
    }
    close(fds[0]);
    acked.push_back(count);

    int code = 0;
    std::string report = RunChild([&dir, &acked] { return Verify(dir, acked); }, &code);
    ASSERT_EQ(code, 0) << "after killing the writer at batch " << count << ":\n" << report;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace augsweep
