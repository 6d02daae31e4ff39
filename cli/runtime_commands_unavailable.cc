// generate and golden-check in a build without libtorch (AUGSWEEP_WITH_TORCH=OFF): the commands
// exist, and say why they cannot run.
#include "cli/command_support.h"
#include "cli/commands.h"

namespace augsweep::cli {
namespace {

int Unavailable(const char* command) {
  return ReportError(
      command,
      FailedPreconditionError("this augsweep was built without libtorch (AUGSWEEP_WITH_TORCH=OFF); "
                              "build it with libtorch to run models"));
}

}  // namespace

int RunGenerateCommand(const Args&) { return Unavailable("generate"); }
int RunGoldenCheckCommand(const Args&) { return Unavailable("golden-check"); }

}  // namespace augsweep::cli
