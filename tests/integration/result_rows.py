#!/usr/bin/python3
"""Checks on the JSON result table (`augsweep results --format json`, `augsweep run --format
json`), shared by the shell tests.

  result_rows.py check JSON FOLDS ROWS   complete, ROWS rows, each cell once, each with FOLDS
                                         fold AUCs
  result_rows.py same A.json B.json      identical rows (fold AUCs bit for bit); sweep ids may
                                         differ

Exits 1 and says what is wrong on stderr.
"""
import json
import sys


def check(path, folds, want_rows):
    doc = json.load(open(path))
    rows = doc["rows"]
    problems = []
    if doc.get("complete") is not True:
        problems.append("complete is %r" % doc.get("complete"))
    if len(rows) != want_rows:
        problems.append("%d rows, expected %d" % (len(rows), want_rows))
    cells = [(r["generator"], r["temperature"], r["augment_count"], r["classifier"]) for r in rows]
    if len(set(cells)) != len(cells):
        problems.append("a cell appears twice: %r" % cells)
    for cell, r in zip(cells, rows):
        if r["folds"] != folds or len(r["fold_aucs"]) != folds or None in r["fold_aucs"]:
            problems.append("row %r: folds=%r fold_aucs=%r" % (cell, r["folds"], r["fold_aucs"]))
    for p in problems:
        print("check_rows:", p, file=sys.stderr)
    return not problems


def same(path_a, path_b):
    a, b = (json.load(open(p)) for p in (path_a, path_b))
    if a["rows"] == b["rows"]:
        return True
    print("rows differ:\n%s\n---- reference ----\n%s" % (json.dumps(a["rows"], indent=1),
          json.dumps(b["rows"], indent=1)), file=sys.stderr)
    return False


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "check":
        ok = check(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "same":
        ok = same(sys.argv[2], sys.argv[3])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if ok else 1)
