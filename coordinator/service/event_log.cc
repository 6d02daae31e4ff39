#include "coordinator/service/event_log.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "augsweep/v1/records.pb.h"

namespace augsweep {
namespace {

// Stores written before EventRecord hold "<unix ms> <text>" lines. A serialized EventRecord
// starts with the tag of field 1 (0x08), never with a digit, so the first byte tells them apart.
bool DecodeEvent(std::string_view bytes, v1::EventRecord* event) {
  if (!bytes.empty() && std::isdigit(static_cast<unsigned char>(bytes[0]))) {
    const size_t space = bytes.find(' ');
    const std::string_view number = bytes.substr(0, space);
    int64_t unix_ms = 0;
    // from_chars, not stoll: a damaged line is reported as corrupt, not thrown.
    const auto [end, error] =
        std::from_chars(number.data(), number.data() + number.size(), unix_ms);
    if (error != std::errc() || end != number.data() + number.size()) return false;
    event->set_unix_ms(unix_ms);
    event->set_text(space == std::string_view::npos ? "" : std::string(bytes.substr(space + 1)));
    return true;
  }
  return event->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

bool Concerns(const v1::EventRecord& event, const std::string& sweep_id) {
  if (sweep_id.empty()) return true;
  return std::find(event.sweep_ids().begin(), event.sweep_ids().end(), sweep_id) !=
         event.sweep_ids().end();
}

}  // namespace

StatusOr<v1::ListEventsResponse> ReadEvents(Store& store, const v1::ListEventsRequest& request) {
  if (request.limit() < 0) {
    return InvalidArgumentError("ListEvents: limit must be 0 (the default) or more, got " +
                                std::to_string(request.limit()));
  }
  const int limit =
      request.limit() == 0 ? kDefaultEventLimit : std::min(request.limit(), kMaxEventLimit);
  v1::ListEventsResponse response;
  response.set_last_sequence(store.last_event_sequence());
  Status corrupt;
  AUGSWEEP_RETURN_IF_ERROR(
      store.ScanEvents(request.after_sequence(), [&](uint64_t sequence, std::string_view bytes) {
        v1::EventRecord event;
        if (!DecodeEvent(bytes, &event)) {
          corrupt = DataLossError("store: event " + std::to_string(sequence) + " is corrupt");
          return false;
        }
        if (!Concerns(event, request.sweep_id())) return true;
        v1::Event* out = response.add_events();
        out->set_sequence(sequence);
        out->set_unix_ms(event.unix_ms());
        out->set_job_key(event.job_key());
        out->set_text(event.text());
        if (response.events_size() < limit) return true;
        response.set_truncated(true);
        return false;
      }));
  AUGSWEEP_RETURN_IF_ERROR(corrupt);
  return response;
}

}  // namespace augsweep
