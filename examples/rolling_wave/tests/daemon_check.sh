#!/usr/bin/env bash
# An agent that starts a daemon in a session of its own (setsid) and exits: the daemon leaves the
# agent's process group, so the kill ladder cannot reach it. It still carries the run dir's mark:
# it is ended after its agent (or, at the latest, when the run ends), and the run says so. One
# that clears its environment carries no mark, but the driver is a child subreaper: it comes
# back to the driver and is ended when the run ends.
# Usage: daemon_check.sh ROLLING_WAVE TASKS_JSON WORK_DIR
set -euo pipefail
rw=$1 tasks=$2 work=$3
rm -rf "$work" && mkdir -p "$work"

source "$(dirname "$0")/marked_processes.sh"

# The agent waits until a daemon runs in a session of its own: one that has not yet called setsid
# when its agent exits is still in the agent's group, and ends with it (no daemon left to report).
tag=$RANDOM$RANDOM
"$rw" run "$tasks" --run-dir "$work/run" --agent \
  "sh -c 'setsid -f sleep 30$tag < /dev/null > /dev/null 2>&1; until pgrep -f \"^sleep 30$tag\" > /dev/null; do sleep 0.01; done'" \
  > "$work/run.log" 2>&1 || { echo "the run failed:"; tail -5 "$work/run.log"; exit 1; }
left=$(marked_alive "$work/run")
[[ $left == 0 ]] || { echo "$left daemon(s) of the agents outlived the run"; exit 1; }
grep -Eq "left [0-9]+ process[(]es[)] running outside its process group|ended [0-9]+ process group[(]s[)] the agents left" \
  "$work/run.log" || { echo "the run did not say it ended the daemons:"; tail -5 "$work/run.log"; exit 1; }

# A daemon with a cleared environment: nothing marks it; it must not outlive the run either.
# (The agent waits until the daemon has its own session, so that it does escape the group.)
tag=$RANDOM$RANDOM
"$rw" run "$tasks" --run-dir "$work/run-env" --agent \
  "sh -c 'setsid -f env -i sleep 3$tag < /dev/null > /dev/null 2>&1; until pgrep -f \"^sleep 3$tag\" > /dev/null; do sleep 0.01; done'" \
  > "$work/run-env.log" 2>&1 || { echo "the run failed:"; tail -5 "$work/run-env.log"; exit 1; }
if pgrep -f "^sleep 3$tag" > /dev/null; then
  echo "a daemon with a cleared environment outlived the run:"; pgrep -af "^sleep 3$tag"
  pkill -f "^sleep 3$tag"; exit 1
fi
grep -q "ended [0-9]* process group(s) the agents left running" "$work/run-env.log" ||
  { echo "the run did not say it ended them:"; tail -5 "$work/run-env.log"; exit 1; }
echo "every setsid daemon of the agents ended with its agent or the run, marked or not, and the run said so"
