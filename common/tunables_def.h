// The table of augsweep's tunables: every timing and switch that a user may need to change,
// with its default and what it does, in one place (as Ray's ray_config_def.h). Each is
// overridden by the environment variable AUGSWEEP_<NAME> (its name in upper case), read once per
// process; `augsweep tunables` lists them with their values. Command-line flags that set the
// same thing (the coordinator's --lease-seconds) win over the environment.
//
// AUGSWEEP_TUNABLE(type, name, default, doc); type is int64_t or std::string.
// No include guard: common/tunables.h includes this file once per use of the macro.

// Coordinator: leases and workers.
AUGSWEEP_TUNABLE(
    int64_t, lease_ms, 60'000,
    "a lease that no heartbeat renews for this long expires and counts as a failed attempt")
AUGSWEEP_TUNABLE(int64_t, heartbeat_interval_ms, 5'000,
                 "how often workers heartbeat (told to them at registration); well below lease_ms")
AUGSWEEP_TUNABLE(int64_t, max_attempts, 3, "failed attempts before a job is FAILED")
AUGSWEEP_TUNABLE(int64_t, lease_wait_max_ms, 60'000,
                 "the longest a LeaseJob call waits for a job (long poll) before it answers empty")
AUGSWEEP_TUNABLE(int64_t, lease_expiry_period_ms, 250,
                 "how often the coordinator looks for expired leases")
AUGSWEEP_TUNABLE(int64_t, active_worker_window_ms, 60'000,
                 "a worker counts as active (status, ETA) while heard from within three heartbeats "
                 "plus this long")
AUGSWEEP_TUNABLE(int64_t, shutdown_grace_ms, 3'000,
                 "on SIGTERM the coordinator lets running calls finish for this long")

// Workers and clients: calls to the coordinator.
AUGSWEEP_TUNABLE(int64_t, lease_wait_ms, 1'000, "how long a worker's LeaseJob call asks to wait")
AUGSWEEP_TUNABLE(int64_t, rpc_call_deadline_ms, 30'000,
                 "deadline of one attempt of a call to the coordinator")
AUGSWEEP_TUNABLE(int64_t, rpc_retry_window_ms, 15 * 60'000,
                 "how long calls whose loss would cost work (register, lease, complete, fail, "
                 "artifacts) retry an unreachable coordinator: long enough for a requeued "
                 "coordinator job to come back")
AUGSWEEP_TUNABLE(int64_t, heartbeat_deadline_ms, 5'000,
                 "deadline of a heartbeat (one attempt: the next heartbeat is the retry)")
AUGSWEEP_TUNABLE(int64_t, give_back_deadline_ms, 1'000,
                 "how long a stopping worker tries to give its lease back before it exits anyway")

// The CPU kernels of worker/runtime (measured choices; see bench/README.md).
AUGSWEEP_TUNABLE(std::string, cpu_linear, "auto",
                 "the decoder's small-batch CPU matmul: auto (the widest ISA the CPU has), avx2, "
                 "or blas (libtorch's)")
AUGSWEEP_TUNABLE(std::string, cpu_attention, "auto",
                 "the decoder's CPU attention at decode time: auto (augsweep's fused kernel) or "
                 "torch (libtorch's ops)")
