#include "coordinator/store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/sha256.h"

namespace augsweep {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = (fs::temp_directory_path() /
            ("augsweep_store_test_" + std::to_string(getpid()) + "_" + info->name()))
               .string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Store> OpenOrDie(const StoreOptions& options = {}) {
    auto store = Store::Open(dir_, options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  static std::map<std::string, std::string> ScanAll(Store& store, Family family,
                                                    std::string_view prefix = "") {
    std::map<std::string, std::string> out;
    Status s = store.Scan(family, prefix, [&](std::string_view k, std::string_view v) {
      out.emplace(k, v);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  static std::string RandomBytes(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
  }

  std::string dir_;
};

TEST_F(StoreTest, PutGetScanWithPrefixesAndFamilyIsolation) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  WriteSet w;
  w.Put(Family::kSweeps, "s/1", "sweep one");
  w.Put(Family::kSweeps, "s/2", "sweep two");
  w.Put(Family::kSweeps, "t/1", "other prefix");
  w.Put(Family::kJobs, "s/1", "a job under the same key");
  w.Put(Family::kResults, "r", std::string("bin\0ary", 7));
  ASSERT_TRUE(store->Commit(w).ok());

  auto v = store->Get(Family::kSweeps, "s/1");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value_or("<none>"), "sweep one");
  v = store->Get(Family::kJobs, "s/1");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value_or("<none>"), "a job under the same key");
  v = store->Get(Family::kResults, "r");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value_or("<none>"), std::string("bin\0ary", 7));
  // Same key, other families: absent.
  for (Family f : {Family::kArtifacts, Family::kResults, Family::kEvents, Family::kMeta}) {
    v = store->Get(f, "s/1");
    ASSERT_TRUE(v.ok());
    EXPECT_FALSE(v->has_value()) << FamilyName(f);
  }

  EXPECT_EQ(ScanAll(*store, Family::kSweeps, "s/"),
            (std::map<std::string, std::string>{{"s/1", "sweep one"}, {"s/2", "sweep two"}}));
  EXPECT_EQ(ScanAll(*store, Family::kSweeps).size(), 3u);
  EXPECT_EQ(ScanAll(*store, Family::kJobs).size(), 1u);
  EXPECT_TRUE(ScanAll(*store, Family::kSweeps, "u").empty());

  // visit returning false stops the scan.
  int visited = 0;
  ASSERT_TRUE(store->Scan(Family::kSweeps, "", [&](auto, auto) { return ++visited < 2; }).ok());
  EXPECT_EQ(visited, 2);

  // Delete and overwrite.
  WriteSet d;
  d.Delete(Family::kSweeps, "s/1");
  d.Put(Family::kSweeps, "s/2", "v2");
  ASSERT_TRUE(store->Commit(d).ok());
  EXPECT_EQ(ScanAll(*store, Family::kSweeps, "s/"),
            (std::map<std::string, std::string>{{"s/2", "v2"}}));
}

TEST_F(StoreTest, CommitIsAtomicAcrossFamiliesAndSurvivesReopen) {
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    WriteSet w;
    w.Put(Family::kSweeps, "sweep", "RUNNING");
    w.Put(Family::kJobs, "job", "DONE");
    w.Put(Family::kResults, "job", "auc=0.87");
    w.AppendEvent("job done");
    ASSERT_TRUE(store->Commit(w).ok());

    // A set with a misuse writes nothing at all, including its valid parts.
    WriteSet bad;
    bad.Put(Family::kSweeps, "sweep", "FAILED");
    bad.Put(Family::kEvents, "00000000000000000099", "forged");
    Status s = store->Commit(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("AppendEvent"));
    auto v = store->Get(Family::kSweeps, "sweep");
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->value_or(""), "RUNNING");

    WriteSet reserved;
    reserved.Put(Family::kMeta, kLastEventSequenceKey, "0");
    s = store->Commit(reserved);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("last_event_sequence"));
  }
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  for (auto [family, key, want] :
       {std::tuple{Family::kSweeps, "sweep", "RUNNING"}, std::tuple{Family::kJobs, "job", "DONE"},
        std::tuple{Family::kResults, "job", "auc=0.87"}}) {
    auto v = store->Get(family, key);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->value_or("<none>"), want) << FamilyName(family);
  }
  EXPECT_EQ(store->last_event_sequence(), 1u);
}

TEST_F(StoreTest, EventsKeepCommitOrderAndSequenceContinuesAfterReopen) {
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->last_event_sequence(), 0u);
    WriteSet w;
    w.AppendEvent("a");
    w.AppendEvent("b");
    ASSERT_TRUE(store->Commit(w).ok());
    EXPECT_EQ(w.event_sequences(), (std::vector<uint64_t>{1, 2}));
    WriteSet w2;
    w2.AppendEvent("c");
    ASSERT_TRUE(store->Commit(w2).ok());
    EXPECT_EQ(w2.event_sequences(), (std::vector<uint64_t>{3}));
    // Prune the newest event: its number must still not be reused.
    WriteSet prune;
    prune.Delete(Family::kEvents, EventKey(3));
    ASSERT_TRUE(store->Commit(prune).ok());
  }
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->last_event_sequence(), 3u);
  WriteSet w;
  w.AppendEvent("d");
  ASSERT_TRUE(store->Commit(w).ok());
  EXPECT_EQ(w.event_sequences(), (std::vector<uint64_t>{4}));

  // Keys are the 20-digit sequence, in order.
  EXPECT_EQ(ScanAll(*store, Family::kEvents),
            (std::map<std::string, std::string>{{"00000000000000000001", "a"},
                                                {"00000000000000000002", "b"},
                                                {"00000000000000000004", "d"}}));
  std::vector<std::pair<uint64_t, std::string>> after1;
  ASSERT_TRUE(store
                  ->ScanEvents(1,
                               [&](uint64_t seq, std::string_view v) {
                                 after1.emplace_back(seq, v);
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(after1, (std::vector<std::pair<uint64_t, std::string>>{{2, "b"}, {4, "d"}}));
}

TEST_F(StoreTest, ConcurrentCommitsNumberEventsWithoutGapsOrDuplicates) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 4, kPerThread = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < kPerThread; ++i) {
        WriteSet w;
        w.Put(Family::kJobs, "t" + std::to_string(t) + "/" + std::to_string(i), "x");
        w.AppendEvent("t" + std::to_string(t) + "/" + std::to_string(i));
        EXPECT_TRUE(store->Commit(w).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  std::vector<uint64_t> seqs;
  ASSERT_TRUE(store
                  ->ScanEvents(0,
                               [&](uint64_t s, auto) {
                                 seqs.push_back(s);
                                 return true;
                               })
                  .ok());
  ASSERT_EQ(seqs.size(), static_cast<size_t>(kThreads * kPerThread));
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
}

TEST_F(StoreTest, ArtifactRoundTripsEmptySmallExactAndMultiChunk) {
  StoreOptions options;
  options.artifact_chunk_size = 1000;
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  const std::vector<std::pair<std::string, size_t>> cases = {
      {"empty", 0}, {"small", 17}, {"exact", 1000}, {"multi", 3500}, {"twoexact", 2000}};
  for (const auto& [id, size] : cases) {
    const std::string bytes = RandomBytes(size, static_cast<uint32_t>(size));
    ASSERT_TRUE(store->PutArtifact(id, bytes).ok()) << id;
    auto read = store->ReadArtifact(id);
    ASSERT_TRUE(read.ok()) << id << ": " << read.status().ToString();
    EXPECT_EQ(*read, bytes) << id;
    auto info = store->StatArtifact(id);
    ASSERT_TRUE(info.ok() && info->has_value()) << id;
    EXPECT_EQ((*info)->size, size);
    EXPECT_EQ((*info)->chunk_count, (size + 999) / 1000) << id;
    EXPECT_EQ((*info)->chunk_size, 1000u);
    EXPECT_EQ((*info)->sha256, Sha256Hex(bytes));
  }
  // Chunk keys follow the documented layout.
  auto chunks = ScanAll(*store, Family::kArtifacts, "multi/");
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks.begin()->first, "multi/00000000");
  EXPECT_EQ(chunks.rbegin()->first, "multi/00000003");
  EXPECT_EQ(chunks.rbegin()->second.size(), 500u);

  auto missing = store->ReadArtifact("nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("\"nope\""));
  auto stat = store->StatArtifact("nope");
  ASSERT_TRUE(stat.ok());
  EXPECT_FALSE(stat->has_value());
  EXPECT_EQ(store->PutArtifact("a/b", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->PutArtifact("", "x").code(), StatusCode::kInvalidArgument);

  // Manifests record their own chunk size: a store reopened with another one still reads them.
  const std::string multi = RandomBytes(3500, 3500);
  store.reset();
  options.artifact_chunk_size = 64;
  store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  auto read = store->ReadArtifact("multi");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, multi);
}

TEST_F(StoreTest, CorruptedChunkIsDataLossNamingArtifactAndChunk) {
  StoreOptions options;
  options.artifact_chunk_size = 100;
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  std::string bytes = RandomBytes(350, 1);
  ASSERT_TRUE(store->PutArtifact("blob", bytes).ok());

  std::string flipped = bytes.substr(200, 100);
  flipped[7] ^= 1;
  WriteSet w;
  w.Put(Family::kArtifacts, ArtifactChunkKey("blob", 2), flipped);
  ASSERT_TRUE(store->Commit(w).ok());
  auto read = store->ReadArtifact("blob");
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(read.status().message(), HasSubstr("\"blob\""));
  EXPECT_THAT(read.status().message(), HasSubstr("chunk 2 of 4"));
  EXPECT_THAT(read.status().message(), HasSubstr("sha256 mismatch"));

  WriteSet truncate;
  truncate.Put(Family::kArtifacts, ArtifactChunkKey("blob", 2), bytes.substr(200, 99));
  ASSERT_TRUE(store->Commit(truncate).ok());
  read = store->ReadArtifact("blob");
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(read.status().message(), HasSubstr("holds 99 bytes"));

  WriteSet drop;
  drop.Delete(Family::kArtifacts, ArtifactChunkKey("blob", 3));
  ASSERT_TRUE(store->Commit(drop).ok());
  read = store->ReadArtifact("blob");  // chunk 2 is checked first
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);

  WriteSet manifest;
  manifest.Put(Family::kArtifacts, "blob", "garbage");
  ASSERT_TRUE(store->Commit(manifest).ok());
  read = store->ReadArtifact("blob");
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(read.status().message(), HasSubstr("manifest"));
}

TEST_F(StoreTest, MissingChunkIsDataLoss) {
  StoreOptions options;
  options.artifact_chunk_size = 100;
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->PutArtifact("blob", RandomBytes(250, 2)).ok());
  WriteSet drop;
  drop.Delete(Family::kArtifacts, ArtifactChunkKey("blob", 1));
  ASSERT_TRUE(store->Commit(drop).ok());
  auto read = store->ReadArtifact("blob");
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(read.status().message(), HasSubstr("chunk 1 of 3"));
  EXPECT_THAT(read.status().message(), HasSubstr("missing"));
}

TEST_F(StoreTest, RePutIdenticalIsOkDifferentIsFailedPrecondition) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->PutArtifact("id1", "hello").ok());
  EXPECT_TRUE(store->PutArtifact("id1", "hello").ok());
  Status s = store->PutArtifact("id1", "hellO");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("\"id1\""));
  EXPECT_THAT(s.message(), HasSubstr("different content"));
  auto read = store->ReadArtifact("id1");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "hello");
}

TEST_F(StoreTest, StreamedUploadCommitsOnlyAtFinish) {
  StoreOptions options;
  options.artifact_chunk_size = 10;
  auto store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  const std::string bytes = RandomBytes(47, 3);
  {
    ArtifactWriter w = store->BeginArtifact("up");
    // Pieces straddling chunk boundaries, a whole-chunk piece and an empty piece.
    for (auto [off, len] : {std::pair{0, 3}, {3, 10}, {13, 0}, {13, 20}, {33, 14}}) {
      ASSERT_TRUE(w.Append(std::string_view(bytes).substr(off, len)).ok());
    }
    EXPECT_EQ(w.bytes_received(), 47u);
    auto stat = store->StatArtifact("up");
    ASSERT_TRUE(stat.ok());
    EXPECT_FALSE(stat->has_value()) << "a partial upload must not be visible";
    EXPECT_TRUE(ScanAll(*store, Family::kArtifacts).empty());
    ASSERT_TRUE(w.Finish(Sha256Hex(bytes)).ok());
    EXPECT_EQ(w.Append("x").code(), StatusCode::kFailedPrecondition);
  }
  auto read = store->ReadArtifact("up");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, bytes);
  auto stat = store->StatArtifact("up");
  ASSERT_TRUE(stat.ok() && stat->has_value());
  EXPECT_EQ((*stat)->chunk_count, 5u);

  // Identical re-upload succeeds; different bytes under the same id do not.
  ArtifactWriter same = store->BeginArtifact("up");
  ASSERT_TRUE(same.Append(bytes).ok());
  EXPECT_TRUE(same.Finish().ok());
  ArtifactWriter other = store->BeginArtifact("up");
  ASSERT_TRUE(other.Append("different").ok());
  EXPECT_EQ(other.Finish().code(), StatusCode::kFailedPrecondition);

  // A declared hash that does not match stores nothing.
  ArtifactWriter bad = store->BeginArtifact("bad");
  ASSERT_TRUE(bad.Append("payload").ok());
  Status s = bad.Finish(Sha256Hex("something else"));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("\"bad\""));
  auto bad_stat = store->StatArtifact("bad");
  ASSERT_TRUE(bad_stat.ok());
  EXPECT_FALSE(bad_stat->has_value());

  // Invalid ids are reported by the writer's first call.
  ArtifactWriter invalid = store->BeginArtifact("x/y");
  EXPECT_EQ(invalid.Append("a").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(invalid.Finish().code(), StatusCode::kInvalidArgument);

  // An empty upload is an empty artifact.
  ArtifactWriter empty = store->BeginArtifact("empty");
  ASSERT_TRUE(empty.Finish(Sha256Hex("")).ok());
  auto empty_read = store->ReadArtifact("empty");
  ASSERT_TRUE(empty_read.ok());
  EXPECT_EQ(*empty_read, "");

  // An abandoned upload leaves nothing staged behind: a reopen finds nothing to discard.
  {
    ArtifactWriter abandoned = store->BeginArtifact("abandoned");
    ASSERT_TRUE(abandoned.Append(RandomBytes(35, 4)).ok());
  }
  store.reset();
  store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->discarded_staged_chunks(), 0u);
  auto abandoned_stat = store->StatArtifact("abandoned");
  ASSERT_TRUE(abandoned_stat.ok());
  EXPECT_FALSE(abandoned_stat->has_value());
}

TEST_F(StoreTest, NewerSchemaVersionIsRefused) {
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->schema_version(), 1);
    auto v = store->Get(Family::kMeta, kSchemaVersionKey);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->value_or(""), "1");
    WriteSet w;
    w.Put(Family::kMeta, kSchemaVersionKey, "2");
    ASSERT_TRUE(store->Commit(w).ok());
  }
  auto store = Store::Open(dir_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("schema version 2"));
  EXPECT_THAT(store.status().message(), HasSubstr(dir_));
}

TEST_F(StoreTest, NonStoreDirectoryIsRefused) {
  fs::create_directories(dir_);
  std::ofstream(fs::path(dir_) / "notes.txt") << "someone's data";
  auto store = Store::Open(dir_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr(dir_));
  EXPECT_THAT(store.status().message(), HasSubstr("no CURRENT file"));
  EXPECT_FALSE(fs::exists(fs::path(dir_) / "CURRENT")) << "nothing may be created there";

  const std::string file = dir_ + "/notes.txt";
  store = Store::Open(file);
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("not a directory"));

  StoreOptions bad;
  bad.artifact_chunk_size = 0;
  store = Store::Open(dir_ + "/new", bad);
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(store.status().message(), HasSubstr("artifact_chunk_size"));
}

TEST_F(StoreTest, SecondOpenOfSameDirectoryIsUnavailable) {
  auto first = OpenOrDie();
  ASSERT_NE(first, nullptr);
  auto second = Store::Open(dir_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr(dir_));
  EXPECT_THAT(second.status().message(), HasSubstr("already open"));
  // The first store is unaffected, and the directory opens again once it is closed.
  WriteSet w;
  w.Put(Family::kJobs, "k", "v");
  EXPECT_TRUE(first->Commit(w).ok());
  first.reset();
  auto again = Store::Open(dir_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
}

// --data-dir reads: a read-only open beside the coordinator's own, seeing what was committed
// before it opened, refusing every write, and creating nothing where there is no store.
TEST_F(StoreTest, ReadOnlyOpenReadsBesideTheWriterAndRefusesWrites) {
  auto writer = OpenOrDie();
  ASSERT_NE(writer, nullptr);
  WriteSet w;
  w.Put(Family::kJobs, "job-1", "record");
  w.AppendEvent("submitted");
  ASSERT_TRUE(writer->Commit(w).ok());
  ASSERT_TRUE(writer->PutArtifact("blob", "bytes").ok());

  StoreOptions read_only;
  read_only.read_only = true;
  auto reader = Store::Open(dir_, read_only);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->read_only());
  EXPECT_EQ(*(*reader)->Get(Family::kJobs, "job-1"), std::optional<std::string>("record"));
  EXPECT_EQ(*(*reader)->ReadArtifact("blob"), "bytes");
  EXPECT_EQ((*reader)->last_event_sequence(), 1u);

  WriteSet more;
  more.Put(Family::kJobs, "job-2", "x");
  Status refused = (*reader)->Commit(more);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("read-only"));
  EXPECT_EQ((*reader)->PutArtifact("other", "x").code(), StatusCode::kFailedPrecondition);
  ArtifactWriter upload = (*reader)->BeginArtifact("streamed");
  EXPECT_FALSE(upload.Append("x").ok());
  // The writer goes on, undisturbed.
  WriteSet again;
  again.Put(Family::kJobs, "job-3", "y");
  EXPECT_TRUE(writer->Commit(again).ok());
}

TEST_F(StoreTest, ReadOnlyOpenOfNoStoreIsNotFoundAndCreatesNothing) {
  StoreOptions read_only;
  read_only.read_only = true;
  auto missing = Store::Open(dir_, read_only);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("no augsweep store"));
  EXPECT_THAT(missing.status().message(), HasSubstr(dir_));
  EXPECT_FALSE(fs::exists(dir_));
  fs::create_directories(dir_);
  EXPECT_EQ(Store::Open(dir_, read_only).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(fs::is_empty(dir_));
}

}  // namespace
}  // namespace augsweep
