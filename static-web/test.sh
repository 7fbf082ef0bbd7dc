#!/usr/bin/env bash
# The dashboard's tests, ending with one line:  N passed, N failed, N skipped
#
#   bash static-web/test.sh
#
# 1. npm ci (when node_modules is missing or older than package-lock.json)
# 2. unit tests (Vitest)
# 3. build (type check, Vite) and the size budget (initial JavaScript of the first view <= 250 KB gzipped; one check)
# 4. end-to-end tests in Debian's Chromium against a real `sigmaflow serve` with Azurite and the simulated feed
#    (tests/e2e/platform.mjs starts and stops them). Needs /usr/bin/chromium (or SIGMAFLOW_CHROMIUM): when it is
#    missing it is installed with apt-get if CI=true or SIGMAFLOW_INSTALL_CHROMIUM=1 (as root or with sudo), or after
#    asking on a terminal; if it cannot be installed, the end-to-end tests are counted as skipped with the reason.
#    Builds functions/ in Release first unless SIGMAFLOW_SKIP_DOTNET_BUILD=1 (tests/run.sh has built it already).
# Outputs (git-ignored) in static-web/test-output/: screenshots/, figures.json, vitest.json, e2e.tap, platform.log.
set -uo pipefail
cd "$(dirname "$0")"
root="$(cd .. && pwd)"
out="test-output"
mkdir -p "$out"
passed=0
failed=0
skipped=0

finish() {
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
  exit $?
}

echo "== dashboard: npm packages"
if ! command -v npm > /dev/null; then
  echo "npm is not installed (Node.js 20 or later is needed)"
  failed=$((failed + 1))
  finish
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if ! npm ci --no-audit --no-fund --loglevel=error > "$out/npm.log" 2>&1; then
    echo "npm ci failed:"
    tail -n 20 "$out/npm.log"
    failed=$((failed + 1))
    finish
  fi
fi

echo "== dashboard: unit tests (Vitest)"
rm -f "$out/vitest.json"
NO_COLOR=1 npx vitest run --reporter=default --reporter=json --outputFile="$out/vitest.json" 2>&1 | grep -Ev '^\s+✓ ' | tail -n 40
if [ -f "$out/vitest.json" ]; then
  read -r p f s < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const suites = r.testResults.filter((t) => t.status === "failed" && t.assertionResults.length === 0).length;
    console.log(r.numPassedTests, r.numFailedTests + suites, r.numPendingTests + r.numTodoTests);' "$out/vitest.json")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
else
  echo "Vitest wrote no results"
  failed=$((failed + 1))
fi

echo "== dashboard: build"
if npx tsc -p . && npx vite build --logLevel error; then
  if node scripts/size.mjs; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
else
  echo "the dashboard does not build (counted as one failure; end-to-end tests skipped)"
  failed=$((failed + 1))
  skipped=$((skipped + $(grep -c '^    test(' tests/e2e/dashboard.test.mjs)))
  finish
fi

echo "== dashboard: end-to-end (Chromium, sigmaflow serve, Azurite, simulated feed)"
e2e_count="$(grep -c '^    test(' tests/e2e/dashboard.test.mjs)"
skip_e2e() {
  echo "end-to-end tests skipped ($e2e_count): $1"
  skipped=$((skipped + e2e_count))
  finish
}
chromium="${SIGMAFLOW_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  allowed=0
  if [ "${CI:-}" = "true" ] || [ "${SIGMAFLOW_INSTALL_CHROMIUM:-}" = "1" ]; then
    allowed=1
  elif [ -t 0 ]; then
    read -r -p "Chromium is missing; install Debian's chromium with apt-get now? [y/N] " answer
    case "$answer" in [yY]*) allowed=1 ;; esac
  fi
  if [ "$allowed" = 1 ] && command -v apt-get > /dev/null; then
    as_root=()
    if [ "$(id -u)" != 0 ]; then
      if sudo -n true 2> /dev/null; then as_root=(sudo -n); else skip_e2e "Chromium is missing and apt-get needs root (sudo asks for a password)"; fi
    fi
    echo "installing chromium with apt-get"
    if ! { "${as_root[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium; } > "$out/apt.log" 2>&1; then
      tail -n 5 "$out/apt.log"
    fi
  fi
  [ -x "$chromium" ] || skip_e2e "Chromium is not installed at $chromium and could not be installed (apt-get install -y chromium; or run with CI=true or SIGMAFLOW_INSTALL_CHROMIUM=1 to let this script install it)"
fi

if [ "${SIGMAFLOW_SKIP_DOTNET_BUILD:-}" != "1" ]; then
  echo "building functions/ (Release)"
  if ! dotnet build "$root/functions" -c Release -nologo -v quiet > "$out/dotnet-build.log" 2>&1; then
    tail -n 30 "$out/dotnet-build.log"
    echo "functions/ does not build (counted as one failure; end-to-end tests skipped)"
    failed=$((failed + 1))
    skipped=$((skipped + e2e_count))
    finish
  fi
fi
if [ ! -x "$root/infra/local/node_modules/.bin/azurite" ]; then
  if ! (cd "$root/infra/local" && npm ci --no-audit --no-fund --loglevel=error) > "$out/npm-emulators.log" 2>&1; then
    tail -n 20 "$out/npm-emulators.log"
    echo "the emulators' npm packages could not be installed (counted as one failure; end-to-end tests skipped)"
    failed=$((failed + 1))
    skipped=$((skipped + e2e_count))
    finish
  fi
fi

rm -f "$out/e2e.tap"
SIGMAFLOW_CHROMIUM="$chromium" node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$out/e2e.tap" tests/e2e/
if [ -f "$out/e2e.tap" ]; then
  get() { sed -n "s/^# $1 \([0-9]*\)$/\1/p" "$out/e2e.tap" | tail -n 1; }
  p="$(get pass)"; f="$(get fail)"; c="$(get cancelled)"; s="$(get skipped)"; t="$(get todo)"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${c:-0})); skipped=$((skipped + ${s:-0} + ${t:-0}))
  if [ -z "$p" ]; then
    echo "the end-to-end run wrote no totals"
    failed=$((failed + 1))
  fi
else
  echo "the end-to-end run wrote no results"
  failed=$((failed + 1))
fi
echo "screenshots: static-web/$out/screenshots/  figures: static-web/$out/figures.json"
finish
