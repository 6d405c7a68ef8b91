#!/usr/bin/env bash
# Ownership at run time, in a fresh git checkout: task 1.1 owns src/a/** and writes src/a/ok.txt
# (fine); task 1.2 owns src/b/** but writes src/c/stray.txt (no task owns it). With
# --on-violation warn the run succeeds and says so; with fail it exits 1; with sequential it
# goes on one agent at a time and succeeds.
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
  ]}
], "metadata": {"description": "ownership"}}}
JSON
git add tasks.json && git -c user.name=t -c user.email=t@t commit -q -m plan

set +e
"$rw" run tasks.json --workdir . --run-dir "$work/run-warn" > "$work/warn.log" 2>&1
warn=$?
rm -f src/a/ok.txt src/c/stray.txt
"$rw" run tasks.json --workdir . --run-dir "$work/run-fail" --on-violation fail > "$work/fail.log" 2>&1
fail=$?
rm -f src/a/ok.txt src/c/stray.txt
"$rw" run tasks.json --workdir . --run-dir "$work/run-seq" --on-violation sequential > "$work/seq.log" 2>&1
seq=$?
set -e
cat "$work/warn.log" "$work/fail.log" "$work/seq.log"
[[ $warn -eq 0 ]] || { echo "warn: exit $warn, expected 0" >&2; exit 1; }
[[ $fail -eq 1 ]] || { echo "fail: exit $fail, expected 1" >&2; exit 1; }
grep -q 'ownership: src/c/stray.txt changed, and no task that ran owns it' "$work/warn.log"
grep -q 'stopping the run' "$work/fail.log"
[[ $seq -eq 0 ]] || { echo "sequential: exit $seq, expected 0" >&2; exit 1; }
grep -q 'one agent at a time from now on' "$work/seq.log"
if grep -q 'src/a/ok.txt changed' "$work/warn.log"; then echo "an owned path was flagged" >&2; exit 1; fi
echo "ownership violations flagged as asked"
