#!/usr/bin/env bash
# A sweep with a transformer classifier (kind bert, the demo's tiny BERT) through `augsweep run`:
# every cell has a fold AUC per fold from the store, the same spec run again reuses every job
# (the results are read back from RocksDB), a fresh run reproduces the AUCs (seeded fine-tuning),
# and a classifier kind that does not match
# its model folder fails with a message naming both.
#
# usage: transformer_sweep_test.sh AUGSWEEP SOURCE_DIR
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 AUGSWEEP SOURCE_DIR" >&2
  exit 2
fi
augsweep=$(realpath "$1")
root=$(realpath "$2")
spec="$root/tests/integration/transformer.yaml"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/augsweep-transformer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "transformer sweep test: $*" >&2
  for f in "$tmp"/*.err; do [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done
  exit 1
}

# 1. The sweep runs; its rows carry one AUC per fold.
"$augsweep" run "$spec" --workers 2 --data-dir "$tmp/data" --format json >"$tmp/first.json" \
  2>"$tmp/first.err" || fail "augsweep run failed"
python3 - "$tmp/first.json" <<'PY' || fail "unexpected result rows"
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
bert = [r for r in rows if r["classifier"] == "tiny-bert"]
assert len(bert) == 2, rows                      # the baseline and eda n=10
for r in bert:
    assert r["folds"] == 3 and len(r["fold_aucs"]) == 3, r
    assert all(0.0 <= a <= 1.0 for a in r["fold_aucs"]), r
    assert 0.0 < r["mean_auc"] < 1.0, r
print("rows ok:", [(r["generator"], r["augment_count"], round(r["mean_auc"], 3)) for r in bert])
PY

same_rows() { python3 "$root/tests/integration/result_rows.py" same "$1" "$2"; }

# 2. Run again on the same data dir: every job is reused, the rows are identical.
"$augsweep" run "$spec" --workers 2 --data-dir "$tmp/data" --format json >"$tmp/second.json" \
  2>"$tmp/second.err" || fail "second augsweep run failed"
grep -q "(9 already done)" "$tmp/second.err" || fail "the second run did not reuse every job"
same_rows "$tmp/first.json" "$tmp/second.json" || fail "the second run's results differ"

# 3. On a fresh data dir: fine-tuning is seeded, so the same AUCs come out. (Same --workers, so
# the same CPU threads per job: another thread count sums floats in another order, which moves
# AUCs in the third decimal.)
"$augsweep" run "$spec" --workers 2 --data-dir "$tmp/data3" --format json >"$tmp/third.json" \
  2>"$tmp/third.err" || fail "third augsweep run failed"
same_rows "$tmp/first.json" "$tmp/third.json" || fail "a fresh run gave other AUCs"

# 4. kind roberta pointed at a BERT folder: the job fails and says why.
sed 's/kind: bert/kind: roberta/' "$spec" >"$tmp/wrong-kind.yaml"
sed -i "s#\.\./\.\./#$root/#" "$tmp/wrong-kind.yaml"
set +e
"$augsweep" run "$tmp/wrong-kind.yaml" --workers 1 --data-dir "$tmp/data2" >"$tmp/wrong.out" \
  2>"$tmp/wrong.err"
rc=$?
set -e
[ "$rc" != 0 ] || fail "a roberta classifier on a BERT folder succeeded"
grep -q "holds a bert model" "$tmp/wrong.out" "$tmp/wrong.err" ||
  fail "the failure does not say the folder holds a bert model"
echo "transformer sweep test: ok"
