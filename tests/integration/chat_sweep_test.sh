#!/usr/bin/env bash
# A sweep whose generator uses prompt_format: chat (tests/integration/chat.yaml) through
# `augsweep run`: the chat generator's row has an AUC per fold, and a second run on the same
# data dir reuses every job (chat generation is reproducible).
#
# usage: chat_sweep_test.sh AUGSWEEP SOURCE_DIR
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 AUGSWEEP SOURCE_DIR" >&2
  exit 2
fi
augsweep=$(realpath "$1")
root=$(realpath "$2")
spec="$root/tests/integration/chat.yaml"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/augsweep-chat.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "chat sweep test: $*" >&2
  for f in "$tmp"/*.err; do [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done
  exit 1
}

"$augsweep" run "$spec" --workers 2 --data-dir "$tmp/data" --format json >"$tmp/first.json" \
  2>"$tmp/first.err" || fail "augsweep run failed"
python3 - "$tmp/first.json" <<'PY' || fail "unexpected result rows"
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
chat = [r for r in rows if r["generator"] == "tiny-chat"]
assert len(chat) == 1 and chat[0]["augment_count"] == 5, rows
assert chat[0]["folds"] == 2 and len(chat[0]["fold_aucs"]) == 2, chat
assert all(0.0 <= a <= 1.0 for a in chat[0]["fold_aucs"]), chat
print("chat row ok:", round(chat[0]["mean_auc"], 3))
PY

"$augsweep" run "$spec" --workers 2 --data-dir "$tmp/data" --format json >"$tmp/second.json" \
  2>"$tmp/second.err" || fail "second augsweep run failed"
grep -q "already done)" "$tmp/second.err" || fail "the second run did not reuse the jobs"
python3 "$root/tests/integration/result_rows.py" same "$tmp/first.json" "$tmp/second.json" ||
  fail "the second run's results differ"
echo "chat sweep test: ok"
