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
#   faults/container.sh restore [FAULT] a healthy deploy (mount, owner, port and migrations as they
#                                      were); after secret-key-readable or db-chowned-to-root, which
#                                      change one file's mode or owner, only that file put back
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
  case "${2:-}" in
  secret-key-readable) chmod 600 "$S/container/secret-key" ;;      # as container-deploy leaves it
  db-chowned-to-root) chown 1234:1234 "$S/container/db.sqlite3" ;; # the container's user
  *) "$S/bin/container-deploy" HEAD >/dev/null ;;
  esac
  ;;
*)
  echo "usage: faults/container.sh deploy FAULT | apply FAULT | restore [FAULT]" >&2
  exit 2
  ;;
esac
