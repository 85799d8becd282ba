#!/usr/bin/env bash
# Runs the suite against the real local server (server/): brings it up, runs the staging project
# (everything) and the production project (read-only), proves no secret reached any artifact,
# and always brings the server down again, leaving no process or port behind, even on failure.
set -uo pipefail
cd "$(dirname "$0")/../.."

down() { node --import tsx harness/server/down.ts; }
trap down EXIT

node --import tsx harness/server/up.ts || exit 1

mkdir -p reports
status=0
# Every trace kept and every report written, so the secret check below has all there is to search.
export ENV_FILE=.env.server TRACE=on TRACE_DETAIL=full FULL_REPORTS=true
npx playwright test --project=staging --output=test-results/staging "$@" 2>&1 | tee reports/staging-console.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
# Production is read-only: its data must be exactly as it was after the production run.
production_db() { psql -qtA "$(grep -m1 '^PRODUCTION_DATABASE_URL=' .env.server | cut -d= -f2-)" "$@"; }
rows() { production_db -c 'SELECT (SELECT count(*) FROM lists_list) || $$ lists, $$ || (SELECT count(*) FROM lists_item)
  || $$ items (checksum $$ || (SELECT left(md5(coalesce(string_agg(id || $$:$$ || list_id || $$:$$ || text, $$,$$ ORDER BY id), $$$$)), 12) FROM lists_item) || $$)$$'; }
# Production holds a customer's list before the run, so "unchanged" means something.
production_db -c "
  WITH list AS (INSERT INTO lists_list DEFAULT VALUES RETURNING id)
  INSERT INTO lists_item (text, list_id)
  SELECT text, list.id FROM list, unnest(ARRAY['A customer''s first item', 'A customer''s second item']) AS text" >/dev/null || status=1
before=$(rows)
npx playwright test --project=production --output=test-results/production "$@" 2>&1 | tee reports/production-console.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
after=$(rows)
echo "production database before the run: $before; after: $after"
[ "$before" = "$after" ] || { echo "production's data changed during a read-only run"; status=1; }
node -e 'const v = require("./reports/verdict-production.json"); console.log(`production: ${v.counts.refused} tests refused for safety:`); for (const r of v.refused) console.log(`  ${r.test}: ${r.reason}`)' || status=1
# Bad configuration only a real server can show (wrong database password, unknown host key, ...).
node --import tsx --test harness/selftest/server/*.test.ts || status=1
node --import tsx harness/scripts/check-secrets.ts reports/staging-console.log reports/production-console.log || status=1
exit "$status"
