#!/usr/bin/env bash
# `augsweep golden-check` as a user runs it: the decoder and classifier golden fixtures pass (exit
# 0, one line per check with its largest difference), a golden file with one logit or one token id
# changed fails (exit 1, naming the check), and bad input exits 2. Then the same command line as
# the runtime-only program augsweep-golden-check (what bench/gpu-check.sh runs on a GPU machine).
#
# usage: golden_check_test.sh AUGSWEEP AUGSWEEP_GOLDEN_CHECK SOURCE_DIR
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 AUGSWEEP AUGSWEEP_GOLDEN_CHECK SOURCE_DIR" >&2
  exit 2
fi
augsweep=$(realpath "$1")
standalone=$(realpath "$2")
root=$(realpath "$3")
tiny="$root/tests/fixtures/hf-tiny/llama"
stories="$root/tests/fixtures/hf-real/stories260K"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/augsweep-golden-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "golden check test: $*" >&2
  echo "--- stdout" >&2; cat "$tmp/out" >&2
  echo "--- stderr" >&2; cat "$tmp/err" >&2
  exit 1
}

# expect_exit CODE ARGS...: runs augsweep golden-check ARGS, output in $tmp/out and $tmp/err.
# One thread: these models are tiny, and a thread team spin-waits badly when ctest runs other
# tests beside this one.
golden_check=("$augsweep" golden-check)
expect_exit() {
  local want=$1
  shift
  set +e
  "${golden_check[@]}" --threads 1 "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  set -e
  cat "$tmp/out"
  [ "$got" = "$want" ] || fail "expected exit $want, got $got from: golden-check $*"
}

expect_out() { grep -qE -- "$1" "$tmp/out" || fail "stdout lacks /$1/"; }
expect_err() { grep -qE -- "$1" "$tmp/err" || fail "stderr lacks /$1/"; }

# 1. The fixtures pass, and every check prints its largest difference.
expect_exit 0 --model "$tiny" --golden "$tiny/golden.json"
expect_out "schema hf-causal-lm"
expect_out '^PASS +batches\[right_padded\]\.logits +max \|diff\| [0-9.e+-]+ +\(tolerance 0\.0001\)'
expect_out '^PASS +batches\[right_padded\]\.hidden_states\[2\] +max \|diff\| '
expect_out '^PASS +greedy\.new_token_ids +mismatches 0 '
expect_out '^PASS +greedy_batch_left_padded\.new_token_ids '
expect_out '^golden-check: 13 checks, 0 failed$'
! grep -q '^FAIL' "$tmp/out" || fail "a check failed on the untouched fixture"

expect_exit 0 --model "$stories" --golden "$stories/golden.json" --tolerance 1e-4
expect_out "schema llama2c-cases"
expect_out '^PASS +cases\[1\]\.greedy_continuation_ids +mismatches 0 .*252 ids identical'
expect_out '^PASS +cases\[5\]\.logits_pos0_4 +max \|diff\| [0-9.e+-]+ '
expect_out '^golden-check: 20 checks, 0 failed$'

# The encoder classifiers' fixtures (logits at 1e-5, XLNet 1e-4, as the classifier issue asks).
for family in bert roberta distilbert xlnet; do
  tolerance=1e-5
  [ "$family" = xlnet ] && tolerance=1e-4
  dir="$root/tests/fixtures/hf-tiny/$family"
  expect_exit 0 --model "$dir" --golden "$dir/golden.json" --tolerance "$tolerance"
  expect_out "schema hf-sequence-classification"
  expect_out '^PASS +train_step\.logits_after_step +max \|diff\| '
  expect_out '^golden-check: [0-9]+ checks, 0 failed$'
done

# 2. One logit changed (the first of batches[0], a real position): exit 1, that check fails.
sed 's/"logits":\[\[\[[-0-9.e]*/"logits":[[[123.0/' "$tiny/golden.json" >"$tmp/logit.json"
cmp -s "$tmp/logit.json" "$tiny/golden.json" && fail "sed did not change a logit"
expect_exit 1 --model "$tiny" --golden "$tmp/logit.json"
expect_out '^FAIL +batches\[right_padded\]\.logits +max \|diff\| 122 '
expect_out 'batches\[0\]\.logits\[0\]\[0\]\[0\]: ours 0\.73'
expect_out '^PASS +batches\[no_padding\]\.logits '
expect_out '^golden-check: 13 checks, 1 failed$'
# ... unless the tolerance allows it.
expect_exit 0 --model "$tiny" --golden "$tmp/logit.json" --tolerance 200

# 3. One token id changed: the last of stories' first continuation (the last id is not an input of
# the argmax_per_position forward, so exactly one check must fail): exit 1.
ids=$(grep -o '"greedy_continuation_ids":\[[0-9,]*\]' "$stories/golden.json" | head -1)
last=$(grep -o '[0-9]*\]$' <<<"$ids" | tr -d ']')
count=$(grep -o '[0-9]\+' <<<"$ids" | wc -l)
other=$(((last + 1) % 512))
sed "s/\(\"greedy_continuation_ids\":\[[0-9,]*,\)$last\]/\1$other]/" "$stories/golden.json" >"$tmp/token.json"
cmp -s "$tmp/token.json" "$stories/golden.json" && fail "sed did not change a token id"
expect_exit 1 --model "$stories" --golden "$tmp/token.json"
expect_out "^FAIL +cases\[0\]\.greedy_continuation_ids +mismatches 1 .*index $((count - 1)): ours $last, reference $other"
expect_out '^PASS +cases\[0\]\.argmax_per_position '
expect_out '^PASS +cases\[1\]\.greedy_continuation_ids '
expect_out '^golden-check: 20 checks, 1 failed$'
# --no-strict-ids (half precision on a GPU may flip near-ties): reported, not failed.
expect_exit 0 --model "$stories" --golden "$tmp/token.json" --no-strict-ids
expect_out "^DIFF +cases\[0\]\.greedy_continuation_ids +mismatches 1 +\(reported\)"
expect_out '^golden-check: 20 checks, 0 failed, 1 with other token ids \(not counted\)$'

# 4. Bad input: exit 2 with one line naming the problem.
expect_exit 2 --model "$tiny" --golden "$root/tests/fixtures/tokenizers/gpt2-bpe/golden.json"
expect_err "gpt2-bpe/golden.json: unknown golden schema"
expect_exit 2 --model "$tiny" --golden "$tmp/absent.json"
expect_err "absent.json"
printf '{"batches": [' >"$tmp/truncated.json"
expect_exit 2 --model "$tiny" --golden "$tmp/truncated.json"
expect_err "truncated.json: not valid JSON"
expect_exit 2 --model "$tmp/no-model" --golden "$tiny/golden.json"
expect_err "no-model"
expect_exit 2 --golden "$tiny/golden.json"
expect_exit 2 --model "$tiny" --golden "$tiny/golden.json" --tolerance=-1
expect_exit 0 --help
expect_out "golden-check --model DIR --golden FILE"
# Mixed precision for a classifier is CUDA's: on the CPU a clear refusal.
bert="$root/tests/fixtures/hf-tiny/bert"
expect_exit 2 --model "$bert" --golden "$bert/golden.json" --dtype bfloat16
expect_err 'autocast_dtype: "bfloat16" needs a CUDA device'

# 5. The runtime-only program: the same command line, named as itself.
golden_check=("$standalone")
expect_exit 0 --model "$tiny" --golden "$tiny/golden.json"
expect_out '^golden-check: 13 checks, 0 failed$'
dir="$root/tests/fixtures/hf-tiny/xlnet"
expect_exit 0 --model "$dir" --golden "$dir/golden.json" --tolerance 1e-4
expect_out '^golden-check: [0-9]+ checks, 0 failed$'
expect_exit 2 --model "$tiny" --golden "$tmp/absent.json"
expect_err "^augsweep-golden-check: .*absent.json"
expect_exit 0 --help
expect_out "^usage: augsweep-golden-check --model DIR --golden FILE"

echo "golden check test: ok"
