# shellcheck shell=bash
# Waits that follow progress, not the clock, for the shell tests (sourced, bash).
#
# A busy CI machine can make a sweep take many times its usual time; a fixed deadline then fails
# a test that was working. Instead a wait fails when nothing has moved for a long time (a stall),
# or at a hard cap far above any normal run, and says what it was still waiting for.
#
# The sourcing test defines:
#   progress_probe   prints a fingerprint of everything that moves while the test runs
#                    (log sizes, the sweep's job counts); any change counts as progress
#   fail MESSAGE     ends the test (after printing the logs)
#   sweep_state SWEEP, status_text SWEEP   (for sweep_succeeded) the state word and the text of
#                    `augsweep status SWEEP`
# and may set before sourcing:
#   AUGSWEEP_TEST_STALL_SECONDS  no progress for this long fails a wait (default 300)
#   AUGSWEEP_TEST_CAP_SECONDS    no single wait lasts longer than this (default 1200)

progress_stall_seconds=${AUGSWEEP_TEST_STALL_SECONDS:-300}
progress_cap_seconds=${AUGSWEEP_TEST_CAP_SECONDS:-1200}
# The probe (an `augsweep status`, a squeue) costs processes on a busy machine; against a stall
# window of minutes, looking every few seconds is enough.
progress_probe_seconds=5

# wait_for WHAT COMMAND...: runs COMMAND every 0.2 s until it succeeds (exit 0). COMMAND may
# also call fail itself (a sweep that ended FAILED: no use waiting).
wait_for() {
  local what=$1
  shift
  local start=$SECONDS
  local last_change=$SECONDS last_probe=$SECONDS
  local seen now
  seen=$(progress_probe 2>/dev/null || true)
  until "$@"; do
    if [ $((SECONDS - last_probe)) -ge "$progress_probe_seconds" ]; then
      last_probe=$SECONDS
      now=$(progress_probe 2>/dev/null || true)
      if [ "$now" != "$seen" ]; then
        seen=$now
        last_change=$SECONDS
      fi
    fi
    if [ $((SECONDS - last_change)) -ge "$progress_stall_seconds" ] ||
       [ $((SECONDS - start)) -ge "$progress_cap_seconds" ]; then
      {
        echo "still pending after $((SECONDS - start)) s" \
          "($((SECONDS - last_change)) s without progress): $what"
        echo "last progress fingerprint:"
        printf '%s\n' "$seen" | sed 's/^/  /'
      } >&2
      fail "gave up waiting for: $what"
    fi
    sleep 0.2
  done
}

# sweep_succeeded SWEEP: true once the sweep SUCCEEDED; fails the test when it ended FAILED or
# CANCELLED (no use waiting). For wait_for "..." sweep_succeeded SWEEP.
sweep_succeeded() {
  local state
  state=$(sweep_state "$1" || true)
  case $state in
    SUCCEEDED) return 0 ;;
    FAILED | CANCELLED) status_text "$1" >&2 || true; fail "sweep $1 ended $state" ;;
  esac
  return 1
}
