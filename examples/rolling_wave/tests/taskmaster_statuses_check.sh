#!/usr/bin/env bash
# Task Master's statuses as it defines them, through --write-status: a cancelled subtask is not
# run and keeps its status (its dependent runs); a subtask in review is not run, nor is its
# dependent, and both keep theirs. Then a status this run set that another program reverts
# while the run goes on (as Task Master's add-task does: it writes back the file it read before
# its lock) is written again at the end, and the run says so.
# Usage: taskmaster_statuses_check.sh ROLLING_WAVE WORK_DIR
set -euo pipefail
rw=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
fail() { echo "$*"; exit 1; }

cat > "$work/tasks.json" <<'JSON'
{"master": {"tasks": [
  {"id": 1, "title": "statuses", "status": "pending", "dependencies": [], "subtasks": [
    {"id": 1, "title": "cancelled", "status": "cancelled", "dependencies": []},
    {"id": 2, "title": "after cancelled", "status": "pending", "dependencies": [1]},
    {"id": 3, "title": "in review", "status": "review", "dependencies": []},
    {"id": 4, "title": "after review", "status": "pending", "dependencies": [3]}
  ]}
]}}
JSON
# The agent writes down which task it ran.
"$rw" run "$work/tasks.json" --isolation none --agent "sh -c 'echo \$COHORT_TASK_ID >> $work/ran'" \
  --write-status --run-dir "$work/run" > "$work/run.log" 2>&1 && fail "a run with a task not runnable exited 0"
[ "$(sort "$work/ran")" = "1.2" ] || fail "ran $(tr '\n' ' ' < "$work/ran"), not 1.2 alone"
# The subtasks' statuses in file order (the write-back keeps the layout: the parent's comes first).
status_of() { grep -o '"status": *"[^"]*"' "$1" | sed 's/.*"\([^"]*\)"$/\1/' | tail -n +2 | tr '\n' ' ' | sed 's/ $//'; }
[ "$(status_of "$work/tasks.json")" = "cancelled done review pending" ] ||
  fail "statuses after the run: $(status_of "$work/tasks.json") (cancelled, review and the dependent of review must be kept)"
grep -q "not runnable" "$work/run.log" || fail "the report does not say why 1.3 did not run"

# A reverting writer: task 2.2 puts back the file as it was before the run (2.1 pending again),
# once the run has written 2.1's done and 2.2's in-progress (the statuses are written beside the
# run, not before the next launch: on a slow machine 2.2 could start first, and there would be
# nothing to revert; and a revert made while the run writes 2.2's in-progress could be lost to
# that write, read before the revert: then nobody would have reverted anything).
cat > "$work/revert.json" <<'JSON'
{"master": {"tasks": [
  {"id": 2, "title": "reverted", "status": "pending", "dependencies": [], "subtasks": [
    {"id": 1, "title": "first", "status": "pending", "dependencies": []},
    {"id": 2, "title": "reverts", "status": "pending", "dependencies": [1]}
  ]}
]}}
JSON
cp "$work/revert.json" "$work/tasks2.json"
cat > "$work/revert.sh" <<SH
#!/bin/sh
[ "\$COHORT_TASK_ID" = 2.2 ] || exit 0
n=0
until grep -q '"first", "status": "done"' "$work/tasks2.json" &&
      grep -q '"reverts", "status": "in-progress"' "$work/tasks2.json"; do
  n=\$((n + 1))
  [ \$n -gt 400 ] && break
  sleep 0.05
done
cp "$work/revert.json" "$work/tasks2.json"
SH
chmod +x "$work/revert.sh"
"$rw" run "$work/tasks2.json" --isolation none --agent "$work/revert.sh" \
  --write-status --run-dir "$work/run2" > "$work/run2.log" 2>&1 || { tail -5 "$work/run2.log"; fail "the second run failed"; }
[ "$(status_of "$work/tasks2.json")" = "done done" ] || fail "statuses after the reverting run: $(status_of "$work/tasks2.json")"
grep -q "another program reverted .*2\.1.*written again" "$work/run2.log" ||
  { tail -5 "$work/run2.log"; fail "the run did not say it wrote 2.1 again"; }
echo "cancelled and review kept, only pending ran; a reverted status written again at the end"
