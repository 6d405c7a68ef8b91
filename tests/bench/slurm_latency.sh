#!/usr/bin/env bash
# What running agents as Slurm jobs costs, on the one-machine test cluster (tests/slurm/cluster.sh):
#   - submission to RUNNING: from the journal (task_queued PENDING to RUNNING, at the poll);
#   - end detection: the job's own last act (a nanosecond timestamp) to the run's record of its
#     end, at the chosen poll interval;
#   - cohort's CPU per job (the driver and the sbatch/squeue/scontrol it runs), against the same
#     plan run by local processes.
# Figures, not assertions. Usage: slurm_latency.sh ROLLING_WAVE [JOBS] [POLL]
# (a cluster is started in $BENCH_BUILD/slurm-cluster, or /tmp/cohort-slurm-bench, and stopped).
set -euo pipefail
rw=$(realpath "$1") jobs=${2:-48} poll=${3:-250ms}
here=$(cd "$(dirname "$0")" && pwd)
base=${BENCH_BUILD:-/tmp}/cohort-slurm-bench
cluster=$base/cluster work=$base/work
"$here/../slurm/cluster.sh" start "$cluster" > /dev/null
trap '"$here/../slurm/cluster.sh" stop "$cluster" > /dev/null' EXIT
export "$(cat "$cluster/env")"
rm -rf "$work" && mkdir -p "$work/ends" && cd "$work"

# One parent of JOBS subtasks, each sleeping 1 s then writing the time it ended.
python3 - "$jobs" "$work/ends" <<'EOF'
import json, sys
n, ends = int(sys.argv[1]), sys.argv[2]
subs = [{"id": s, "title": f"t{s}", "status": "pending", "dependencies": [],
         "cohort": {"argv": ["sh", "-c", f"sleep 1; date +%s%N > {ends}/$COHORT_TASK_ID"]}} for s in range(1, n + 1)]
json.dump({"master": {"tasks": [{"id": 1, "title": "p", "status": "pending", "dependencies": [], "subtasks": subs}],
                      "metadata": {}}}, open("tasks.json", "w"))
EOF

cpu() {  # user+sys seconds of a command and the children it waited for
  /usr/bin/time -f '%U %S' -o "$1.time" "${@:2}" > "$1.log" 2>&1
  awk '{ print $1 + $2 }' "$1.time"
}
# Local first: the Slurm run's end times are the ones kept.
local_cpu=$(cpu local "$rw" run tasks.json --allow-task-commands --isolation none -j 16 --run-dir "$work/local")
slurm_cpu=$(cpu slurm "$rw" run tasks.json --allow-task-commands --launcher slurm --isolation none -j 16 \
  --slurm-poll "$poll" --run-dir "$work/slurm")

python3 - "$work/slurm/journal.jsonl" "$work/ends" "$jobs" "$slurm_cpu" "$local_cpu" "$poll" <<'EOF'
import json, os, statistics, sys
journal, ends, n, slurm_cpu, local_cpu, poll = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
lines = [json.loads(l) for l in open(journal)]
origin = lines[0]['time_ms']
pending, running, ended = {}, {}, {}
for l in lines[1:]:
    if l.get('e') == 'task_queued' and l['job_state'] == 'PENDING': pending.setdefault(l['task'], l['ms'])
    if l.get('e') == 'task_queued' and l['job_state'] == 'RUNNING': running[l['task']] = l['ms']
    if l.get('e') == 'task_usage': ended[l['task']] = l['ms']
start = [running[t] - pending[t] for t in running]
end = [origin + ended[t] - int(open(os.path.join(ends, t)).read()) / 1e6 for t in ended]
q = lambda v: f"median {statistics.median(v):.0f} ms, max {max(v):.0f} ms"
print(f"{n} jobs of 1 s, -j 16, --slurm-poll {poll}")
print(f"submission to RUNNING (seen at the poll): {q(start)}")
print(f"end detection (the job's last act to cohort's record): {q(end)}")
print(f"cohort's CPU per job: Slurm {1000 * slurm_cpu / n:.1f} ms (driver + sbatch, squeue, scontrol), "
      f"local {1000 * local_cpu / n:.1f} ms")
EOF
