// Private to coordinator/store: the RocksDB objects behind a Store, shared by its .cc files.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "coordinator/store/family.h"
#include "coordinator/store/store.h"

namespace augsweep {

// Column family of unfinished uploads (see ArtifactWriter); not a Family, never scanned by users.
inline constexpr std::string_view kStagingFamilyName = "artifact_staging";

struct Store::Rep {
  // Declared before the handles so that it is destroyed after them.
  std::unique_ptr<rocksdb::DB> db;
  std::array<rocksdb::ColumnFamilyHandle*, kFamilyCount> families{};
  rocksdb::ColumnFamilyHandle* staging = nullptr;
  // Every handle opened, including families this code does not know (written by a newer
  // version); all are released before the database closes.
  std::vector<rocksdb::ColumnFamilyHandle*> all_handles;

  rocksdb::ColumnFamilyHandle* cf(Family family) const {
    return families[static_cast<int>(family)];
  }

  // db->Write, its error converted with `context`. After a write fails (a full disk) RocksDB
  // takes no more writes until Resume(), so the next write resumes it first: the store works
  // again once space is freed, and until then every write reports what stops it.
  Status Write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch* batch,
               const std::string& context);
  std::atomic<bool> write_failed{false};

  ~Rep();
};

// Converts a RocksDB error into a Status whose message starts with `context`.
Status FromRocks(const rocksdb::Status& s, const std::string& context);

// The options every Commit uses: synced, so an acknowledged write survives kill -9 and power loss.
rocksdb::WriteOptions SyncedWrite();

}  // namespace augsweep
