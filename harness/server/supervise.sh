#!/usr/bin/env bash
# supervise SITE start|stop|reload|restart|status
#
# The site's service control, the local stand-in for `systemctl start|stop|reload superlists-SITE`.
# It runs one supervisor (bin/supervisor.mjs, copied from reference-site/ at provisioning) per
# site, detached in its own session, with:
#   SUPERVISOR_APP_LINK = <state>/sites/SITE/current   (the live release; worker cwd = its realpath)
#   SUPERVISOR_ENV_FILE = <state>/sites/SITE/shared/env (re-read at every (re)start)
#   SUPERVISOR_PIDFILE  = <state>/sites/SITE/supervisor.pid
# and its output (and its workers') appended to <state>/sites/SITE/logs/app.log.
#   reload = SIGHUP (zero-downtime: new worker from `current`, then the old one retires);
#            starts the supervisor when it is not running.
#   stop   = SIGTERM, then SIGKILL of its whole process group after a bounded wait.
# Installed by server/up.ts as <state>/bin/supervise; deploy.sh calls it.
set -euo pipefail
umask 022

die() {
  echo "supervise: $*" >&2
  exit 1
}

# The state folder: $SUPERLISTS_SERVER_DIR, else the folder this script was installed in, else
# the default.
if [[ -n ${SUPERLISTS_SERVER_DIR:-} ]]; then
  S=$SUPERLISTS_SERVER_DIR
else
  S=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
  [[ -f $S/server.env ]] || S=/var/tmp/superlists-server
fi
[[ -f $S/server.env ]] || die "not provisioned: $S/server.env is missing (run server/up.ts)"
# shellcheck source=/dev/null
. "$S/server.env"

SITE=${1:-}
ACTION=${2:-status}
port_var="APP_PORT_${SITE//[^a-z]/_}"
[[ -n $SITE && -n ${!port_var:-} ]] || die "usage: supervise SITE start|stop|reload|restart|status (SITE: ${SITES:-?})"
APP_PORT=${!port_var}
D=$S/sites/$SITE
PIDFILE=$D/supervisor.pid
STOP_TIMEOUT=${SUPERVISE_STOP_TIMEOUT:-20}
START_TIMEOUT=${SUPERVISE_START_TIMEOUT:-30}

alive() { # pid -> 0 when the process exists and is not a zombie
  local pid=$1 state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z ]]
}

running_pid() { # prints the supervisor's pid when it runs
  local pid
  pid=$(head -n1 "$PIDFILE" 2>/dev/null) || return 1
  alive "$pid" || return 1
  echo "$pid"
}

app_answers() {
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$APP_PORT/__release__" 2>/dev/null
}

start() {
  local pid
  if pid=$(running_pid); then
    echo "supervisor for $SITE already running (pid $pid)"
    return 0
  fi
  [[ -L $D/current ]] || die "$SITE has no release yet ($D/current is missing): deploy first"
  [[ -f $S/bin/supervisor.mjs ]] || die "$S/bin/supervisor.mjs is missing (run server/up.ts)"
  mkdir -p "$D/logs"
  rm -f "$PIDFILE"
  printf '%s supervise: starting supervisor for %s\n' "$(date -u +%FT%TZ)" "$SITE" >>"$D/logs/app.log"
  (
    # The daemon must not inherit our open files (a caller's lock, an SSH session's pipes).
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      ((fd > 2 && fd != 255)) && eval "exec $fd>&-" 2>/dev/null || true
    done
    cd "$D"
    SUPERVISOR_APP_LINK=$D/current \
      SUPERVISOR_ENV_FILE=$D/shared/env \
      SUPERVISOR_PIDFILE=$PIDFILE \
      NODE_ENV=production \
      exec setsid -f "$NODE" "$S/bin/supervisor.mjs" </dev/null >>"$D/logs/app.log" 2>&1
  )
  local i
  for ((i = 0; i < START_TIMEOUT * 10; i++)); do
    if pid=$(running_pid) && app_answers; then
      echo "supervisor for $SITE started (pid $pid), app answers on 127.0.0.1:$APP_PORT"
      return 0
    fi
    sleep 0.1
  done
  echo "supervise: $SITE did not come up within ${START_TIMEOUT}s; last lines of $D/logs/app.log:" >&2
  tail -n 30 "$D/logs/app.log" | sed 's/^/    | /' >&2
  return 1
}

stop() {
  local pid i
  if ! pid=$(running_pid); then
    rm -f "$PIDFILE"
    echo "supervisor for $SITE not running"
    return 0
  fi
  kill -TERM "$pid"
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    echo "supervise: $SITE supervisor (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s: killing its process group" >&2
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  # Workers it may have left behind share its process group (setsid made it the leader).
  if pgrep -g "$pid" >/dev/null 2>&1; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    sleep 1
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  echo "supervisor for $SITE stopped (was pid $pid)"
}

reload() {
  local pid
  if pid=$(running_pid); then
    kill -HUP "$pid"
    echo "supervisor for $SITE (pid $pid) sent SIGHUP: reloading from $(readlink "$D/current")"
  else
    start
  fi
}

status() {
  local pid
  if pid=$(running_pid); then
    echo "$SITE: supervisor running (pid $pid), current -> $(readlink "$D/current" 2>/dev/null || echo none)"
    for f in "$D"/supervisor*.json "$PIDFILE".json; do
      [[ -f $f ]] && { cat "$f"; echo; }
    done
    return 0
  fi
  echo "$SITE: supervisor not running"
  return 3
}

case $ACTION in
start) start ;;
stop) stop ;;
reload) reload ;;
restart) stop && start ;;
status) status ;;
*) die "unknown action '$ACTION' (start|stop|reload|restart|status)" ;;
esac
