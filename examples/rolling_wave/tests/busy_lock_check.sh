#!/usr/bin/env bash
# --write-status when another writer holds Task Master's lock (tasks.json.lock, a directory):
# the run goes on (no write ever waits on the event loop), the statuses stay queued and are
# tried again; once the lock is gone they are written, and a lock that never goes ends the run
# with exit 1 saying how many status changes were not written, the file untouched.
# Usage: busy_lock_check.sh ROLLING_WAVE WORK_DIR
set -euo pipefail
rw=$1 work=$2
rm -rf "$work" && mkdir -p "$work"

# Task 1.1 removes the lock (its own command); 2.1 and 2.2 run after it.
cat > "$work/plan.json" <<JSON
{"master": {"tasks": [
  {"id": 1, "title": "unlock", "description": "", "details": "", "status": "pending", "dependencies": [],
   "subtasks": [{"id": 1, "title": "rmdir", "description": "", "details": "", "status": "pending",
                 "dependencies": [], "cohort": {"argv": ["rmdir", "$work/tasks.json.lock"]}}]},
  {"id": 2, "title": "after", "description": "", "details": "", "status": "pending", "dependencies": [1],
   "subtasks": [{"id": 1, "title": "a", "description": "", "details": "", "status": "pending",
                 "dependencies": [], "cohort": {"argv": ["true"]}},
                {"id": 2, "title": "b", "description": "", "details": "", "status": "pending",
                 "dependencies": [], "cohort": {"argv": ["true"]}}]}
 ], "metadata": {"created": "2026-01-01T00:00:00.000Z", "description": "busy lock"}}}
JSON

# 1. The lock goes away during the run: every status reaches the file, exit 0.
cp "$work/plan.json" "$work/tasks.json"
mkdir "$work/tasks.json.lock"  # Task Master's style: no owner mark, fresh
"$rw" run "$work/tasks.json" --allow-task-commands --write-status --run-dir "$work/run1" \
  > "$work/run1.log" 2>&1 || { echo "released lock: exit $?"; cat "$work/run1.log"; exit 1; }
done_count=$(grep -o '"status": *"done"' "$work/tasks.json" | wc -l)
[[ $done_count -eq 5 ]] || { echo "released lock: $done_count of 5 statuses done"; cat "$work/tasks.json"; exit 1; }
[[ ! -e $work/tasks.json.lock ]] || { echo "the lock was left behind"; exit 1; }

# 2. The lock stays (kept fresh, so never stale): the run still ends, exit 1, nothing written.
cp "$work/plan.json" "$work/tasks.json"
sed -i 's/"argv": \["rmdir", "[^"]*"\]/"argv": ["true"]/' "$work/tasks.json"
cp "$work/tasks.json" "$work/before.json"
mkdir "$work/tasks.json.lock"
( while [[ -d $work/tasks.json.lock ]]; do touch "$work/tasks.json.lock"; sleep 1; done ) &
toucher=$!
trap 'rmdir "$work/tasks.json.lock" 2>/dev/null; kill $toucher 2>/dev/null || true' EXIT
code=0
"$rw" run "$work/tasks.json" --allow-task-commands --write-status --run-dir "$work/run2" \
  > "$work/run2.log" 2>&1 || code=$?
[[ $code -eq 1 ]] || { echo "held lock: exit $code, expected 1"; cat "$work/run2.log"; exit 1; }
grep -q 'the status of 5 task(s) was not written to .*: its lock (.*tasks.json.lock) stayed taken by another writer' "$work/run2.log" ||
  { echo "held lock: no word of the unwritten statuses"; cat "$work/run2.log"; exit 1; }
grep -q 'run finished: 3/3 jobs' "$work/run2.log" || { echo "held lock: the run did not finish"; cat "$work/run2.log"; exit 1; }
cmp -s "$work/tasks.json" "$work/before.json" || { echo "held lock: the file was written"; exit 1; }
echo "a busy lock kept the statuses queued: written once released (exit 0), reported when never released (exit 1)"
