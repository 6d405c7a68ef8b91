#!/usr/bin/env bash
# --write-status on a file written on Windows by hand (BOM, CRLF, tabs, a number no double holds,
# a subtask without a status): afterwards every byte is as it was but the status values, and
# the subtask without one has one.
# Usage: writeback_bytes_check.sh ROLLING_WAVE WORK_DIR
set -euo pipefail
rw=$1 work=$2
rm -rf "$work" && mkdir -p "$work"

lines=(
  $'\xEF\xBB\xBF{'
  $'\t"master" : {"tasks":['
  $'\t\t{ "id":1 ,"title":"one","big":18446744073709551616, "weight": 2.0, "status":"pending",'
  $'\t\t  "subtasks": [ {"id": 1, "title": "caf\\u00e9",\t"status" :"pending"},'
  $'\t\t                {"id": 2, "title": "no status", "dependencies": [1]} ] }'
  $'\t], "metadata": {"created": "2026-01-01T00:00:00.000Z"}}}'
)
printf '%s\r\n' "${lines[@]}" > "$work/tasks.json"
# What the file must be afterwards: the three values done, one member added, nothing else.
sed -e 's/"pending"/"done"/g' \
    -e 's/"dependencies": \[1\]}/"dependencies": [1],"status": "done"}/' "$work/tasks.json" > "$work/expected.json"

"$rw" run "$work/tasks.json" --agent true --write-status --run-dir "$work/run" > "$work/run.log" 2>&1 ||
  { echo "the run failed:"; tail -5 "$work/run.log"; exit 1; }
if ! cmp -s "$work/tasks.json" "$work/expected.json"; then
  echo "the write-back changed more than the statuses:"
  diff <(od -c "$work/expected.json") <(od -c "$work/tasks.json") | head -20
  exit 1
fi
"$rw" status "$work/tasks.json" | grep -q "1 parents: 1 done" ||
  { echo "the file does not read back as done:"; "$rw" status "$work/tasks.json"; exit 1; }
echo "every byte kept but the three statuses (BOM, CRLF, tabs, 18446744073709551616, 2.0), one added"
