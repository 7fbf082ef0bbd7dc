#!/usr/bin/env bash
# Runs every SigmaFlow test on a fresh machine of this kind and ends with one line:
#   N passed, N failed, N skipped
# Installs what it needs by itself: the npm packages of the local emulators (Azurite, the Cosmos DB server) and of
# the Web PubSub client interop test. The test fixtures start and stop the emulators on free ports. The dashboard's
# tests (static-web/test.sh) install their own packages, and Chromium with apt-get under CI.
set -uo pipefail
cd "$(dirname "$0")/.."

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "== npm packages (emulators, Web PubSub client)"
setup_failed=0
for folder in infra/local tests/webpubsub-client; do
  if [ -f "$folder/package-lock.json" ]; then
    if ! (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error > "$results/npm-$(basename "$folder").log" 2>&1); then
      echo "npm ci failed in $folder (counted as one failure; the tests that need it skip with the reason):"
      tail -n 20 "$results/npm-$(basename "$folder").log"
      setup_failed=$((setup_failed + 1))
    fi
  fi
done

echo "== restore and build (Release)"
if ! dotnet build Serverless.sln -c Release -nologo -v quiet; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

status=0
projects=0
for project in tests/*.Tests/*.Tests.csproj; do
  name="$(basename "$project" .csproj)"
  projects=$((projects + 1))
  echo "== $name"
  log="$results/$name.log"
  dotnet test "$project" -c Release --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
      --logger "console;verbosity=normal" > "$log" 2>&1
  code=$?
  grep -Ev '^\s*(Passed|Skipped) ' "$log"
  if [ "$code" -ne 0 ]; then
    echo "$name: dotnet test exited with $code"
    status=1
  fi
  if [ ! -f "$results/$name.trx" ]; then
    echo "$name: no test results were written (the test host did not run to the end)"
    status=1
  fi
done

# The dashboard (static-web/test.sh): Vitest, the build and its size budget, and the end-to-end tests in Chromium
# against sigmaflow serve. It prints its own "N passed, N failed, N skipped" last; those counts join the totals.
echo "== dashboard (static-web)"
dashboard_log="$results/dashboard.log"
SIGMAFLOW_SKIP_DOTNET_BUILD=1 bash static-web/test.sh > "$dashboard_log" 2>&1 < /dev/null
dashboard_code=$?
grep -Ev '^\s*(✔|✓) ' "$dashboard_log" | tail -n 60 | sed '$ s/^\([0-9]* passed, \)/dashboard: \1/'
dashboard_counts="$(tail -n 1 "$dashboard_log" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p')"
if [ -z "$dashboard_counts" ]; then
  echo "static-web/test.sh ended without its totals line (exit $dashboard_code); counted as one failure"
  dashboard_counts="0 1 0"
fi
read -r dashboard_passed dashboard_failed dashboard_skipped <<< "$dashboard_counts"

# Totals over every test run, from the TRX result files, plus the dashboard's.
passed=$dashboard_passed; failed=$dashboard_failed; skipped=$dashboard_skipped; found=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  found=$((found + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p="$(get passed)"; f="$(get failed)"; e="$(get error)"; t="$(get total)"; x="$(get executed)"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
  skipped=$((skipped + ${t:-0} - ${x:-0}))
done
if [ "$found" -lt "$projects" ]; then
  echo "only $found of $projects test projects wrote results"
  status=1
fi
failed=$((failed + setup_failed))
if [ "$failed" -gt 0 ]; then status=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
