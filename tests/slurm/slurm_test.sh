#!/usr/bin/env bash
# slurm/ on a real Slurm: starts a private single-node Slurm (munged, slurmctld, slurmd from
# Debian's packages, two fake GPUs), then
#   1. bad input: a missing or invalid spec, a coordinator job that fails, one that never writes
#      its address, one whose address is unreachable: each a clear message, a non-zero exit and
#      nothing left in the queue;
#   2. the demo sweep (examples/demo.yaml) through slurm/submit with a 2-task worker array, the
#      README's commands to follow it and fetch the complete table, and scancel to stop it;
#   3. a sweep during which one worker array task is scancelled mid-job: its lease comes back,
#      the other worker runs that job again, and every cell is there exactly once.
#
# usage: slurm_test.sh SOURCE_DIR BUILD_DIR
# Needs root (the daemons) and the Debian packages slurmctld slurmd slurm-client munge, which it
# installs through scripts/install-deps.sh when missing. Where that cannot work, it fails unless
# AUGSWEEP_SKIP_SLURM_TEST=1, which makes it exit 77 (ctest reports the test as skipped).
# AUGSWEEP_TEST_VERBOSE=1 prints the logs on success too; AUGSWEEP_KEEP_TMP=1 keeps the temp dir.
#
# Every daemon runs in the foreground as a child of this script, so its pid is known from the
# start. The EXIT trap cancels every job, waits for them to end, stops the daemons by pid and
# finally kills, by pid, any process left that belongs to this private cluster (its environment
# names this cluster's slurm.conf). Waits follow progress (tests/progress_wait.sh): one fails
# when neither the logs, the queue nor the sweep's job counts have changed for minutes, and says
# what it was waiting for; a failure prints the logs.
set -euo pipefail
# A shared cluster's usual umask: slurm/submit and the jobs must make the study's files private.
umask 022

if [ $# -ne 2 ]; then
  echo "usage: $0 SOURCE_DIR BUILD_DIR" >&2
  exit 2
fi
root=$(realpath "$1")
build=$(realpath "$2")
augsweep=$build/cli/augsweep
submit=$root/slurm/submit
test_start=$SECONDS

log() { echo "[slurm_test +$((SECONDS - test_start))s] $*"; }

skip_or_fail() {
  if [ "${AUGSWEEP_SKIP_SLURM_TEST:-}" = 1 ]; then
    echo "slurm_test: SKIPPED (AUGSWEEP_SKIP_SLURM_TEST=1): $*" >&2
    exit 77
  fi
  echo "slurm_test: FAIL: $*" >&2
  echo "slurm_test: (set AUGSWEEP_SKIP_SLURM_TEST=1 to skip this test where Slurm cannot run)" >&2
  exit 1
}

# ---- what the test needs ----
for program in "$augsweep" "$build/coordinator/augsweep-coordinator" "$build/worker/augsweep-worker"; do
  [ -x "$program" ] || { echo "slurm_test: FAIL: $program is missing (build first)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || skip_or_fail "starting slurmctld, slurmd and munged needs root"
tools=(munged slurmctld slurmd sbatch squeue scancel scontrol sinfo)
missing_tools() {
  local t
  for t in "${tools[@]}"; do
    command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || echo "$t"
  done
}
if [ -n "$(missing_tools)" ]; then
  log "installing the Slurm packages (missing: $(missing_tools | tr '\n' ' '))"
  "$root/scripts/install-deps.sh" >&2 || skip_or_fail "scripts/install-deps.sh failed"
  [ -z "$(missing_tools)" ] ||
    skip_or_fail "still missing after scripts/install-deps.sh: $(missing_tools | tr '\n' ' ')"
fi
export PATH=$PATH:/usr/sbin

# A Slurm job or user environment around ctest must not leak into this private cluster.
verbose=${AUGSWEEP_TEST_VERBOSE:-}
keep_tmp=${AUGSWEEP_KEEP_TMP:-}
# (Sourced before the AUGSWEEP_ variables are cleared: it reads its own settings from them.)
# shellcheck source=tests/progress_wait.sh
. "$root/tests/progress_wait.sh"
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(SLURM_|SBATCH_|SALLOC_|SRUN_|SQUEUE_|AUGSWEEP_)' || true)

# /tmp, not $TMPDIR: munged insists that every directory above its socket is executable by all.
tmp=$(mktemp -d /tmp/augsweep-slurm.XXXXXX)
chmod 755 "$tmp"
cluster=as$(basename "$tmp" | tr -dc 'a-z0-9' | tail -c 8)
export SLURM_CONF=$tmp/etc/slurm.conf
daemon_pids=()   # munged slurmctld slurmd, in start order
slurm_up=0

dump_logs() {
  local f
  for f in "$tmp"/log/*.log "$tmp"/run*/*.log "$tmp"/*.err; do
    [ -s "$f" ] || continue
    echo "----- ${f#"$tmp"/} -----"
    tail -n 40 "$f"
  done
}

# Processes of this private cluster: jobs, job steps and daemons all carry its SLURM_CONF.
cluster_pids() {
  local dir pid
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" != $$ ] || continue
    if { tr '\0' '\n' <"$dir/environ"; } 2>/dev/null | grep -xF "SLURM_CONF=$SLURM_CONF" >/dev/null; then
      echo "$pid"
    fi
  done
}

cleanup() {
  local status=$? pid deadline
  set +e
  trap - EXIT TERM INT
  if [ "$slurm_up" = 1 ]; then
    local jobs
    jobs=$(squeue -h -o %A 2>/dev/null | sort -u)
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086
      scancel $jobs 2>/dev/null
      deadline=$((SECONDS + 30))
      while [ -n "$(squeue -h -o %A 2>/dev/null)" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
    fi
  fi
  # Daemons last to first: slurmd, slurmctld, munged.
  local i
  for ((i = ${#daemon_pids[@]} - 1; i >= 0; i--)); do
    pid=${daemon_pids[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    deadline=$((SECONDS + 15))
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  local leftovers
  leftovers=$(cluster_pids)
  if [ -n "$leftovers" ]; then
    echo "slurm_test: killing processes left by the private cluster: ${leftovers//$'\n'/ }" >&2
    # shellcheck disable=SC2086
    kill -KILL $leftovers 2>/dev/null
  fi
  if [ "$status" != 0 ] || [ -n "$verbose" ]; then dump_logs >&2; fi
  if [ -n "$keep_tmp" ]; then
    echo "slurm_test: kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # ctest's timeout or Ctrl-C: run the EXIT trap on the way out

fail() {
  echo "slurm_test: FAIL: $*" >&2
  exit 1
}

# What moves while the test runs (progress_wait.sh's wait_for watches it): the daemons' and the
# jobs' logs, the queue, and the job counts of the sweep being followed.
progress_sweep=""
progress_probe() {
  local f
  for f in "$tmp"/log/*.log "$tmp"/run*/*.log; do
    [ -e "$f" ] && echo "${f#"$tmp"/}: $(wc -c <"$f") bytes"
  done
  [ "$slurm_up" = 0 ] || squeue -h -t all -o '%A %T' 2>/dev/null
  [ -z "$progress_sweep" ] || status_text "$progress_sweep" 2>/dev/null
}

# ---- a private single-node Slurm ----
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_slurm() {
  mkdir -p "$tmp"/{etc,state,spool,log,gpu}
  # Fake GPUs: gres.conf wants character devices; Slurm then allocates and hides them like real
  # ones (CUDA_VISIBLE_DEVICES per job), though nothing can compute on them.
  ln -s /dev/null "$tmp/gpu/nvidia0"
  ln -s /dev/zero "$tmp/gpu/nvidia1"
  # munged with its own key and socket, so that a system munged (if any) is left alone.
  install -d -o munge -g munge -m 755 "$tmp/munge"
  head -c 1024 /dev/urandom >"$tmp/munge/munge.key"
  chown munge:munge "$tmp/munge/munge.key"
  chmod 600 "$tmp/munge/munge.key"
  local ctld_port slurmd_port
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
  # 4 CPUs on 2 cores (config_overrides): coordinator + 2 workers with one CPU each fit, and the
  # node does not go INVAL. CR_Core without memory: no job is refused for its memory.
  cat >"$SLURM_CONF" <<EOF
ClusterName=$cluster
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
KillWait=5
MpiDefault=none
MailProg=/bin/true
SchedulerParameters=batch_sched_delay=0
SlurmdParameters=config_overrides
GresTypes=gpu
NodeName=localhost NodeAddr=127.0.0.1 CPUs=4 RealMemory=1000 Gres=gpu:2 State=UNKNOWN
PartitionName=cpu Nodes=ALL Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=ALL MaxTime=INFINITE State=UP
EOF
  cat >"$tmp/etc/gres.conf" <<EOF
AutoDetect=off
NodeName=localhost Name=gpu File=$tmp/gpu/nvidia[0-1]
EOF
  runuser -u munge -- munged -F --socket="$tmp/munge/munge.socket" --key-file="$tmp/munge/munge.key" \
    --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/log/munged.log" \
    --seed-file="$tmp/munge/munged.seed" >>"$tmp/log/munged.log" 2>&1 &
  daemon_pids+=("$!")
  wait_for "munged's socket" test -S "$tmp/munge/munge.socket"
  slurmctld -D -f "$SLURM_CONF" >>"$tmp/log/slurmctld.out.log" 2>&1 &
  daemon_pids+=("$!")
  slurm_up=1
  slurmd -D -f "$SLURM_CONF" -N localhost >>"$tmp/log/slurmd.out.log" 2>&1 &
  daemon_pids+=("$!")
  node_idle() { [ "$(sinfo -h -n localhost -o %T 2>/dev/null | head -n 1)" = idle ]; }
  wait_for "the node to be idle (sinfo)" node_idle
  log "Slurm cluster $cluster up (slurmctld :$ctld_port, slurmd :$slurmd_port)"
}

# ---- helpers on jobs and sweeps ----
job_state() { squeue -h -t all -j "$1" -o %T 2>/dev/null | head -n 1; }
queue_empty() { [ -z "$(squeue -h -o %A 2>/dev/null)" ]; }
job_running() { [ "$(job_state "$1")" = RUNNING ]; }

status_text() { "$augsweep" status "$1" 2>>"$tmp/cli.err"; }
sweep_state() { status_text "$1" | head -n 1 | awk '{print $NF}'; }

wait_succeeded() {
  progress_sweep=$1
  wait_for "sweep $1 to succeed" sweep_succeeded "$1"
  progress_sweep=""
}

# The result-table checks shared with the other shell tests (tests/integration/result_rows.py).
check_rows() { /usr/bin/python3 "$root/tests/integration/result_rows.py" check "$@" || fail "result rows are wrong"; }

# finished_jobs LOG...: "generate eda fold 0" etc., one line per job a worker finished.
finished_jobs() { grep -hE ': (generate|train) .* done in ' "$@" | sed -E 's/^[^:]*: //; s/ done in .*$//'; }

# expect_submit_fails CODE PATTERN WHAT ARGS...: slurm/submit ARGS exits CODE (within 10 minutes:
# a hard cap far above its normal seconds), says PATTERN on stderr, and leaves nothing queued or
# running.
expect_submit_fails() {
  local want=$1 pattern=$2 what=$3
  shift 3
  local got=0 start=$SECONDS
  timeout 600 "$submit" "$@" >"$tmp/out" 2>"$tmp/submit.err" || got=$?
  [ "$got" = "$want" ] || { cat "$tmp/submit.err" >&2; fail "$what: exit $got, expected $want"; }
  grep -qE -- "$pattern" "$tmp/submit.err" ||
    { cat "$tmp/submit.err" >&2; fail "$what: stderr does not match /$pattern/"; }
  [ ! -s "$tmp/out" ] || fail "$what: printed on stdout: $(cat "$tmp/out")"
  wait_for "an empty queue after: $what" queue_empty
  log "$what: exit $got after $((SECONDS - start)) s: $(grep -E -- "$pattern" "$tmp/submit.err" | head -n 1)"
}

# fake_bin NAME SCRIPT: a bin dir with the real augsweep and augsweep-worker and a fake
# augsweep-coordinator running SCRIPT (bash; "$address_file" is its --address-file); its
# --init-credentials is the real one's.
fake_bin() {
  local dir=$tmp/fake-$1
  mkdir -p "$dir/cli" "$dir/worker" "$dir/coordinator"
  ln -s "$augsweep" "$dir/cli/augsweep"
  ln -s "$build/worker/augsweep-worker" "$dir/worker/augsweep-worker"
  cat >"$dir/coordinator/augsweep-coordinator" <<EOF
#!/usr/bin/env bash
[ "\$1" != --init-credentials ] || exec "$build/coordinator/augsweep-coordinator" "\$@"
while [ \$# -gt 0 ]; do [ "\$1" = --address-file ] && address_file=\$2; shift; done
$2
EOF
  chmod +x "$dir/coordinator/augsweep-coordinator"
  echo "$dir"
}

# ---- the settings this single node needs; everything else is slurm/submit's defaults ----
export AUGSWEEP_BIN_DIR=$build
# The fake GPUs are allocated like real ones, but the workers compute on the CPU.
export AUGSWEEP_DEVICE=cpu
export AUGSWEEP_COORDINATOR_CPUS=1 AUGSWEEP_WORKER_CPUS=1
# One node: loopback always works, while this machine's hostname may not resolve.
export AUGSWEEP_LISTEN_HOST=127.0.0.1
# A slow, shared CI machine: generous.
export AUGSWEEP_START_TIMEOUT=900
# Jobs get no environment from here, as on clusters that set it: the scripts use absolute paths.
export SBATCH_EXPORT=NONE

start_slurm

# ---- 1. bad input ----
specs=$tmp/specs
mkdir -p "$specs"
sed -e 's/^temperatures:/tempratures:/' -e "s#\.\./\.\./examples/data/#$root/examples/data/#" \
  "$root/tests/integration/quick.yaml" >"$specs/typo.yaml"
quick=$root/tests/integration/quick.yaml
common=(--coordinator-partition cpu --worker-partition gpu)

"$submit" "$quick" --dry-run --run-dir "$tmp/dry" --workers 3 --account acct --qos high \
  "${common[@]}" >"$tmp/dry.out" 2>"$tmp/submit.err" || fail "--dry-run failed"
for want in "sbatch --parsable --job-name augsweep-coordinator --partition cpu --account acct --qos high" \
  "--array 0-2 --partition gpu --account acct --qos high" "--gres gpu:1" \
  "--dependency after:\$COORDINATOR_JOB" "augsweep submit $quick"; do
  grep -qF -- "$want" "$tmp/dry.out" || { cat "$tmp/dry.out" >&2; fail "--dry-run does not print: $want"; }
done
queue_empty || fail "--dry-run queued a job"
[ ! -e "$tmp/dry" ] || fail "--dry-run created the run dir"
log "--dry-run prints the sbatch commands and queues nothing"

expect_submit_fails 2 "nope.yaml: no such file" "a missing spec" "$specs/nope.yaml" --run-dir "$tmp/bad"
expect_submit_fails 2 "typo\\.yaml:[0-9]+: tempratures: unknown key" "a misspelt key" \
  "$specs/typo.yaml" --run-dir "$tmp/bad"
expect_submit_fails 2 "no augsweep in --bin-dir" "no programs" "$quick" \
  --run-dir "$tmp/bad" --bin-dir "$tmp/specs"
expect_submit_fails 1 "coordinator job [0-9]+ ended \\(FAILED\\) before it wrote" \
  "a coordinator job that fails" "$quick" --run-dir "$tmp/bad1" --workers 1 "${common[@]}" \
  --bin-dir "$(fake_bin fails 'echo "fake coordinator: cannot open the store" >&2; exit 1')"
grep -q "fake coordinator: cannot open the store" "$tmp/submit.err" ||
  fail "slurm/submit does not show the end of the failed coordinator's log"
expect_submit_fails 1 "wrote no address to .* within 10 s" "a coordinator that never listens" \
  "$quick" --run-dir "$tmp/bad2" --workers 1 --start-timeout 10 "${common[@]}" \
  --bin-dir "$(fake_bin silent 'exec sleep 600')"
# A port that was free a moment ago and has no listener.
dead_address=127.0.0.1:$(free_port)
expect_submit_fails 1 "cannot reach the coordinator at $dead_address" "an unreachable coordinator" \
  "$quick" --run-dir "$tmp/bad3" --workers 1 "${common[@]}" \
  --bin-dir "$(fake_bin unreachable "echo $dead_address >\"\$address_file\"; exec sleep 600")"
grep -q "cancelling the jobs this run launched" "$tmp/submit.err" ||
  fail "slurm/submit did not cancel its jobs after the failed submit"

# The worker script on its own (no Slurm needed): no credentials, no GPU allocated, no
# coordinator ever.
worker_script=$root/slurm/augsweep-worker.sbatch
got=0
"$worker_script" --run-dir "$tmp/bad4" --bin-dir "$build" --device cpu 2>"$tmp/worker.err" || got=$?
if [ "$got" != 2 ] || ! grep -q "no worker credentials in $tmp/bad4/credentials/worker" "$tmp/worker.err"; then
  cat "$tmp/worker.err" >&2
  fail "worker script without credentials: exit $got"
fi
"$build/coordinator/augsweep-coordinator" --init-credentials "$tmp/bad4/credentials" >/dev/null
got=0
env -u CUDA_VISIBLE_DEVICES "$worker_script" --run-dir "$tmp/bad4" --bin-dir "$build" \
  --device cuda 2>"$tmp/worker.err" || got=$?
if [ "$got" != 2 ] || ! grep -q "Slurm allocated no GPU" "$tmp/worker.err"; then
  cat "$tmp/worker.err" >&2
  fail "worker script with --device cuda and no GPU: exit $got"
fi
got=0
timeout 600 "$worker_script" --run-dir "$tmp/bad4" --bin-dir "$build" --device cpu \
  --address-timeout 2 2>"$tmp/worker.err" || got=$?
if [ "$got" != 1 ] || ! grep -q "no coordinator address in .* for 2 s" "$tmp/worker.err"; then
  cat "$tmp/worker.err" >&2
  fail "worker script without a coordinator: exit $got"
fi
log "worker script: clear exits without credentials, a GPU or a coordinator"

# ---- 2. a sweep as the README runs it ----
# The bundled demo (examples/demo.yaml), as the README runs it: its EDA and stories260K
# generators, the TF-IDF and tiny BERT classifiers, 85 jobs on the two worker tasks.
demo=$root/examples/demo.yaml
run=$tmp/run1
log "submitting examples/demo.yaml"
SWEEP=$("$submit" "$demo" --run-dir "$run" --workers 2 \
  --coordinator-partition cpu --worker-partition gpu 2>"$tmp/submit.err") ||
  { cat "$tmp/submit.err" >&2; fail "slurm/submit examples/demo.yaml failed"; }
cat "$tmp/submit.err"
[[ $SWEEP =~ ^sw-[0-9a-f]+$ ]] || fail "slurm/submit printed '$SWEEP', not a sweep id"
grep -qF "$augsweep status $SWEEP" "$tmp/submit.err" || fail "slurm/submit did not print the status command"
grep -qF "scancel \$(cat $run/workers.jobid $run/coordinator.jobid)" "$tmp/submit.err" ||
  fail "slurm/submit did not print the scancel command"
coordinator_job=$(cat "$run/coordinator.jobid")
workers_job=$(cat "$run/workers.jobid")
AUGSWEEP_COORDINATOR=$(cat "$run/coordinator.address")
export AUGSWEEP_COORDINATOR AUGSWEEP_CREDENTIALS=$run/credentials/client
grep -q "listening on .* (TLS, tokens)" "$run/coordinator-$coordinator_job.log" ||
  fail "the coordinator job does not serve TLS with tokens"
log "sweep $SWEEP: coordinator job $coordinator_job at $AUGSWEEP_COORDINATOR, workers ${workers_job}_0-1"
wait_for "worker task 0 running" job_running "${workers_job}_0"
wait_for "worker task 1 running" job_running "${workers_job}_1"
wait_succeeded "$SWEEP"
log "sweep $SWEEP SUCCEEDED"
"$augsweep" status "$SWEEP"
"$augsweep" results "$SWEEP" --format markdown
"$augsweep" results "$SWEEP" --format json >"$tmp/results1.json" || fail "augsweep results failed"
check_rows "$tmp/results1.json" 5 18
# (That the distributed table equals one process's, fold AUCs bit for bit, is
# tests/integration/distributed_test.sh's job: here it would cost a second demo run.)
# Each task got its own fake GPU from Slurm (--gres=gpu:1), as the worker script logs.
gpus=()
for task in 0 1; do
  worker_log=$run/worker-${workers_job}_$task.log
  grep -q " done in " "$worker_log" || fail "worker task $task ran no job"
  gpu=$(grep -oE 'CUDA_VISIBLE_DEVICES=[^ ,]+' "$worker_log" | head -n 1)
  gpus+=("${gpu#CUDA_VISIBLE_DEVICES=}")
done
[ "$(printf '%s\n' "${gpus[@]}" | sort | tr '\n' ' ')" = "0 1 " ] ||
  fail "the worker tasks did not get one GPU each from Slurm: CUDA_VISIBLE_DEVICES ${gpus[*]}"
# The README's way to stop: every job ends, the programs exit cleanly.
# shellcheck disable=SC2046
scancel $(cat "$run/workers.jobid" "$run/coordinator.jobid")
wait_for "the jobs of run 1 to end" queue_empty
grep -q "augsweep-coordinator exited with status 0" "$run/coordinator-$coordinator_job.log" ||
  fail "the coordinator did not stop cleanly on scancel"
for task in 0 1; do
  grep -q "the worker exited with status 0" "$run/worker-${workers_job}_$task.log" ||
    fail "worker task $task did not stop cleanly on scancel"
done
[ ! -e "$run/coordinator.address" ] || fail "the stopped coordinator left its address file"
log "run 1 stopped by scancel"
# Private at rest, though this test runs with umask 022: the run dir, its credentials, the store
# and the job logs are the user's alone, and no log holds a survey text.
open_files=$(find "$run" -perm /077 | head -n 5)
[ -z "$open_files" ] || fail "open to group or others in the run dir: $open_files"
/usr/bin/python3 "$root/tests/integration/texts_in_logs.py" "$root/examples/data/wordnet-themes.csv" \
  "$run"/*.log >/dev/null || fail "a job log holds survey text"
log "run 1: nothing in the run dir is open to others; no survey text in its logs"

# ---- 3. one worker task scancelled mid-job ----
# tests/integration/slow.yaml, not the demo again: 9 jobs whose train jobs take seconds each, so
# the scancel lands in the middle of one (it is sent within a fraction of a second of the job's
# start), and the whole sweep takes well under a minute where the demo takes minutes.
run=$tmp/run2
SWEEP=$("$submit" "$root/tests/integration/slow.yaml" --run-dir "$run" --workers 2 \
  --coordinator-partition cpu --worker-partition gpu 2>"$tmp/submit.err") ||
  { cat "$tmp/submit.err" >&2; fail "slurm/submit slow.yaml failed"; }
workers_job=$(cat "$run/workers.jobid")
AUGSWEEP_COORDINATOR=$(cat "$run/coordinator.address")
export AUGSWEEP_COORDINATOR AUGSWEEP_CREDENTIALS=$run/credentials/client
log "sweep $SWEEP submitted (slow.yaml), workers ${workers_job}_0-1"
# mid_train_job TASK: true when the task's last job line is the start of a train job.
mid_train_job() {
  local last
  last=$(grep -E ': (train|generate) .*(\(attempt [0-9]+\)$| done in )' \
    "$run/worker-${workers_job}_$1.log" 2>/dev/null | tail -n 1) || return 1
  [[ $last =~ :\ train\ .*\(attempt\ [0-9]+\)$ ]]
}
victim=""
find_victim() {
  local task
  for task in 0 1; do
    if mid_train_job "$task"; then victim=$task; return 0; fi
  done
  return 1
}
wait_for "a worker task running a train job" find_victim
other=$((1 - victim))
victim_log=$run/worker-${workers_job}_$victim.log
other_log=$run/worker-${workers_job}_$other.log
victim_job=$(grep -E ': train .*\(attempt [0-9]+\)$' "$victim_log" | tail -n 1 |
  sed -E 's/^[^:]*: //; s/ \(attempt [0-9]+\)$//')
scancel "${workers_job}_$victim"
log "scancel ${workers_job}_$victim during: $victim_job"
victim_cancelled() { [ "$(job_state "${workers_job}_$victim")" = CANCELLED ]; }
wait_for "worker task $victim CANCELLED" victim_cancelled
! finished_jobs "$victim_log" | grep -xF "$victim_job" >/dev/null ||
  fail "worker task $victim finished \"$victim_job\" before the scancel reached it (slow machine?)"
# Handed back and acknowledged: the job is ready again at once, no lease has to expire.
grep "gave back " "$victim_log" | grep -v "not acknowledged" >/dev/null ||
  fail "worker task $victim did not give its lease back"
wait_succeeded "$SWEEP"
log "sweep $SWEEP SUCCEEDED on the remaining worker"
grep -qF ": $victim_job (attempt" "$other_log" ||
  fail "worker task $other did not run \"$victim_job\" again"
"$augsweep" results "$SWEEP" --format json >"$tmp/results2.json" || fail "augsweep results failed"
check_rows "$tmp/results2.json" 3 2
# The cancelled task cost at most the job in flight: 9 unique jobs, each finished exactly once.
finished_jobs "$victim_log" "$other_log" | sort >"$tmp/finished"
if [ "$(wc -l <"$tmp/finished")" != 9 ] || [ -n "$(uniq -d "$tmp/finished")" ]; then
  cat "$tmp/finished" >&2
  fail "expected 9 jobs finished once each"
fi
# shellcheck disable=SC2046
scancel $(cat "$run/workers.jobid" "$run/coordinator.jobid")
wait_for "the jobs of run 2 to end" queue_empty
log "ok"
