#!/usr/bin/env bash
# Breaks the third-edition target (the `superlists` container of server/container.ts) the way a
# fault says, or puts it back. For the fault catalogue only (`npm run faults`).
#
#   faults/container.sh deploy FAULT   a broken deploy, run on the server over SSH like the real one
#                                      (the deploy spec triggers it): no-db-mount | db-owned-by-root |
#                                      new-secret-key | wrong-port
#   faults/container.sh apply FAULT    skip-migrate: a deploy that ships a new table (migration 0004)
#                                      and forgets `migrate` (the server checks catch it)
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
  [[ ${2:-} == skip-migrate ]] || { echo "faults/container.sh: unknown fault '${2:-}'" >&2 && exit 2; }
  CONTAINER_FAULT=skip-migrate "$S/bin/container-deploy" HEAD >/dev/null
  ;;
restore)
  "$S/bin/container-deploy" HEAD >/dev/null
  ;;
*)
  echo "usage: faults/container.sh deploy FAULT | apply skip-migrate | restore" >&2
  exit 2
  ;;
esac
