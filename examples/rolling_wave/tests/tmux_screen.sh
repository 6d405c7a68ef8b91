#!/usr/bin/env bash
# The dashboard as a person sees it: rolling-wave's demo in a real terminal (tmux), the screen
# read with capture-pane.
#  1. live: while it runs, the screen shows the header (progress, agents, tokens) and the tree
#     parent -> wave -> agent; at the end the final frame and the report, exit 0.
#  2. plain (NO_COLOR): timestamped lines, not one escape code on the screen or in the output.
# Every wait polls the screen until what it waits for is there (or a generous deadline passes).
# Usage: tmux_screen.sh ROLLING_WAVE WORK_DIR
set -euo pipefail
rw=$1 work=$2
sock="rolling-wave-test-$$"
rm -rf "$work" && mkdir -p "$work"
trap 'tmux -u -L "$sock" kill-server 2>/dev/null || true' EXIT

screen() { tmux -u -L "$sock" capture-pane -p -t "$1" "${@:2}"; }
# wait_for SESSION REGEX [SECONDS]: polls the visible screen until it matches.
wait_for() {
  local deadline=$((SECONDS + ${3:-60}))
  until screen "$1" | grep -Eq -- "$2"; do
    if ((SECONDS > deadline)); then
      echo "timed out waiting for /$2/ on the screen:" >&2
      screen "$1" >&2
      return 1
    fi
    sleep 0.1
  done
}

# A server of our own, without the user's configuration, keeping enough history for the checks.
tmux -u -L "$sock" -f /dev/null new-session -d -s setup -x 80 -y 24 "sleep 600"
tmux -u -L "$sock" set-option -g history-limit 20000

# 1. Live. The demo (one minute of estimate = 18 ms: about 7 s), so that the tree is seen running.
tmux -u -L "$sock" new-session -d -s live -x 120 -y 40 \
  "cd '$work' && LANG=C.UTF-8 '$rw' --time-scale 0.0003 --run-dir '$work/live'; echo EXIT=\$?; sleep 600"
wait_for live '▾ [0-9]+ .*wave [0-9]/[0-9]'           # a parent open, in a wave
wait_for live '^ +wave [0-9]/[0-9]: [0-9]+/[0-9]+ done'   # its wave line
wait_for live '^ +► [0-9]+\.[0-9]+ '                   # a running agent under it
running=$(screen live)
grep -Eq '\[[█░]+\] +[0-9]+/93 jobs' <<<"$running"
grep -Eq 'agents [0-9]/8 .*tokens [0-9,]+ / 1,000,000' <<<"$running"
grep -Eq 'ETA [0-9]+:[0-9]{2}' <<<"$running"
wait_for live 'EXIT=' 120
final=$(screen live -S -200)
grep -q 'EXIT=0' <<<"$final"
grep -Eq '93/93 jobs 100%' <<<"$final"
grep -Eq '✓ 17 +Task 17 +4/4 done' <<<"$final"
grep -Eq 'speedup [0-9.]+x' <<<"$final"
# Drawn in place: the header appears once in the whole history, however many frames were drawn.
[[ $(grep -c 'rolling-wave demo (seed plan' <<<"$final") -eq 1 ]]
echo "--- live, while running:"; echo "$running"

# 2. Plain: NO_COLOR on the same terminal: one timestamped line per event, scrolling.
tmux -u -L "$sock" new-session -d -s plain -x 120 -y 40 \
  "cd '$work' && NO_COLOR=1 LANG=C.UTF-8 '$rw' --time-scale 0.00005 --run-dir '$work/plain'; echo EXIT=\$?; sleep 600"
wait_for plain 'EXIT=' 120
history=$(screen plain -e -S -20000)
grep -q 'EXIT=0' <<<"$history"
if grep -q $'\x1b' <<<"$history"; then echo "an escape code on the plain screen" >&2; exit 1; fi
grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} 3\.1 launched \(attempt 1, pid [0-9]+\)' <<<"$history"
grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} 17 wave 3/3 finished' <<<"$history"
echo "tmux screen test passed"
