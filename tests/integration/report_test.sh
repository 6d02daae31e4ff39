#!/usr/bin/env bash
# The demo sweep's HTML report in Debian's headless Chromium: `augsweep run examples/demo.yaml`,
# then `augsweep report --data-dir` (no coordinator running). The page must load nothing from
# outside and log no console message (its Content-Security-Policy turns any attempt into one),
# and its DOM must hold every section and plot (report_dom_check.py). A copy with a planted
# external image and a missing plot must fail the same checks. The screenshot is kept in
# ARTIFACT_DIR (the README shows it).
#
# usage: report_test.sh AUGSWEEP SOURCE_DIR ARTIFACT_DIR
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 AUGSWEEP SOURCE_DIR ARTIFACT_DIR" >&2
  exit 2
fi
augsweep=$(realpath "$1")
root=$(realpath "$2")
artifacts=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/augsweep-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
umask 077

fail() {
  echo "report test: $*" >&2
  for f in "$tmp"/*.err; do [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done
  exit 1
}

chromium=$(command -v chromium || true)
[ -n "$chromium" ] || fail "Debian's chromium is not installed (scripts/install-deps.sh installs it)"

# chromium_run PAGE ARGS...: headless, with a private profile; its log goes to $tmp/chromium.err.
chromium_run() {
  local page=$1
  shift
  timeout 600 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 "$@" "file://$page" \
    2>"$tmp/chromium.err"
}

# check_page PAGE: no console message, nothing fetched from outside, every plot in the DOM (all
# three checked, each saying what is wrong on stderr).
check_page() {
  local page=$1 ok=0
  chromium_run "$page" --dump-dom >"$tmp/dom.html" || { echo "chromium failed" >&2; return 1; }
  if grep -E ':CONSOLE|Uncaught' "$tmp/chromium.err" >&2; then
    echo "console messages while loading $page" >&2
    ok=1
  fi
  if grep -oE '(src|href)="[a-z]+:[^"]*"' "$page" >&2; then
    echo "$page refers to something outside itself" >&2
    ok=1
  fi
  /usr/bin/python3 "$root/tests/integration/report_dom_check.py" "$tmp/dom.html" \
    "$tmp/results.json" || ok=1
  return "$ok"
}

cd "$root/examples"
"$augsweep" run demo.yaml --data-dir "$tmp/data" --format json >"$tmp/results.json" \
  2>"$tmp/run.err" || fail "augsweep run demo.yaml failed"
sweep=$("$augsweep" status --data-dir "$tmp/data" | awk 'NR == 1 {print $1}')
"$augsweep" report "$sweep" --data-dir "$tmp/data" -o "$tmp/report.html" 2>"$tmp/report.err" ||
  fail "augsweep report failed"
[ "$(stat -c %a "$tmp/report.html")" = 600 ] || fail "the report is not owner-only"
size=$(stat -c %s "$tmp/report.html")
[ "$size" -lt 2000000 ] || fail "the report is $size bytes: too large to attach"

check_page "$tmp/report.html" || fail "the demo's report does not render as it should"

# The checks can fail: an external image (a console message under the page's policy) and a
# missing heatmap are both caught.
sed 's|<h2>Per-theme gain</h2>|<img src="https://example.invalid/x.png">|; s|id="theme-gain"|id="gone"|' \
  "$tmp/report.html" >"$tmp/planted.html"
if check_page "$tmp/planted.html" 2>"$tmp/planted.err"; then
  fail "a report with an external image and no heatmap passed the checks"
fi
grep -q ':CONSOLE' "$tmp/chromium.err" || fail "the planted external image logged no console message"
grep -q 'no element with id theme-gain' "$tmp/planted.err" ||
  fail "the planted missing heatmap was not reported"

mkdir -p "$artifacts"
chromium_run "$tmp/report.html" --hide-scrollbars --window-size=1280,2600 \
  --screenshot="$artifacts/report.png" >/dev/null || fail "no screenshot"
[ -s "$artifacts/report.png" ] || fail "the screenshot is empty"
echo "report test: ok ($size bytes; screenshot $artifacts/report.png)"
