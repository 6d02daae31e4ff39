// The coordinator's history as SweepService.ListEvents serves it: the events family read in
// commit order, each line decoded and filtered by sweep. The scheduler writes the lines
// (an EventRecord with every transition); this is their only reader.
#pragma once

#include "augsweep/v1/sweep_service.pb.h"
#include "common/status.h"
#include "coordinator/store/store.h"

namespace augsweep {

inline constexpr int kDefaultEventLimit = 1000;
inline constexpr int kMaxEventLimit = 10000;

// Events numbered above request.after_sequence, of request.sweep_id (all sweeps when empty), the
// oldest first, at most request.limit (0: kDefaultEventLimit; capped at kMaxEventLimit).
// InvalidArgument for a negative limit.
StatusOr<v1::ListEventsResponse> ReadEvents(Store& store, const v1::ListEventsRequest& request);

}  // namespace augsweep
