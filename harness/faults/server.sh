#!/usr/bin/env bash
# Breaks the real local server (server/) the way a fault says, or puts it back. For the fault
# catalogue only: `npm run faults` applies one fault, runs the suite, then restores.
#
#   faults/server.sh apply FAULT     no-hsts | hsts-max-age-zero | static-expires-max | http-not-redirected | mixed-content |
#                                    https-redirect-loop | insecure-cookies |
#                                    login-link-http-on-https (production);
#                                    nginx-drops-host | login-mail-not-sent (staging);
#                                    and, on staging, for the server checks (tests/server):
#                                    dependency-missing | dependency-version-drift |
#                                    migration-pending | nginx-config-invalid | app-not-reloaded |
#                                    static-stale | disk-full | database-password-rotated
#   faults/server.sh deploy FAULT SITE
#                                    a broken deploy, run on the server over SSH like the real one:
#                                    recreates-database | changes-nothing | loses-static-files |
#                                    fails-half-way | skips-migration | regenerates-secret-key
#   faults/server.sh restore [FAULT] healthy nginx, mail, site env and database passwords
#                                    (server/up.ts rewrites them and reloads what changed), no site
#                                    fault, no stale static folder, no full disk; then, unless FAULT
#                                    changed only those (the list in `restore` below), a healthy
#                                    staging deploy and no release a fault tampered with
set -euo pipefail
S=${SUPERLISTS_SERVER_DIR:-/var/tmp/superlists-server}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
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

STAGING=$S/sites/staging
# The live staging release, marked as tampered with: restore deletes it once it is no longer live.
tampered_release() {
  local release
  release=$(readlink -f "$STAGING/current")
  touch "$release/.faulted"
  echo "$release"
}

worker_pid() { sed -n 's/^ *"workerPid": *\([0-9]*\).*/\1/p' "$S/sites/$1/supervisor.json" 2>/dev/null; }

# Sets KEY=VALUE in a site's env, then reloads its app and waits (bounded) until a new worker,
# which read the new env, answers.
set_site_env() { # site key value
  local env_file old
  env_file=$(site_env "$1")
  sed -i "/^$2=/d" "$env_file"
  echo "$2=$3" >>"$env_file"
  old=$(worker_pid "$1")
  "$S/bin/supervise" "$1" reload >/dev/null
  wait_new_worker "$1" "$old"
}
app_port() { [ "$1" = staging ] && echo 9081 || echo 9082; }

# Waits (bounded) until a site's app runs a worker other than OLD_PID and answers.
wait_new_worker() { # site old-pid
  for _ in $(seq 1 300); do
    if [ "$(worker_pid "$1")" != "$2" ] && curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$(app_port "$1")/__release__"; then
      return 0
    fi
    sleep 0.1
  done
  echo "faults/server.sh: $1's app did not come back with a new worker within 30s" >&2
  return 1
}

set_site_fault() { # site fault|'' -> reloads the site's app with SUPERLISTS_FAULT set (or removed)
  local env_file
  env_file=$(site_env "$1")
  sed -i '/^SUPERLISTS_FAULT=/d' "$env_file"
  [ -z "$2" ] || echo "SUPERLISTS_FAULT=$2" >>"$env_file"
  "$S/bin/supervise" "$1" reload >/dev/null
}

# The faults that change nothing but nginx.conf: restore puts back the copy apply saved.
NGINX_ONLY='no-hsts hsts-max-age-zero static-expires-max cookies-samesite-none http-not-redirected nginx-drops-host https-redirect-loop login-link-http-on-https nginx-config-invalid static-stale'
nginx_only() { [[ " $NGINX_ONLY " == *" $1 "* ]]; }
HEALTHY_CONF=$CONF.healthy

# Waits (bounded) until nginx answers healthily: staging serves, production redirects to https
# and sends HSTS.
wait_nginx_healthy() {
  wait_for '^HTTP/1.1 200' -I http://127.0.0.1:8081/
  wait_for '^HTTP/1.1 301' -I http://127.0.0.1:8082/
  wait_for '^strict-transport-security: max-age=[1-9]' -I https://127.0.0.1:8443/
}

case "${1:-}" in
apply)
  # The healthy nginx.conf, as it was before the fault, for restore (up.ts wrote it).
  if nginx_only "${2:-}"; then cp "$CONF" "$HEALTHY_CONF"; fi
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
  hsts-max-age-zero) # the header is there, with a max-age that turns HSTS off
    sed -i 's#Strict-Transport-Security "max-age=[0-9]*"#Strict-Transport-Security "max-age=0"#' "$CONF"
    nginx_reload
    wait_for 'max-age=0' -I https://127.0.0.1:8443/
    ;;
  static-expires-max) # /static/ cached for ten years (`expires max`) under names a deploy reuses
    sed -i 's#^\(\s*\)alias \(.*/static/;\)#&\n\1expires max;#' "$CONF"
    nginx_reload
    wait_for 'max-age=315360000' -I https://127.0.0.1:8443/static/lists.js
    ;;
  cookies-samesite-none) # the cookies are Secure, with SameSite=None: sent with every cross-site request
    sed -i 's#^\(\s*\)add_header Strict-Transport-Security#\1proxy_cookie_flags ~ samesite=none;\n&#' "$CONF"
    nginx_reload
    wait_for 'SameSite=None' -I https://127.0.0.1:8443/
    ;;
  http-not-redirected) # plain http serves the site instead of redirecting to https
    sed -i 's#^\(\s*\)return 301 https://.*#\1location / { proxy_pass http://127.0.0.1:9082; proxy_set_header Host $http_host; }#' "$CONF"
    nginx_reload
    wait_for '^HTTP/1.1 200' -I http://127.0.0.1:8082/
    ;;
  nginx-drops-host) # staging's nginx proxies to a named upstream without forwarding Host: 400 everywhere
    # The app sees Host: superlists_staging (not in its ALLOWED_HOSTS) and answers 400, as Django's
    # DisallowedHost does.
    sed -i 's#^\(\s*\)proxy_pass http://127.0.0.1:9081;#\1proxy_pass http://superlists_staging;#' "$CONF"
    sed -i '/proxy_pass http:\/\/superlists_staging;/,/}/{/proxy_set_header Host /d}' "$CONF"
    sed -i 's#^http {#http {\n  upstream superlists_staging {\n    server 127.0.0.1:9081;\n  }#' "$CONF"
    nginx_reload
    wait_for '^HTTP/1.1 400' -I http://127.0.0.1:8081/
    ;;
  https-redirect-loop) # a "redirect to https unless the proxy says https" rule on the https end itself
    # Meant for a proxy in front that sets X-Forwarded-Proto; here nothing does, so every https
    # request redirects to itself.
    sed -i 's#^\(\s*\)add_header Strict-Transport-Security#\1if ($http_x_forwarded_proto != "https") { return 301 https://$http_host$request_uri; }\n&#' "$CONF"
    nginx_reload
    wait_for '^location: https://127.0.0.1:8443/' -I https://127.0.0.1:8443/
    ;;
  insecure-cookies) # production's session and CSRF cookies lost Secure (the settings back at 0)
    sed -i '/^SESSION_COOKIE_SECURE=/d' "$(site_env production)"
    echo 'SESSION_COOKIE_SECURE=0' >>"$(site_env production)"
    set_site_env production CSRF_COOKIE_SECURE 0
    ;;
  login-link-http-on-https) # production's nginx no longer tells the app the request came over https
    # With SECURE_PROXY_SSL_HEADER the app takes the scheme from X-Forwarded-Proto: without it, the
    # login link it mails is http://.
    sed -i '/listen 127.0.0.1:8443 ssl;/,${/proxy_set_header X-Forwarded-Proto/d}' "$CONF"
    nginx_reload
    ! grep -A40 'listen 127.0.0.1:8443 ssl;' "$CONF" | grep -q X-Forwarded-Proto
    ;;
  login-mail-not-sent) # staging's EMAIL_URL has a typo'd port: nothing listens, no mail leaves
    set_site_env staging EMAIL_URL smtp://127.0.0.1:2526
    ;;
  mixed-content) # production's pages load a script over plain http
    set_site_fault production mixed-content
    wait_for 'src="http://' https://127.0.0.1:8443/
    ;;
  dependency-missing) # the live release lacks a production dependency (an install cut short)
    release=$(tampered_release)
    rm -rf "$release/node_modules/@fastify/formbody"
    ;;
  dependency-version-drift) # someone ran `npm install` on the server: fastify is not the locked version
    release=$(tampered_release)
    locked=$(node -p "require('$release/package-lock.json').packages['node_modules/fastify'].version")
    IFS=. read -r major minor _ <<<"$locked"
    drifted="$major.$((minor + 1)).0" # still inside package.json's ^range: only the lock file says no
    # sed -i writes a new file: the hard-linked original in the deps cache stays untouched.
    sed -i "s/\"version\": \"$locked\"/\"version\": \"$drifted\"/" "$release/node_modules/fastify/package.json"
    grep -q "\"version\": \"$drifted\"" "$release/node_modules/fastify/package.json"
    ;;
  migration-pending) # the live release ships a migration that was never applied
    release=$(tampered_release)
    echo 'ALTER TABLE lists_item ADD COLUMN done boolean NOT NULL DEFAULT false;' \
      >"$release/harness/reference-site/migrations/0003_item_done.sql"
    ;;
  nginx-config-invalid) # a hand edit lost a semicolon and was never tested or reloaded
    sed -i 's/^\(\s*\)client_max_body_size 1m;/\1client_max_body_size 10m/' "$CONF"
    if nginx -t -p "$S/nginx/" -c "$CONF" -e "$S/logs/nginx-error.log" 2>/dev/null; then
      echo "faults/server.sh: nginx.conf is still valid" >&2
      exit 1
    fi
    ;;
  app-not-reloaded) # a deploy that switches current but never reloads the app: the old release runs on
    DEPLOY_SKIP='reload app (SIGHUP supervisor),wait for the new release (app port and nginx)' \
      "$S/bin/deploy" staging HEAD >/dev/null
    worker=$(sed -n 's/^ *"workerPid": *\([0-9]*\).*/\1/p' "$STAGING/supervisor.json")
    [ "$(readlink "/proc/$worker/cwd")" != "$(readlink -f "$STAGING/current")" ]
    ;;
  static-stale) # nginx serves /static/ from a stale copy, not from the live release
    rm -rf "$STAGING/static-stale"
    cp -r "$STAGING/current/static" "$STAGING/static-stale" # new files, not hard links
    printf '\n/* stale copy */\n' >>"$STAGING/static-stale/bootstrap/css/bootstrap.min.css"
    sed -i "s#alias $STAGING/current/static/;#alias $STAGING/static-stale/;#" "$CONF"
    nginx_reload
    wait_for 'stale copy' http://127.0.0.1:8081/static/bootstrap/css/bootstrap.min.css
    ;;
  disk-full) # the filesystem of the site's logs is full (a 1 MB tmpfs, filled; needs root)
    if ! mount -t tmpfs -o size=1m,mode=0755 superlists-fault-disk-full "$STAGING/logs"; then
      echo "faults/server.sh: disk-full needs to mount a tmpfs (run as root)" >&2
      exit 1
    fi
    dd if=/dev/zero of="$STAGING/logs/filler" bs=64k 2>/dev/null || true
    ;;
  database-password-rotated) # the role's password changed in PostgreSQL, not in the site's env
    psql -q "$(database_url staging)" -c "ALTER ROLE CURRENT_USER PASSWORD 'rotated-$RANDOM$RANDOM'"
    ;;
  *) echo "faults/server.sh: unknown fault '${2:-}'" >&2 && exit 2 ;;
  esac
  ;;
deploy)
  fault=${2:-}
  site=${3:-staging}
  case "$fault" in
  recreates-database) # drops every table of the site (whatever its migrations made), then deploys: migrate recreates them, empty
    psql -q "$(database_url "$site")" -c "SET client_min_messages = warning; DO \$\$ DECLARE t text; BEGIN
      FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', t);
      END LOOP; END \$\$"
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
  regenerates-secret-key) # the deploy writes a fresh SECRET_KEY: every session is signed anew
    sed -i "s/^SECRET_KEY=.*/SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')/" "$(site_env "$site")"
    exec "$S/bin/deploy" "$site" HEAD
    ;;
  *) echo "faults/server.sh: unknown deploy fault '$fault'" >&2 && exit 2 ;;
  esac
  ;;
restore)
  if nginx_only "${2:-}" && [ -f "$HEALTHY_CONF" ]; then
    # Only nginx.conf changed: the saved copy back, a reload, nothing else (no app restarts).
    mv "$HEALTHY_CONF" "$CONF"
    rm -rf "$STAGING/static-stale"
    nginx_reload
    wait_nginx_healthy
    exit 0
  fi
  rm -f "$HEALTHY_CONF"
  # Faults that change only what up.ts rewrites (nginx.conf, a site's env, a role's password) or
  # the production site's fault switch: no redeploy needed. Any other fault (a new one included)
  # gets the full restore, a healthy staging deploy.
  case "${2:-}" in
  no-hsts | hsts-max-age-zero | http-not-redirected | nginx-drops-host | https-redirect-loop | \
    insecure-cookies | cookies-samesite-none | static-expires-max | login-link-http-on-https | login-mail-not-sent | mixed-content | \
    nginx-config-invalid | static-stale | database-password-rotated) redeploy=false ;;
  *) redeploy=true ;;
  esac
  if mountpoint -q "$STAGING/logs"; then umount "$STAGING/logs"; fi
  declare -A env_sum worker
  for site in staging production; do
    env_sum[$site]=$(md5sum <"$(site_env "$site")")
    worker[$site]=$(worker_pid "$site")
  done
  # Production's fault switch off (a reload), when a fault turned it on.
  if grep -q '^SUPERLISTS_FAULT=' "$(site_env production)"; then set_site_fault production ''; fi
  # A release that ran without migration 0002 may have stored duplicates that 0002 would refuse.
  psql -q "$(database_url staging)" -c 'DELETE FROM lists_item a USING lists_item b WHERE a.list_id = b.list_id AND a.text = b.text AND a.id > b.id' 2>/dev/null || true
  # Rewrites nginx.conf, the mail configs and both sites' env, reloading whatever changed.
  (cd "$ROOT" && node --import tsx harness/server/up.ts --no-deploy --no-container >/dev/null)
  rm -rf "$STAGING/static-stale"
  # A site whose env changed was reloaded (above or by up.ts): wait (bounded) for a new worker.
  if [ "$(md5sum <"$(site_env production)")" != "${env_sum[production]}" ]; then
    wait_new_worker production "${worker[production]}"
  fi
  if [ "$redeploy" = true ]; then
    "$S/bin/deploy" staging HEAD >/dev/null
  else
    if [ "$(md5sum <"$(site_env staging)")" != "${env_sum[staging]}" ]; then
      wait_new_worker staging "${worker[staging]}"
    fi
    wait_nginx_healthy
  fi
  live=$(readlink -f "$STAGING/current")
  for release in "$STAGING"/releases/*/; do
    release=${release%/}
    if [ -e "$release/.faulted" ] && [ "$release" != "$live" ]; then rm -rf "$release"; fi
  done
  ;;
*)
  echo "usage: faults/server.sh apply FAULT | deploy FAULT SITE | restore" >&2
  exit 2
  ;;
esac
