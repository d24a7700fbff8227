# Sourced by the window checks (.ci/gui-smoke, .ci/display-servers): waiting that holds on a busy
# machine. CI shares two cores with other jobs, so nothing here trusts a fixed sleep: each wait polls
# until its condition holds or a generous deadline passes, and says which it was.
# shellcheck shell=bash

# Polls COMMAND... every tenth of a second until it succeeds (returns 0) or SECONDS_TO_WAIT pass
# (returns 1). Usage: wait_until SECONDS_TO_WAIT COMMAND...
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# Starts Xvfb on a display number the server picks itself (-displayfd: no collision with a display
# already in use) and waits until it accepts connections; Xvfb writes the number only then, and a
# client (xdotool) is let connect before it counts as started. A server that cannot be reached is
# stopped and another started, up to three times. Sets XVFB_DISPLAY (":N") and XVFB_PID. Returns 1
# when no server is ready within ${XVFB_WAIT:-60} s.
start_xvfb() {
  local attempt
  for attempt in 1 2 3; do
    start_one_xvfb && return 0
    echo "wait.sh: Xvfb attempt $attempt could not be reached; starting another" >&2
    stop_xvfb
  done
  return 1
}

start_one_xvfb() {
  local ready
  ready=$(mktemp)
  # -noreset: by default the server resets when its last client leaves, and the readiness check
  # below is such a client; an app connecting while the server resets can be turned away.
  Xvfb -displayfd 3 -screen 0 1440x900x24 -nolisten tcp -noreset 3>"$ready" >/dev/null 2>&1 &
  XVFB_PID=$!
  # shellcheck disable=SC2016 # expanded by the inner shell
  if ! wait_until "${XVFB_WAIT:-60}" bash -c '[[ $(head -n 1 "$1") =~ ^[0-9]+$ ]] || ! kill -0 "$2" 2>/dev/null' \
    _ "$ready" "$XVFB_PID"; then
    rm -f "$ready"
    return 1
  fi
  XVFB_DISPLAY=:$(head -n 1 "$ready")
  rm -f "$ready"
  [[ $XVFB_DISPLAY =~ ^:[0-9]+$ ]] &&
    wait_until 10 env DISPLAY="$XVFB_DISPLAY" xdotool getdisplaygeometry >/dev/null 2>&1
}

# Stops the Xvfb start_xvfb started and waits until it has exited: a server still taking its socket
# down when the next one starts on the same display number can take the new server's socket with it.
stop_xvfb() {
  [[ -n ${XVFB_PID:-} ]] || return 0
  kill "$XVFB_PID" 2>/dev/null || true
  wait "$XVFB_PID" 2>/dev/null || true
  XVFB_PID=
}

# Waits up to SECONDS_TO_WAIT for the app's window (named Cutover) on $DISPLAY and sets `window`. The
# app is started by the caller's `start_app`, which runs it in the background, writing to LOG, and sets
# `app`. An app that exits because it could not connect to the X server (its log says so) is started
# once more and the retry is said; any other exit, or a second such one, fails (returns 1).
# Usage: wait_for_window SECONDS_TO_WAIT LOG
# shellcheck disable=SC2154 # app is set by the caller's start_app
wait_for_window() {
  local seconds=$1 log=$2 attempt
  window=
  for attempt in 1 2; do
    start_app
    wait_until "$seconds" _window_or_exit
    [[ -n $window ]] && return 0
    kill -0 "$app" 2>/dev/null && return 1
    grep -q 'Failed to open connection to X server' "$log" && ((attempt == 1)) || return 1
    echo "wait.sh: the app could not connect to the X server; starting it once more:" >&2
    cat "$log" >&2
  done
  return 1
}

# Succeeds once the window is up (setting `window`) or the app has exited.
# shellcheck disable=SC2154 # app is set by the caller's start_app
_window_or_exit() {
  window=$(xdotool search --limit 1 --name 'Cutover' 2>/dev/null) && [[ -n $window ]] && return 0
  window=
  ! kill -0 "$app" 2>/dev/null
}
