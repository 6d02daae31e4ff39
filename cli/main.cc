// augsweep: the command users run. One subcommand per file; this file only dispatches.
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "common/exit_codes.h"
#include "security/private_files.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const augsweep::cli::Args& args);
};

constexpr Command kCommands[] = {
    {"run", "run a sweep on this machine (coordinator + workers in-process) and print the table",
     augsweep::cli::RunRunCommand},
    {"submit", "upload a sweep spec and its dataset to a coordinator; prints the sweep id",
     augsweep::cli::RunSubmitCommand},
    {"status", "show a sweep's state, job counts per stage, workers and ETA (or list sweeps)",
     augsweep::cli::RunStatusCommand},
    {"results", "print a sweep's result table (table, csv, json or markdown)",
     augsweep::cli::RunResultsCommand},
    {"texts", "list the synthetic texts a sweep's generate jobs kept and dropped",
     augsweep::cli::RunTextsCommand},
    {"report", "write a sweep's self-contained HTML report (tables, plots, sample texts)",
     augsweep::cli::RunReportCommand},
    {"cancel", "cancel a sweep", augsweep::cli::RunCancelCommand},
    {"retry", "give a sweep's failed jobs a fresh set of attempts", augsweep::cli::RunRetryCommand},
    {"workers", "list the workers the coordinator has seen", augsweep::cli::RunWorkersCommand},
    {"events", "print the coordinator's history of a sweep (or of all), one line per transition",
     augsweep::cli::RunEventsCommand},
    {"plan", "validate a spec and its dataset and print the jobs it would run",
     augsweep::cli::RunPlanCommand},
    {"generate", "continue a prompt with a LLaMA-family model folder",
     augsweep::cli::RunGenerateCommand},
    {"tokenize", "print the token ids of a text as a JSON array",
     augsweep::cli::RunTokenizeCommand},
    {"chat-template", "print what a model folder's chat template renders for a conversation",
     augsweep::cli::RunChatTemplateCommand},
    {"golden-check", "compare a model folder with a golden.json of reference logits and token ids",
     augsweep::cli::RunGoldenCheckCommand},
    {"tunables", "list the AUGSWEEP_* environment variables that tune timings and kernels",
     augsweep::cli::RunTunablesCommand},
};

void PrintUsage(FILE* out) {
  std::fprintf(
      out,
      "usage: augsweep COMMAND [ARGS]\n\n"
      "Sweeps LLM data augmentation for small text classifiers: generator x temperature x\n"
      "augment count x classifier x CV fold, scored by cross-validated ROC AUC.\n\ncommands:\n");
  int width = 0;
  for (const Command& c : kCommands) width = std::max(width, static_cast<int>(std::strlen(c.name)));
  for (const Command& c : kCommands) std::fprintf(out, "  %-*s %s\n", width, c.name, c.summary);
  std::fprintf(
      out,
      "\n'augsweep COMMAND --help' describes a command. Exit codes: 0 success, 2 bad input,\n"
      "1 anything else. Commands that talk to a coordinator use --coordinator or\n"
      "$AUGSWEEP_COORDINATOR (default 127.0.0.1:7070), and --credentials or\n"
      "$AUGSWEEP_CREDENTIALS (a client credentials folder: TLS and the client token).\n");
}

}  // namespace

int main(int argc, char** argv) {
  // `augsweep run` writes a store of survey texts; nothing augsweep writes is for other users.
  augsweep::MakeNewFilesOwnerOnly();
  // Every failed call is reported in one line that carries gRPC's reason (a TLS handshake that
  // failed, say); gRPC's own log would repeat it. GRPC_VERBOSITY=ERROR brings that log back.
  setenv("GRPC_VERBOSITY", "NONE", /*overwrite=*/0);
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    PrintUsage(argc < 2 ? stderr : stdout);
    return argc < 2 ? augsweep::kExitBadInput : augsweep::kExitOk;
  }
  const augsweep::cli::Args args(argv + 2, argv + argc);
  for (const Command& c : kCommands) {
    if (argv[1] == std::string(c.name)) return c.run(args);
  }
  std::fprintf(stderr, "augsweep: unknown command \"%s\" (see augsweep --help)\n", argv[1]);
  return augsweep::kExitBadInput;
}
