#include "coordinator/store/write_set.h"

#include <iterator>
#include <utility>

#include "coordinator/store/store_keys.h"

namespace augsweep {

void WriteSet::Put(Family family, std::string_view key, std::string_view value) {
  if (error_.ok()) {
    if (family == Family::kEvents) {
      error_ = InvalidArgumentError(
          "WriteSet: Put into the events family (key \"" + std::string(key) +
          "\"): events are added with AppendEvent, their keys are assigned by the store");
    } else if (family == Family::kMeta && key == kLastEventSequenceKey) {
      error_ = InvalidArgumentError(std::string("WriteSet: meta key \"") +
                                    std::string(kLastEventSequenceKey) +
                                    "\" is maintained by the store and cannot be written");
    }
  }
  ops_.push_back(Op{false, family, std::string(key), std::string(value)});
}

void WriteSet::Delete(Family family, std::string_view key) {
  if (error_.ok() && family == Family::kMeta && key == kLastEventSequenceKey) {
    error_ = InvalidArgumentError(std::string("WriteSet: meta key \"") +
                                  std::string(kLastEventSequenceKey) +
                                  "\" is maintained by the store and cannot be deleted");
  }
  ops_.push_back(Op{true, family, std::string(key), {}});
}

void WriteSet::AppendEvent(std::string_view value) { events_.emplace_back(value); }

void WriteSet::Append(WriteSet&& other) {
  if (error_.ok()) error_ = other.error_;
  ops_.insert(ops_.end(), std::make_move_iterator(other.ops_.begin()),
              std::make_move_iterator(other.ops_.end()));
  events_.insert(events_.end(), std::make_move_iterator(other.events_.begin()),
                 std::make_move_iterator(other.events_.end()));
  other.ops_.clear();
  other.events_.clear();
}

}  // namespace augsweep
