#!/usr/bin/env bash
# The distributed system as real processes on loopback: augsweep-coordinator, augsweep-worker and
# the augsweep CLI, with workers and the coordinator killed mid-job. Every case runs with TLS and
# tokens on (credentials made by --init-credentials) and a umask of 022, and ends by checking that
# nothing the coordinator wrote is open to group or others and that no log holds a survey text.
#
# usage: distributed_test.sh CASE AUGSWEEP COORDINATOR WORKER SOURCE_DIR AUTH_MATRIX_CHECK
#        CHAOS_WORKER
# CASE: two_workers | worker_sigkill | coordinator_sigkill | coordinator_sigterm | worker_sigterm |
#       bad_input | security | bad_data_dir | disk_full | chaos
# disk_full mounts a small tmpfs for the data dir: without root (or where mounting is not
# allowed) it says so and exits 77, which ctest shows as skipped.
# AUGSWEEP_TEST_VERBOSE=1 prints the process logs on success too.
#
# Each case has its own temp dir and a port the kernel picked (--listen 127.0.0.1:0, learnt from
# --address-file). The EXIT trap kills every process the case started, by pid, and removes the
# temp dir. Waits follow progress (tests/progress_wait.sh): one fails when neither the logs nor
# the sweep's job counts have changed for minutes, and says what it was waiting for; a failure
# prints the coordinator and worker logs.
set -euo pipefail

if [ $# -ne 7 ]; then
  echo "usage: $0 CASE AUGSWEEP COORDINATOR WORKER SOURCE_DIR AUTH_MATRIX_CHECK CHAOS_WORKER" >&2
  exit 2
fi
case_name=$1
augsweep=$(realpath "$2")
coordinator_bin=$(realpath "$3")
worker_bin=$(realpath "$4")
root=$(realpath "$5")
auth_matrix_check=$(realpath "$6")
chaos_worker_bin=$(realpath "$7")
dataset="$root/examples/data/wordnet-themes.csv"
slow_spec="$root/tests/integration/slow.yaml"
demo_spec="$root/tests/integration/quick.yaml"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/augsweep-distributed.XXXXXX")
data_dir="$tmp/data"  # the coordinator's
mounts=()             # unmounted by the EXIT trap
pids=()
coordinator_pid=""
address=""
case_start=$SECONDS

cleanup() {
  local pid
  for pid in ${pids[@]+"${pids[@]}"}; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" 2>/dev/null || true; done
  local mount
  for mount in ${mounts[@]+"${mounts[@]}"}; do umount "$mount" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # ctest's timeout or Ctrl-C: run the EXIT trap on the way out

# What a shared cluster's default umask gives: the programs must make their files private anyway.
umask 022
# TLS and tokens, as on a cluster: the coordinator, workers and CLI each get their folder.
"$coordinator_bin" --init-credentials "$tmp/creds" >/dev/null
export AUGSWEEP_CREDENTIALS="$tmp/creds/client"
coordinator_credentials=(--credentials "$tmp/creds/coordinator")

log() { echo "[$case_name +$((SECONDS - case_start))s] $*"; }

dump_logs() {
  local f
  for f in "$tmp"/*.log; do
    [ -e "$f" ] || continue
    echo "----- $(basename "$f") -----"
    tail -n 60 "$f"
  done
}

fail() {
  echo "FAIL [$case_name]: $*" >&2
  dump_logs >&2
  exit 1
}

# True while $1 runs (a zombie, exited but not yet waited for, counts as not running).
running() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# What moves while a case runs: the processes' logs, and the job counts of the sweep submitted.
progress_sweep=""
progress_probe() {
  local f
  for f in "$tmp"/*.log; do
    [ -e "$f" ] && echo "$(basename "$f"): $(wc -c <"$f") bytes"
  done
  [ -z "$progress_sweep" ] || status_text "$progress_sweep"
}
# shellcheck source=tests/progress_wait.sh
. "$root/tests/progress_wait.sh"

stopped() { ! running "$1"; }

# start_coordinator LISTEN [FLAGS...]: starts it on $data_dir and waits for its address file.
start_coordinator() {
  local listen=$1
  shift
  rm -f "$tmp/address"
  "$coordinator_bin" --listen "$listen" --data-dir "$data_dir" --address-file "$tmp/address" \
    "${coordinator_credentials[@]}" "$@" >>"$tmp/coordinator.log" 2>&1 &
  coordinator_pid=$!
  pids+=("$coordinator_pid")
  wait_for "the coordinator's address file" address_written
  address=$(head -n 1 "$tmp/address")
  log "coordinator pid $coordinator_pid listening on $address"
}

# stop_coordinator: SIGTERM, and waits for it to exit.
stop_coordinator() {
  kill -TERM "$coordinator_pid"
  wait_for "the coordinator to stop" stopped "$coordinator_pid"
  wait "$coordinator_pid" 2>/dev/null || true
}

address_written() {
  running "$coordinator_pid" || fail "the coordinator exited before it wrote its address file"
  [ -s "$tmp/address" ]
}

# start_worker N: prints nothing; the worker's pid is in worker_pids[N], its log in worker-N.log.
declare -A worker_pids=()
start_worker() {
  "$worker_bin" --coordinator "$address" --credentials "$tmp/creds/worker" \
    >"$tmp/worker-$1.log" 2>&1 &
  worker_pids[$1]=$!
  pids+=("$!")
}

# submit SPEC: prints the sweep id (the last line of stdout). Call as sweep=$(submit ...), then
# follow SWEEP to make its job counts part of the progress.
submit() {
  local out
  out=$("$augsweep" submit "$1" --coordinator "$address" 2>>"$tmp/cli.log") ||
    fail "augsweep submit $1 failed"
  tail -n 1 <<<"$out"
}

status_text() { "$augsweep" status "$1" --coordinator "$address" 2>>"$tmp/cli.log"; }

# The state word of the status line "sweep ID (NAME): STATE".
sweep_state() { status_text "$1" | head -n 1 | awk '{print $NF}'; }

# column_sum SWEEP COLUMN: the sum over the stage rows of waiting|ready|leased|done|failed|...
column_sum() {
  local col
  case $2 in
    waiting) col=2 ;; ready) col=3 ;; leased) col=4 ;; done) col=5 ;; failed) col=6 ;;
    blocked) col=7 ;; cancelled) col=8 ;; *) fail "no column $2" ;;
  esac
  status_text "$1" |
    awk -v c="$col" 'NR > 2 && NF == 8 && $2 ~ /^[0-9]+$/ {s += $c} END {print s + 0}'
}

has_leased_at_least() { [ "$(column_sum "$1" leased)" -ge "$2" ]; }

# Workers that must stay up until the sweep ends: wait_succeeded fails at once when one exits.
must_run=()

follow() {
  progress_sweep=$1
  log "submitted $1"
}

# succeeded_while_workers_run SWEEP: sweep_succeeded (progress_wait.sh), and fails the case at
# once when a worker of must_run exited.
succeeded_while_workers_run() {
  local pid
  for pid in ${must_run[@]+"${must_run[@]}"}; do
    running "$pid" || fail "worker pid $pid exited before the sweep finished"
  done
  sweep_succeeded "$1"
}
wait_succeeded() { wait_for "sweep $1 to succeed" succeeded_while_workers_run "$1"; }

# True when worker N's last job line is the start of a train job it has not finished.
worker_mid_train_job() {
  local last
  last=$(grep -E ': (train|generate) .*(\(attempt [0-9]+\)$| done)' "$tmp/worker-$1.log" |
    tail -n 1) || return 1
  [[ $last =~ :\ train\ .*\(attempt\ [0-9]+\)$ ]]
}

results_json() {
  "$augsweep" results "$1" --coordinator "$address" --format json >"$2" 2>>"$tmp/cli.log" ||
    fail "augsweep results $1 failed"
}

# The result-table checks shared with the other shell tests (see result_rows.py).
check_rows() { /usr/bin/python3 "$root/tests/integration/result_rows.py" check "$@" || fail "result rows are wrong"; }
same_rows() {
  /usr/bin/python3 "$root/tests/integration/result_rows.py" same "$1" "$2" ||
    fail "results differ from the reference run"
}

# reference_run SPEC OUT.json &: the same sweep, uninterrupted, in one process on a fresh store.
# Only for the background (`&`): it execs, so $! is augsweep's own pid (the trap can kill it), and
# the caller's `wait` judges its exit status.
reference_run() {
  cd "$tmp" || exit 1
  exec "$augsweep" run "$1" --data-dir "$tmp/reference-data" --workers 2 --format json \
    >"$2" 2>"$tmp/reference-run.log"
}

case_two_workers() {
  start_coordinator 127.0.0.1:0 --metrics-listen 127.0.0.1:0
  start_worker 1
  start_worker 2
  must_run=("${worker_pids[1]}" "${worker_pids[2]}")
  local sweep watch_pid data_watch_pid
  sweep=$(submit "$demo_spec")
  follow "$sweep"
  # Followed live as a script would (no terminal: a line per change), until the sweep ends:
  # through the coordinator, and straight from the data directory it is writing.
  "$augsweep" status "$sweep" --coordinator "$address" --watch --interval 0.2 \
    >"$tmp/watch.txt" 2>>"$tmp/cli.log" &
  watch_pid=$!
  "$augsweep" status "$sweep" --data-dir "$tmp/data" --watch --interval 0.2 \
    >"$tmp/watch-data-dir.txt" 2>>"$tmp/cli.log" &
  data_watch_pid=$!
  pids+=("$watch_pid" "$data_watch_pid")
  reference_run "$demo_spec" "$tmp/reference.json" &
  local reference_pid=$!
  pids+=("$reference_pid")
  wait_succeeded "$sweep"
  log "sweep SUCCEEDED"
  results_json "$sweep" "$tmp/results.json"
  wait "$reference_pid" || fail "the reference run (augsweep run) failed"
  check_rows "$tmp/results.json" 5 5
  same_rows "$tmp/results.json" "$tmp/reference.json"
  grep -q " done in " "$tmp/worker-1.log" || fail "worker 1 ran no job"
  grep -q " done in " "$tmp/worker-2.log" || fail "worker 2 ran no job"
  # The sweep's history: its submission and every job's success, oldest first.
  "$augsweep" events "$sweep" --coordinator "$address" >"$tmp/events.txt" ||
    fail "augsweep events failed"
  grep -q "sweep $sweep submitted" "$tmp/events.txt" || fail "augsweep events shows no submission"
  [ "$(grep -c ' succeeded, attempt ' "$tmp/events.txt")" -ge 10 ] ||
    fail "augsweep events shows fewer succeeded jobs than the sweep has"
  check_read_commands "$sweep"
  check_watch_and_metrics "$sweep" "$watch_pid" "$data_watch_pid"
}

# status --watch exited with the sweep (0: SUCCEEDED) after following it; on a terminal it draws
# the live view; the metrics endpoint counts the sweep's jobs for the client token only.
check_watch_and_metrics() {
  local sweep=$1 rc url out
  declare -A watcher=([watch]=$2 [watch-data-dir]=$3)
  for out in watch watch-data-dir; do
    rc=0
    wait "${watcher[$out]}" || rc=$?
    [ "$rc" = 0 ] || fail "status --watch ($out) exited $rc after the sweep succeeded"
    tail -n 1 "$tmp/$out.txt" | grep -q " $sweep SUCCEEDED generate 5/5 train_eval 15/15 " ||
      fail "status --watch ($out) did not end on the sweep's success: $(tail -n 2 "$tmp/$out.txt")"
    [ "$(wc -l <"$tmp/$out.txt")" -ge 2 ] ||
      fail "status --watch ($out) printed no progress before the end"
  done
  script -qec "'$augsweep' status '$sweep' --coordinator '$address' --watch" /dev/null \
    >"$tmp/watch-terminal.txt" 2>&1 || fail "status --watch on a terminal failed"
  grep -q "train_eval \[##############################\] 15/15 jobs" "$tmp/watch-terminal.txt" ||
    fail "status --watch on a terminal drew no progress bars"
  grep -q "jobs/min   eta " "$tmp/watch-terminal.txt" || fail "no rate and ETA on the terminal"
  url="http://$(sed -nE 's|.*metrics on http://([^/]+)/metrics.*|\1|p' "$tmp/coordinator.log")/metrics"
  /usr/bin/python3 "$root/tests/integration/metrics_check.py" "$url" "$tmp/creds/client/token" 20 ||
    fail "the metrics endpoint is wrong"
  log "status --watch and metrics checked"
}

# The read commands on a finished sweep: texts, the results' views, and --data-dir reads of the
# store the running coordinator holds and of the reference run's.
read_check() {
  /usr/bin/python3 "$root/tests/integration/read_commands_check.py" "$@" ||
    fail "read_commands_check.py $1 failed"
}
check_read_commands() {
  local sweep=$1 theme
  # What these commands print is the study's data: the files the test keeps of it are private.
  umask 077
  "$augsweep" texts "$sweep" --coordinator "$address" --format jsonl >"$tmp/texts.jsonl" \
    2>>"$tmp/cli.log" || fail "augsweep texts failed"
  read_check texts "$tmp/texts.jsonl" "$tmp/results.json"
  theme=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["themes"][0])' \
    "$tmp/results.json")
  "$augsweep" texts "$sweep" --coordinator "$address" --theme "$theme" --limit 2 --format csv \
    >"$tmp/texts.csv" 2>>"$tmp/cli.log" || fail "augsweep texts --theme --limit failed"
  read_check limited "$tmp/texts.csv" "$theme" 2
  # EDA ignores temperature: its jobs serve every temperature of the sweep, and match any.
  [ "$("$augsweep" texts "$sweep" --coordinator "$address" --generator eda --temperature 0.7 \
      --limit 1 --format jsonl | grep -c '"job"')" = 5 ] ||
    fail "texts --temperature 0.7 does not list EDA's 5 jobs"
  "$augsweep" texts "$sweep" --coordinator "$address" --audit --limit 1 --format jsonl \
    >"$tmp/audit.jsonl" 2>>"$tmp/cli.log" || fail "augsweep texts --audit failed"
  read_check audit "$tmp/audit.jsonl"
  "$augsweep" results "$sweep" --coordinator "$address" --per-theme --format csv \
    >"$tmp/per-theme.csv" 2>>"$tmp/cli.log" || fail "augsweep results --per-theme failed"
  read_check per_theme "$tmp/per-theme.csv" "$tmp/results.json"
  "$augsweep" results "$sweep" --coordinator "$address" --folds --format json \
    >"$tmp/folds.json" 2>>"$tmp/cli.log" || fail "augsweep results --folds failed"
  read_check folds "$tmp/folds.json" "$tmp/results.json"
  # Straight from the data directory the coordinator still holds: the same answers.
  "$augsweep" results "$sweep" --data-dir "$tmp/data" --format json >"$tmp/data-dir.json" \
    2>>"$tmp/cli.log" || fail "augsweep results --data-dir (held by the coordinator) failed"
  same_rows "$tmp/data-dir.json" "$tmp/results.json"
  "$augsweep" texts "$sweep" --data-dir "$tmp/data" --format jsonl >"$tmp/data-dir-texts.jsonl" \
    2>>"$tmp/cli.log" || fail "augsweep texts --data-dir failed"
  cmp -s "$tmp/data-dir-texts.jsonl" "$tmp/texts.jsonl" ||
    fail "augsweep texts --data-dir differs from the coordinator's answer"
  "$augsweep" status "$sweep" --data-dir "$tmp/data" | head -n 1 | grep -q 'SUCCEEDED$' ||
    fail "augsweep status --data-dir does not say SUCCEEDED"
  # The embedded run's data directory, no process holding it: its table again, later.
  local reference_sweep
  reference_sweep=$("$augsweep" status --data-dir "$tmp/reference-data" | awk 'NR == 1 {print $1}')
  "$augsweep" results "$reference_sweep" --data-dir "$tmp/reference-data" --format json \
    >"$tmp/reference-again.json" 2>>"$tmp/cli.log" || fail "augsweep results on the run's data dir"
  same_rows "$tmp/reference-again.json" "$tmp/reference.json"
  # A directory with no store: a clear error, exit 2, nothing created.
  expect_exit 2 "$augsweep" results "$sweep" --data-dir "$tmp/no-such-store"
  grep -q "no augsweep store" "$tmp/err" || fail "no clear error for a missing store"
  [ ! -e "$tmp/no-such-store" ] || fail "--data-dir created a directory"
  umask 022
  log "read commands checked"
}

case_worker_sigkill() {
  start_coordinator 127.0.0.1:0 --lease-seconds 4 --heartbeat-seconds 1
  start_worker 1
  start_worker 2
  local sweep
  sweep=$(submit "$slow_spec")
  follow "$sweep"
  wait_for "worker 1 running a train job" worker_mid_train_job 1
  has_leased_at_least "$sweep" 1 || fail "worker 1 runs a job the coordinator shows no lease for"
  local killed_job
  killed_job=$(grep -E ': train ' "$tmp/worker-1.log" | tail -n 1 |
    sed -E 's/^[^:]*: //; s/ \(attempt [0-9]+\)$//')
  kill -9 "${worker_pids[1]}"
  must_run=("${worker_pids[2]}")
  log "kill -9 worker 1 during: $killed_job"
  # The lease expires after 4 s and worker 2 runs the job again as attempt 2.
  wait_for "worker 2 running \"$killed_job\" again" \
    grep -qF ": $killed_job (attempt 2)" "$tmp/worker-2.log"
  log "re-leased to worker 2"
  wait_succeeded "$sweep"
  log "sweep SUCCEEDED"
  results_json "$sweep" "$tmp/results.json"
  check_rows "$tmp/results.json" 3 2
}

# start_slow_sweep: two workers that must keep running, and the slow spec submitted; its id goes
# to the caller's `sweep`.
start_slow_sweep() {
  start_worker 1
  start_worker 2
  must_run=("${worker_pids[1]}" "${worker_pids[2]}")
  sweep=$(submit "$slow_spec")
  follow "$sweep"
}

one_done_worker1_busy() {
  grep -q ': train .* done in ' "$tmp/worker-1.log" "$tmp/worker-2.log" && worker_mid_train_job 1
}

# coordinator_restart KILL|TERM [COORDINATOR FLAGS]: stops the coordinator mid-sweep with that
# signal, restarts it on the same --data-dir and port; the workers must find it again by themselves.
coordinator_restart() {
  local signal=$1
  shift
  start_coordinator 127.0.0.1:0 "$@"
  local port=${address##*:}
  local sweep
  start_slow_sweep
  wait_for "a finished train job, and worker 1 mid-job" one_done_worker1_busy
  kill "-$signal" "$coordinator_pid"
  log "SIG$signal to the coordinator mid-sweep"
  wait_for "the coordinator to stop after SIG$signal" stopped "$coordinator_pid"
  local rc=0
  wait "$coordinator_pid" 2>/dev/null || rc=$?
  [ "$signal" != TERM ] || [ "$rc" = 0 ] ||
    fail "the coordinator exited $rc after SIGTERM, expected 0"
  sleep 1
  start_coordinator "127.0.0.1:$port" "$@"
  [ "$address" = "127.0.0.1:$port" ] || fail "restarted on $address, not port $port"
  local reference_pid=""
  if [ "$signal" = KILL ]; then
    # Meanwhile, the same sweep uninterrupted, for the determinism check.
    reference_run "$slow_spec" "$tmp/reference.json" &
    reference_pid=$!
    pids+=("$reference_pid")
  fi
  wait_succeeded "$sweep"
  log "sweep SUCCEEDED after the restart"
  results_json "$sweep" "$tmp/results.json"
  check_rows "$tmp/results.json" 3 2
  if [ -n "$reference_pid" ]; then
    wait "$reference_pid" || fail "the reference run (augsweep run) failed"
    same_rows "$tmp/results.json" "$tmp/reference.json"
  fi
}

case_coordinator_sigkill() { coordinator_restart KILL --lease-seconds 6 --heartbeat-seconds 1; }
# A graceful stop answers the calls that reach it while it drains with CANCELLED: workers must
# retry them, not exit. The default 5 s heartbeat keeps the drain long enough for a worker's
# CompleteJob to land in it (with 1 s heartbeats it drains too fast to show the problem reliably).
case_coordinator_sigterm() { coordinator_restart TERM; }

case_worker_sigterm() {
  # A 600 s lease: within it, only a give-back (not an expiry) can free the job.
  local lease_seconds=600
  start_coordinator 127.0.0.1:0 --lease-seconds "$lease_seconds" --heartbeat-seconds 1
  start_worker 1
  # Train jobs of tens of seconds: the one running cannot finish by chance around the SIGTERM.
  sed -e "s#\.\./\.\./examples/data/#$root/examples/data/#" -e 's/epochs: 10000/epochs: 100000/' \
    "$slow_spec" >"$tmp/very_slow.yaml"
  local sweep
  sweep=$(submit "$tmp/very_slow.yaml")
  follow "$sweep"
  wait_for "worker 1 running a train job" worker_mid_train_job 1
  local done_before
  done_before=$(column_sum "$sweep" "done")
  [ "$(column_sum "$sweep" leased)" = 1 ] || fail "expected one leased job before SIGTERM"
  local worker=${worker_pids[1]}
  kill -TERM "$worker"
  local sent_ns
  sent_ns=$(date +%s%N)
  log "SIGTERM to worker 1"
  # shellcheck disable=SC2317  # called through wait_for
  no_leases() { [ "$(column_sum "$sweep" leased)" = 0 ]; }
  wait_for "the leased job to come back after SIGTERM" no_leases
  local elapsed_ms=$((($(date +%s%N) - sent_ns) / 1000000))
  [ "$elapsed_ms" -lt $((lease_seconds * 1000)) ] ||
    fail "the job came back only after ${elapsed_ms} ms: its lease expired, it was not given back"
  log "leased 0 after ${elapsed_ms} ms"
  [ "$(column_sum "$sweep" "done")" = "$done_before" ] ||
    fail "a job finished instead of being given back (done was $done_before)"
  [ "$(column_sum "$sweep" ready)" -ge 1 ] || fail "the given-back job is not ready again"
  wait_for "the worker to exit after SIGTERM" stopped "$worker"
  local rc=0
  wait "$worker" || rc=$?
  [ "$rc" = 0 ] || fail "the worker exited with status $rc after SIGTERM, expected 0"
  grep -q "gave back" "$tmp/worker-1.log" || fail "the worker did not log the give-back"
  "$augsweep" events "$sweep" --coordinator "$address" | grep -q " given back by " ||
    fail "augsweep events does not show the give-back"
  log "worker exited 0"
}

# expect_exit CODE COMMAND...: runs COMMAND (stdout and stderr to $tmp/out, $tmp/err).
expect_exit() {
  local want=$1
  shift
  local got=0
  "$@" >"$tmp/out" 2>"$tmp/err" || got=$?
  if [ "$got" != "$want" ]; then
    echo "stderr:" >&2
    cat "$tmp/err" >&2
    fail "expected exit $want, got $got from: $*"
  fi
}

expect_one_stderr_line() {
  [ "$(wc -l <"$tmp/err")" = 1 ] || { cat "$tmp/err" >&2; fail "$1: expected one stderr line"; }
  grep -qE -- "$2" "$tmp/err" || { cat "$tmp/err" >&2; fail "$1: stderr does not match /$2/"; }
}

case_bad_input() {
  start_coordinator 127.0.0.1:0
  mkdir -p "$tmp/specs/data"
  cp "$root/examples/data/wordnet-themes.csv" "$tmp/specs/data/"

  # A misspelt key: the submit names file:line and the field.
  local line
  line=$(grep -n '^temperatures:' "$demo_spec" | cut -d: -f1)
  sed -e 's/^temperatures:/tempratures:/' -e 's#\.\./\.\./examples/data/#data/#' "$demo_spec" \
    >"$tmp/specs/typo.yaml"
  expect_exit 2 "$augsweep" submit "$tmp/specs/typo.yaml" --coordinator "$address"
  expect_one_stderr_line "unknown key" "typo\\.yaml:$line: tempratures: unknown key"

  # An empty text on the dataset's 3rd row: the coordinator rejects it (row and field named).
  {
    echo "id,text,themes"
    for i in 1 2 3 4 5 6 7 8; do
      if [ "$i" = 3 ]; then echo "e$i,,body"; else echo "e$i,text number $i,body;feeling"; fi
    done
  } >"$tmp/specs/data/empty.csv"
  sed -e 's#\.\./\.\./examples/data/wordnet-themes.csv#data/empty.csv#' -e 's/folds: 5/folds: 2/' "$demo_spec" \
    >"$tmp/specs/empty_text.yaml"
  expect_exit 2 "$augsweep" submit "$tmp/specs/empty_text.yaml" --coordinator "$address"
  expect_one_stderr_line "empty text" "empty\\.csv: row 3 .*\"text\""

  # Neither bad submit stored anything, and the coordinator keeps serving: a good submit, and
  # status on it.
  expect_exit 0 "$augsweep" status --coordinator "$address"
  grep -qx "no sweeps" "$tmp/out" || fail "a rejected submit left a sweep behind: $(cat "$tmp/out")"
  local sweep
  sweep=$(submit "$demo_spec")
  expect_exit 0 "$augsweep" status "$sweep" --coordinator "$address"
  grep -qE "^sweep $sweep \\(quick\\): [A-Z]+$" "$tmp/out" ||
    fail "no state line in: $(cat "$tmp/out")"
  grep -qE '^ +stage +waiting +ready +leased +done +failed +blocked +cancelled$' "$tmp/out" ||
    fail "no stage table in: $(cat "$tmp/out")"
  expect_exit 0 "$augsweep" status --coordinator "$address"
  grep -q "$sweep" "$tmp/out" || fail "status without SWEEP does not list $sweep"

  expect_exit 2 "$augsweep" status NOSUCH --coordinator "$address"
  expect_one_stderr_line "unknown sweep" "no sweep"

  # An address nobody listens on: the stopped coordinator's.
  kill -TERM "$coordinator_pid"
  wait_for "the coordinator to stop after SIGTERM" stopped "$coordinator_pid"
  local rc=0
  wait "$coordinator_pid" || rc=$?
  [ "$rc" = 0 ] || fail "the coordinator exited $rc after SIGTERM"
  local start_ns took_ms cli_args
  for cli_args in "status $sweep" "results $sweep" "submit $demo_spec"; do
    start_ns=$(date +%s%N)
    # shellcheck disable=SC2086
    expect_exit 1 timeout 600 "$augsweep" $cli_args --coordinator "$address"
    took_ms=$((($(date +%s%N) - start_ns) / 1000000))
    expect_one_stderr_line "unreachable ($cli_args)" "cannot reach the coordinator at $address"
    # Giving up at once, not after the RPC's 30 s deadline (30 s is far above a slow start).
    [ "$took_ms" -lt 30000 ] || fail "augsweep ${cli_args%% *} took ${took_ms} ms to give up"
    log "augsweep ${cli_args%% *} on a dead coordinator: exit 1 after ${took_ms} ms"
  done

  # --device cuda where no CUDA driver can be read (this machine, unless it has a GPU): a clear
  # refusal at start, not a worker that advertises memory it cannot measure.
  if [ ! -e /dev/nvidiactl ]; then
    expect_exit 1 "$worker_bin" --coordinator "$address" --credentials "$tmp/creds/worker" \
      --device cuda
    expect_one_stderr_line "worker on cuda without a driver" "^augsweep-worker: --device cuda: no CUDA driver"
    log "augsweep-worker --device cuda without a driver: exit 1"
  fi
}

# run_port: the port of the `augsweep run` whose log is $tmp/run.log, once it printed it.
run_port() { sed -nE 's/.*coordinator on 127\.0\.0\.1:([0-9]+).*/\1/p' "$tmp/run.log" | head -n 1; }
run_listening() { [ -n "$(run_port)" ]; }

case_security() {
  # Off loopback without TLS and tokens: refused before anything is created, unless --insecure,
  # which warns.
  expect_exit 2 "$coordinator_bin" --listen 0.0.0.0:0 --data-dir "$tmp/open-data"
  expect_one_stderr_line "0.0.0.0 without TLS" "refusing to listen on 0\.0\.0\.0:0 without TLS and tokens"
  [ ! -e "$tmp/open-data" ] || fail "a refused start created its data dir"
  coordinator_credentials=(--insecure)
  start_coordinator 0.0.0.0:0
  grep -q "WARNING: no TLS and no tokens: anyone who reaches its port" "$tmp/coordinator.log" ||
    fail "--insecure off loopback started without a warning"
  stop_coordinator
  rm -rf "$tmp/data"
  log "0.0.0.0 without TLS: refused; with --insecure: started with a warning"

  # A data dir others may read: refused with the fix, nothing in it touched.
  mkdir -m 755 "$tmp/shared-data"
  expect_exit 2 "$coordinator_bin" --listen 127.0.0.1:0 --data-dir "$tmp/shared-data"
  expect_one_stderr_line "open data dir" "is open to other users \(mode 0755\).*chmod -R go-rwx $tmp/shared-data"
  [ -z "$(ls -A "$tmp/shared-data")" ] || fail "the refused start wrote into the open data dir"

  # The auth matrix: every RPC with no token, a token of no role, the other role's, its own.
  coordinator_credentials=(--credentials "$tmp/creds/coordinator")
  start_coordinator 127.0.0.1:0
  "$auth_matrix_check" "$address" "$tmp/creds" >"$tmp/auth-matrix.txt" 2>&1 ||
    { cat "$tmp/auth-matrix.txt" >&2; fail "the auth matrix has wrong answers"; }
  log "$(tail -n 1 "$tmp/auth-matrix.txt") ($(grep -c '^ok ' "$tmp/auth-matrix.txt") calls)"
  grep -q "refused ListSweeps from .*: a worker token cannot call it" "$tmp/coordinator.log" ||
    fail "the coordinator did not log a wrong-role call"
  ! grep -qF "$(cat "$tmp/creds/client/token")" "$tmp"/*.log "$tmp/auth-matrix.txt" ||
    fail "a token appears in a log"

  # Plaintext to the TLS coordinator, and a client of another study's CA: no connection.
  expect_exit 1 env -u AUGSWEEP_CREDENTIALS "$augsweep" status --coordinator "$address"
  expect_one_stderr_line "plaintext to TLS" "cannot reach the coordinator"
  "$coordinator_bin" --init-credentials "$tmp/other-creds" >/dev/null
  expect_exit 1 "$augsweep" status --coordinator "$address" --credentials "$tmp/other-creds/client"
  expect_one_stderr_line "another CA" "cannot reach the coordinator"
  # A token file others may read is refused before any call.
  cp -pr "$tmp/creds/client" "$tmp/loose-client"
  chmod 644 "$tmp/loose-client/token"
  expect_exit 2 "$augsweep" status --coordinator "$address" --credentials "$tmp/loose-client"
  expect_one_stderr_line "open token file" "may be read by other users \(mode 0644\): run chmod 600"
  rm -rf "$tmp/loose-client"
  # A worker holding the client token: refused, and it stops rather than retrying.
  cp -pr "$tmp/creds/client" "$tmp/client-as-worker"
  expect_exit 1 "$worker_bin" --coordinator "$address" --credentials "$tmp/client-as-worker"
  grep -q "RegisterWorker needs the worker role" "$tmp/err" || fail "no role error: $(cat "$tmp/err")"
  # The worker certificate is verified against the name in server-name, whatever host is dialed.
  expect_exit 0 "$augsweep" status --coordinator "localhost:${address##*:}"
  log "plaintext, another CA, an open token file, a client token on a worker: all refused"

  # Mutual TLS: a caller without a client certificate of the study's CA gets no connection.
  stop_coordinator
  "$coordinator_bin" --init-credentials "$tmp/mtls" --client-certs >/dev/null
  coordinator_credentials=(--credentials "$tmp/mtls/coordinator" --require-client-certs)
  start_coordinator 127.0.0.1:0
  expect_exit 0 "$augsweep" status --coordinator "$address" --credentials "$tmp/mtls/client"
  mkdir -m 700 "$tmp/mtls-no-cert"
  cp -p "$tmp/mtls/client/ca.pem" "$tmp/mtls/client/token" "$tmp/mtls/client/server-name" \
    "$tmp/mtls-no-cert/"
  expect_exit 1 "$augsweep" status --coordinator "$address" --credentials "$tmp/mtls-no-cert"
  expect_one_stderr_line "mTLS without a certificate" "cannot reach the coordinator"
  log "mutual TLS: with a client certificate served, without one refused"

  # `augsweep run`: loopback with tokens made for the run; another process dialing its port is
  # refused, whether as a client or as a worker.
  (cd "$tmp" && exec "$augsweep" run "$slow_spec" --data-dir "$tmp/run-data" --workers 1 \
    >"$tmp/run.out" 2>"$tmp/run.log") &
  local run_pid=$!
  pids+=("$run_pid")
  wait_for "augsweep run to print its port" run_listening
  local run_address
  run_address="127.0.0.1:$(run_port)"
  expect_exit 1 env -u AUGSWEEP_CREDENTIALS "$augsweep" status --coordinator "$run_address"
  expect_one_stderr_line "augsweep run, no token" "UNAUTHENTICATED|no bearer token"
  # A token, but not the run's (another study's client token, sent in plaintext on loopback).
  mkdir -m 700 "$tmp/token-only"
  cp -p "$tmp/creds/client/token" "$tmp/token-only/"
  expect_exit 1 "$augsweep" status --coordinator "$run_address" --credentials "$tmp/token-only"
  expect_one_stderr_line "augsweep run, another token" "a token of no role"
  expect_exit 1 "$worker_bin" --coordinator "$run_address"
  grep -q "no bearer token" "$tmp/err" || fail "a tokenless worker was not refused: $(cat "$tmp/err")"
  kill -TERM "$run_pid"
  wait_for "augsweep run to stop" stopped "$run_pid"
  log "augsweep run: a second process without the run's token is refused"
}

# store_fingerprint DIR: every file under DIR with its checksum, sorted: what a refused start
# must leave as it was.
store_fingerprint() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

# refused_start NAME DIR PATTERN: the coordinator, started on DIR, exits 2 with one line matching
# PATTERN, and DIR's files are as they were.
refused_start() {
  store_fingerprint "$2" >"$tmp/$1.before.txt"
  expect_exit 2 "$coordinator_bin" --listen 127.0.0.1:0 --data-dir "$2" \
    "${coordinator_credentials[@]}"
  expect_one_stderr_line "$1" "$3"
  store_fingerprint "$2" | cmp -s - "$tmp/$1.before.txt" ||
    fail "the refused start on the $1 store changed its files"
  log "$1 store: exit 2, $(cat "$tmp/err")"
}

case_bad_data_dir() {
  # A store holding a finished sweep.
  start_coordinator 127.0.0.1:0
  start_worker 1
  local sweep
  sweep=$(submit "$demo_spec")
  follow "$sweep"
  wait_succeeded "$sweep"
  kill -9 "${worker_pids[1]}"
  wait "${worker_pids[1]}" 2>/dev/null || true
  stop_coordinator

  # Corrupted: CURRENT, which names the live MANIFEST, holds garbage.
  cp -a "$data_dir" "$tmp/corrupt"
  echo "not a manifest" >"$tmp/corrupt/CURRENT"
  refused_start corrupted "$tmp/corrupt" "store $tmp/corrupt: .*Corruption"

  # Unwritable: as root permission bits do not stop writes, so a read-only bind mount.
  cp -a "$data_dir" "$tmp/readonly"
  if [ "$(id -u)" != 0 ]; then
    chmod 500 "$tmp/readonly"
  elif mount --bind "$tmp/readonly" "$tmp/readonly" 2>"$tmp/mount-err.txt"; then
    mounts+=("$tmp/readonly")
    mount -o remount,ro,bind "$tmp/readonly" || fail "cannot remount $tmp/readonly read-only"
  else
    log "NOT CHECKED: an unwritable data dir (root, and a read-only bind mount is not allowed" \
      "here: $(cat "$tmp/mount-err.txt"))"
  fi
  if [ ! -w "$tmp/readonly" ] || grep -q " $tmp/readonly .* ro[ ,]" /proc/mounts; then
    refused_start unwritable "$tmp/readonly" \
      "store $tmp/readonly: .*(Read-only file system|Permission denied)"
  fi

  # The store itself still serves its sweep.
  start_coordinator 127.0.0.1:0
  sweep_state "$sweep" | grep -qx SUCCEEDED || fail "the store lost its sweep"
}

# A worker's log says a call was refused for lack of space in the data dir, and that it retries.
refused_for_space() {
  grep -q "RESOURCE_EXHAUSTED: .*store $data_dir: .*retrying until the coordinator takes it" \
    "$tmp"/worker-*.log
}

case_disk_full() {
  mkdir -m 700 "$tmp/disk"
  if ! mount -t tmpfs -o size=48m,mode=700 tmpfs "$tmp/disk" 2>"$tmp/mount-err.txt"; then
    echo "SKIPPED [disk_full]: cannot mount a size-limited tmpfs for the data dir (this needs" \
      "root where mounting is allowed): $(cat "$tmp/mount-err.txt")"
    exit 77
  fi
  mounts+=("$tmp/disk")
  data_dir="$tmp/disk/data"
  # Train jobs of about half a second (a quarter of the slow spec's epochs; a minute each under
  # ASan with all of them): long enough to fill the disk while one runs.
  sed -e "s#\.\./\.\./examples/data/#$root/examples/data/#" -e 's/epochs: 10000/epochs: 2500/' \
    "$slow_spec" >"$tmp/medium.yaml"
  local slow_spec="$tmp/medium.yaml"
  start_coordinator 127.0.0.1:0
  local sweep
  start_slow_sweep
  reference_run "$slow_spec" "$tmp/reference.json" &
  local reference_pid=$!
  pids+=("$reference_pid")
  wait_for "a finished train job, and worker 1 mid-job" one_done_worker1_busy
  local done_before
  done_before=$(column_sum "$sweep" "done")
  # Another program fills the filesystem.
  dd if=/dev/zero of="$tmp/disk/fill" bs=1M 2>/dev/null || true
  log "filesystem full ($(df --output=avail -B1 "$tmp/disk" | tail -n 1) bytes free), $done_before jobs done"
  wait_for "a worker to be refused for lack of space" refused_for_space
  log "refused: $(grep -h -m 1 RESOURCE_EXHAUSTED "$tmp"/worker-*.log | head -n 1)"
  # New work is refused too, naming the data dir; reads still answer.
  expect_exit 1 "$augsweep" submit "$demo_spec" --coordinator "$address"
  expect_one_stderr_line "submit to a full disk" "store $data_dir: .*(No space left|filled up)"
  running "$coordinator_pid" || fail "the coordinator exited on the full disk"
  [ "$(column_sum "$sweep" "done")" -ge "$done_before" ] || fail "jobs done were lost"
  rm -f "$tmp/disk/fill"
  log "space freed"
  wait_succeeded "$sweep"
  log "sweep SUCCEEDED"
  # The refused results were kept and delivered, not computed again.
  ! grep -q "(attempt 2)" "$tmp"/worker-*.log || fail "a job ran twice"
  results_json "$sweep" "$tmp/results.json"
  check_rows "$tmp/results.json" 3 2
  wait "$reference_pid" || fail "the reference run (augsweep run) failed"
  same_rows "$tmp/results.json" "$tmp/reference.json"
  # And the coordinator takes new work again.
  submit "$demo_spec" >/dev/null
}

# start_chaos_worker N: a chaos_worker (random extra time per job) in worker_pids[N].
start_chaos_worker() {
  "$chaos_worker_bin" "$address" "$tmp/creds/worker" 150 >>"$tmp/worker-$1.log" 2>&1 &
  worker_pids[$1]=$!
  pids+=("$!")
}

# sweep_events SWEEP: the sweep's whole history, page by page.
sweep_events() {
  local after=0 page
  while :; do
    page=$("$augsweep" events "$1" --coordinator "$address" --after "$after" --limit 10000) ||
      fail "augsweep events failed"
    grep -E '^ *[0-9]+ ' <<<"$page" || true
    local last
    last=$(grep -E '^ *[0-9]+ ' <<<"$page" | tail -n 1 | awk '{print $1}') || true
    [ -n "$last" ] || break
    after=$last
  done
}

case_chaos() {
  # max_attempts is high enough that no job is killed that often by chance, even under ASan,
  # where jobs take about a second and a job leased 4 times was seen.
  local spec="$root/tests/integration/chaos.yaml" max_attempts=10 workers=4 jobs=2100
  local coordinator_flags=(--lease-seconds 3 --heartbeat-seconds 1 --max-attempts "$max_attempts")
  start_coordinator 127.0.0.1:0 "${coordinator_flags[@]}"
  local port=${address##*:} n
  for n in $(seq "$workers"); do start_chaos_worker "$n"; done
  local sweep
  sweep=$(submit "$spec")
  follow "$sweep"
  reference_run "$spec" "$tmp/reference.json" &
  local reference_pid=$!
  pids+=("$reference_pid")
  # Every 1-3 s a random worker is killed and restarted; at a third and at two thirds of the
  # jobs the coordinator is killed and restarted on the same data dir and port. The loop ends
  # with the sweep, and fails when nothing finished for 60 rounds.
  local worker_kills=0 coordinator_kills=0 done_jobs=0 last_done=-1 idle=0 state=""
  while :; do
    state=$(sweep_state "$sweep")
    [ "$state" != SUCCEEDED ] || break
    [ "$state" = RUNNING ] || [ "$state" = PENDING ] || fail "sweep state $state"
    done_jobs=$(column_sum "$sweep" "done")
    if [ "$done_jobs" = "$last_done" ]; then
      idle=$((idle + 1))
      [ "$idle" -lt 60 ] || fail "no job finished in 60 rounds (done $done_jobs)"
    else
      idle=0
      last_done=$done_jobs
    fi
    if { [ "$coordinator_kills" = 0 ] && [ "$done_jobs" -ge $((jobs / 3)) ]; } ||
      { [ "$coordinator_kills" = 1 ] && [ "$done_jobs" -ge $((2 * jobs / 3)) ]; }; then
      kill -9 "$coordinator_pid"
      wait "$coordinator_pid" 2>/dev/null || true
      coordinator_kills=$((coordinator_kills + 1))
      log "kill -9 the coordinator at $done_jobs jobs done"
      start_coordinator "127.0.0.1:$port" "${coordinator_flags[@]}"
    fi
    sleep "$((1 + RANDOM % 3))"
    n=$((1 + RANDOM % workers))
    kill -9 "${worker_pids[$n]}"
    wait "${worker_pids[$n]}" 2>/dev/null || true
    worker_kills=$((worker_kills + 1))
    start_chaos_worker "$n"
  done
  log "sweep SUCCEEDED after $worker_kills worker kills and $coordinator_kills coordinator kills"
  [ "$coordinator_kills" = 2 ] || fail "the sweep ended before the coordinator was killed twice"

  # Exactly once: one success per job in the store's history, every job of the sweep among them;
  # and no job leased more than max_attempts times.
  sweep_events "$sweep" >"$tmp/events.txt"
  local succeeded distinct most
  succeeded=$(grep -c ' succeeded, attempt ' "$tmp/events.txt")
  distinct=$(grep ' succeeded, attempt ' "$tmp/events.txt" | awk '{for (i = 1; i < NF; i++) if ($i == "job") print $(i + 1)}' |
    sort -u | wc -l)
  if [ "$succeeded" != "$jobs" ] || [ "$distinct" != "$jobs" ]; then
    fail "$succeeded success events for $distinct distinct jobs, expected $jobs of each"
  fi
  most=$(sed -nE 's/.* leased to [^,]+, attempt ([0-9]+)$/\1/p' "$tmp/events.txt" | sort -n | tail -n 1)
  [ "$most" -le "$max_attempts" ] || fail "a job was leased $most times (max_attempts $max_attempts)"
  log "$succeeded jobs succeeded once each; at most $most attempts;" \
    "$(grep -c ' ignored completion ' "$tmp/events.txt") late completions ignored"
  results_json "$sweep" "$tmp/results.json"
  wait "$reference_pid" || fail "the reference run (augsweep run) failed"
  same_rows "$tmp/results.json" "$tmp/reference.json"
}

# Nothing the programs wrote under $tmp (stores, address file, credentials) is open to group or
# others, though the case ran with umask 022.
check_private_files() {
  local open
  open=$(find "$tmp" -mindepth 1 \( -name '*.log' -o -name '*.txt' -o -name '*.json' -o -name 'out' \
    -o -name 'err' -o -name 'run.out' -o -path "$tmp/specs*" -o -name '*.yaml' \
    -o -path "$tmp/shared-data" \) -prune -o -perm /077 -print | head -n 5)
  [ -z "$open" ] || fail "open to group or others after a case run with umask 022: $open"
}

case $case_name in
  two_workers | worker_sigkill | coordinator_sigkill | coordinator_sigterm | worker_sigterm | \
    bad_input | security | bad_data_dir | disk_full | chaos)
    "case_$case_name" ;;
  *) echo "unknown case $case_name" >&2; exit 2 ;;
esac
check_private_files
/usr/bin/python3 "$root/tests/integration/texts_in_logs.py" "$dataset" "$tmp"/*.log >/dev/null ||
  fail "a log holds survey text"
[ -z "${AUGSWEEP_TEST_VERBOSE:-}" ] || dump_logs
log "ok"
