#!/usr/bin/env bash
# rolling-wave resume: a run whose agents fail (exit 1), then `resume` of its run dir with a
# working agent: the journal's finished tasks are not run again, the rest are, exit 0. Then a
# demo interrupted by Ctrl-C (exit 130) and resumed to the end.
# Usage: resume_check.sh ROLLING_WAVE SIM_AGENT SMALL_JSON WORK_DIR
set -euo pipefail
rw=$1 sim=$2 plan=$3 work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work"
cp "$plan" tasks.json

set +e
"$rw" run tasks.json --agent "$sim --exit 3" --run-dir "$work/run" > first.log 2>&1
first=$?
"$rw" resume --run-dir "$work/run" --agent "$sim --sleep {duration_ms}" > second.log 2>&1
second=$?
set -e
cat first.log second.log
[[ $first -eq 1 ]] || { echo "first run: exit $first, expected 1" >&2; exit 1; }
[[ $second -eq 0 ]] || { echo "resume: exit $second, expected 0" >&2; exit 1; }
grep -q 'resuming .*: 1 run(s) so far' second.log
grep -q '4 jobs: 4 succeeded' second.log

# Interrupted: SIGINT once ends the agents gracefully (exit 130); resume finishes the rest.
"$rw" --time-scale 0.0003 --run-dir "$work/demo" > demo1.log 2>&1 &
pid=$!
deadline=$((SECONDS + 60))
until grep -q ' succeeded \[' demo1.log 2>/dev/null; do  # some job is done
  ((SECONDS < deadline)) || { kill "$pid"; echo "no job finished" >&2; exit 1; }
  sleep 0.05
done
kill -INT "$pid"
set +e; wait "$pid"; code=$?; set -e
[[ $code -eq 130 ]] || { tail demo1.log; echo "interrupted demo: exit $code, expected 130" >&2; exit 1; }
grep -q '(interrupted)' demo1.log
"$rw" resume --run-dir "$work/demo" --time-scale 0.0001 > demo2.log 2>&1
tail -4 demo2.log
grep -Eq '^[0-9]+ jobs: [0-9]+ succeeded, 0 failed, 0 skipped, 0 cancelled; [0-9]+ already done' demo2.log
echo "resumed to the end"

# --write-status on resume: the statuses the earlier run recorded reach the file first, even for
# tasks the resume does not run again (the earlier run here wrote none: it ran without it).
cp "$plan" recorded.json
"$rw" run recorded.json --agent "$sim" --run-dir "$work/recorded" > recorded1.log 2>&1
grep -q '"status": "pending"' recorded.json || { echo "the first run wrote statuses without --write-status" >&2; exit 1; }
"$rw" resume --run-dir "$work/recorded" --write-status > recorded2.log 2>&1
grep -q 'status(es) the earlier run recorded written to' recorded2.log ||
  { cat recorded2.log; echo "resume did not write the recorded statuses" >&2; exit 1; }
# master's six tasks done; tag "other" (one pending task) untouched.
done_count=$(grep -c '"status": "done"' recorded.json || true)
pending_count=$(grep -c '"status": "pending"' recorded.json || true)
if [[ $done_count != 6 || $pending_count != 1 ]]; then
  grep -n '"status"' recorded.json >&2
  echo "expected 6 done and 1 pending (another tag), got $done_count and $pending_count" >&2
  exit 1
fi
echo "resume --write-status wrote every recorded status"

# --write-status on resume: a task the resume launches again (attempt 2) is in-progress in the
# file while its agent runs, as at a first launch. The agent of 1.1 ("Lexer", one line of its own
# in the file) waits up to 5 s to read it so; its failure fails the resume.
cp "$plan" again.json
set +e
"$rw" run again.json --agent "$sim --exit 3" --retries 0 --write-status --run-dir "$work/again" > again1.log 2>&1
set -e
cat > watch.sh <<EOF
[ "\$COHORT_TASK_ID" = 1.1 ] || exit 0
for i in \$(seq 100); do
  grep -q '"title": "Lexer".*"status": "in-progress"' '$work/again.json' && exit 0
  sleep 0.05
done
echo "task 1.1 is not in-progress in the file while its agent runs (attempt \$COHORT_ATTEMPT)" >&2
exit 1
EOF
"$rw" resume --run-dir "$work/again" --write-status -j 1 --agent "sh $work/watch.sh" > again2.log 2>&1 ||
  { tail -8 again2.log; echo "a task the resume ran again was not in-progress while it ran" >&2; exit 1; }
grep -q '"title": "Lexer".*"status": "done"' again.json
echo "resume --write-status marks a task it runs again in-progress"
