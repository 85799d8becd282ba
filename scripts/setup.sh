#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for this project, then the npm packages.
# Safe to run again: it skips what is there. Needs root (or sudo) for apt.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

# Debian's Chromium: Playwright cannot download its own browser everywhere (see README).
# Both builds: the headless shell (the default) and full Chromium, which, like Chrome, asks for
# /favicon.ico by itself; the project tests with both.
# The real local server (npm test) needs nginx, sshd and PostgreSQL: harness/server/install-deps.sh.
packages=(chromium-headless-shell chromium)
missing=()
for pkg in "${packages[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ -f harness/server/install-deps.sh ]; then bash harness/server/install-deps.sh; fi

echo "setup: npm ci"
npm ci --no-audit --no-fund --loglevel=error
