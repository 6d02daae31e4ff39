#!/usr/bin/env python3
"""Fails when a log holds a survey text: the promise that logs carry job names, ids, counts and
errors only.

usage: texts_in_logs.py DATASET.csv LOG...

Every text of the dataset's "text" column of 20 characters or more is looked for in every log
(shorter ones, a word or two, could appear in a log by chance). Prints each hit as LOG: row ID
(never the text itself: this checker's output is a log too) and exits 1 when there is one.
"""
import csv
import sys


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        rows = [(r.get("id", "?"), r["text"]) for r in csv.DictReader(f)]
    texts = [(row_id, text) for row_id, text in rows if len(text) >= 20]
    if not texts:
        print(f"{sys.argv[1]}: no text of 20 characters or more to look for", file=sys.stderr)
        return 2
    hits = 0
    for log in sys.argv[2:]:
        with open(log, encoding="utf-8", errors="replace") as f:
            content = f.read()
        for row_id, text in texts:
            if text in content:
                print(f"{log}: holds the text of dataset row {row_id}", file=sys.stderr)
                hits += 1
    print(f"texts_in_logs: {len(texts)} texts, {len(sys.argv) - 2} logs, {hits} hits")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
