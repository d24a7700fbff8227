#!/usr/bin/env bash
# Real frames: the app in a real window (Xvfb, Mesa's software OpenGL) while the pointer moves over
# the canvas in a stream (one xdotool process: 1,000 moves 5 ms apart, faster than frames come).
# Prints the frames drawn, the median and 90th percentile of eframe's CPU time per frame (what
# `CUTOVER_FRAME_STATS` prints: the app, tessellation and GL calls, not the rasterising that finishes
# in the buffer swap), the median time from one frame to the next (all of it: what a user sees), and
# the CPU time all the app's threads (the rasteriser's included) and the X server used per frame:
# what a frame costs in all, which another program on the machine moves less than the time between
# frames.
#
# With SERVICE, that service is found (Ctrl+F, its id, Enter) and selected first, so the inspector
# shows it while the pointer moves. With `type` after it, the service's name field is clicked and 300
# letters are typed into it, 20 ms apart, instead of the pointer moving.
#
# Usage: benches/real-frames.sh BINARY PLAN [SERVICE [type]]   (a release build: cargo build --release)
# Needs xvfb, xdotool and Mesa (the packages .ci/gui-smoke installs).
set -euo pipefail
binary=$1
plan=$2
service=${3:-}
typing=${4:-}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=.ci/wait.sh
source .ci/wait.sh
start_xvfb || { echo "real-frames: Xvfb did not start" >&2; exit 1; }
home=$(mktemp -d)
log=$home/frames.log
app=
trap 'if [[ -n $app ]]; then kill "$app" 2>/dev/null || true; fi; stop_xvfb; rm -rf "$home"' EXIT
export DISPLAY=$XVFB_DISPLAY
# Every line the app writes, stamped with the time it arrived (seconds).
start_app() {
  HOME=$home XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data WAYLAND_DISPLAY='' \
    LIBGL_ALWAYS_SOFTWARE=1 CUTOVER_FRAME_STATS=1 "$binary" "$plan" 2> >(
    while IFS= read -r line; do echo "$EPOCHREALTIME $line"; done >"$log"
  ) >/dev/null &
  app=$!
}
if ! wait_for_window 90 "$log"; then
  echo "real-frames: no window; the app $(kill -0 "$app" 2>/dev/null && echo runs || echo exited); it wrote:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi
sleep 10 # the plan opened, analysed and fitted; the app idle
xdotool windowfocus "$window" 2>/dev/null || true
if [[ -n $service ]]; then
  xdotool key ctrl+f
  sleep 0.5
  xdotool type "$service"
  xdotool key Return
  sleep 2
  if [[ $typing == type ]]; then
    # The inspector's Name field, where it is in the 1440×900 screen start_xvfb makes.
    xdotool mousemove 1348 199 click 1
    sleep 1
  fi
fi
moves=()
for i in $(seq 1000); do moves+=(mousemove $((500 + i % 40 * 10)) $((350 + i % 7 * 10)) sleep 0.005); done
# The CPU time (user and system, in clock ticks) all of a process's threads have used so far.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
app_ticks=$(ticks "$app")
server_ticks=$(ticks "$XVFB_PID")
start=$EPOCHREALTIME
if [[ $typing == type ]]; then
  xdotool type --delay 20 "$(printf 'abcdefghij%.0s' $(seq 30))"
else
  xdotool "${moves[@]}"
fi
end=$EPOCHREALTIME
app_ticks=$(($(ticks "$app") - app_ticks))
server_ticks=$(($(ticks "$XVFB_PID") - server_ticks))
sleep 1
awk -v start="$start" -v end="$end" -v app_ticks="$app_ticks" -v server_ticks="$server_ticks" \
  -v hz="$(getconf CLK_TCK)" '
  $2 == "frame" && $1 >= start && $1 <= end + 0.3 {
    n++; cpu[n] = $4 + 0; at[n] = $1
  }
  # Sorts a[1..k] into s (insertion sort: a few hundred values).
  function sorted(a, k, s,   i, j, t) {
    for (i = 1; i <= k; i++) s[i] = a[i]
    for (i = 2; i <= k; i++) { t = s[i]; for (j = i - 1; j >= 1 && s[j] > t; j--) s[j + 1] = s[j]; s[j + 1] = t }
  }
  function median(a, k,   s) { sorted(a, k, s); return s[int((k + 1) / 2)] }
  function p90(a, k,   s) { sorted(a, k, s); return s[int(k * 0.9) > 0 ? int(k * 0.9) : 1] }
  END {
    if (n < 3) { print "real-frames: too few frames (" n ")"; exit 1 }
    for (i = 2; i <= n; i++) gap[i - 1] = (at[i] - at[i - 1]) * 1000
    printf "%d frames in %.1f s; CPU per frame: median %.2f ms, 90th percentile %.2f ms; frame to frame: median %.1f ms; all threads per frame: app %.1f ms, X server %.1f ms\n",
      n, end - start, median(cpu, n), p90(cpu, n), median(gap, n - 1),
      app_ticks * 1000 / hz / n, server_ticks * 1000 / hz / n
  }' "$log"
