#!/usr/bin/env bash
# deploy SITE [REF]
# deploy SITE --rollback
#
# THE deploy script of the local Superlists server, for both sites (staging, production). It runs
# on the server (the suite calls it over SSH, as a team deploys to its VPS):
#
#   resolve REF -> new release <UTC timestamp>-<short sha> -> git archive into releases/<id>
#   -> write RELEASE -> npm ci (production deps) -> collectstatic -> migrate
#   -> switch `current` atomically -> SIGHUP the supervisor
#   -> wait until /__release__ shows <id> on the app port AND through nginx
#   -> keep the last $KEEP_RELEASES releases -> write <site>/DEPLOYED, print `deployed SITE <id>`
#
# `--rollback` (the team's way back, the rollback drill's STAGING_ROLLBACK): switches `current` to
# the release folder before the live one (kept by the prune below, with its node_modules and static
# files as they were), SIGHUPs the supervisor, waits for it as above, prints `rolled back SITE <id>`.
# A code rollback: the database keeps everything written since. One failure line when there is no
# earlier release.
#
# It never touches the database's data (only the site's own migrations run). Run it again and it
# deploys a fresh release of REF. On failure it exits non-zero, names the failing step, prints that
# step's output, and leaves `current` on the release that was live before.
#
# Installed by server/up.ts as <state>/bin/deploy next to <state>/server.env (recorded absolute
# paths of the source repo, node and npm, so it works over a non-interactive SSH session).
#
# Environment knobs: KEEP_RELEASES (3), DEPLOY_WAIT_SECONDS (60), DEPLOY_NPM_CI=always (skip the
# node_modules cache), DEPLOY_VERBOSE=1 (stream every step's output). For the fault catalogue only:
# DEPLOY_SKIP=step,step (e.g. collectstatic,migrate) and DEPLOY_FAIL_AT=step.
set -euo pipefail
umask 022

SCRIPT=deploy
say() { printf '%s\n' "$*"; }
die() {
  printf '%s FAILED: %s\n' "$SCRIPT" "$*" >&2
  exit 1
}
now_ms() { date +%s%3N; }
secs_since() { # start_ms -> "1.23s"
  local d=$(($(now_ms) - $1))
  printf '%d.%02ds' $((d / 1000)) $((d % 1000 / 10))
}

# ---- where things are -------------------------------------------------------------------------
if [[ -n ${SUPERLISTS_SERVER_DIR:-} ]]; then
  S=$SUPERLISTS_SERVER_DIR
else
  S=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
  [[ -f $S/server.env ]] || S=/var/tmp/superlists-server
fi
[[ -f $S/server.env ]] || die "not provisioned: $S/server.env is missing (run server/up.ts)"
# SOURCE_REPO NODE NPM PATH SITES APP_PORT_<site> PUBLIC_URL_<site>
# shellcheck source=/dev/null
. "$S/server.env"

SITE=${1:-}
REF=${2:-HEAD}
MODE=deploy
[[ $REF == --rollback ]] && MODE=rollback && SCRIPT=rollback
port_var="APP_PORT_${SITE//[^a-z]/_}"
url_var="PUBLIC_URL_${SITE//[^a-z]/_}"
if [[ -z $SITE || -z ${!port_var:-} || $# -gt 2 ]]; then
  die "usage: deploy SITE [REF|--rollback]   (SITE: ${SITES// /|}; REF defaults to HEAD)"
fi
APP_PORT=${!port_var}
PUBLIC_URL=${!url_var}
D=$S/sites/$SITE
KEEP_RELEASES=${KEEP_RELEASES:-3}
DEPLOY_WAIT_SECONDS=${DEPLOY_WAIT_SECONDS:-60}
[[ -d $D/releases && -f $D/shared/env ]] || die "site $SITE is not provisioned ($D)"
mkdir -p "$D/logs" "$S/cache/deps"

# One deploy per site at a time.
exec 9>"$D/deploy.lock"
flock -w "${DEPLOY_LOCK_WAIT:-120}" 9 ||
  die "another deploy of $SITE is still running (waited ${DEPLOY_LOCK_WAIT:-120}s for $D/deploy.lock)"

T0=$(now_ms)
STEP=""
OLD_TARGET=$(readlink "$D/current" 2>/dev/null || true)
PREVIOUS=""
if [[ $MODE == rollback ]]; then
  live=$(basename "$OLD_TARGET")
  PREVIOUS=$(ls -1 "$D/releases" | sort | awk -v live="$live" '$0 < live' | tail -n 1)
  [[ -n $OLD_TARGET && -n $PREVIOUS ]] ||
    die "$SITE has no release before ${OLD_TARGET:+the live one, }${live:-none} in $D/releases to roll back to (deploy twice first)"
fi
STEP_LOG=$(mktemp "${TMPDIR:-/tmp}/deploy-$SITE.XXXXXX")
RELEASE_DIR=""
ID=""
SWITCHED=0
DONE=0

git_() { git -c safe.directory='*' -C "$SOURCE_REPO" "$@"; }

# Runs one named step: announces it, runs "$@" in a subshell with `set -e` in force, times it.
# Its output goes to the site's deploy.log; on failure it is printed and the deploy stops.
step() {
  local name=$1 t rc
  shift
  STEP=$name
  t=$(now_ms)
  # Fault-injection knobs for the fault catalogue (faults/): a deploy that forgets a step, or one
  # that breaks half-way. Never set in a real deploy.
  if [[ ",${DEPLOY_SKIP:-}," == *",$name,"* ]]; then
    say "==> [$SITE] $name (skipped: DEPLOY_SKIP)"
    return 0
  fi
  if [[ ${DEPLOY_FAIL_AT:-} == "$name" ]]; then
    set -- sh -c "echo \"$name: simulated failure (DEPLOY_FAIL_AT)\" >&2; exit 1"
  fi
  say "==> [$SITE] $name"
  : >"$STEP_LOG"
  set +e
  if [[ ${DEPLOY_VERBOSE:-0} == 1 ]]; then
    (
      set -e
      "$@"
    ) 2>&1 | tee "$STEP_LOG" | sed 's/^/    | /'
    rc=${PIPESTATUS[0]}
  else
    (
      set -e
      "$@"
    ) >"$STEP_LOG" 2>&1
    rc=$?
  fi
  set -e
  {
    printf '%s [%s %s] step: %s (exit %s)\n' "$(date -u +%FT%TZ)" "$SITE" "${ID:-?}" "$name" "$rc"
    cat "$STEP_LOG"
  } >>"$D/logs/deploy.log"
  if ((rc != 0)); then
    {
      say "!! [$SITE] step '$name' failed (exit $rc) after $(secs_since "$t"); its output:"
      sed 's/^/    | /' "$STEP_LOG"
    } >&2
    exit "$rc"
  fi
  # A step may leave a one-line note for the summary in $STEP_LOG.note.
  if [[ -s $STEP_LOG.note ]]; then
    say "    ok ($(secs_since "$t")): $(cat "$STEP_LOG.note")"
    rm -f "$STEP_LOG.note"
  else
    say "    ok ($(secs_since "$t"))"
  fi
}
note() { printf '%s' "$*" >"$STEP_LOG.note"; }

switch_current() { # target (relative to $D)
  ln -sfn "$1" "$D/current.new"
  mv -T "$D/current.new" "$D/current"
}

on_exit() {
  local rc=$?
  rm -f "$STEP_LOG" "$STEP_LOG.note" "$STEP_LOG.sha"
  ((DONE == 1)) && return 0
  ((rc == 0)) && rc=1
  {
    if ((SWITCHED == 1)); then
      if [[ -n $OLD_TARGET ]]; then
        say "!! [$SITE] putting back: current -> $OLD_TARGET"
        switch_current "$OLD_TARGET" || true
        "$S/bin/supervise" "$SITE" reload 9>&- || say "!! [$SITE] reload after putting it back failed"
      else
        say "!! [$SITE] first release failed after the switch: removing current, stopping the app"
        rm -f "$D/current"
        "$S/bin/supervise" "$SITE" stop 9>&- || true
      fi
    fi
    if [[ -n $RELEASE_DIR && -d $RELEASE_DIR ]]; then
      rm -rf "$RELEASE_DIR" || true
    fi
    say "$SCRIPT FAILED: $SITE ${REF} at step '${STEP:-start}' (exit $rc) after $(secs_since "$T0"); current is still ${OLD_TARGET:-none}"
  } >&2
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the steps --------------------------------------------------------------------------------
s_resolve() {
  git_ rev-parse --verify --quiet "${REF}^{commit}" >"$STEP_LOG.sha" ||
    { echo "unknown ref '$REF' in $SOURCE_REPO"; return 1; }
  if [[ $REF == "$(cat "$STEP_LOG.sha")" ]]; then
    note "commit $REF in $SOURCE_REPO"
  else
    note "$REF = $(cat "$STEP_LOG.sha") in $SOURCE_REPO"
  fi
}

s_archive() {
  mkdir "$RELEASE_DIR"
  git_ archive --format=tar "$SHA" | tar -x -C "$RELEASE_DIR"
  note "$(find "$RELEASE_DIR" -type f | wc -l) files in $RELEASE_DIR"
}

s_write_release() {
  printf '%s\n' "$ID" >"$RELEASE_DIR/RELEASE"
  printf '%s\n' "$SHA" >"$RELEASE_DIR/REVISION"
  note "RELEASE = $ID"
}

# Production dependencies of the site only. A release whose package manifests and lock file match
# an earlier one's reuses that install (hard links, as fast as a cache hit can be); otherwise
# `npm ci` from npm's cache, offline first.
deps_key() {
  {
    "$NODE" --version
    cat "$RELEASE_DIR/package.json" "$RELEASE_DIR/package-lock.json"
    cat "$RELEASE_DIR"/harness/*/package.json 2>/dev/null || true
  } | sha256sum | cut -c1-16
}
s_deps() {
  local key cache
  key=$(deps_key)
  cache=$S/cache/deps/$key
  if [[ ${DEPLOY_NPM_CI:-} != always && -f $cache/.complete ]]; then
    (cd "$cache" && find . -maxdepth 3 -type d -name node_modules -prune -print) |
      while read -r nm; do
        mkdir -p "$RELEASE_DIR/$(dirname "$nm")"
        cp -al "$cache/$nm" "$RELEASE_DIR/$nm"
      done
    touch "$cache/.complete"
    note "reused the install of an identical lock file (cache $key, hard links)"
    return 0
  fi
  (
    cd "$RELEASE_DIR"
    # A native module built earlier on this machine (server/up.ts packs the checkout's) is
    # unpacked, not compiled again: prebuild-install's local prebuilds.
    export npm_config_better_sqlite3_local_prebuilds=$S/cache/prebuilds
    "$NPM" ci --omit=dev --workspace=harness/reference-site --include-workspace-root=false \
      --no-audit --no-fund --prefer-offline --loglevel=warn
  )
  # Keep a copy (hard links) for the next release with the same dependencies.
  rm -rf "$cache.tmp"
  mkdir -p "$cache.tmp"
  (cd "$RELEASE_DIR" && find . -maxdepth 3 -type d -name node_modules -prune -print) |
    while read -r nm; do
      mkdir -p "$cache.tmp/$(dirname "$nm")"
      cp -al "$RELEASE_DIR/$nm" "$cache.tmp/$nm"
    done
  touch "$cache.tmp/.complete"
  rm -rf "$cache"
  mv -T "$cache.tmp" "$cache"
  # Only the 3 most recently used installs are kept.
  ls -1dt "$S"/cache/deps/*/ 2>/dev/null | tail -n +4 | xargs -r rm -rf
  note "npm ci --omit=dev: $(find "$RELEASE_DIR/node_modules" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l) entries in node_modules (cache $key saved)"
}

# Runs a command in the release with the site's environment (shared/env) loaded.
with_site_env() {
  local line
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] && export "${line?}"
  done <"$D/shared/env"
  cd "$RELEASE_DIR"
  "$@"
}

s_collectstatic() {
  with_site_env env STATIC_ROOT="$RELEASE_DIR/static" \
    "$NODE" --import tsx harness/reference-site/src/collectstatic.ts
  [[ -d $RELEASE_DIR/static ]] || { echo "collectstatic made no $RELEASE_DIR/static"; return 1; }
  note "$(find "$RELEASE_DIR/static" -type f | wc -l) files in static/"
}

s_migrate() {
  with_site_env "$NODE" --import tsx harness/reference-site/src/migrate.ts
  note "$(tail -n 1 "$STEP_LOG" | cut -c1-120)"
}

s_switch() {
  switch_current "releases/$ID"
  note "current -> $(readlink "$D/current") (was ${OLD_TARGET:-none})"
}

s_reload() {
  "$S/bin/supervise" "$SITE" reload 9>&-
  note "$(tail -n 1 "$STEP_LOG")"
}

release_at() { # url -> 0 when GET url/__release__ names $ID
  local body
  body=$(curl -ksS --max-time 3 "$1/__release__" 2>/dev/null) || return 1
  [[ $body == *"\"$ID\""* ]]
}
s_wait_live() {
  local deadline app=0 web=0
  deadline=$(($(date +%s) + DEPLOY_WAIT_SECONDS))
  while (($(date +%s) < deadline)); do
    ((app)) || { release_at "http://127.0.0.1:$APP_PORT" && app=1; } || true
    ((app)) && { ((web)) || { release_at "$PUBLIC_URL" && web=1; } || true; }
    if ((app && web)); then
      note "$ID answers on 127.0.0.1:$APP_PORT and at $PUBLIC_URL"
      return 0
    fi
    sleep 0.2
  done
  echo "after ${DEPLOY_WAIT_SECONDS}s: app port 127.0.0.1:$APP_PORT $( ((app)) && echo shows || echo does not show) $ID;" \
    "$PUBLIC_URL $( ((web)) && echo shows || echo does not show) it"
  echo "app: $(curl -ksS --max-time 3 "http://127.0.0.1:$APP_PORT/__release__" 2>&1 | head -c 300)"
  echo "nginx: $(curl -ksS --max-time 3 "$PUBLIC_URL/__release__" 2>&1 | head -c 300)"
  echo "last lines of $D/logs/app.log:"
  tail -n 20 "$D/logs/app.log"
  return 1
}

s_prune() {
  local live kept=0 removed=()
  live=$(basename "$(readlink "$D/current")")
  while read -r rel; do
    [[ -n $rel ]] || continue
    if ((kept < KEEP_RELEASES)) || [[ $rel == "$live" ]]; then
      kept=$((kept + 1))
    else
      rm -rf "${D:?}/releases/$rel"
      removed+=("$rel")
    fi
  done < <(ls -1 "$D/releases" | sort -r)
  note "kept $(ls -1 "$D/releases" | wc -l), removed ${#removed[@]}${removed[*]:+: ${removed[*]}}"
}

# ---- run --------------------------------------------------------------------------------------
if [[ $MODE == rollback ]]; then
  ID=$PREVIOUS
  say "rolling back $SITE: live $OLD_TARGET, previous release $ID"
  SWITCHED=1
  step "switch current" s_switch
  step "reload app (SIGHUP supervisor)" s_reload
  step "wait for the previous release (app port and nginx)" s_wait_live
  SWITCHED=0
  printf '%s\n' "$ID" >"$D/DEPLOYED.new"
  mv -T "$D/DEPLOYED.new" "$D/DEPLOYED"
  DONE=1
  say "rolled back $SITE $ID in $(secs_since "$T0")"
  exit 0
fi
say "deploying $SITE: ref $REF from $SOURCE_REPO (live: ${OLD_TARGET:-none})"
step "resolve ref" s_resolve
SHA=$(cat "$STEP_LOG.sha")
rm -f "$STEP_LOG.sha"
ID="$(date -u +%Y%m%dT%H%M%SZ)-${SHA:0:7}"
while [[ -e $D/releases/$ID ]]; do # unique even for the same commit deployed twice in a second
  sleep 1
  ID="$(date -u +%Y%m%dT%H%M%SZ)-${SHA:0:7}"
done
RELEASE_DIR=$D/releases/$ID
say "    release id: $ID"
step "fetch source (git archive)" s_archive
step "write RELEASE" s_write_release
step "install production dependencies" s_deps
step "collectstatic" s_collectstatic
step "migrate" s_migrate
SWITCHED=1
step "switch current" s_switch
step "reload app (SIGHUP supervisor)" s_reload
step "wait for the new release (app port and nginx)" s_wait_live
RELEASE_DIR="" # from here on the release is live: never delete it
SWITCHED=0
step "prune old releases (keep $KEEP_RELEASES)" s_prune
printf '%s\n' "$ID" >"$D/DEPLOYED.new"
mv -T "$D/DEPLOYED.new" "$D/DEPLOYED"
DONE=1
say "deployed $SITE $ID in $(secs_since "$T0")"
