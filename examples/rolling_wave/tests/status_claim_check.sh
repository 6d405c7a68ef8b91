#!/usr/bin/env bash
# One writer of statuses per tasks file and tag: while a run with --write-status is alive, a
# second one is refused (exit 2) naming the first's pid and run dir; once it ends, the next runs.
# Usage: status_claim_check.sh ROLLING_WAVE SIM_AGENT TASKS_JSON WORK_DIR
set -euo pipefail
rw=$1 sim=$2 source=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
cp "$source" "$work/tasks.json"

"$rw" run "$work/tasks.json" --agent "$sim --sleep 60000" --write-status --run-dir "$work/first" \
  > "$work/first.log" 2>&1 &
first=$!
trap 'kill -9 $first 2>/dev/null || true' EXIT
deadline=$((SECONDS + 60))
until grep -qs '"e":"task_launched"' "$work/first/journal.jsonl"; do
  ((SECONDS < deadline)) || { echo "the first run never launched"; cat "$work/first.log"; exit 1; }
  sleep 0.1
done

code=0
"$rw" run "$work/tasks.json" --agent true --write-status --run-dir "$work/second" > "$work/second.log" 2>&1 || code=$?
[[ $code == 2 ]] || { echo "second writer: exit $code, expected 2"; cat "$work/second.log"; exit 1; }
grep -qF "another rolling-wave (pid $first, run dir $work/first) is writing statuses to" "$work/second.log" ||
  { echo "the refusal does not name the first run:"; cat "$work/second.log"; exit 1; }
[[ ! -e $work/second/journal.jsonl ]] || { echo "the second run started anyway"; exit 1; }

kill -INT $first
wait $first || true
"$rw" run "$work/tasks.json" --agent true --write-status --run-dir "$work/third" > "$work/third.log" 2>&1 ||
  { echo "after the first ended, a run with --write-status was still refused:"; cat "$work/third.log"; exit 1; }
echo "a second --write-status run was refused naming pid $first; after it ended, the next ran"
