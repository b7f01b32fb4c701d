#!/usr/bin/env bash
# Runs a preset's whole test suite again and again while a CPU hog keeps every core busy,
# and counts the runs that failed: a test that passes only on an idle machine is a flake.
#   scripts/flake-hunt.sh <preset> <runs>     e.g. scripts/flake-hunt.sh release 10
# The preset must be configured and built. Each failed run's ctest output is kept in
# build/flake-hunt/<preset>-<run>.log; the last line is "flake-hunt: <preset>: N of M runs failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
preset=${1:?usage: flake-hunt.sh <preset> <runs>}
runs=${2:?usage: flake-hunt.sh <preset> <runs>}
logs=build/flake-hunt
mkdir -p "$logs"

hogs=()
for ((i = 0; i < $(nproc); ++i)); do
    (while :; do :; done) &
    hogs+=($!)
done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT

failed=0
for ((run = 1; run <= runs; ++run)); do
    log="$logs/$preset-$run.log"
    start=$SECONDS
    if ctest --preset "$preset" >"$log" 2>&1; then
        echo "flake-hunt: $preset run $run passed in $((SECONDS - start)) s"
        rm -f "$log"
    else
        failed=$((failed + 1))
        echo "flake-hunt: $preset run $run FAILED in $((SECONDS - start)) s (log: $log)"
        sed -n '/The following tests FAILED:/,$p' "$log"
    fi
done
echo "flake-hunt: $preset: $failed of $runs runs failed"
exit $((failed > 0))
