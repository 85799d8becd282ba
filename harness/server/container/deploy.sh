#!/usr/bin/env bash
# container-deploy [REF]
# container-deploy --rollback
#
# THE deploy script of the local third-edition target (one container named `superlists`, SQLite in
# a host file, no nginx), for staging and production alike (both point at the one container), as
# the book's Ansible playbook deploys:
#
#   resolve REF -> build the image superlists:<id> (git archive + production dependencies +
#   collectstatic, done at build time) -> read the secret key kept on the server (made once)
#   -> recreate the container (stop and remove the old one: the outage; run the new one with the
#   SQLite file bind-mounted) -> docker exec superlists ... migrate -> wait until /__release__ shows
#   <id> -> keep the last $KEEP_IMAGES images -> write DEPLOYED, print `deployed superlists <id>`
#
# `--rollback` (the rollback drill's <TARGET>_ROLLBACK): recreates the container from the image
# before the live one (superlists:<previous id>, kept by the prune), with the same secret key and
# SQLite bind mount, no build and no migrate (a code rollback: the data written since stays), waits
# for /__release__, prints `rolled back superlists <id>`. One failure line when there is no
# earlier image.
#
# Installed by server/up.ts as <state>/bin/container-deploy; run over SSH. On failure it names the
# failing step and prints its output. For the fault catalogue only: CONTAINER_FAULT=no-db-mount |
# db-owned-by-root | skip-migrate | new-secret-key | wrong-port | debug-on | not-recreated
# (harness/faults/container.sh).
set -euo pipefail
umask 022

say() { printf '%s\n' "$*"; }
die() {
  printf 'container-deploy FAILED: %s\n' "$*" >&2
  exit 1
}
S=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
[[ -f $S/server.env && -f $S/container/container.env ]] ||
  die "not provisioned: $S/server.env or $S/container/container.env is missing (run npm run server:up)"
# SOURCE_REPO NODE NPM PATH npm_config_cache
# shellcheck source=/dev/null
. "$S/server.env"
# C CONTAINERS_CONF CONTAINERS_STORAGE_CONF APP_PORT DB_FILE SECRET_KEY_FILE SITE_ENV BASE_IMAGE
# shellcheck source=/dev/null
. "$S/container/container.env"
[[ $# -le 1 ]] || die "usage: container-deploy [REF|--rollback]   (REF defaults to HEAD)"
REF=${1:-HEAD}
WHAT=deploy
[[ $REF == --rollback ]] && WHAT=rollback
KEEP_IMAGES=${KEEP_IMAGES:-3}
DEPLOY_WAIT_SECONDS=${DEPLOY_WAIT_SECONDS:-60}
FAULT=${CONTAINER_FAULT:-}
mkdir -p "$C/build" "$C/logs"
exec 9>"$C/deploy.lock"
flock -w "${DEPLOY_LOCK_WAIT:-120}" 9 || die "another deploy is still running ($C/deploy.lock)"
# podman and docker run without the lock's descriptor: the container's conmon outlives the deploy
# and would hold the lock for as long as the container runs.
podman() { command podman "$@" 9>&-; }
docker() { command docker "$@" 9>&-; }

now_ms() { date +%s%3N; }
secs_since() {
  local d=$(($(now_ms) - $1))
  printf '%d.%02ds' $((d / 1000)) $((d % 1000 / 10))
}
T0=$(now_ms)
STEP=start
LOG=$(mktemp "${TMPDIR:-/tmp}/container-deploy.XXXXXX")
CTX=""
trap 'rc=$?; rm -f "$LOG"; [[ -n $CTX ]] && rm -rf "$CTX"; ((rc == 0)) || say "$WHAT FAILED: superlists $REF at step '\''$STEP'\'' (exit $rc) after $(secs_since "$T0")" >&2' EXIT

# Runs one named step with its output in $LOG (and the deploy log); prints it when the step fails.
step() {
  local name=$1 t rc
  shift
  STEP=$name
  t=$(now_ms)
  say "==> [superlists] $name"
  set +e
  (
    set -e
    "$@"
  ) >"$LOG" 2>&1
  rc=$?
  set -e
  {
    printf '%s [%s] step: %s (exit %s)\n' "$(date -u +%FT%TZ)" "${ID:-?}" "$name" "$rc"
    cat "$LOG"
  } >>"$C/logs/deploy.log"
  if ((rc != 0)); then
    {
      say "!! step '$name' failed (exit $rc) after $(secs_since "$t"); its output:"
      sed 's/^/    | /' "$LOG"
    } >&2
    exit "$rc"
  fi
  say "    ok ($(secs_since "$t"))$([[ -s $LOG.note ]] && printf ': %s' "$(cat "$LOG.note")")"
  rm -f "$LOG.note"
}
note() { printf '%s' "$*" >"$LOG.note"; }
git_() { git -c safe.directory='*' -C "$SOURCE_REPO" "$@"; }

# The base image: an empty root filesystem with the non-root user (uid 1234) and its home; the
# host's /usr is bind-mounted read-only at run time (no registry to pull a distribution from).
s_base() {
  if podman image exists "$BASE_IMAGE"; then
    note "$BASE_IMAGE exists"
    return 0
  fi
  local root
  root=$(mktemp -d)
  mkdir -p "$root"/{etc,home/nonroot,tmp,usr,src,proc,sys,dev,run}
  chmod 1777 "$root/tmp"
  for link in bin sbin lib lib64; do ln -s "usr/$link" "$root/$link"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:1234:1234::/home/nonroot:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:1234:\n' >"$root/etc/group"
  chown 1234:1234 "$root/home/nonroot"
  tar -C "$root" -c . | podman import - "$BASE_IMAGE"
  rm -rf "$root"
  note "imported $BASE_IMAGE from an empty root filesystem"
}

# Production dependencies in an image of their own, keyed by the manifests and lock file: a
# release with the same lock file reuses it (like a Docker layer cache hit).
s_deps() {
  local dir key cache
  dir=$(mktemp -d)
  git_ archive --format=tar "$SHA" package.json package-lock.json harness/reference-site/package.json |
    tar -x -C "$dir"
  # The same key as bin/deploy's install cache: a lock file the second-edition deploy installed
  # is reused from there (hard links), not installed (and better-sqlite3 compiled) again.
  key=$({
    "$NODE" --version
    cat "$dir/package.json" "$dir/package-lock.json"
    cat "$dir"/harness/*/package.json
  } | sha256sum | cut -c1-16)
  DEPS_IMAGE=localhost/superlists-deps:$key
  if podman image exists "$DEPS_IMAGE"; then
    rm -rf "$dir"
    note "$DEPS_IMAGE exists"
    return 0
  fi
  cache=$S/cache/deps/$key
  if [[ -f $cache/.complete ]]; then
    (cd "$cache" && find . -maxdepth 3 -type d -name node_modules -prune -print) |
      while read -r nm; do cp -al "$cache/$nm" "$dir/$nm"; done
    note "built $DEPS_IMAGE from the install cache $key"
  else
    (cd "$dir" && "$NPM" ci --omit=dev --workspace=harness/reference-site --include-workspace-root=false \
      --no-audit --no-fund --prefer-offline --loglevel=warn)
    note "built $DEPS_IMAGE (npm ci --omit=dev)"
  fi
  printf 'FROM %s\nCOPY . /src/\n' "$BASE_IMAGE" >"$dir/Containerfile"
  podman build -q -t "$DEPS_IMAGE" -f "$dir/Containerfile" "$dir"
  rm -rf "$dir"
}

# The release image: the source of REF, its static files collected at build time (WhiteNoise's
# collectstatic in the book's Dockerfile), the site serving them itself.
s_image() {
  # The site's own files only (the book's image holds src/, not the functional tests).
  git_ archive --format=tar "$SHA" package.json harness/reference-site | tar -x -C "$CTX"
  if [[ $FAULT == skip-migrate ]]; then # the release ships a new table (for the fault catalogue)
    printf 'CREATE TABLE lists_tag (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, name text NOT NULL);\n' \
      >"$CTX/harness/reference-site/migrations/sqlite/0004_tags.sql"
  fi
  printf '%s\n' "$ID" >"$CTX/RELEASE"
  printf '%s\n' "$SHA" >"$CTX/REVISION"
  # collectstatic needs the dependencies (bootstrap): borrow them from the deps image's files.
  local mount
  mount=$(podman image mount "$DEPS_IMAGE")
  ln -s "$mount/src/node_modules" "$CTX/node_modules"
  (cd "$CTX" && STATIC_ROOT="$CTX/static" "$NODE" --import tsx harness/reference-site/src/collectstatic.ts)
  rm "$CTX/node_modules"
  podman image unmount "$DEPS_IMAGE" >/dev/null
  cat >"$CTX/Containerfile" <<EOF
FROM $DEPS_IMAGE
COPY . /src/
WORKDIR /src
USER 1234:1234
ENV NODE_ENV=production STATIC_ROOT=/src/static SERVE_STATIC=1 MIGRATE_ON_START=0 RELEASE_ID=$ID
CMD ["/usr/bin/node", "--import", "tsx", "harness/reference-site/src/server.ts"]
EOF
  printf 'Containerfile\n.git\n' >"$CTX/.containerignore"
  podman build -q -t "$IMAGE" -f "$CTX/Containerfile" "$CTX"
  note "$IMAGE ($(find "$CTX/static" -type f | wc -l) static files)"
}

# The secret key: written once to a file on the server, re-read by every deploy.
s_secret() {
  if [[ $FAULT == new-secret-key || ! -s $SECRET_KEY_FILE ]]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$SECRET_KEY_FILE")
    note "made a new secret key in $SECRET_KEY_FILE"
  else
    note "kept $SECRET_KEY_FILE"
  fi
  chmod 600 "$SECRET_KEY_FILE"
  (umask 077 && {
    cat "$SITE_ENV"
    printf 'SECRET_KEY=%s\n' "$(cat "$SECRET_KEY_FILE")"
    [[ $FAULT == wrong-port ]] && printf 'PORT=%s\n' $((APP_PORT + 1))
    [[ $FAULT == debug-on ]] && printf 'SUPERLISTS_FAULT=debug-404\n'
    true
  } >"$C/run.env")
}

# The database file on the host, owned by the container's user (the book's `touch ~/db.sqlite3`).
s_dbfile() {
  [[ -e $DB_FILE ]] || : >"$DB_FILE"
  if [[ $FAULT == db-owned-by-root ]]; then
    chown 0:0 "$DB_FILE"
    chmod 644 "$DB_FILE"
  else
    chown 1234:1234 "$DB_FILE"
  fi
  note "$DB_FILE ($(stat -c 'uid %u, gid %g, mode %a, %s bytes' "$DB_FILE"))"
}

# Recreate: the old container stops (the outage starts), the new one starts on the new image.
s_recreate() {
  local mount=(-v "$DB_FILE:/home/nonroot/db.sqlite3")
  [[ $FAULT == no-db-mount ]] && mount=()
  podman rm -f -t 10 superlists >/dev/null 2>&1 || true
  podman run -d --name superlists --network host -v /usr:/usr:ro "${mount[@]}" \
    --env-file "$C/run.env" --log-opt max-size=10mb "$IMAGE"
  rm -f "$C/run.env"
  note "superlists runs $IMAGE"
}

s_migrate() {
  docker exec superlists /usr/bin/node --import tsx harness/reference-site/src/migrate.ts
  note "$(tail -n 1 "$LOG" | cut -c1-120)"
}

# The release the container answers, read from inside it (at its own PORT), as a health check in
# a playbook would: what the outside world reaches is the suite's business.
s_wait() {
  local deadline body
  deadline=$(($(date +%s) + DEPLOY_WAIT_SECONDS))
  while (($(date +%s) < deadline)); do
    body=$(docker exec superlists /usr/bin/node -e 'fetch(`http://127.0.0.1:${process.env.PORT}/__release__`).then((r) => r.text()).then((t) => process.stdout.write(t), () => process.exit(1))' 2>/dev/null) || body=""
    if [[ $body == *"\"$ID\""* ]]; then
      note "$ID answers inside the container"
      return 0
    fi
    sleep 0.2
  done
  echo "after ${DEPLOY_WAIT_SECONDS}s the container does not answer $ID; docker logs superlists:"
  docker logs --tail 20 superlists 2>&1
  return 1
}

# The images of the releases, oldest first (their tags begin with the UTC time of the deploy).
release_images() {
  podman images --format '{{.Repository}}:{{.Tag}}' localhost/superlists | { grep '^localhost/superlists:' || true; } | sort
}

# Keeps the newest (by tag: `podman images --sort created` lists the newest first, so cutting its
# tail kept the oldest images and removed the one before the live one, the rollback's).
s_prune() {
  local removed=0 image
  while read -r image; do
    podman rmi "$image" >/dev/null 2>&1 && removed=$((removed + 1))
  done < <(release_images | grep -vxF "$IMAGE" | head -n "-$((KEEP_IMAGES - 1))")
  note "removed $removed old image(s)"
}

if [[ $WHAT == rollback ]]; then
  LIVE=$(cat "$C/DEPLOYED" 2>/dev/null || true)
  IMAGE=$(release_images | awk -v live="$LIVE" '$0 < live' | tail -n 1)
  [[ -n $LIVE && -n $IMAGE ]] || {
    trap - EXIT
    rm -f "$LOG"
    die "no image before the live one (${LIVE:-none}) to roll back to (deploy twice first)"
  }
  ID=${IMAGE#localhost/superlists:}
  say "rolling back superlists: live $LIVE, previous image $IMAGE"
  step "secret key" s_secret
  step "database file" s_dbfile
  step "recreate container" s_recreate
  step "wait for the previous release" s_wait
  printf '%s\n' "$IMAGE" >"$C/DEPLOYED"
  say "rolled back superlists $ID in $(secs_since "$T0")"
  exit 0
fi
say "deploying superlists: ref $REF from $SOURCE_REPO${FAULT:+ (fault: $FAULT)}"
SHA=$(git_ rev-parse --verify --quiet "${REF}^{commit}") || die "unknown ref '$REF' in $SOURCE_REPO"
ID="$(date -u +%Y%m%dT%H%M%S%3NZ)-${SHA:0:7}"
IMAGE=localhost/superlists:$ID
CTX=$(mktemp -d "$C/build/$ID.XXXX")
DEPS_IMAGE=""
say "    release id: $ID"
step "base image" s_base
s_deps_run() {
  s_deps
  printf '%s' "$DEPS_IMAGE" >"$LOG.deps"
}
step "production dependencies (image)" s_deps_run
DEPS_IMAGE=$(cat "$LOG.deps")
rm -f "$LOG.deps"
step "build image (source + collectstatic)" s_image
step "secret key" s_secret
step "database file" s_dbfile
if [[ $FAULT == not-recreated ]]; then # the new image is built, the old container keeps running
  printf '%s\n' "$IMAGE" >"$C/DEPLOYED"
  say "deployed superlists $ID (not recreated: CONTAINER_FAULT=not-recreated)"
  exit 0
fi
step "recreate container" s_recreate
if [[ $FAULT == skip-migrate ]]; then
  say "==> [superlists] migrate (forgotten: CONTAINER_FAULT=skip-migrate)"
else
  step "migrate (docker exec)" s_migrate
fi
step "wait for the new release" s_wait
step "prune old images (keep $KEEP_IMAGES)" s_prune
printf '%s\n' "$IMAGE" >"$C/DEPLOYED"
say "deployed superlists $ID in $(secs_since "$T0")"
