#!/usr/bin/env bash
# Checks the include rules of docs/ARCHITECTURE.md ("Include rules"); CI runs it. Prints every
# include that breaks one and exits 1 if there is any.
#   - common/ includes neither coordinator/, worker/ nor cli/;
#   - coordinator/ and worker/ never include each other (nor cli/);
#   - worker/runtime/ includes only itself, common's base (common/*.h) and common/safetensors/,
#     and no gRPC, RocksDB, Abseil, YAML, RE2, protobuf or generated protocol headers;
#   - rpc/ includes neither coordinator/, worker/ nor cli/;
#   - security/ includes none of those and no gRPC (rpc/ builds on it, not the reverse);
#   - coordinator/scheduler/ includes no service message and no gRPC.
set -euo pipefail
cd "$(dirname "$0")/.."

broken=0
# check DIR PATTERN ALLOWED WHY: an #include line under DIR that matches the extended regex
# PATTERN and not ALLOWED (a regex; "" allows nothing) breaks the rule WHY.
check() {
  local dir=$1 pattern=$2 allowed=$3 why=$4 hits
  hits=$(git ls-files -- "$dir" | grep -E '\.(h|cc)$' | xargs -r grep -nE "^#include $pattern" || true)
  if [ -n "$allowed" ] && [ -n "$hits" ]; then hits=$(grep -vE "$allowed" <<<"$hits" || true); fi
  if [ -n "$hits" ]; then
    echo "check-includes: $why:" >&2
    printf '%s\n' "$hits" | sed 's/^/  /' >&2
    broken=$((broken + 1))
  fi
}

check common '"(coordinator|worker|cli)/' "" "common/ includes neither coordinator/, worker/ nor cli/"
check coordinator '"(worker|cli)/' "" "coordinator/ includes neither worker/ nor cli/"
check worker '"(coordinator|cli)/' "" "worker/ includes neither coordinator/ nor cli/"
check worker/runtime '"worker/' '"worker/runtime/' "worker/runtime/ includes nothing else of worker/"
check worker/runtime '"common/[^"]*/' '"common/safetensors/' \
  "worker/runtime/ uses common's base and common/safetensors/ only"
check worker/runtime '[<"](augsweep/v1/|grpc|grpcpp/|rocksdb/|absl/|yaml-cpp/|re2/|google/protobuf/)' "" \
  "worker/runtime/ builds with libtorch alone (no protocol, gRPC, RocksDB, Abseil, YAML, RE2)"
check rpc '"(coordinator|worker|cli)/' "" "rpc/ is shared by coordinator, worker and CLI and includes none of them"
check security '[<"](coordinator/|worker/|cli/|rpc/|grpc|grpcpp/)' "" \
  "security/ knows files, tokens and certificates only: no gRPC, no rpc/ (which builds on it)"
check coordinator/scheduler '[<"](augsweep/v1/[a-z_]*service|grpc|grpcpp/|coordinator/service/)' "" \
  "coordinator/scheduler/ speaks its own types: no service message, no gRPC (the service layer converts)"

if [ "$broken" -gt 0 ]; then
  echo "check-includes: $broken rule(s) broken (docs/ARCHITECTURE.md, \"Include rules\")" >&2
  exit 1
fi
echo "check-includes: the include rules hold"
