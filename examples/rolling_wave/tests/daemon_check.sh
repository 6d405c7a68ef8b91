#!/usr/bin/env bash
# An agent that starts a daemon in a session of its own (setsid) and exits: the daemon leaves the
# agent's process group, so the kill ladder cannot reach it; it still carries the run dir's mark,
# and the run ends it when it ends, saying so.
# Usage: daemon_check.sh ROLLING_WAVE TASKS_JSON WORK_DIR
set -euo pipefail
rw=$1 tasks=$2 work=$3
rm -rf "$work" && mkdir -p "$work"

source "$(dirname "$0")/marked_processes.sh"

"$rw" run "$tasks" --agent "setsid sleep 300" --run-dir "$work/run" > "$work/run.log" 2>&1 ||
  { echo "the run failed:"; tail -5 "$work/run.log"; exit 1; }
left=$(marked_alive "$work/run")
[[ $left == 0 ]] || { echo "$left daemon(s) of the agents outlived the run"; exit 1; }
grep -q "ended [0-9]* process group(s) the agents left running" "$work/run.log" ||
  { echo "the run did not say it ended the daemons:"; tail -5 "$work/run.log"; exit 1; }
echo "every setsid daemon of the agents ended with the run, and the run said so"
