#!/usr/bin/env bash
# Installs the Debian packages the local Superlists server needs (nginx, OpenSSH's server,
# PostgreSQL, podman + runc (the third-edition container target), OpenSMTPD + Dovecot (IMAP, LMTP) for the login mail, openssl, git, curl, ...) without letting apt start their services: server/up.ts runs
# its own instances on 127.0.0.1 with their own configuration and state. Safe to run again.
# Needs root (or sudo). Called by .ci/run.
set -euo pipefail

PACKAGES=(nginx openssh-server openssh-client postgresql opensmtpd dovecot-imapd dovecot-lmtpd
  openssl git curl ca-certificates procps iproute2 util-linux
  podman runc)

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: needs root (or sudo)" >&2; exit 1; }
  SUDO=sudo
fi

have_all() {
  local p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
  done
  # Debian's postgresql metapackage pulls a version; the server expects 15's binaries (Debian 12).
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

if have_all; then
  echo "install-deps: all packages already installed (${PACKAGES[*]})"
  exit 0
fi

# Keep apt's maintainer scripts from starting nginx, ssh, postgresql, opensmtpd and dovecot (no
# init system here, and their stock configurations would take ports 80, 22, 5432, 25, 143): policy-rc.d exit 101 = "not allowed".
POLICY=/usr/sbin/policy-rc.d
had_policy=0
if [[ -e $POLICY ]]; then
  had_policy=1
  $SUDO cp -p "$POLICY" "$POLICY.superlists-backup"
fi
restore_policy() {
  if ((had_policy)); then
    $SUDO mv -f "$POLICY.superlists-backup" "$POLICY"
  else
    $SUDO rm -f "$POLICY"
  fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
$SUDO chmod 755 "$POLICY"

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: apt-get update"
$SUDO apt-get update -qq
echo "install-deps: apt-get install ${PACKAGES[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${PACKAGES[@]}"

# If something started anyway (an init system that ignores policy-rc.d), the stock services
# are not ours: stop them so their ports stay free.
for svc in nginx ssh postgresql opensmtpd dovecot; do
  if command -v service >/dev/null && service "$svc" status >/dev/null 2>&1; then
    $SUDO service "$svc" stop >/dev/null 2>&1 || true
  fi
done
echo "install-deps: done"
