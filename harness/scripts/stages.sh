#!/usr/bin/env bash
# `npm test`: runs the project's stages in order (each an npm script), stops at the first that
# fails, and ends with how long each took, so CI's 90-minute limit is watched stage by stage.
# Usage: bash harness/scripts/stages.sh check test:self test:local faults test:server
set -uo pipefail
cd "$(dirname "$0")/../.."

summary=()
status=0
start_all=$SECONDS
for stage in "$@"; do
  echo "== stage $stage"
  start=$SECONDS
  npm run -s "$stage"
  code=$?
  took=$((SECONDS - start))
  if [ "$code" -eq 0 ]; then result=ok; else result="FAILED (exit $code)"; fi
  summary+=("$(printf '%-12s %5d s  %s' "$stage" "$took" "$result")")
  if [ "$code" -ne 0 ]; then status=$code; break; fi
done
echo "== stages (total $((SECONDS - start_all)) s)"
printf '  %s\n' "${summary[@]}"
exit "$status"
