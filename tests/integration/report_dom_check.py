#!/usr/bin/python3
"""Checks the report of a finished sweep as headless Chromium rendered it (its --dump-dom).

  report_dom_check.py DOM.html RESULTS.json

Every section and plot is there: spec, dataset, results (a row per result row), one AUC plot
per classifier (each with a series per generator and temperature of that classifier, markers and
a baseline line), the per-theme heatmap (a cell per compared row and theme), the generation bars,
and the sample table. Exits 1 and says what is missing on stderr.
"""
import collections
import html.parser
import json
import sys


class Elements(html.parser.HTMLParser):
    """Every element with its attributes and the chain of ids above it."""

    def __init__(self):
        super().__init__()
        self.stack = []        # (tag, id) of the open elements
        self.found = []        # (tag, attrs, ids of the ancestors and itself)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        ids = [i for _, i in self.stack if i] + ([attrs["id"]] if attrs.get("id") else [])
        self.found.append((tag, attrs, ids))
        if tag not in ("meta", "br", "img", "input", "link"):
            self.stack.append((tag, attrs.get("id")))

    def handle_startendtag(self, tag, attrs):
        attrs = dict(attrs)
        ids = [i for _, i in self.stack if i] + ([attrs["id"]] if attrs.get("id") else [])
        self.found.append((tag, attrs, ids))

    def handle_endtag(self, tag):
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                del self.stack[k:]
                break


def check(dom_path, results_path):
    results = json.load(open(results_path))
    rows = results["rows"]
    themes = results["themes"]
    parser = Elements()
    parser.feed(open(dom_path, encoding="utf-8").read())
    inside = collections.defaultdict(list)  # id -> elements inside it
    ids = set()
    for tag, attrs, chain in parser.found:
        if attrs.get("id"):
            ids.add(attrs["id"])
        for i in chain:
            inside[i].append((tag, attrs))

    for section in ("spec", "dataset", "results", "theme-gain", "generation", "samples"):
        if section not in ids:
            yield "no element with id %s" % section
    result_rows = sum(1 for tag, _ in inside["results"] if tag == "tr") - 1
    if result_rows != len(rows):
        yield "the results table has %d rows, the sweep %d" % (result_rows, len(rows))

    classifiers = list(dict.fromkeys(r["classifier"] for r in rows))
    for k, classifier in enumerate(classifiers):
        plot = "auc-plot-%d" % k
        if plot not in ids:
            yield "no AUC plot for classifier %s (%s)" % (classifier, plot)
            continue
        series = {(r["generator"], r["temperature"]) for r in rows
                  if r["classifier"] == classifier and r["generator"] is not None and r["folds"]}
        drawn = [a for tag, a in inside[plot] if tag == "g" and a.get("class") == "series"]
        if len(drawn) != len(series):
            yield "%s draws %d series, expected %d" % (plot, len(drawn), len(series))
        # A marker per point, and one per series in the legend: circles, squares and filled
        # paths (the series' lines are unfilled paths, the baseline band a rect of its own).
        points = sum(1 for r in rows if r["classifier"] == classifier
                     and r["generator"] is not None and r["folds"])
        markers = sum(1 for tag, a in inside[plot]
                      if tag == "circle" or (tag == "rect" and a.get("class") != "reference-band")
                      or (tag == "path" and a.get("fill") != "none"))
        if markers != points + len(series):
            yield "%s has %d markers, expected %d points and %d legend entries" % (
                plot, markers, points, len(series))
        if not any(a.get("class") == "reference" for _, a in inside[plot]):
            yield "%s has no baseline line" % plot
    if "auc-plot-%d" % len(classifiers) in ids:
        yield "more AUC plots than classifiers"

    compared = sum(1 for r in rows if r["generator"] is not None)
    cells = sum(1 for tag, a in inside["theme-gain"] if tag == "rect" and a.get("class") == "cell")
    if cells != compared * len(themes):
        yield "the heatmap has %d cells, expected %d x %d" % (cells, compared, len(themes))
    if not any(tag == "rect" and a.get("class") == "bar" for tag, a in inside["generation"]):
        yield "the generation chart has no bars"
    if sum(1 for tag, _ in inside["samples"] if tag == "tr") < 2:
        yield "the sample table has no text"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    problems = list(check(sys.argv[1], sys.argv[2]))
    for p in problems:
        print("report_dom_check:", p, file=sys.stderr)
    sys.exit(1 if problems else 0)
