// Turns SIGTERM/SIGINT into an ordinary event: call BlockTerminationSignals() first thing in
// main(), before any thread starts (threads inherit the mask), then a thread can wait for the
// signal with WaitForTerminationSignal() and shut things down in plain code, not in a handler.
// Slurm sends SIGTERM before a time limit or on preemption; graceful shutdown starts there.
#pragma once

namespace augsweep {

void BlockTerminationSignals();
// Blocks until SIGTERM, SIGINT or SIGHUP arrives (or RaiseTerminationSignal() is called);
// returns the signal number.
int WaitForTerminationSignal();
// Wakes WaitForTerminationSignal() from inside the process (e.g. the work is finished).
void RaiseTerminationSignal();

}  // namespace augsweep
