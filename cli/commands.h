// The augsweep subcommands; each takes its arguments (after the subcommand's name) and returns
// the exit code: 0 success, 2 bad input, 1 anything else.
#pragma once

#include <string>
#include <vector>

namespace augsweep::cli {

using Args = std::vector<std::string>;

int RunPlanCommand(const Args& args);          // plan_command.cc
int RunSubmitCommand(const Args& args);        // submit_command.cc
int RunStatusCommand(const Args& args);        // status_command.cc
int RunResultsCommand(const Args& args);       // results_command.cc
int RunCancelCommand(const Args& args);        // control_commands.cc
int RunRetryCommand(const Args& args);         // control_commands.cc
int RunWorkersCommand(const Args& args);       // control_commands.cc
int RunEventsCommand(const Args& args);        // events_command.cc
int RunTextsCommand(const Args& args);         // texts_command.cc
int RunReportCommand(const Args& args);        // report_command.cc
int RunRunCommand(const Args& args);           // run_command.cc
int RunTokenizeCommand(const Args& args);      // model_commands.cc
int RunChatTemplateCommand(const Args& args);  // model_commands.cc
int RunTunablesCommand(const Args& args);      // tunables_command.cc
int RunGenerateCommand(const Args& args);      // runtime_commands.cc
int RunGoldenCheckCommand(const Args& args);   // runtime_commands.cc

}  // namespace augsweep::cli
