#!/usr/bin/env bash
# Starts and stops a real one-machine Slurm (22.05) cluster for the tests labelled `slurm`: its own
# munged (own key and socket), slurmctld and slurmd, every file under DIR, nothing system-wide.
# The node advertises 16 CPUs whatever the machine has; one partition, `debug`.
#
# Usage: cluster.sh start|check|stop|status DIR
#   start DIR   start the cluster (idempotent: returns at once when DIR's cluster is already up and
#               healthy), wait until it schedules jobs, write DIR/env (SLURM_CONF=DIR/etc/slurm.conf).
#               Exit 77 (CTest's skip code) when Slurm or munge is not installed: run .ci/setup.
#   check DIR   exit 0 when the controller answers and the node is neither down nor drained, else 1.
#   stop DIR    cancel every job, shut the daemons down (SIGKILL after a bounded wait), stop munged.
#               Idempotent: nothing running is success.
#   status DIR  when up, print `export SLURM_CONF=DIR/etc/slurm.conf` (for `eval`) and exit 0; else 1.
# Ports: COHORT_SLURM_CTLD_PORT (default 6817) and COHORT_SLURM_D_PORT (default 6818).
# Needs root (the daemons run as root, munged as the munge user) and a DIR the munge user can reach.
set -euo pipefail

usage() { echo "usage: $0 start|check|stop|status DIR" >&2; exit 2; }
(($# == 2)) || usage
cmd=$1
dir=$(realpath -m -- "$2")
ctld_port=${COHORT_SLURM_CTLD_PORT:-6817}
d_port=${COHORT_SLURM_D_PORT:-6818}
conf=$dir/etc/slurm.conf
host=$(hostname -s)
export SLURM_CONF=$conf
sys_path=/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "cluster.sh: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# Alive: the pid exists, is not a zombie (PID 1 here reaps late) and runs the expected program.
alive() {
  local pid=$1 comm=$2 stat name
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  { read -r stat < "/proc/$pid/stat" && read -r name < "/proc/$pid/comm"; } 2>/dev/null || return 1
  [[ $name == "$comm" ]] || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != [ZX] ]]
}
pid_of() { local pid=""; { read -r pid < "$1"; } 2>/dev/null || true; echo "$pid"; }
ctld_pid() { pid_of "$dir/run/slurmctld.pid"; }
slurmd_pid() { pid_of "$dir/run/slurmd.pid"; }
munged_pid() { pid_of "$dir/munge/munged.pid"; }

# Healthy: DIR's daemons run, the controller answers and the node is neither down nor drained.
healthy() {
  [[ -f $conf ]] || return 1
  alive "$(munged_pid)" munged && alive "$(ctld_pid)" slurmctld && alive "$(slurmd_pid)" slurmd || return 1
  timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP' || return 1
  local state
  state=$(node_state) || return 1
  [[ -n $state && ! $state =~ DOWN|DRAIN|FAIL|INVAL|NOT_RESPONDING|UNKNOWN|FUTURE ]]
}
node_state() {
  local line
  line=$(timeout 5 scontrol -o show node "$host" 2>/dev/null) || return 1
  [[ $line =~ (^| )State=([^ ]*) ]] || return 1
  echo "${BASH_REMATCH[2]}"
}

port_in_use() {  # something listens on TCP port $1 (ss when present, else a connect to localhost)
  if command -v ss > /dev/null; then
    [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]
  else
    timeout 1 bash -c "exec 3<> /dev/tcp/127.0.0.1/$1" 2>/dev/null
  fi
}

# Waits up to $1 seconds (0.1 s steps) for the command after it to succeed.
wait_for() {
  local tenths=$(($1 * 10)) i
  shift
  for ((i = 0; i < tenths; ++i)); do
    "$@" && return 0
    sleep 0.1
  done
  "$@"
}
gone() { local p; for p in "$@"; do [[ -z $p ]] || ! alive "${p%:*}" "${p#*:}" || return 1; done; }

show_logs() {
  local f
  for f in "$dir/log/slurmctld.log" "$dir/log/slurmd.log" "$dir/munge/munged.log"; do
    [[ -s $f ]] || continue
    echo "---- tail of $f" >&2
    tail -n 20 "$f" >&2
  done
}
fail() { say "ERROR: $*"; show_logs; do_stop || true; exit 1; }

# What is left of this DIR's cluster after its daemons are gone (slurmstepd, slurmscriptd, a job's
# processes after a crash, or setsid'd ones under proctrack/pgid): processes with this cluster's
# SLURM_CONF in their environment that are Slurm's own or a job's (SLURM_JOB_ID), never this script
# or its ancestors. Printed as pid:comm.
leftovers() {
  local f pid comm self=" " p=$$ stat
  while [[ $p =~ ^[0-9]+$ && $p != 0 ]]; do  # this script and its ancestors
    self+="$p "
    { read -r stat < "/proc/$p/stat"; } 2>/dev/null || break
    stat=${stat##*) }; stat=${stat#* }; p=${stat%% *}
  done
  while read -r f; do
    pid=${f#/proc/} pid=${pid%/environ}
    [[ $self != *" $pid "* ]] || continue
    { read -r comm < "/proc/$pid/comm"; } 2>/dev/null || continue
    [[ $comm == slurm* ]] || grep -qz '^SLURM_JOB_ID=' "$f" 2>/dev/null || continue
    alive "$pid" "$comm" && echo "$pid:$comm"
  done < <(grep -lzxF "SLURM_CONF=$conf" /proc/[0-9]*/environ 2>/dev/null)
  return 0
}

queue_empty() { [[ -z $(timeout 5 squeue -h -o %i 2>/dev/null) ]]; }  # no pending/running/completing job
munge_ok() { munge -S "$1" -n 2>/dev/null | unmunge -S "$1" > /dev/null 2>&1; }

do_stop() {
  rm -f "$dir/env"
  [[ -d $dir ]] || return 0
  local ctld slurmd munged p
  ctld=$(ctld_pid) slurmd=$(slurmd_pid) munged=$(munged_pid)
  alive "$ctld" slurmctld || ctld=""
  alive "$slurmd" slurmd || slurmd=""
  if [[ -n $ctld ]] && timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP'; then
    timeout 10 scancel --partition=debug 2>/dev/null || true
    # KillWait=5: a job that ignores SIGTERM is killed 5 s later.
    wait_for 12 queue_empty ||
      say "WARNING: jobs still queued after 12 s; shutting down anyway"
    timeout 10 scontrol shutdown > /dev/null 2>&1 || true
  else
    [[ -z $ctld ]] || kill -TERM "$ctld" 2>/dev/null || true
    [[ -z $slurmd ]] || kill -TERM "$slurmd" 2>/dev/null || true
  fi
  if ! wait_for 10 gone "${ctld:+$ctld:slurmctld}" "${slurmd:+$slurmd:slurmd}"; then
    say "WARNING: slurmctld/slurmd still running after 10 s: SIGKILL"
    for p in "${ctld:+$ctld:slurmctld}" "${slurmd:+$slurmd:slurmd}"; do
      [[ -z $p ]] || ! alive "${p%:*}" "${p#*:}" || kill -KILL "${p%:*}" 2>/dev/null || true
    done
  fi
  local left
  mapfile -t left < <(leftovers)
  if ((${#left[@]} > 0)); then
    say "WARNING: killing leftover Slurm processes ${left[*]}"
    for p in "${left[@]}"; do kill -TERM "${p%:*}" 2>/dev/null || true; done
    wait_for 3 gone "${left[@]}" || for p in "${left[@]}"; do kill -KILL "${p%:*}" 2>/dev/null || true; done
  fi
  if alive "$munged" munged; then
    kill -TERM "$munged" 2>/dev/null || true
    wait_for 5 gone "$munged:munged" || kill -KILL "$munged" 2>/dev/null || true
  fi
  return 0
}

start_munge() {
  local m=$dir/munge
  rm -rf "$m"
  mkdir -p "$m"
  head -c 1024 /dev/urandom > "$m/munge.key"
  chown munge:munge "$m" "$m/munge.key"
  chmod 0755 "$m"  # munged wants its socket dir searchable by all
  chmod 0400 "$m/munge.key"
  runuser -u munge -- test -x "$m" ||
    die "the munge user cannot reach $m: choose a DIR whose parents are world-searchable"
  runuser -u munge -- /usr/sbin/munged --socket="$m/munge.socket" --key-file="$m/munge.key" \
    --pid-file="$m/munged.pid" --log-file="$m/munged.log" --seed-file="$m/munged.seed" \
    < /dev/null > /dev/null 2>&1 9>&- || fail "munged did not start"
  wait_for 5 munge_ok "$m/munge.socket" ||
    fail "munged does not answer on $m/munge.socket (munge -n | unmunge failed)"
}

write_config() {
  local proctrack=proctrack/cgroup probe=/sys/fs/cgroup/freezer/cohort-probe.$$
  if ! grep -qE '^cgroup /sys/fs/cgroup/freezer cgroup [^ ]*freezer' /proc/mounts ||
     ! { mkdir "$probe" 2>/dev/null && rmdir "$probe"; }; then
    proctrack=proctrack/pgid
    say "WARNING: no writable cgroup v1 freezer at /sys/fs/cgroup/freezer: proctrack/pgid" \
        "(a job's setsid'd descendants can outlive it)"
  fi
  cat > "$dir/etc/slurm.conf" << EOF
# Written by tests/slurm/cluster.sh: a one-machine test cluster, every file under $dir.
ClusterName=cohorttest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
MailProg=/bin/true
ProctrackType=$proctrack
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=batch_sched_delay=0
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
KillWait=5
MinJobAge=3600
InactiveLimit=0
NodeName=$host CPUs=16 RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  cat > "$dir/etc/cgroup.conf" << EOF
CgroupPlugin=cgroup/v1
CgroupMountpoint=/sys/fs/cgroup
ConstrainCores=no
ConstrainRAMSpace=no
ConstrainDevices=no
EOF
}

# While starting: false once a daemon has died (a pid file whose process is gone), or when a pid
# file is still missing 5 s after the daemons were launched.
daemons_running() {
  local f comm
  for f in "$dir/run/slurmctld.pid:slurmctld" "$dir/run/slurmd.pid:slurmd" "$dir/munge/munged.pid:munged"; do
    comm=${f##*:} f=${f%:*}
    if [[ -s $f ]]; then
      alive "$(pid_of "$f")" "$comm" || { say "$comm (pid $(pid_of "$f")) is not running"; return 1; }
    elif ((SECONDS > launched + 5)); then
      say "$comm wrote no pid file $f"
      return 1
    fi
  done
}

do_start() {
  healthy && { say "already up ($dir)"; return 0; }
  local t
  for t in slurmctld slurmd munged sbatch squeue scontrol scancel munge unmunge runuser; do
    PATH=$PATH:$sys_path command -v "$t" > /dev/null || {
      say "SKIP: $t is not installed: run .ci/setup (installs slurm-wlm and munge)"
      exit 77
    }
  done
  [[ $(id -u) -eq 0 ]] || die "must run as root (slurmd runs jobs as root here)"
  do_stop  # whatever is left of an earlier, unhealthy start from DIR
  for t in "$ctld_port" "$d_port"; do
    ! port_in_use "$t" || die "TCP port $t is in use (another Slurm cluster?):" \
      "set COHORT_SLURM_CTLD_PORT / COHORT_SLURM_D_PORT"
  done
  mkdir -p "$dir"/{etc,state,spool,log,run,munge}
  # A fresh state dir (and jobcomp log) each start: job ids restart at 1.
  rm -rf "$dir/state" "$dir/spool" "$dir/log/jobcomp.log" "$dir/log/warmup.out"
  rm -f "$dir/run/slurmctld.pid" "$dir/run/slurmd.pid"
  mkdir -p "$dir/state" "$dir/spool"
  for t in slurmctld slurmd; do [[ ! -f $dir/log/$t.log ]] || mv -f "$dir/log/$t.log" "$dir/log/$t.log.old"; done
  write_config
  start_munge
  env -i PATH="$sys_path" SLURM_CONF="$conf" slurmctld < /dev/null > /dev/null 2>&1 9>&- ||
    fail "slurmctld did not start"
  env -i PATH="$sys_path" SLURM_CONF="$conf" slurmd < /dev/null > /dev/null 2>&1 9>&- ||
    fail "slurmd did not start"
  local deadline=$((SECONDS + 30)) launched=$SECONDS job="" state=""
  until timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP' && [[ $(node_state) == IDLE ]]; do
    ((SECONDS < deadline)) || fail "controller not up or node not IDLE after 30 s (node: $(node_state || true))"
    daemons_running || fail "a daemon died while starting"
    sleep 0.1
  done
  # The scheduler's first pass comes ~3 s after slurmctld starts: ready once a job leaves PENDING.
  job=$(sbatch --parsable -J cohort-warmup --output="$dir/log/warmup.out" --wrap true 2>&1) ||
    fail "warm-up sbatch failed: $job"
  while :; do
    state=$(squeue -h -t all -j "$job" -o %T 2>/dev/null || true)
    [[ -z $state || $state == PENDING ]] || break
    ((SECONDS < deadline)) || fail "warm-up job $job still ${state:-unknown} after 30 s"
    daemons_running || fail "a daemon died while starting"
    sleep 0.1
  done
  [[ $state != FAILED && $state != NODE_FAIL && $state != BOOT_FAIL ]] ||
    fail "warm-up job $job $state"
  echo "SLURM_CONF=$conf" > "$dir/env"
  say "up: SLURM_CONF=$conf (node $host, ports $ctld_port/$d_port)"
}

case $cmd in
  start)
    mkdir -p "$dir"
    exec 9> "$dir/.lock"
    flock -w 120 9 || die "another cluster.sh holds $dir/.lock"
    do_start
    ;;
  stop)
    [[ -d $dir ]] || exit 0
    exec 9> "$dir/.lock"
    flock -w 120 9 || die "another cluster.sh holds $dir/.lock"
    do_stop
    ;;
  check) healthy ;;
  status)
    healthy || { say "not up ($dir)"; exit 1; }
    printf 'export SLURM_CONF=%q\n' "$conf"
    ;;
  *) usage ;;
esac
