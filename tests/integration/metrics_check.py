#!/usr/bin/python3
"""Scrapes the coordinator's metrics endpoint as Prometheus would.

  metrics_check.py URL TOKEN_FILE SUCCEEDED_JOBS

Without a token the endpoint answers 401 and no metric; with the client token (bearer) it
answers 200 in the text format, its job counts by kind and state add up to SUCCEEDED_JOBS
succeeded jobs, and the latency histograms have counted leases, jobs and store writes. Exits 1
and says what is wrong on stderr.
"""
import re
import sys
import urllib.error
import urllib.request


def scrape(url, token=None):
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


def problems(url, token_file, succeeded):
    status, _, body = scrape(url)
    if status != 401 or "augsweep_" in body:
        yield "without a token: HTTP %d, body %r" % (status, body[:80])
    status, _, body = scrape(url, "not-the-token")
    if status != 401:
        yield "with a wrong token: HTTP %d" % status
    token = open(token_file).read().strip()
    status, content_type, body = scrape(url, token)
    if status != 200 or not content_type.startswith("text/plain; version=0.0.4"):
        yield "with the token: HTTP %d, %s" % (status, content_type)
        return
    samples = {}
    for line in body.splitlines():
        if line.startswith("#"):
            continue
        m = re.fullmatch(r'([a-z_]+)(\{[^}]*\})? (\S+)', line)
        if not m:
            yield "not a sample line: %r" % line
            continue
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    done = sum(v for k, v in samples.items()
               if k.startswith("augsweep_jobs{") and 'state="succeeded"' in k)
    if done != succeeded:
        yield "succeeded jobs in the metrics: %r, expected %d" % (done, succeeded)
    for name in ("augsweep_lease_seconds_count", "augsweep_store_write_seconds_count",
                 'augsweep_job_seconds_count{kind="train_eval"}'):
        if samples.get(name, 0) < 1:
            yield "%s is %r" % (name, samples.get(name))
    if samples.get('augsweep_workers{state="known"}', 0) < 1:
        yield "no worker known"


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    found = list(problems(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    for p in found:
        print("metrics_check:", p, file=sys.stderr)
    sys.exit(1 if found else 0)
