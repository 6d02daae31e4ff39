#include "coordinator/store/store.h"

#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>
#include <utility>
#include <vector>

#include "coordinator/store/store_rep.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;

constexpr std::array<Family, kFamilyCount> kAllFamilies = {Family::kSweeps,    Family::kJobs,
                                                           Family::kArtifacts, Family::kResults,
                                                           Family::kEvents,    Family::kMeta};

// RocksDB reports a LOCK file held by another process ("While lock file") or by this one
// ("lock hold by current process") as an IOError; it has no dedicated code. Failing to create
// the file ("while open a file for lock": a read-only directory) is not a held lock.
bool IsLockError(const rocksdb::Status& s) {
  if (!s.IsIOError()) return false;
  const std::string msg = s.ToString();
  return msg.find("While lock file") != std::string::npos ||
         msg.find("lock hold by current process") != std::string::npos;
}

// RocksDB would create a database inside any directory it is given; refuse directories that
// hold something else, so a mistyped --store path cannot scatter files into someone's data.
Status CheckDirectory(const std::string& dir, bool* has_database) {
  *has_database = false;
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (st.type() == fs::file_type::not_found) {
    fs::create_directories(dir, ec);
    if (ec) {
      return FailedPreconditionError("store " + dir +
                                     ": cannot create the directory: " + ec.message());
    }
    return OkStatus();
  }
  if (ec) return FailedPreconditionError("store " + dir + ": cannot inspect: " + ec.message());
  if (!fs::is_directory(st)) {
    return FailedPreconditionError("store " + dir + ": exists and is not a directory");
  }
  if (fs::exists(fs::path(dir) / "CURRENT", ec)) {
    *has_database = true;
    return OkStatus();
  }
  const bool empty = fs::is_empty(dir, ec);
  if (ec) return FailedPreconditionError("store " + dir + ": cannot list: " + ec.message());
  if (!empty) {
    return FailedPreconditionError(
        "store " + dir +
        ": not an augsweep store: the directory is not empty but holds no RocksDB database "
        "(no CURRENT file); give an empty or new directory, or an existing store");
  }
  return OkStatus();
}

// Each column family's memtable. A coordinator's database is small, and after its disk fills
// RocksDB resumes writing only once this much is free again (room for one flush).
constexpr size_t kWriteBufferBytes = size_t{8} << 20;

// RocksDB's own log, errors only, to stderr (the coordinator's log) rather than a
// LOG file in the data dir: on a full disk that file cannot be written either, and RocksDB 7.8
// asserts (aborting the coordinator) when it logs again after a failed write to it. Its messages
// name files and settings, never keys or values (allow_data_in_errors is off).
class StderrLogger : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::ERROR_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    const int n = std::vsnprintf(line, sizeof(line), format, ap);
    const bool newline = n > 0 && static_cast<size_t>(n) < sizeof(line) && line[n - 1] == '\n';
    std::fprintf(stderr, "augsweep store: rocksdb: %s%s", line, newline ? "" : "\n");
  }
};

rocksdb::DBOptions MakeDbOptions() {
  rocksdb::DBOptions options;
  options.info_log = std::make_shared<StderrLogger>();
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // No preallocated log blocks: a full disk then fails the first write that does not fit, at
  // once, rather than megabytes later when the block runs out.
  options.allow_fallocate = false;
  return options;
}

rocksdb::ColumnFamilyOptions MakeFamilyOptions() {
  rocksdb::ColumnFamilyOptions options;
  options.write_buffer_size = kWriteBufferBytes;
  return options;
}

bool ParseUint(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::string_view FamilyName(Family family) {
  switch (family) {
    case Family::kSweeps:
      return "sweeps";
    case Family::kJobs:
      return "jobs";
    case Family::kArtifacts:
      return "artifacts";
    case Family::kResults:
      return "results";
    case Family::kEvents:
      return "events";
    case Family::kMeta:
      return "meta";
  }
  return "unknown";
}

Status FromRocks(const rocksdb::Status& s, const std::string& context) {
  if (s.ok()) return OkStatus();
  std::string msg = context + ": " + s.ToString();
  if (s.IsCorruption()) return DataLossError(std::move(msg));
  if (s.IsNotFound()) return NotFoundError(std::move(msg));
  if (s.IsInvalidArgument()) return InvalidArgumentError(std::move(msg));
  if (s.IsNoSpace()) return ResourceExhaustedError(std::move(msg));
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return UnavailableError(std::move(msg));
  return InternalError(std::move(msg));
}

rocksdb::WriteOptions SyncedWrite() {
  rocksdb::WriteOptions options;
  options.sync = true;
  return options;
}

Status Store::Rep::Write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch* batch,
                         const std::string& context) {
  if (write_failed.load()) {
    rocksdb::Status resumed = db->Resume();
    if (resumed.IsBusy()) {
      // RocksDB is recovering from a full disk by itself: it checks the free space every few
      // seconds and needs room for a memtable flush.
      return ResourceExhaustedError(context +
                                    ": the disk of the data directory filled up; writes resume "
                                    "once it has " +
                                    std::to_string(kWriteBufferBytes >> 20) + " MiB free again");
    }
    if (!resumed.ok()) return FromRocks(resumed, context + " (after an earlier write failed)");
    write_failed.store(false);
  }
  rocksdb::Status written = db->Write(options, batch);
  if (!written.ok()) write_failed.store(true);
  return FromRocks(written, context);
}

Store::Rep::~Rep() {
  if (!db) return;
  for (rocksdb::ColumnFamilyHandle* h : all_handles) db->DestroyColumnFamilyHandle(h);
  db->Close().PermitUncheckedError();
}

Store::Store(std::string dir, const StoreOptions& options, std::unique_ptr<Rep> rep)
    : dir_(std::move(dir)), options_(options), rep_(std::move(rep)) {}

Store::~Store() = default;

StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  if (options.artifact_chunk_size == 0 || options.artifact_chunk_size > kMaxArtifactChunkSize) {
    return InvalidArgumentError(
        "store " + dir + ": artifact_chunk_size " + std::to_string(options.artifact_chunk_size) +
        " is out of range (expected 1 to " + std::to_string(kMaxArtifactChunkSize) + " bytes)");
  }
  bool has_database = false;
  if (options.read_only) {
    std::error_code ec;
    if (!fs::exists(fs::path(dir) / "CURRENT", ec)) {
      return NotFoundError("store " + dir +
                           ": no augsweep store there (no RocksDB database: no CURRENT file)");
    }
    has_database = true;
  } else {
    AUGSWEEP_RETURN_IF_ERROR(CheckDirectory(dir, &has_database));
  }

  // RocksDB must open every family a database has, including any a newer version added, so
  // that the schema check below (not a RocksDB error) is what reports a newer store.
  std::vector<std::string> names;
  if (has_database) {
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
    if (!s.ok()) return FromRocks(s, "store " + dir + ": reading its column families");
    if (std::find(names.begin(), names.end(), FamilyName(Family::kMeta)) == names.end()) {
      std::string found;
      for (const std::string& n : names) found += (found.empty() ? "" : ", ") + n;
      return FailedPreconditionError("store " + dir +
                                     ": a RocksDB database but not an augsweep store (no \"meta\" "
                                     "column family; it has: " +
                                     found + ")");
    }
  }
  auto add_name = [&](std::string_view name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
  };
  if (options.read_only) {
    // A read-only database cannot gain families: every one this code reads must be there.
    for (Family f : kAllFamilies) {
      if (std::find(names.begin(), names.end(), FamilyName(f)) == names.end()) {
        return FailedPreconditionError("store " + dir + ": has no \"" + std::string(FamilyName(f)) +
                                       "\" column family");
      }
    }
  }
  add_name(rocksdb::kDefaultColumnFamilyName);
  for (Family f : kAllFamilies) add_name(FamilyName(f));
  if (!options.read_only) add_name(kStagingFamilyName);

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, MakeFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(MakeDbOptions(), dir, descriptors, &handles, &raw_db)
          : rocksdb::DB::Open(MakeDbOptions(), dir, descriptors, &handles, &raw_db);
  if (!s.ok()) {
    if (IsLockError(s)) {
      return UnavailableError("store " + dir +
                              ": already open (another coordinator process, or another Store in "
                              "this process, holds its lock): " +
                              s.ToString());
    }
    return FromRocks(s, "store " + dir + ": opening");
  }

  auto rep = std::make_unique<Rep>();
  rep->db.reset(raw_db);
  rep->all_handles = handles;
  for (size_t i = 0; i < names.size(); ++i) {
    for (Family f : kAllFamilies) {
      if (names[i] == FamilyName(f)) rep->families[static_cast<int>(f)] = handles[i];
    }
    if (names[i] == kStagingFamilyName) rep->staging = handles[i];
  }

  std::unique_ptr<Store> store(new Store(dir, options, std::move(rep)));
  AUGSWEEP_RETURN_IF_ERROR(store->Recover());
  return store;
}

Status Store::Recover() {
  AUGSWEEP_ASSIGN_OR_RETURN(std::optional<std::string> version,
                            Get(Family::kMeta, kSchemaVersionKey));
  if (!version && read_only()) {
    return FailedPreconditionError("store " + dir_ + ": has no schema version yet");
  }
  if (!version) {
    // A new store (or one whose creation was interrupted before anything else was written).
    WriteSet init;
    init.Put(Family::kMeta, kSchemaVersionKey, std::to_string(kStoreSchemaVersion));
    AUGSWEEP_RETURN_IF_ERROR(Commit(init));
    schema_version_ = kStoreSchemaVersion;
  } else {
    uint64_t v = 0;
    if (!ParseUint(*version, &v) || v == 0 || v > 1'000'000) {
      return DataLossError("store " + dir_ + ": meta key \"schema_version\" holds \"" + *version +
                           "\", expected a positive integer");
    }
    if (v > static_cast<uint64_t>(kStoreSchemaVersion)) {
      return FailedPreconditionError("store " + dir_ + ": schema version " + std::to_string(v) +
                                     " is newer than this build of augsweep understands (up to " +
                                     std::to_string(kStoreSchemaVersion) +
                                     "); open it with a newer augsweep");
    }
    schema_version_ = static_cast<int>(v);
  }

  // Event numbering resumes after the larger of the recorded high-water mark and the last key.
  uint64_t last = 0;
  AUGSWEEP_ASSIGN_OR_RETURN(std::optional<std::string> mark,
                            Get(Family::kMeta, kLastEventSequenceKey));
  if (mark && !ParseUint(*mark, &last)) {
    return DataLossError("store " + dir_ + ": meta key \"last_event_sequence\" holds \"" + *mark +
                         "\", expected a number");
  }
  {
    std::unique_ptr<rocksdb::Iterator> it(
        rep_->db->NewIterator(rocksdb::ReadOptions(), rep_->cf(Family::kEvents)));
    it->SeekToLast();
    if (it->Valid()) {
      std::optional<uint64_t> seq = ParseEventKey(it->key().ToStringView());
      if (!seq) {
        return DataLossError("store " + dir_ + ": events family holds key \"" +
                             it->key().ToString() + "\", expected a 20-digit sequence number");
      }
      last = std::max(last, *seq);
    }
    AUGSWEEP_RETURN_IF_ERROR(FromRocks(it->status(), "store " + dir_ + ": reading events"));
  }
  last_event_sequence_.store(last);

  if (read_only()) return OkStatus();  // another process may be uploading: leave staging be
  // No writer can be live yet, so everything staged belongs to an upload a crash cut short.
  rocksdb::WriteBatch cleanup;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        rep_->db->NewIterator(rocksdb::ReadOptions(), rep_->staging));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      AUGSWEEP_RETURN_IF_ERROR(FromRocks(cleanup.Delete(rep_->staging, it->key()),
                                         "store " + dir_ + ": discarding staged uploads"));
      ++discarded_staged_chunks_;
    }
    AUGSWEEP_RETURN_IF_ERROR(FromRocks(it->status(), "store " + dir_ + ": reading staged uploads"));
  }
  if (cleanup.Count() > 0) {
    AUGSWEEP_RETURN_IF_ERROR(
        rep_->Write(SyncedWrite(), &cleanup, "store " + dir_ + ": discarding staged uploads"));
  }
  return OkStatus();
}

Status Store::CheckWritable() const {
  if (!read_only()) return OkStatus();
  return FailedPreconditionError("store " + dir_ + ": opened read-only; nothing can be written");
}

Status Store::Commit(WriteSet& writes) {
  AUGSWEEP_RETURN_IF_ERROR(CheckWritable());
  writes.event_sequences_.clear();
  if (!writes.error_.ok()) return writes.error_;
  if (writes.empty()) return OkStatus();
  const std::string context = "store " + dir_ + ": commit";

  rocksdb::WriteBatch batch;
  for (const WriteSet::Op& op : writes.ops_) {
    rocksdb::ColumnFamilyHandle* cf = rep_->cf(op.family);
    AUGSWEEP_RETURN_IF_ERROR(FromRocks(
        op.is_delete ? batch.Delete(cf, op.key) : batch.Put(cf, op.key, op.value), context));
  }
  if (writes.events_.empty()) {
    return rep_->Write(SyncedWrite(), &batch, context);
  }

  MutexLock lock(&event_mu_);
  uint64_t seq = last_event_sequence_.load();
  std::vector<uint64_t> assigned;
  assigned.reserve(writes.events_.size());
  for (const std::string& event : writes.events_) {
    ++seq;
    AUGSWEEP_RETURN_IF_ERROR(
        FromRocks(batch.Put(rep_->cf(Family::kEvents), EventKey(seq), event), context));
    assigned.push_back(seq);
  }
  AUGSWEEP_RETURN_IF_ERROR(FromRocks(
      batch.Put(rep_->cf(Family::kMeta), kLastEventSequenceKey, std::to_string(seq)), context));
  AUGSWEEP_RETURN_IF_ERROR(rep_->Write(SyncedWrite(), &batch, context));
  last_event_sequence_.store(seq);
  writes.event_sequences_ = std::move(assigned);
  return OkStatus();
}

StatusOr<std::optional<std::string>> Store::Get(Family family, std::string_view key) {
  std::string value;
  rocksdb::Status s = rep_->db->Get(rocksdb::ReadOptions(), rep_->cf(family), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) {
    return FromRocks(s, "store " + dir_ + ": get " + std::string(FamilyName(family)) + " \"" +
                            std::string(key) + "\"");
  }
  return std::optional<std::string>(std::move(value));
}

Status Store::Scan(Family family, std::string_view prefix,
                   const std::function<bool(std::string_view, std::string_view)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(
      rep_->db->NewIterator(rocksdb::ReadOptions(), rep_->cf(family)));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key.substr(0, prefix.size()) != prefix) break;
    if (!visit(key, it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "store " + dir_ + ": scan " + std::string(FamilyName(family)));
}

Status Store::ScanEvents(uint64_t after,
                         const std::function<bool(uint64_t, std::string_view)>& visit) {
  if (after == UINT64_MAX) return OkStatus();
  std::unique_ptr<rocksdb::Iterator> it(
      rep_->db->NewIterator(rocksdb::ReadOptions(), rep_->cf(Family::kEvents)));
  for (it->Seek(EventKey(after + 1)); it->Valid(); it->Next()) {
    std::optional<uint64_t> seq = ParseEventKey(it->key().ToStringView());
    if (!seq) {
      return DataLossError("store " + dir_ + ": events family holds key \"" + it->key().ToString() +
                           "\", expected a 20-digit sequence number");
    }
    if (!visit(*seq, it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "store " + dir_ + ": scan events");
}

}  // namespace augsweep
