#!/usr/bin/env bash
# Three real Claude Code agents (--agent claude) edit three files of one git repository
# through scripted tool calls (Write), and a fourth through Bash, each in its own worktree; the run branch holds the three
# files, each task's tokens are the sum of its two turns (cache tokens weighted), the statuses
# are written back; a fourth agent, whose edit is outside its work dir, is refused by Claude
# Code and its task fails, naming the refused call. Task Master's own CLI reads the file after.
source "$(dirname "$0")/agents_common.sh"
start_mock
claude_env
repo=$work/repo
make_plan "$repo" <<'JSON'
{"master": {"tasks": [
  {"id": 1, "title": "edit three files", "description": "three files", "status": "pending", "dependencies": [],
   "priority": "high", "details": "", "testStrategy": "", "subtasks": [
    {"id": 1, "title": "one", "description": "mock-write one.txt first", "status": "pending", "dependencies": []},
    {"id": 2, "title": "two", "description": "mock-write two.txt second", "status": "pending", "dependencies": []},
    {"id": 3, "title": "three", "description": "mock-write three.txt third", "status": "pending", "dependencies": []},
    {"id": 4, "title": "outside", "description": "mock-write ../outside.txt nope", "status": "pending", "dependencies": []},
    {"id": 5, "title": "bash", "description": "mock-bash shell", "status": "pending", "dependencies": []}
  ]}
]}}
JSON
cd "$repo"
set +e
"$rw" run --agent claude -j 5 --write-status --json --run-dir "$work/run" \
  > "$work/out.json" 2> "$work/err.log"
code=$?
set -e
[[ $code == 1 ]] || { tail -5 "$work/err.log"; fail "exit $code, not 1 (task 1.4 must fail)"; }
for f in one:first two:second three:third bash:shell; do
  got=$(git show "cohort/run:${f%%:*}.txt") || fail "${f%%:*}.txt is not on the run branch"
  [[ $got == "${f#*:}" ]] || fail "${f%%:*}.txt holds '$got'"
done
[[ ! -e $work/run/worktrees/outside.txt && ! -e $work/outside.txt ]] || fail "the refused write happened"
outcomes=$(json_query "$work/out.json" 'report.tasks.map(t => t.id + "=" + t.outcome).join(" ")')
[[ $outcomes == "1=failed 1.1=succeeded 1.2=succeeded 1.3=succeeded 1.4=failed 1.5=succeeded" ]] || fail "outcomes: $outcomes"
reason=$(json_query "$work/out.json" 'report.tasks.find(t => t.id === "1.4").reason')
[[ $reason == *"refused its own tool calls"*"Write "*"outside.txt"* ]] || fail "1.4's reason: $reason"
# Two turns per agent, each input 100, output 20, cache write 50, cache read 1000:
# 2 x (100 + 20 + 1.25 x 50 + 0.1 x 1000) = 565 tokens.
tokens=$(json_query "$work/out.json" 'report.tasks.filter(t => ["1.1","1.2","1.3","1.5"].includes(t.id)).map(t => t.tokens).join(" ")')
[[ $tokens == "565 565 565 565" ]] || fail "tokens per task: $tokens (565 each expected)"
cost=$(json_query "$work/out.json" 'report.summary.cost_usd > 0')
[[ $cost == true ]] || fail "no cost reported"
# Claude Code's prompts arrived as the tasks' own text.
grep -c '"tool":"Write"' "$mock_log" | grep -qx 4 || fail "the mock saw $(grep -c '"tool":"Write"' "$mock_log") Write turns, not 4"
# The file, as Task Master's CLI reads it after cohort's write-back.
statuses=$(grep -o '"status": *"[^"]*"' .taskmaster/tasks/tasks.json | sed 's/.*"\([^"]*\)"$/\1/' | tr '\n' ' ')
[[ $statuses == "pending done done done pending done " ]] || fail "statuses in the file: $statuses"
task-master list > "$work/tm-list.txt" 2>&1 || { cat "$work/tm-list.txt"; fail "task-master list refused the file"; }
task-master validate-dependencies > "$work/tm-validate.txt" 2>&1 || fail "task-master validate-dependencies refused the file"
task-master next > "$work/tm-next.txt" 2>&1 || fail "task-master next refused the file"
grep -q "1.4" "$work/tm-next.txt" || { cat "$work/tm-next.txt"; fail "task-master next does not pick 1.4, the one pending"; }
# Task Master's current tag (use-tag) is the one cohort reads, whatever path the file is given by.
task-master add-tag feature --copy-from-current > "$work/tm-tag.log" 2>&1 || { cat "$work/tm-tag.log"; fail "task-master add-tag"; }
task-master use-tag feature >> "$work/tm-tag.log" 2>&1 || { cat "$work/tm-tag.log"; fail "task-master use-tag"; }
for path in "" .taskmaster/tasks/tasks.json "$repo/.taskmaster/tasks/tasks.json"; do
  "$rw" plan $path 2>&1 | head -1 | grep -q "(tag feature)" || fail "rolling-wave plan $path does not read the current tag"
done
echo "four real Claude Code agents edited four files (Write and Bash, 565 tokens each), the refused edit failed its task"
