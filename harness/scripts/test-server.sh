#!/usr/bin/env bash
# Runs the suite against the real local server (server/): brings it up, runs the staging project
# (everything) and the production project (read-only) against each of its two targets (the
# second-edition sites of .env.server, the third-edition container of .env.container), proves no
# secret reached any artifact, and always brings the server down again, leaving no process or port
# behind, even on failure.
set -uo pipefail
cd "$(dirname "$0")/../.."

down() { node --import tsx harness/server/down.ts; }
trap down EXIT

node --import tsx harness/server/up.ts || exit 1

mkdir -p reports
status=0
# Every trace kept and every report written, so the secret check below has all there is to search.
export TRACE=on TRACE_DETAIL=full FULL_REPORTS=true

# Production's database, read and written the way each target keeps it.
production_postgres() { psql -qtA "$(grep -m1 '^PRODUCTION_DATABASE_URL=' .env.server | cut -d= -f2-)" "$@"; }
rows_postgres() { production_postgres -c 'SELECT (SELECT count(*) FROM lists_list) || $$ lists, $$ || (SELECT count(*) FROM lists_item)
  || $$ items (checksum $$ || (SELECT left(md5(coalesce(string_agg(id || $$:$$ || list_id || $$:$$ || text, $$,$$ ORDER BY id), $$$$)), 12) FROM lists_item) || $$)$$'; }
seed_postgres() { production_postgres -c "
  WITH list AS (INSERT INTO lists_list DEFAULT VALUES RETURNING id)
  INSERT INTO lists_item (text, list_id)
  SELECT text, list.id FROM list, unnest(ARRAY['A customer''s first item', 'A customer''s second item']) AS text" >/dev/null; }
# The container's SQLite file, through the image's Python (it has no sqlite3 command).
container_sqlite() { docker exec superlists /usr/bin/python3 -c "import sqlite3; db = sqlite3.connect('/home/nonroot/db.sqlite3'); $1"; }
rows_container() { container_sqlite "import hashlib; items = db.execute('SELECT id, list_id, text FROM lists_item ORDER BY id').fetchall(); print(db.execute('SELECT count(*) FROM lists_list').fetchone()[0], 'lists,', len(items), 'items (checksum', hashlib.md5(','.join(f'{i}:{l}:{t}' for i, l, t in items).encode()).hexdigest()[:12] + ')')"; }
seed_container() { container_sqlite "list_id = db.execute('INSERT INTO lists_list DEFAULT VALUES').lastrowid; db.executemany('INSERT INTO lists_item (text, list_id) VALUES (?, ?)', [(t, list_id) for t in ('A customer\\'s first item', 'A customer\\'s second item')]); db.commit()"; }

staging() { # name [playwright arguments]: the staging run, its console kept for the secret check
  npx playwright test --project=staging --output="test-results/$1-staging" "${@:2}" 2>&1 | tee "reports/$1-staging-console.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
}

gate() { # name env-file: staging (everything), then production (read-only, its data unchanged)
  local name=$1 before after
  export ENV_FILE=$2
  echo "== $name ($ENV_FILE): staging"
  # The deploy spec runs alone (its exclusive lock), so the container's recreate outage fails no
  # other test: one run, as a person runs it.
  staging "$name" "${@:3}"
  # Production holds a customer's list before the run, so "unchanged" means something.
  "seed_$name" || status=1
  before=$("rows_$name")
  echo "== $name ($ENV_FILE): production"
  npx playwright test --project=production --output="test-results/$name-production" "${@:3}" 2>&1 | tee "reports/$name-production-console.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  after=$("rows_$name")
  echo "$name: production database before the run: $before; after: $after"
  [ "$before" = "$after" ] || { echo "$name: production's data changed during a read-only run"; status=1; }
  node -e 'const v = require("./reports/verdict-production.json"); console.log(`production: ${v.counts.refused} tests refused for safety:`); for (const r of v.refused) console.log(`  ${r.test}: ${r.reason}`)' || status=1
  node --import tsx harness/scripts/check-secrets.ts "reports/$name-staging-console.log" "reports/$name-production-console.log" || status=1
}

gate postgres .env.server "$@"
gate container .env.container "$@"
# Bad configuration only a real server can show (wrong database password, unknown host key, ...).
ENV_FILE=.env.server node --import tsx --test harness/selftest/server/*.test.ts || status=1
exit "$status"
