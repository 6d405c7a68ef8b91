#!/usr/bin/env bash
# cohort-dagrun keeps the benchmark harness' contract (../shared/bench/README.md, PROJECT_CMD):
# every subtask's argv runs after its dependencies, a parent's own argv after its subtasks, the
# tasks after the parent after that; exit 0 when every job succeeded, 1 (and nothing after the
# failure) when one failed, 2 for a file that is not a plan.
#   dagrun_contract.sh PATH-TO-cohort-dagrun
set -euo pipefail
dagrun=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Each job appends its id to `log` (the fixture's own commands: argv, no shell between cohort
# and sh). The dependencies fix the order completely: 1.1, 1.2, 1, 2.
plan() {  # plan COMMAND-OF-1.2
  cat <<JSON
{"tasks": [
  {"id": 1, "title": "lib", "status": "pending", "dependencies": [],
   "argv": ["sh", "-c", "echo 1 >> log"],
   "subtasks": [
     {"id": 1, "title": "a", "status": "pending", "dependencies": [], "argv": ["sh", "-c", "echo 1.1 >> log"]},
     {"id": 2, "title": "b", "status": "pending", "dependencies": [1], "argv": ["sh", "-c", "$1"]}]},
  {"id": 2, "title": "app", "status": "pending", "dependencies": [1],
   "argv": ["sh", "-c", "echo 2 >> log"]}
]}
JSON
}
fail() { echo "dagrun_contract: $*" >&2; exit 1; }

plan "echo 1.2 >> log" > tasks.json
"$dagrun" --tasks tasks.json -j 4 || fail "exit $? on a plan that succeeds"
[[ "$(tr '\n' ' ' < log)" == "1.1 1.2 1 2 " ]] || fail "order: $(tr '\n' ' ' < log)"

rm log
plan "exit 3" > tasks.json
code=0
"$dagrun" --tasks tasks.json -j 4 2> err || code=$?
[[ $code == 1 ]] || fail "exit $code when 1.2 fails (want 1)"
[[ "$(tr '\n' ' ' < log)" == "1.1 " ]] || fail "ran after the failure: $(tr '\n' ' ' < log)"
grep -q "1.2" err || fail "the failure is not named: $(cat err)"

echo '{"tasks": [' > broken.json
code=0
"$dagrun" --tasks broken.json 2> err || code=$?
[[ $code == 2 ]] || fail "exit $code for a broken file (want 2)"
grep -q "broken.json" err || fail "the broken file is not named: $(cat err)"
echo "dagrun_contract: ok"
