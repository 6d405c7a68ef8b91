#!/usr/bin/env bash
# Ownership at run time, in a fresh git checkout shared by every agent (--isolation none): task 1.1 owns src/a/** and writes src/a/ok.txt
# (fine); task 1.2 owns src/b/** but writes src/c/stray.txt (no task owns it); then 2.1, 2.2
# and 2.3 could run side by side. With --on-violation warn the run succeeds and says so; with
# fail it exits 1 and starts nothing after the violation; with sequential it succeeds and runs
# 2.1-2.3 one at a time (the check holds every launch until it has judged the agent before).
# Usage: ownership_check.sh ROLLING_WAVE WORK_DIR
set -euo pipefail
rw=$1 work=$2
rm -rf "$work" && mkdir -p "$work/repo/src/a" "$work/repo/src/b" "$work/repo/src/c"
cd "$work/repo"
git init -q .
git -c user.name=t -c user.email=t@t commit -q --allow-empty -m init
cat > tasks.json <<'JSON'
{"master": {"tasks": [
  {"id": 1, "title": "Two writers", "status": "pending", "dependencies": [], "subtasks": [
    {"id": 1, "title": "Owner", "status": "pending", "dependencies": [],
     "cohort": {"owns": ["src/a/**"], "argv": ["touch", "src/a/ok.txt"]}},
    {"id": 2, "title": "Stray", "status": "pending", "dependencies": [1],
     "cohort": {"owns": ["src/b/**"], "argv": ["touch", "src/c/stray.txt"]}}
  ]},
  {"id": 2, "title": "After", "status": "pending", "dependencies": [1], "subtasks": [
    {"id": 1, "title": "x", "status": "pending", "dependencies": [], "cohort": {"argv": ["sleep", "0.3"]}},
    {"id": 2, "title": "y", "status": "pending", "dependencies": [], "cohort": {"argv": ["sleep", "0.3"]}},
    {"id": 3, "title": "z", "status": "pending", "dependencies": [], "cohort": {"argv": ["sleep", "0.3"]}}
  ]}
], "metadata": {"description": "ownership"}}}
JSON
git add tasks.json && git -c user.name=t -c user.email=t@t commit -q -m plan

set +e
"$rw" run tasks.json --allow-task-commands --isolation none --workdir . --run-dir "$work/run-warn" > "$work/warn.log" 2>&1
warn=$?
rm -f src/a/ok.txt src/c/stray.txt
"$rw" run tasks.json --allow-task-commands --isolation none --workdir . --run-dir "$work/run-fail" --on-violation fail --json \
  > "$work/fail.json" 2> "$work/fail.log"
fail=$?
rm -f src/a/ok.txt src/c/stray.txt
"$rw" run tasks.json --allow-task-commands --isolation none --workdir . --run-dir "$work/run-seq" --on-violation sequential --json \
  > "$work/seq.json" 2> "$work/seq.log"
seq=$?
set -e
cat "$work/warn.log" "$work/fail.log" "$work/seq.log"
[[ $warn -eq 0 ]] || { echo "warn: exit $warn, expected 0" >&2; exit 1; }
[[ $fail -eq 1 ]] || { echo "fail: exit $fail, expected 1" >&2; exit 1; }
grep -q 'ownership: src/c/stray.txt changed, and no task that ran owns it' "$work/warn.log"
grep -q 'stopping the run' "$work/fail.log"
[[ $seq -eq 0 ]] || { echo "sequential: exit $seq, expected 0" >&2; exit 1; }
grep -q 'one agent at a time from now on' "$work/seq.log"
# From the events (--json): how many of 2.1-2.3 were running at once at most, and launched at all.
most_at_once() {
  awk '/"task":"2\.[0-9]"/ {
         if ($0 ~ /"event":"task_launched"/) { if (++n > max) max = n }
         else if ($0 ~ /"event":"task_(succeeded|failed|cancelled)"/) n--
       } END { print max + 0 }' "$1"
}
[[ $(most_at_once "$work/seq.json") -eq 1 ]] || { echo "sequential: 2.x overlapped" >&2; exit 1; }
[[ $(grep -c '"event":"task_launched","[^"]*":[0-9]*,"task":"2\.' "$work/seq.json") -eq 3 ]] ||
  { echo "sequential: 2.x did not all run" >&2; exit 1; }
if grep -q '"event":"task_launched","[^"]*":[0-9]*,"task":"2\.' "$work/fail.json"; then
  echo "fail: a task started after the violation" >&2; exit 1
fi
if grep -q 'src/a/ok.txt changed' "$work/warn.log"; then echo "an owned path was flagged" >&2; exit 1; fi
echo "ownership violations flagged as asked"
