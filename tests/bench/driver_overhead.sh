#!/usr/bin/env bash
# What the driver people run costs over the harness's runner: `rolling-wave run` (journal on,
# dashboard off, the tasks' own argv, rolling, no isolation) against `cohort-dagrun`, on the
# same workload, in alternating pairs so that the machine's drift hits both alike.
#
#   tests/bench/driver_overhead.sh BUILD_DIR WORKLOAD_DIR [PAIRS] [K]
#
# BUILD_DIR holds rolling-wave and examples/cohort-dagrun (a Release build); WORKLOAD_DIR is one
# of the shared harness's generated workloads (`$BENCH_BUILD/wl/<name>`, with its tasks.json);
# the harness's `nap` and `runstat` must be in $BENCH_BUILD/bin (its build_tools.sh). Runs happen
# in a scratch folder on /dev/shm as the harness's do; the run dir (and its journal, fsynced) goes
# to JOURNAL_DIR when set (a real disk: the fsyncs cost there), else inside the scratch folder.
# Prints the median wall time and user+sys CPU of each, and their ratios.
set -euo pipefail

build=$(cd "$1" && pwd)
workload=$(cd "$2" && pwd)
pairs=${3:-7}
k=${4:-8}
bench_build=${BENCH_BUILD:?set BENCH_BUILD to the shared harness build folder}
bin="$bench_build/bin"
[[ -x "$bin/runstat" && -x "$bin/nap" ]] || { echo "driver_overhead.sh: no $bin/runstat or nap (run the harness's build_tools.sh)" >&2; exit 2; }
export PATH="$bin:$PATH"

scratch=$(mktemp -d "${BENCH_SCRATCH:-/dev/shm}/cohort-overhead.XXXXXX")
journal_base=${JOURNAL_DIR:-$scratch}
trap 'rm -rf "$scratch"' EXIT

# One run of `$@` in a fresh folder; appends "wall cpu" to the file named by $out.
run_one() {
  local out=$1; shift
  rm -rf "$scratch/run" "$journal_base/rw-run"
  mkdir -p "$scratch/run/s"
  (cd "$scratch/run" && "$bin/runstat" "$scratch/stat" "$@" >/dev/null 2>"$scratch/err") || true
  local line rc
  line=$(cat "$scratch/stat"); : >"$scratch/stat"
  rc=$(sed 's/.*rc=\([^ ]*\).*/\1/' <<<"$line")
  if [[ "$rc" != 0 ]]; then
    echo "driver_overhead.sh: $1 failed (rc=$rc):" >&2; cat "$scratch/err" >&2; exit 1
  fi
  awk '{ for (i = 1; i <= NF; ++i) { split($i, kv, "="); v[kv[1]] = kv[2] }
         print v["wall_s"], v["user_s"] + v["sys_s"] }' <<<"$line" >>"$out"
}

dagrun=("$build/examples/cohort-dagrun" --tasks "$workload/tasks.json" -j "$k")
driver=("$build/rolling-wave" run "$workload/tasks.json" --allow-task-commands --yes -j "$k"
        --mode rolling --isolation none --run-dir "$journal_base/rw-run")
: >"$scratch/dagrun"; : >"$scratch/driver"
for ((i = 0; i < pairs; ++i)); do
  if ((i % 2 == 0)); then run_one "$scratch/dagrun" "${dagrun[@]}"; run_one "$scratch/driver" "${driver[@]}"
  else run_one "$scratch/driver" "${driver[@]}"; run_one "$scratch/dagrun" "${dagrun[@]}"; fi
done

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
dw=$(cut -d' ' -f1 "$scratch/dagrun" | median); dc=$(cut -d' ' -f2 "$scratch/dagrun" | median)
rw=$(cut -d' ' -f1 "$scratch/driver" | median); rc=$(cut -d' ' -f2 "$scratch/driver" | median)
awk -v n="$(basename "$workload")" -v p="$pairs" -v k="$k" -v dw="$dw" -v dc="$dc" -v rw="$rw" -v rc="$rc" 'BEGIN {
  printf "%s K=%s, median of %d alternating pairs: cohort-dagrun %.3f s (CPU %.3f s), rolling-wave run %.3f s (CPU %.3f s): wall %.3f, CPU %.2f\n",
         n, k, p, dw, dc, rw, rc, rw / dw, rc / dc }'
