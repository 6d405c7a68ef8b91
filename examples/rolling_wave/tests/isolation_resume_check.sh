#!/usr/bin/env bash
# kill -9 of an isolated run (agents and merges in flight), then `resume`: every task's work ends
# on the run branch exactly once, the dead run's worktrees in use are gone, and the branch of a
# job the dead run had merged is not merged twice. Run at several kill points, each one a point
# of progress read from the journal (not a time: a slow machine may not have begun by then).
# Usage: isolation_resume_check.sh ROLLING_WAVE WORK_DIR
set -euo pipefail
rw=$1 work=$2
rm -rf "$work" && mkdir -p "$work/repo"
cd "$work/repo"
git init -q -b main .
echo base > base.txt
git add . && git -c user.name=t -c user.email=t@t commit -q -m base
# Two parents of 6 subtasks; each appends its id to its parent's list (a file every sibling
# changes: each merge is a real three-way merge of one file, and a job merged twice would show).
{
  echo '{"master": {"tasks": ['
  for p in 1 2; do
    deps=$([[ $p == 2 ]] && echo 1 || true)
    echo "{\"id\": $p, \"title\": \"p$p\", \"status\": \"pending\", \"dependencies\": [$deps], \"subtasks\": ["
    for s in 1 2 3 4 5 6; do
      sep=$([[ $s -lt 6 ]] && echo , || true)
      echo "{\"id\": $s, \"title\": \"t$s\", \"status\": \"pending\", \"dependencies\": [], \"cohort\": {\"argv\": [\"sh\", \"-c\", \"sleep 0.1; echo $p.$s > own-$p.$s.txt\"]}}$sep"
    done
    echo "]}$([[ $p == 1 ]] && echo , || true)"
  done
  echo '], "metadata": {}}}'
} > ../tasks.json

# Waits until the journal of run dir $1 has a line matching $2 (or the run has ended).
await_journal() {
  local deadline=$((SECONDS + 120))
  until grep -q "$2" "$1/journal.jsonl" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || return 0
    ((SECONDS < deadline)) || { echo "no '$2' in the journal after 120 s" >&2; exit 1; }
    sleep 0.02
  done
}

n=0
for point in '"e":"task_launched"' '"merge":"merging"' '"e":"parent_started","ms":[0-9]*,"task":"2"'; do
  n=$((n + 1)) run=kill$n
  "$rw" run ../tasks.json --allow-task-commands -j 3 --run-dir "$work/$run" > "../$run-1.log" 2>&1 &
  pid=$!
  await_journal "$work/$run" "$point"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  "$rw" resume --run-dir "$work/$run" > "../$run-2.log" 2>&1 ||
    { tail -20 "../$run-2.log"; echo "resume after kill -9 at $point failed"; exit 1; }
  files=$(git ls-tree --name-only "cohort/$run" | grep -c '^own-' || true)
  [[ $files == 12 ]] || { git ls-tree --name-only "cohort/$run"; echo "after kill -9 at $point: $files of 12 tasks' work on the branch"; exit 1; }
  # Each task's commit reached the run branch once.
  commits=$(git log --format=%s "cohort/$run" | grep -c '^[12]\.[1-6]: ' || true)
  [[ $commits == 12 ]] || { git log --oneline "cohort/$run"; echo "after kill -9 at $point: $commits task commits, expected 12"; exit 1; }
  left=$(find "$work/$run/worktrees" -maxdepth 1 -name 'slot-*' | wc -l)
  [[ $left == 0 ]] || { echo "after kill -9 at $point: $left worktree(s) left"; exit 1; }
  [[ -z $(git status --porcelain) ]] || { git status --porcelain; echo "the checkout changed"; exit 1; }
done
echo "kill -9 at the first launch, the first merge and the second parent's start, then resume: every task's work on the run branch once, no worktree left"
