# Sourced by the driver's tests: marked_alive RUN_DIR prints how many live processes (zombies
# excluded) carry the run dir's mark, COHORT_RUN_DIR=RUN_DIR: its agents and what they started.
marked_alive() {
  local n=0 pid env
  for env in /proc/[0-9]*/environ; do
    pid=${env#/proc/}; pid=${pid%/environ}
    if tr '\0' '\n' < "$env" 2>/dev/null | grep -qxF "COHORT_RUN_DIR=$1" &&
       ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
      n=$((n + 1))
    fi
  done
  echo "$n"
}
