#!/usr/bin/env bash
# Breaks the real local server (server/) the way a fault says, or puts it back. For the fault
# catalogue only: `npm run faults` applies one fault, runs the suite, then restores.
#
#   faults/server.sh apply FAULT     no-hsts | http-not-redirected | mixed-content
#   faults/server.sh deploy FAULT SITE
#                                    a broken deploy, run on the server over SSH like the real one:
#                                    recreates-database | changes-nothing | loses-static-files |
#                                    fails-half-way | skips-migration
#   faults/server.sh restore         healthy nginx config, no site fault, a healthy staging deploy
set -euo pipefail
S=${SUPERLISTS_SERVER_DIR:-/var/tmp/superlists-server}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONF=$S/nginx/nginx.conf
nginx_reload() { nginx -p "$S/nginx/" -c "$CONF" -e "$S/logs/nginx-error.log" -s reload; }

# Waits (bounded) until `curl ARGS` prints something matching PATTERN; the change is then live.
wait_for() {
  local pattern=$1
  shift
  for _ in $(seq 1 100); do
    if curl -ksS --max-time 2 "$@" 2>/dev/null | grep -qiE "$pattern"; then return 0; fi
    sleep 0.05
  done
  echo "faults/server.sh: timed out waiting for $pattern from curl $*" >&2
  return 1
}

site_env() { echo "$S/sites/$1/shared/env"; }
database_url() { grep -m1 '^DATABASE_URL=' "$(site_env "$1")" | cut -d= -f2-; }

set_site_fault() { # site fault|'' -> reloads the site's app with SUPERLISTS_FAULT set (or removed)
  local env_file
  env_file=$(site_env "$1")
  sed -i '/^SUPERLISTS_FAULT=/d' "$env_file"
  [ -z "$2" ] || echo "SUPERLISTS_FAULT=$2" >>"$env_file"
  "$S/bin/supervise" "$1" reload >/dev/null
}

case "${1:-}" in
apply)
  case "${2:-}" in
  no-hsts) # the https server block lost its add_header line
    sed -i '/Strict-Transport-Security/d' "$CONF"
    nginx_reload
    for _ in $(seq 1 100); do
      curl -ksSI --max-time 2 https://127.0.0.1:8443/ | grep -qi strict-transport || exit 0
      sleep 0.05
    done
    exit 1
    ;;
  http-not-redirected) # plain http serves the site instead of redirecting to https
    sed -i 's#^\(\s*\)return 301 https://.*#\1location / { proxy_pass http://127.0.0.1:9082; proxy_set_header Host $http_host; }#' "$CONF"
    nginx_reload
    wait_for '^HTTP/1.1 200' -I http://127.0.0.1:8082/
    ;;
  mixed-content) # production's pages load a script over plain http
    set_site_fault production mixed-content
    wait_for 'src="http://' https://127.0.0.1:8443/
    ;;
  *) echo "faults/server.sh: unknown fault '${2:-}'" >&2 && exit 2 ;;
  esac
  ;;
deploy)
  fault=${2:-}
  site=${3:-staging}
  case "$fault" in
  recreates-database) # drops the tables, then deploys: migrate recreates them, empty
    psql -q "$(database_url "$site")" -c 'DROP TABLE IF EXISTS lists_item, lists_list, reference_site_migrations CASCADE'
    exec "$S/bin/deploy" "$site" HEAD
    ;;
  changes-nothing) # says it deployed, deploys nothing
    echo "==> [$site] deploy: already up to date"
    echo "deployed $site"
    ;;
  loses-static-files) # forgets collectstatic: the new release has no static folder
    DEPLOY_SKIP=collectstatic exec "$S/bin/deploy" "$site" HEAD
    ;;
  fails-half-way) # migrate fails after the release was built
    DEPLOY_FAIL_AT=migrate exec "$S/bin/deploy" "$site" HEAD
    ;;
  skips-migration) # the new release needs migration 0002, and the deploy does not migrate
    psql -q "$(database_url "$site")" -c "ALTER TABLE lists_item DROP CONSTRAINT IF EXISTS lists_item_list_id_text_uniq; DELETE FROM reference_site_migrations WHERE name LIKE '0002%'"
    DEPLOY_SKIP=migrate exec "$S/bin/deploy" "$site" HEAD
    ;;
  *) echo "faults/server.sh: unknown deploy fault '$fault'" >&2 && exit 2 ;;
  esac
  ;;
restore)
  set_site_fault production ''
  # A release that ran without migration 0002 may have stored duplicates that 0002 would refuse.
  psql -q "$(database_url staging)" -c 'DELETE FROM lists_item a USING lists_item b WHERE a.list_id = b.list_id AND a.text = b.text AND a.id > b.id' 2>/dev/null || true
  (cd "$ROOT" && node --import tsx server/up.ts --no-deploy >/dev/null)
  "$S/bin/deploy" staging HEAD >/dev/null
  ;;
*)
  echo "usage: faults/server.sh apply FAULT | deploy FAULT SITE | restore" >&2
  exit 2
  ;;
esac
