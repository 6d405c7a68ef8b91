#!/usr/bin/env bash
# What worktree isolation costs per job: N zero-length agents one at a time (-j 1) through
# rolling-wave, with --isolation worktree and with --isolation none, on a copy of a repository;
# prints (worktree - none) / N, the cost of a worktree add, commit, merge-tree, merge and remove.
# Usage: worktree_cost.sh ROLLING_WAVE REPOSITORY [N] [SCRATCH]   (a figure, never an assertion)
#        worktree_cost.sh ROLLING_WAVE --generate FILES [N] [SCRATCH]   a repository of FILES files
set -euo pipefail
rw=$(realpath "$1") source=$2
if [[ $source == --generate ]]; then files=$3; n=${4:-40}; scratch=${5:-/tmp/cohort-worktree-cost}
else n=${3:-40}; scratch=${4:-/tmp/cohort-worktree-cost}; fi
rm -rf "$scratch" && mkdir -p "$scratch"
if [[ $source == --generate ]]; then
  mkdir -p "$scratch/repo" && git -C "$scratch/repo" init -q -b main
  for ((d = 0; d < files / 100; ++d)); do
    mkdir -p "$scratch/repo/d$d"
    for ((f = 0; f < 100; ++f)); do echo "file $d/$f" > "$scratch/repo/d$d/f$f.txt"; done
  done
  git -C "$scratch/repo" add . && git -C "$scratch/repo" -c user.name=b -c user.email=b@b commit -q -m files
else
  git clone -q "$source" "$scratch/repo"
fi
# N subtasks, each writing one file of its own (so every job commits and merges something).
{
  echo '{"master": {"tasks": [{"id": 1, "title": "p", "status": "pending", "dependencies": [], "subtasks": ['
  for ((i = 1; i <= n; ++i)); do
    sep=$([[ $i -lt $n ]] && echo , || true)
    echo "{\"id\": $i, \"title\": \"t$i\", \"status\": \"pending\", \"dependencies\": [], \"cohort\": {\"argv\": [\"sh\", \"-c\", \"echo $i > bench-$i.txt\"]}}$sep"
  done
  echo ']}], "metadata": {}}}'
} > "$scratch/tasks.json"
files_in=$(git -C "$scratch/repo" ls-files | wc -l)
run() {  # run ISOLATION NAME -> seconds
  local start end
  start=$(date +%s.%N)
  (cd "$scratch/repo" && "$rw" run "$scratch/tasks.json" --allow-task-commands -j 1 --isolation "$1" \
     --run-dir "$scratch/runs/$2" > "$scratch/$2.log" 2>&1) || { echo "run $2 failed"; tail "$scratch/$2.log"; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
none=$(run none none)
git -C "$scratch/repo" clean -qfd -e .cohort  # the shared-dir run's files
wt=$(run worktree worktree)
printf 'repository: %s files; %d jobs at -j 1\n' "$files_in" "$n"
printf 'isolation none:     %6.2f s\n' "$none"
printf 'isolation worktree: %6.2f s\n' "$wt"
printf 'worktree cost per job: %.3f s (%.2f %% of a one-minute agent)\n' \
  "$(echo "($wt - $none) / $n" | bc -l)" "$(echo "($wt - $none) / $n / 60 * 100" | bc -l)"
