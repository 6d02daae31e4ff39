// WriteSet: writes that Store::Commit applies as one atomic, synced RocksDB WriteBatch.
//
// The store treats keys and values as opaque bytes (serialized records from the layers above).
// A WriteSet is a plain value: not thread-safe, and it holds copies of everything added to it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "coordinator/store/family.h"

namespace augsweep {

class WriteSet {
 public:
  // Later operations on the same key win, as in a RocksDB WriteBatch.
  void Put(Family family, std::string_view key, std::string_view value);
  void Delete(Family family, std::string_view key);

  // Appends an event. Its key is assigned by the store at commit time, so events keep commit
  // order across restarts: a monotonic 20-digit zero-padded sequence (first event is 1),
  // recovered on open. Events cannot be written with Put; they may be pruned with Delete.
  void AppendEvent(std::string_view value);

  // Moves every write of `other` after this set's own (its events after this set's events), so
  // that several sets commit as one batch with the outcome of committing them in order.
  void Append(WriteSet&& other);

  bool empty() const { return ops_.empty() && events_.empty(); }
  size_t size() const { return ops_.size() + events_.size(); }

  // Sequence numbers the last successful Commit gave this set's events, in AppendEvent order.
  // Committing the same set again appends its events again, with new sequence numbers.
  const std::vector<uint64_t>& event_sequences() const { return event_sequences_; }

 private:
  friend class Store;

  struct Op {
    bool is_delete;
    Family family;
    std::string key;
    std::string value;
  };

  std::vector<Op> ops_;
  std::vector<std::string> events_;
  std::vector<uint64_t> event_sequences_;
  // The first misuse (a Put into the events family, a write to a key the store reserves);
  // Commit returns it and writes nothing. Keeps Put/Delete void, as in LevelDB's WriteBatch.
  Status error_;
};

}  // namespace augsweep
