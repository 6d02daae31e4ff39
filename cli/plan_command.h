// `augsweep plan SPEC`: validates a spec and its dataset, splits the folds and prints the job
// DAG a sweep would run (grid cells, unique jobs after sharing) without running anything.
#pragma once

#include <string>
#include <vector>

namespace augsweep::cli {

int RunPlanCommand(const std::vector<std::string>& args);

}  // namespace augsweep::cli
