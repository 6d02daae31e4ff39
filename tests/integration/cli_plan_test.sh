#!/usr/bin/env bash
# `augsweep plan` on the bundled example, and its exit codes on bad input (0 ok, 2 bad input).
set -euo pipefail
augsweep="$1"
root="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$("$augsweep" plan "$root/examples/demo.yaml")
echo "$out"
grep -q "dataset: 120 examples, 5 themes" <<<"$out"
# eda shares its generation across temperatures; stories260K does not.
grep -q "plan: 120 grid cells (200 jobs if each ran alone) -> 85 unique jobs: 15 generate, 70 train/eval (10 baselines)" <<<"$out"

# The filter experiment: the same generations, a filter job per generation for "checked", and
# train jobs for both filters ("none" reuses the demo's own).
out=$("$augsweep" plan "$root/examples/demo-filters.yaml")
grep -q "grid: 2 generator(s) x 2 temperature(s) x 2 filter(s) x 3 augment count(s)" <<<"$out"
grep -q "plan: 240 grid cells (480 jobs if each ran alone) -> 160 unique jobs: 15 generate, 15 filter, 130 train/eval (10 baselines)" <<<"$out"

expect_exit() {
  local want=$1; shift
  set +e
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  set -e
  if [ "$got" != "$want" ]; then
    echo "expected exit $want, got $got from: $*"; cat "$tmp/err"; exit 1
  fi
}

sed 's/folds: 5/folds: five/' "$root/examples/demo.yaml" >"$tmp/typo.yaml"
cp -r "$root/examples/data" "$root/examples/templates" "$tmp/"
ln -s "$(cd "$root/examples/models" && pwd)" "$tmp/models"
expect_exit 2 "$augsweep" plan "$tmp/typo.yaml"
grep -q "typo.yaml:13: cv.folds: expected an integer from 2 to 100, got \"five\"" "$tmp/err"
[ "$(wc -l <"$tmp/err")" = 1 ] || { echo "error must be one line"; cat "$tmp/err"; exit 1; }

expect_exit 2 "$augsweep" plan "$tmp/absent.yaml"
expect_exit 2 "$augsweep" frobnicate
printf 'id,text,themes\n1,fine,body\n2,,body\n' >"$tmp/data/wordnet-themes.csv"
sed 's/folds: 5/folds: 2/' "$root/examples/demo.yaml" >"$tmp/empty_text.yaml"
expect_exit 2 "$augsweep" plan "$tmp/empty_text.yaml"
grep -q "row 2" "$tmp/err"

# Tunables: listed with their variables, and a bad value stops every command with exit 2 and one
# line naming the variable.
"$augsweep" tunables | grep -q "^AUGSWEEP_LEASE_MS=60000$" || { echo "tunables: no lease_ms"; exit 1; }
AUGSWEEP_LEASE_MS=7 "$augsweep" tunables | grep -q "^AUGSWEEP_LEASE_MS=7 (default 60000)$" ||
  { echo "tunables: the environment's value is not shown"; exit 1; }
expect_exit 2 env AUGSWEEP_HEARTBEAT_INTERVAL_MS=soon "$augsweep" plan "$root/examples/demo.yaml"
grep -q "AUGSWEEP_HEARTBEAT_INTERVAL_MS: expected a positive integer, got \"soon\"" "$tmp/err"
[ "$(wc -l <"$tmp/err")" = 1 ] || { echo "error must be one line"; cat "$tmp/err"; exit 1; }
# chat-template prints exactly what transformers' apply_chat_template renders (the fixture's
# golden, byte for byte, no newline added), and a template's refusal is exit 2 naming its line.
templates="$root/tests/fixtures/chat-templates"
python3 - "$templates" "$tmp" <<'PY'
import json, sys
root, tmp = sys.argv[1], sys.argv[2]
conversations = json.load(open(f"{root}/conversations.json", encoding="utf-8"))
json.dump(conversations["tricky_text"], open(f"{tmp}/messages.json", "w", encoding="utf-8"))
json.dump(conversations["bad_roles"], open(f"{tmp}/bad_roles.json", "w", encoding="utf-8"))
for case in json.load(open(f"{root}/qwen2.5-7b-instruct/golden.json", encoding="utf-8"))["cases"]:
    if case["conversation"] == "tricky_text" and case["add_generation_prompt"]:
        open(f"{tmp}/expected", "wb").write(case["output"].encode("utf-8"))
PY
"$augsweep" chat-template --model "$templates/qwen2.5-7b-instruct" --messages "$tmp/messages.json" \
  --add-generation-prompt >"$tmp/rendered"
cmp "$tmp/rendered" "$tmp/expected" || { echo "chat-template differs from the golden"; exit 1; }
expect_exit 2 "$augsweep" chat-template --model "$templates/mistral-nemo-instruct-2407" \
  --messages "$tmp/bad_roles.json"
grep -q "chat_template line [0-9]*: the chat template refused the conversation: After the optional" \
  "$tmp/err" || { echo "refusal not reported"; cat "$tmp/err"; exit 1; }
echo "cli plan test: ok"
