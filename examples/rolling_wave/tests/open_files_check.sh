#!/usr/bin/env bash
# Out of file descriptors, nothing fails: with `ulimit -n 128` (soft and hard) and -j 400, the
# driver lowers -j to what fits, says so, and every one of 600 agents succeeds. With only the
# soft limit low (ulimit -Sn 128), it raises the soft limit to the hard one and keeps -j.
# Usage: open_files_check.sh ROLLING_WAVE WORK_DIR
set -euo pipefail
rw=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
{
  printf '{"master": {"tasks": [{"id": 1, "title": "many", "status": "pending", "dependencies": [], "subtasks": ['
  for i in $(seq 1 600); do
    ((i > 1)) && printf ','
    printf '{"id": %d, "title": "t%d", "status": "pending", "dependencies": []}' "$i" "$i"
  done
  printf ']}]}}\n'
} > "$work/tasks.json"

code=0
(ulimit -n 128 && "$rw" run "$work/tasks.json" --agent true -j 400 --mode rolling \
   --run-dir "$work/hard" > "$work/hard.log" 2>&1) || code=$?
grep -q -- "-j 400 lowered to 12: that many agents fit in the open-file limit (128, ulimit -n)" "$work/hard.log" ||
  { echo "no note of the lowered -j:"; tail -5 "$work/hard.log"; exit 1; }
grep -q "600 jobs: 600 succeeded" "$work/hard.log" || { echo "not every agent succeeded (exit $code):"; tail -8 "$work/hard.log"; exit 1; }
[[ $code == 0 ]] || { echo "exit $code"; exit 1; }
echo "ulimit -n 128: -j lowered to 12, 600 of 600 succeeded"

hard=$(ulimit -Hn)
if [[ $hard != unlimited ]] && ((hard >= 64 + 5 * 400)); then
  (ulimit -Sn 128 && "$rw" run "$work/tasks.json" --agent true -j 400 --mode rolling \
     --run-dir "$work/soft" > "$work/soft.log" 2>&1)
  ! grep -q "lowered" "$work/soft.log" || { echo "-j lowered though the hard limit ($hard) allows it"; exit 1; }
  grep -q "600 jobs: 600 succeeded" "$work/soft.log" || { echo "soft limit: not every agent succeeded"; exit 1; }
  echo "ulimit -Sn 128 (hard $hard): raised, -j 400 kept, 600 of 600 succeeded"
fi
