#!/usr/bin/env bash
# rolling-wave on a real one-machine Slurm cluster (tests/slurm/cluster.sh, started by the CTest
# fixture of the `slurm` label), checked from the cluster's own records (squeue, the jobcomp log)
# as much as from cohort's:
#  1. the seed plan with simulated agents, -j 16: every job done; never more than 16 of this
#     run's jobs RUNNING (squeue, sampled); each job submitted once; every wave's jobs started
#     after the previous wave's ended; the report's end times within Slurm's (1 s granularity);
#  2. Ctrl-C with an agent that ignores SIGTERM and leaves a setsid'd grandchild: exit 130, no
#     job of the run left in the queue, no process of it left on the node;
#  3. kill -9 of the driver with jobs running, then `resume` (adopt; then another with
#     --on-resume cancel): every task's work done exactly once, no task with two jobs at once;
#     a job that completed while no driver watched is kept by a cancelling resume too;
#  4. a job that cannot start (a partition that does not exist, a program missing on the node):
#     a clear error for that task.
# Usage: slurm_check.sh ROLLING_WAVE SIM_AGENT SEED_JSON CLUSTER_DIR WORK_DIR
set -euo pipefail
rw=$1 sim=$2 seed=$3 cluster=$4 work=$5
here=$(cd "$(dirname "$0")" && pwd)
if [[ ! -f $cluster/env ]]; then
  echo "SKIPPED: no Slurm test cluster at $cluster (tests/slurm/cluster.sh start $cluster)"
  exit 77
fi
export "$(cat "$cluster/env")"
command -v python3 > /dev/null || { echo "SKIPPED: python3 missing (run .ci/setup)"; exit 77; }
rm -rf "$work" && mkdir -p "$work" && cd "$work"
jobcomp=$cluster/log/jobcomp.log

# The most of cohort's jobs the cluster ran at once while process $1 lived (squeue, sampled:
# a sample can miss a peak, never make one up).
peak_running() {
  local max=0 n
  while kill -0 "$1" 2> /dev/null; do
    n=$(squeue -h -t running -o %j | grep -c '^cohort-' || true)
    ((n > max)) && max=$n
    sleep 0.05
  done
  echo "$max"
}

# --- 1. the seed plan, -j 16 --------------------------------------------------------------------
"$rw" --launcher slurm -j 16 --time-scale 0.0003 --slurm-poll 100ms --run-dir "$work/seed" --json \
  > seed.jsonl 2> seed.err &
pid=$!
max=$(peak_running "$pid")
set +e; wait "$pid"; code=$?; set -e
[[ $code == 0 ]] || { tail -20 seed.err; echo "seed run: exit $code, expected 0"; exit 1; }
((max <= 16)) || { echo "the cluster ran $max of the run's jobs at once, more than -j 16"; exit 1; }
python3 - "$seed" seed.jsonl "$jobcomp" "$work/seed/journal.jsonl" "$max" <<'EOF'
import collections, datetime, json, re, sys
seed, events, jobcomp, journal, peak = sys.argv[1:]
lines = [json.loads(l) for l in open(events) if l.startswith('{')]
report = [l for l in lines if l.get('event') == 'report'][0]['report']
jobs = {t['id']: t for t in report['tasks'] if t.get('job')}
ran = [t for t in report['tasks'] if t['outcome'] == 'succeeded' and '.' in t['id']]
assert len(jobs) == len(ran) == 93, (len(jobs), len(ran))
# Each task's job submitted once: one task_queued job id per task.
queued = collections.defaultdict(set)
for l in lines:
    if l.get('event') == 'task_queued': queued[l['task']].add(l['job'])
assert all(len(v) == 1 for v in queued.values()), {k: v for k, v in queued.items() if len(v) != 1}
# The cluster's records of those jobs.
slurm = {}
for l in open(jobcomp):
    f = dict(kv.split('=', 1) for kv in l.split() if '=' in kv)
    slurm[f['JobId']] = f
when = lambda s: datetime.datetime.fromisoformat(s).timestamp()
name = {slurm[t['job']]['Name'] for t in jobs.values()}
assert len(name) == 1, name
assert sum(1 for f in slurm.values() if f['Name'] in name) == 93, 'a job submitted twice'
# Waves, from Slurm's own start and end times (whole seconds): wave k starts no earlier than the
# end of every job of wave k-1 of the same parent.
plan = json.load(open(seed))
tasks = plan['master']['tasks'] if 'master' in plan else plan['tasks']
for p in tasks:
    waves = collections.defaultdict(list)
    for s in p['subtasks']:
        tid = f"{p['id']}.{s['id']}"
        if tid in jobs:
            waves[int(re.search(r'wave (\d+)', s['title']).group(1))].append(slurm[jobs[tid]['job']])
    for k in sorted(waves)[1:]:
        if k - 1 in waves:
            assert min(when(j['StartTime']) for j in waves[k]) >= max(when(j['EndTime']) for j in waves[k - 1]), (p['id'], k)
# The report's times against Slurm's: the run's start (journal header) + end_ms within Slurm's
# EndTime (truncated to the second) and the poll after it.
origin = json.loads(open(journal).readline())['time_ms'] / 1000
for tid, t in jobs.items():
    end = origin + t['end_ms'] / 1000
    slurm_end = when(slurm[t['job']]['EndTime'])
    assert slurm_end - 0.5 <= end <= slurm_end + 10.0, (tid, end - slurm_end)  # a busy machine polls late
print(f"seed plan on Slurm: 93 jobs, each submitted once, at most {peak} RUNNING at once, waves kept, "
      f"report end times within Slurm's")
EOF

# --- a plan of task commands for the next checks --------------------------------------------------
# plan FILE PARENTS SUBTASKS ARGV_JSON: every subtask runs ARGV_JSON.
plan() {
  python3 - "$@" <<'EOF'
import json, sys
out, parents, subtasks, argv = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
tasks = [{"id": p, "title": f"p{p}", "status": "pending", "dependencies": [],
          "subtasks": [{"id": s, "title": f"t{s}", "status": "pending", "dependencies": [],
                        "cohort": {"argv": argv}} for s in range(1, subtasks + 1)]}
         for p in range(1, parents + 1)]
json.dump({"master": {"tasks": tasks, "metadata": {}}}, open(out, "w"))
EOF
}
# Waits until the journal of run dir $1 says a job RUNNING (or the driver $2 is gone).
await_running() {
  local deadline=$((SECONDS + 60))
  until grep -q '"job_state":"RUNNING"' "$1/journal.jsonl" 2> /dev/null; do
    kill -0 "$2" 2> /dev/null || return 0
    ((SECONDS < deadline)) || { echo "no job RUNNING after 60 s"; exit 1; }
    sleep 0.05
  done
}
queue_of() { squeue -h -t pending,running -o %j | grep -cx "$1" || true; }

# --- 1b. the cap, where the plan is wider than it: 24 sleeping jobs, -j 16 -------------------------
plan wide.json 1 24 '["sleep", "2"]'
"$rw" run wide.json --allow-task-commands --launcher slurm --isolation none -j 16 --slurm-poll 100ms \
  --run-dir "$work/wide" > wide.log 2>&1 &
pid=$!
max=$(peak_running "$pid")
wait "$pid" || { tail wide.log; echo "24 jobs at -j 16: the run failed"; exit 1; }
((max <= 16)) || { echo "the cluster ran $max jobs at once, more than -j 16"; exit 1; }
echo "24 jobs at -j 16: at most $max RUNNING at once in the cluster's view"

# --- 2. Ctrl-C: an agent that ignores SIGTERM, with a setsid'd grandchild -------------------------
mark=cohort-slurm-check-$$
plan stubborn.json 1 2 "[\"sh\", \"$here/stubborn_agent.sh\", \"$mark\"]"
"$rw" run stubborn.json --allow-task-commands --launcher slurm --isolation none --slurm-poll 100ms \
  --run-dir "$work/stubborn" > stubborn.log 2>&1 &
pid=$!
await_running "$work/stubborn" "$pid"
until pgrep -f "$mark" > /dev/null; do sleep 0.05; done  # the agents' processes are up
kill -INT "$pid"
set +e; wait "$pid"; code=$?; set -e
[[ $code == 130 ]] || { tail stubborn.log; echo "Ctrl-C: exit $code, expected 130"; exit 1; }
name=$(sed -n 's/.*"job":"\([0-9]*\)".*/\1/p' "$work/stubborn/journal.jsonl" | head -1 | xargs -r -I{} squeue -h -t all -j {} -o %j)
[[ -n $name ]] || { echo "no job id in the journal"; exit 1; }
left=$(queue_of "$name")
[[ $left == 0 ]] || { squeue; echo "after Ctrl-C: $left job(s) of the run still in the queue"; exit 1; }
# The driver returned once every job left the queue; slurmd ends a job's processes (cgroup) on
# its way out: a few seconds at most. A cluster without a writable cgroup freezer tracks jobs by
# process group (cluster.sh says so when it starts): Slurm itself cannot reach a setsid'd daemon
# there, so only the agent is looked for.
look_for=$mark
if grep -q '^ProctrackType=proctrack/pgid' "${SLURM_CONF}"; then
  echo "NOTE: the cluster tracks jobs by process group (no cgroup freezer): a setsid'd daemon is out of Slurm's reach, not checked"
  look_for="stubborn_agent.sh $mark"
fi
deadline=$((SECONDS + 15))
while pgrep -f "$look_for" > /dev/null; do
  ((SECONDS < deadline)) || { pgrep -af "$look_for"; echo "after Ctrl-C: processes of the jobs left on the node"; exit 1; }
  sleep 0.1
done
echo "Ctrl-C: exit 130, no job in the queue, no process left (SIGTERM ignored, a setsid'd grandchild)"

# --- 3. kill -9, then resume: adopt, and cancel ---------------------------------------------------
# Each job sleeps 5 s, so that the dead run's jobs are still in the queue when the resume looks
# even on a slow machine: a job that completed before it is kept, not cancelled (3b), and
# "cancelling N job(s)" would not be printed.
for how in adopt cancel; do
  rm -f "done-$how.txt"
  plan "work-$how.json" 2 3 "[\"sh\", \"-c\", \"sleep 5; echo \$COHORT_TASK_ID >> $work/done-$how.txt\"]"
  "$rw" run "work-$how.json" --allow-task-commands --launcher slurm --isolation none -j 3 --slurm-poll 100ms \
    --run-dir "$work/$how" > "$how-1.log" 2>&1 &
  pid=$!
  await_running "$work/$how" "$pid"
  kill -9 "$pid"
  wait "$pid" 2> /dev/null || true
  "$rw" resume --run-dir "$work/$how" --on-resume "$how" > "$how-2.log" 2>&1 ||
    { tail -20 "$how-2.log"; echo "resume --on-resume $how failed"; exit 1; }
  sort "done-$how.txt" > "done-$how.sorted"
  expected=$(printf '%s\n' 1.1 1.2 1.3 2.1 2.2 2.3)
  [[ $(cat "done-$how.sorted") == "$expected" ]] ||
    { cat "done-$how.sorted"; echo "after kill -9 and resume ($how): not every task's work exactly once"; exit 1; }
  grep -q "$( [[ $how == adopt ]] && echo adopted || echo cancelling ) [0-9]* job(s) of the earlier run" "$how-2.log" ||
    { cat "$how-2.log"; echo "resume ($how) did not take over the dead run's jobs"; exit 1; }
done
echo "kill -9 then resume: adopted (or cancelled) jobs, every task's work exactly once"

# --- 3b. a job that completed while no driver watched, then resume --on-resume cancel -------------
# 1.1's job ends at once, 1.2's sleeps; the driver polls every 30 s (the first poll 30 s after the
# submissions) and is killed before it: its journal knows of neither ending. The resume must take
# 1.1 as done (cancelling cannot undo its work; running it again would do it twice) and run 1.2
# again (its job cancelled).
rm -f done-completed.txt resumed
plan completed.json 1 2 "[\"sh\", \"-c\", \"echo \$COHORT_TASK_ID >> $work/done-completed.txt; [ \$COHORT_TASK_ID = 1.1 ] || [ -e $work/resumed ] || sleep 60\"]"
"$rw" run completed.json --allow-task-commands --launcher slurm --isolation none -j 2 --slurm-poll 30s \
  --run-dir "$work/completed" > completed-1.log 2>&1 &
pid=$!
deadline=$((SECONDS + 25))
until [[ $(sort -u done-completed.txt 2> /dev/null | tr '\n' ' ') == "1.1 1.2 " ]]; do
  ((SECONDS < deadline)) || { cat completed-1.log; squeue; echo "the two jobs did not start within 25 s"; exit 1; }
  sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2> /dev/null || true
if grep -q '"e":"task_succeeded"\|"job_state":"RUNNING"' "$work/completed/journal.jsonl"; then
  echo "the killed driver had polled (a job RUNNING or done in its journal): the check below would prove nothing"
  exit 1
fi
touch resumed
"$rw" resume --run-dir "$work/completed" --on-resume cancel --slurm-poll 100ms > completed-2.log 2>&1 ||
  { tail -20 completed-2.log; echo "resume --on-resume cancel failed"; exit 1; }
[[ $(grep -cx 1.1 done-completed.txt) == 1 && $(grep -cx 1.2 done-completed.txt) == 2 ]] ||
  { cat done-completed.txt; echo "resume --on-resume cancel: 1.1 (completed) must run once, 1.2 (cancelled) twice"; exit 1; }
grep -q "1 job(s) of the earlier run completed: their tasks are done" completed-2.log ||
  { cat completed-2.log; echo "resume (cancel) did not keep the job that completed"; exit 1; }
echo "kill -9 then resume --on-resume cancel: the job that completed kept (its work once), the running one cancelled and run again"

# --- 4. jobs that cannot start ----------------------------------------------------------------------
cat > broken.json <<'EOF'
{"master": {"tasks": [{"id": 1, "title": "p", "status": "pending", "dependencies": [], "subtasks": [
  {"id": 1, "title": "bad partition", "status": "pending", "dependencies": [],
   "cohort": {"argv": ["true"], "slurm": {"partition": "nosuch"}}},
  {"id": 2, "title": "missing program", "status": "pending", "dependencies": [],
   "cohort": {"argv": ["/no/such/program", "x"]}}]}], "metadata": {}}}
EOF
set +e
"$rw" run broken.json --allow-task-commands --launcher slurm --isolation none --slurm-poll 100ms \
  --run-dir "$work/broken" > broken.log 2>&1
code=$?
set -e
[[ $code == 1 ]] || { cat broken.log; echo "jobs that cannot start: exit $code, expected 1"; exit 1; }
grep -q '1.1 .*failed: the job was not submitted: sbatch: error: invalid partition specified: nosuch' broken.log ||
  { cat broken.log; echo "no clear error for the bad partition"; exit 1; }
grep -q '1.2 .*failed: exit 127: .*/no/such/program: not found' broken.log ||
  { cat broken.log; echo "no clear error for the missing program"; exit 1; }
echo "a bad partition and a missing program: a clear error for each task"
