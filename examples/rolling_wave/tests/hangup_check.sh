#!/usr/bin/env bash
# No orphan when the driver's terminal or output goes away:
#  1. SIGPIPE: `rolling-wave run ... | head -1` through a real pipe: the run ends like one Ctrl-C
#     (exit 141), long before its agents would finish, and leaves none of them running.
#  2. SIGHUP: the run in a real terminal (a tmux pane) whose terminal is closed (kill-session):
#     exit 129, no agent left, the journal complete (run_finished) so the run is resumable.
# Agents are found by their COHORT_RUN_DIR mark, whatever their parent.
# Usage: hangup_check.sh ROLLING_WAVE SIM_AGENT TASKS_JSON WORK_DIR
set -euo pipefail
rw=$1 sim=$2 tasks=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
agent="$sim --sleep 60000 --progress 240"   # a minute each, a line every 0.25 s

source "$(dirname "$0")/marked_processes.sh"

# 1. SIGPIPE through a real pipe.
start=$SECONDS
set +o pipefail
"$rw" run "$tasks" --agent "$agent" --run-dir "$work/pipe" 2> "$work/pipe.err" | head -1 > /dev/null
code=${PIPESTATUS[0]}
set -o pipefail
elapsed=$((SECONDS - start))
[[ $code == 141 ]] || { echo "SIGPIPE: exit $code, expected 141"; cat "$work/pipe.err"; exit 1; }
((elapsed < 30)) || { echo "SIGPIPE: the run took ${elapsed}s: it did not stop"; exit 1; }
left=$(marked_alive "$work/pipe")
[[ $left == 0 ]] || { echo "SIGPIPE: $left agent(s) left running"; exit 1; }
grep -q '"e":"run_finished"' "$work/pipe/journal.jsonl" || { echo "SIGPIPE: the journal has no end"; exit 1; }
echo "SIGPIPE: exit 141 after ${elapsed}s, no agent left, journal complete"

# 2. SIGHUP from a real terminal closing. The pane's shell passes the hangup on to its job as an
#    interactive shell does (the kernel signals only the session leader), then writes the code.
sock="rolling-wave-hup-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT
tmux -L "$sock" -f /dev/null new-session -d -s keep -x 80 -y 24 "sleep 600"
tmux -L "$sock" new-session -d -s run -x 100 -y 30 \
  "trap 'kill -HUP \$job' HUP; '$rw' run '$tasks' --agent '$agent' --run-dir '$work/hup' & job=\$!;
   while :; do wait \$job; code=\$?; kill -0 \$job 2>/dev/null || break; done; echo \$code > '$work/hup.code'"
deadline=$((SECONDS + 60))
until [[ -f $work/hup/journal.jsonl ]] && grep -q '"e":"task_launched"' "$work/hup/journal.jsonl"; do
  ((SECONDS < deadline)) || { echo "SIGHUP: no agent ever started"; exit 1; }
  sleep 0.1
done
tmux -L "$sock" kill-session -t run   # closes the pane's terminal: SIGHUP to its session
deadline=$((SECONDS + 30))
until [[ -s $work/hup.code ]]; do
  ((SECONDS < deadline)) || { echo "SIGHUP: rolling-wave did not end"; exit 1; }
  sleep 0.1
done
code=$(cat "$work/hup.code")
[[ $code == 129 ]] || { echo "SIGHUP: exit $code, expected 129"; exit 1; }
left=$(marked_alive "$work/hup")
[[ $left == 0 ]] || { echo "SIGHUP: $left agent(s) left running"; exit 1; }
grep -q '"e":"run_finished"' "$work/hup/journal.jsonl" || { echo "SIGHUP: the journal has no end"; exit 1; }
echo "SIGHUP: exit 129, no agent left, journal complete"
