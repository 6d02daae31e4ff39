#!/usr/bin/python3
"""Checks on what the read commands print for a finished sweep, shared by the shell tests.

  read_commands_check.py texts TEXTS.jsonl RESULTS.json
      every generate job succeeded; per job and theme, kept + shortfall = wanted, and as many
      kept and dropped text lines as the counts say; every text names a theme of the sweep
  read_commands_check.py limited TEXTS.csv THEME LIMIT
      every record is THEME's, at most LIMIT kept per job
  read_commands_check.py per_theme RESULTS.csv RESULTS.json
      an auc[T], delta[T] and folds[T] column per theme; baseline rows have no delta
  read_commands_check.py audit AUDIT.jsonl
      every job has its measures (ratios in [0, 1], a positive mean length) and audit summary,
      and each audit finding's span is that many words of its text
  read_commands_check.py folds FOLDS.json RESULTS.json
      one row per cell and fold, every state "ok", each fold's AUC among its cell's fold_aucs

Exits 1 and says what is wrong on stderr.
"""
import collections
import csv
import json
import re
import sys


def problems_of(checks):
    problems = [p for p in checks if p]
    for p in problems:
        print("read_commands_check:", p, file=sys.stderr)
    return not problems


def texts(path, results_path):
    themes = set(json.load(open(results_path))["themes"])
    jobs, lines = [], collections.Counter()
    for line in open(path):
        obj = json.loads(line)
        if "job" in obj:
            jobs.append(obj["job"])
        elif "text" in obj:
            t = obj["text"]
            lines[(t["job_key"], t["theme"], t["kept"])] += 1
            if t["theme"] not in themes:
                yield "text of unknown theme %r" % t["theme"]
            if t["kept"] and not t["text"]:
                yield "an empty kept text in job %s" % t["job_key"]
            if not t["kept"] and t["dropped_because"] not in ("empty", "duplicate", "over quota"):
                yield "dropped because %r" % t["dropped_because"]
    if not jobs:
        yield "no generate jobs"
    for job in jobs:
        if job["state"] != "ok":
            yield "job %s is %s" % (job["job_key"], job["state"])
        if {t["theme"] for t in job["themes"]} != themes:
            yield "job %s has themes %r" % (job["job_key"], job["themes"])
        for t in job["themes"]:
            key = (job["job_key"], t["theme"])
            if t["kept"] + t["shortfall"] != t["wanted"]:
                yield "job %s theme %s: %r" % (key + (t,))
            if lines[key + (True,)] != t["kept"] or lines[key + (False,)] != t["dropped"]:
                yield "job %s theme %s: %d kept and %d dropped lines for %r" % (
                    key + (lines[key + (True,)], lines[key + (False,)], t))


def limited(path, theme, limit):
    kept = collections.Counter()
    rows = list(csv.DictReader(open(path, newline="")))
    if not rows:
        yield "no records"
    for r in rows:
        if r["theme"] != theme:
            yield "a record of theme %r" % r["theme"]
        if r["kept"] == "true":
            kept[r["job_key"]] += 1
    for job, n in kept.items():
        if n > limit:
            yield "job %s lists %d kept texts, limit %d" % (job, n, limit)


def per_theme(csv_path, json_path):
    themes = json.load(open(json_path))["themes"]
    rows = list(csv.DictReader(open(csv_path, newline="")))
    for t in themes:
        for col in ("auc[%s]" % t, "delta[%s]" % t, "folds[%s]" % t):
            if col not in rows[0]:
                yield "no column %s" % col
    for r in rows:
        baseline = r["augment_count"] == "0"
        for t in themes:
            if baseline and r.get("delta[%s]" % t):
                yield "a baseline row with a delta for %s" % t
            if not baseline and not r.get("delta[%s]" % t):
                yield "row %r has no delta for %s" % (r["generator"], t)
            if not 0 <= float(r["auc[%s]" % t]) <= 1:
                yield "auc out of range in %r" % r


def audit(path):
    jobs = findings = 0
    for line in open(path):
        obj = json.loads(line)
        if "job" in obj:
            jobs += 1
            job = obj["job"]
            m, a = job.get("measures"), job.get("audit")
            if m is None or a is None:
                yield "job %s has no measures or audit" % job["job_key"]
                continue
            for key in ("distinct_1", "distinct_2", "mean_pairwise_jaccard", "nearest_real_mean",
                        "nearest_real_max"):
                if not 0 <= m[key] <= 1:
                    yield "job %s: %s = %r" % (job["job_key"], key, m[key])
            if m["length_mean"] <= 0:
                yield "job %s: length_mean %r" % (job["job_key"], m["length_mean"])
            if not 0 <= a["share_with_long_span"] <= 1:
                yield "job %s: share_with_long_span %r" % (job["job_key"], a["share_with_long_span"])
        elif "audit_finding" in obj:
            findings += 1
            f = obj["audit_finding"]
            words = f["span"].split()
            text = " ".join(re.findall(r"[a-z0-9\x80-\U0010ffff]+", f["text"].lower()))
            if len(words) != f["longest_span_words"] or f["span"] not in text:
                yield "finding %r: span of %d words not in its text" % (f["span"], len(words))
    if not jobs:
        yield "no jobs"
    if not findings:
        yield "no audit findings (the quick sweep's EDA texts are edits of real ones)"


def folds(folds_path, results_path):
    cells = {(r["generator"], r["temperature"], r["augment_count"], r["classifier"]): r
             for r in json.load(open(results_path))["rows"]}
    rows = json.load(open(folds_path))["rows"]
    per_cell = collections.Counter()
    for r in rows:
        key = (r["generator"], r["temperature"], r["augment_count"], r["classifier"])
        per_cell[key] += 1
        if r["state"] != "ok":
            yield "fold %r is %s" % (key, r["state"])
        elif r["macro_auc"] not in cells[key]["fold_aucs"]:
            yield "fold AUC %r is not among %r" % (r["macro_auc"], cells[key]["fold_aucs"])
    for key, cell in cells.items():
        if per_cell[key] != cell["planned_folds"]:
            yield "cell %r: %d fold rows, %d planned" % (key, per_cell[key], cell["planned_folds"])


if __name__ == "__main__":
    commands = {"texts": (texts, 2), "limited": (limited, 3), "per_theme": (per_theme, 2),
                "folds": (folds, 2), "audit": (audit, 1)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands or \
            len(sys.argv) != 2 + commands[sys.argv[1]][1]:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    args = sys.argv[2:]
    if sys.argv[1] == "limited":
        args[2] = int(args[2])
    sys.exit(0 if problems_of(commands[sys.argv[1]][0](*args)) else 1)
