#!/usr/bin/env bash
# Filters as a factor of the grid, end to end (tests/integration/filters.yaml): `augsweep run`
# gives a row per filter; each filter job's set accounts for every text of its generate job
# (kept or dropped by a named check); and a second run with only the duplicate threshold changed
# reuses every generate, baseline and unfiltered train job, running only the filter jobs and the
# filtered train jobs again.
#
# usage: filter_sweep_test.sh AUGSWEEP SOURCE_DIR
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 AUGSWEEP SOURCE_DIR" >&2
  exit 2
fi
augsweep=$(realpath "$1")
root=$(realpath "$2")
umask 077  # the texts below are the study's data
tmp=$(mktemp -d "${TMPDIR:-/tmp}/augsweep-filters.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "filter sweep test: $*" >&2
  for f in "$tmp"/*.err; do [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done
  exit 1
}

# The spec, with its dataset path made absolute so that edited copies can live in $tmp.
sed "s|path: ../../examples/|path: $root/examples/|" "$root/tests/integration/filters.yaml" \
  >"$tmp/filters.yaml"

"$augsweep" run "$tmp/filters.yaml" --workers 2 --data-dir "$tmp/data" --format json \
  >"$tmp/first.json" 2>"$tmp/first.err" || fail "augsweep run failed"
grep -q "35 unique jobs (0 already done)" "$tmp/first.err" ||
  fail "expected 35 jobs: 5 generate, 5 filter, 5 baselines, 20 train"
python3 - "$tmp/first.json" <<'PY' || fail "unexpected result rows"
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
keys = [(r["filter"], r["augment_count"]) for r in rows]
assert keys == [(None, 0), ("none", 10), ("none", 40), ("checked", 10), ("checked", 40)], keys
for r in rows:
    assert r["folds"] == 5 and r["planned_folds"] == 5, r
    assert r["failed_folds"] == 0 and r["pending_folds"] == 0, r
assert all(r["short_folds"] == 0 for r in rows if r["filter"] == "none"), rows
print("rows ok:", [(r["filter"], r["augment_count"], round(r["mean_auc"], 3), r["short_folds"])
                   for r in rows])
PY

sweep=$(grep -o 'sw-[0-9a-f]*' "$tmp/first.err" | head -1)
"$augsweep" texts "$sweep" --data-dir "$tmp/data" --format jsonl >"$tmp/texts.jsonl" \
  2>"$tmp/texts.err" || fail "augsweep texts failed"
"$augsweep" texts "$sweep" --data-dir "$tmp/data" --filter checked --limit 1 \
  >"$tmp/checked.txt" 2>"$tmp/checked.err" || fail "augsweep texts --filter failed"
grep -q "filter checked" "$tmp/checked.txt" || fail "the filtered listing names no filter"
if grep -q "filter none" "$tmp/checked.txt"; then fail "--filter checked listed another filter"; fi
python3 - "$tmp/texts.jsonl" <<'PY' || fail "the filter jobs' sets do not account for their texts"
import json, sys
jobs, texts = {}, {}
for line in open(sys.argv[1]):
    record = json.loads(line)
    if "job" in record:
        jobs[record["job"]["job_key"]] = record["job"]
    elif "text" in record:
        texts.setdefault(record["text"]["job_key"], []).append(record["text"])
filters = [j for j in jobs.values() if j["filter"]]
assert len(filters) == 5 and all(j["filter"] == "checked" for j in filters), jobs.keys()
assert sum(1 for j in jobs.values() if not j["filter"]) == 5
checks = {"sanity", "duplicates", "label_consistency"}
for job in filters:
    source = jobs[job["source_job"]]
    kept_by_theme = {t["theme"]: t["kept"] for t in source["themes"]}
    for t in job["themes"]:
        # Every text the generator kept is kept or dropped by a check, never lost.
        assert t["kept"] + t["dropped"] == kept_by_theme[t["theme"]], (job["job_key"], t)
        assert sum(t["check_drops"].values()) == t["dropped"], t
        assert set(t["check_drops"]) <= checks, t
        assert t["kept"] + t["shortfall"] == t["wanted"], t
    dropped = [x for x in texts[job["job_key"]] if not x["kept"]]
    assert all(x["dropped_by"] in checks for x in dropped), dropped[:3]
    # The filtered set keeps the generation order: its kept texts are a subsequence of the
    # generated ones.
    generated = iter(x["text"] for x in texts[job["source_job"]] if x["kept"])
    assert all(any(g == x["text"] for g in generated)
               for x in texts[job["job_key"]] if x["kept"]), job["job_key"]
    assert 0 <= job["measures"]["distinct_1"] <= 1, job
relabelled = sum(t["relabelled"] for j in filters for t in j["themes"])
drops = {c: sum(t["check_drops"].get(c, 0) for j in filters for t in j["themes"]) for c in checks}
print("filter jobs ok: drops", drops, "relabelled", relabelled)
PY

# Only the duplicate threshold changes: 20 jobs are reused (5 generate, 5 baselines, the 10
# train jobs of "none"); the 5 filter jobs and the 10 filtered train jobs run again.
sed 's|duplicates: {threshold: 0.7}|duplicates: {threshold: 0.8}|' "$tmp/filters.yaml" \
  >"$tmp/filters-0.8.yaml"
cmp -s "$tmp/filters.yaml" "$tmp/filters-0.8.yaml" && fail "the threshold edit changed nothing"
"$augsweep" run "$tmp/filters-0.8.yaml" --workers 2 --data-dir "$tmp/data" --format json \
  >"$tmp/second.json" 2>"$tmp/second.err" || fail "second augsweep run failed"
grep -q "35 unique jobs (20 already done)" "$tmp/second.err" ||
  fail "the threshold change did not reuse exactly the generate, baseline and unfiltered jobs"
python3 - "$tmp/first.json" "$tmp/second.json" <<'PY' || fail "unfiltered rows changed"
import json, sys
a, b = (json.load(open(p))["rows"] for p in sys.argv[1:])
same = lambda rows: [r for r in rows if r["filter"] in (None, "none")]
assert [r["fold_aucs"] for r in same(a)] == [r["fold_aucs"] for r in same(b)]
print("reuse ok")
PY
echo "filter sweep test: ok"
