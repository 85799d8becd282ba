#!/usr/bin/env bash
# Breaks the third-edition target (the `superlists` container of server/container.ts) the way a
# fault says, or puts it back. For the fault catalogue only (`npm run faults`).
#
#   faults/container.sh deploy FAULT   a broken deploy, run on the server over SSH like the real one
#                                      (the deploy spec triggers it): no-db-mount | db-owned-by-root |
#                                      new-secret-key | wrong-port
#   faults/container.sh apply FAULT    for the server checks: skip-migrate (a deploy that ships a new
#                                      table, migration 0004, and forgets `migrate`) | debug-on |
#                                      not-recreated | secret-key-readable | db-chowned-to-root
#   faults/container.sh restore        a healthy deploy (mount, owner, port and migrations as they were)
set -euo pipefail
S=${SUPERLISTS_SERVER_DIR:-/var/tmp/superlists-server}
case "${1:-}" in
deploy)
  case "${2:-}" in
  no-db-mount | db-owned-by-root | new-secret-key | wrong-port)
    CONTAINER_FAULT=$2 exec "$S/bin/container-deploy" HEAD
    ;;
  *) echo "faults/container.sh: unknown deploy fault '${2:-}'" >&2 && exit 2 ;;
  esac
  ;;
apply)
  case "${2:-}" in
  skip-migrate | debug-on | not-recreated)
    CONTAINER_FAULT=$2 "$S/bin/container-deploy" HEAD >/dev/null
    ;;
  secret-key-readable) chmod 644 "$S/container/secret-key" ;;
  db-chowned-to-root) chown 0:0 "$S/container/db.sqlite3" ;;
  *) echo "faults/container.sh: unknown fault '${2:-}'" >&2 && exit 2 ;;
  esac
  ;;
restore)
  "$S/bin/container-deploy" HEAD >/dev/null
  ;;
*)
  echo "usage: faults/container.sh deploy FAULT | apply skip-migrate | restore" >&2
  exit 2
  ;;
esac
