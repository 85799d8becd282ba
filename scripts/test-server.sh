#!/usr/bin/env bash
# Runs the suite against the real local server (server/): brings it up, runs the staging project
# (everything) and the production project (read-only), and always brings it down again, leaving
# no process or port behind, even when a test fails.
set -uo pipefail
cd "$(dirname "$0")/.."

down() { node --import tsx server/down.ts; }
trap down EXIT

node --import tsx server/up.ts || exit 1

status=0
ENV_FILE=.env.server npx playwright test --project=staging "$@" || status=1
ENV_FILE=.env.server npx playwright test --project=production "$@" || status=1
exit "$status"
