#!/usr/bin/env bash
# create-session SITE EMAIL
#
# Makes a user and a logged-in session in SITE's database and prints the session key: the
# reference site's counterpart of the book's `manage.py create_session` (it fails for an existing
# user, as the book's does). Runs the live release's create-session.ts with the site's environment
# (shared/env). Installed by server/up.ts as <state>/bin/create-session; the suite runs it over SSH
# (STAGING_CREATE_SESSION=ssh:<state>/bin/create-session staging {email}).
set -euo pipefail
die() {
  echo "create-session: $*" >&2
  exit 1
}
S=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
[[ -f $S/server.env ]] || die "not provisioned: $S/server.env is missing (run server/up.ts)"
# NODE SITES
# shellcheck source=/dev/null
. "$S/server.env"
SITE=${1:-}
EMAIL=${2:-}
if [[ $# -ne 2 || -z $EMAIL || " $SITES " != *" $SITE "* ]]; then
  echo "usage: create-session SITE EMAIL   (SITE: ${SITES// /|})" >&2
  exit 2
fi
D=$S/sites/$SITE
[[ -L $D/current ]] || die "$SITE has no live release ($D/current is missing): deploy first"
while IFS= read -r line || [[ -n $line ]]; do
  [[ $line =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] && export "${line?}"
done <"$D/shared/env"
cd "$(readlink -f "$D/current")"
[[ -f harness/reference-site/src/create-session.ts ]] ||
  die "the live release of $SITE ($(cat RELEASE 2>/dev/null || pwd)) has no create-session (no stage 3)"
# The key is also kept in a root-only log, so that check-secrets can look for every key handed out.
key=$("$NODE" --import tsx harness/reference-site/src/create-session.ts "$EMAIL") || exit $?
(umask 077 && mkdir -p "$S/secrets" && printf '%s\n' "$key" >>"$S/secrets/session-keys.log") ||
  echo "create-session: could not log the key in $S/secrets/session-keys.log" >&2
printf '%s\n' "$key"
