#!/usr/bin/env bash
# Runs the suite against the real local server (server/): brings it up, runs the staging project
# (everything) and the production project (read-only), proves no secret reached any artifact,
# and always brings the server down again, leaving no process or port behind, even on failure.
set -uo pipefail
cd "$(dirname "$0")/.."

down() { node --import tsx server/down.ts; }
trap down EXIT

node --import tsx server/up.ts || exit 1

mkdir -p reports
status=0
# Every trace kept and every report written, so the secret check below has all there is to search.
export ENV_FILE=.env.server TRACE=on FULL_REPORTS=true
npx playwright test --project=staging --output=test-results/staging "$@" 2>&1 | tee reports/staging-console.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
npx playwright test --project=production --output=test-results/production "$@" 2>&1 | tee reports/production-console.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
node --import tsx scripts/check-secrets.ts reports/staging-console.log reports/production-console.log || status=1
exit "$status"
