#!/usr/bin/env bash
# --isolation worktree, as a user meets it in a git checkout (the default there): each agent in
# a worktree of its own, the work merged at the joins into cohort/<run>, the checkout untouched
# (no stray file in its status either); a dirty checkout refused; --dry-run says which isolation;
# a failed agent's worktree kept and named, `clean` removes it; --land fast-forwards the user's
# branch.
# Usage: isolation_check.sh ROLLING_WAVE WORK_DIR
set -euo pipefail
rw=$1 work=$2
rm -rf "$work" && mkdir -p "$work/repo"
cd "$work/repo"
git init -q -b main .
echo base > base.txt
cat > tasks.json <<'JSON'
{"master": {"tasks": [
  {"id": 1, "title": "Parts", "status": "pending", "dependencies": [], "subtasks": [
    {"id": 1, "title": "a", "status": "pending", "dependencies": [],
     "cohort": {"argv": ["sh", "-c", "echo a > a.txt; sleep 0.2; test ! -e b.txt"]}},
    {"id": 2, "title": "b", "status": "pending", "dependencies": [],
     "cohort": {"argv": ["sh", "-c", "echo b > b.txt; sleep 0.2; test ! -e a.txt"]}},
    {"id": 3, "title": "both", "status": "pending", "dependencies": [1, 2],
     "cohort": {"argv": ["sh", "-c", "cat a.txt b.txt > ab.txt"]}}
  ]},
  {"id": 2, "title": "After", "status": "pending", "dependencies": [1], "subtasks": [
    {"id": 1, "title": "c", "status": "pending", "dependencies": [],
     "cohort": {"argv": ["sh", "-c", "test -e ab.txt && echo c > c.txt"]}}
  ]}
], "metadata": {"description": "isolation"}}}
JSON
git add . && git -c user.name=t -c user.email=t@t commit -q -m base
head=$(git rev-parse HEAD)

fail() { echo "$1"; [[ -f ${2:-} ]] && tail -15 "$2"; exit 1; }

# 1. --dry-run names the isolation.
"$rw" run tasks.json --allow-task-commands --dry-run > ../dry.log 2>&1 || fail "dry run failed" ../dry.log
grep -q "isolation: worktrees" ../dry.log || fail "--dry-run does not name the isolation" ../dry.log
"$rw" run tasks.json --allow-task-commands --gate 'make check' --dry-run > ../dry-gate.log 2>&1 || fail "dry run failed" ../dry-gate.log
grep -Eq "^1 +make check +[(]--gate[)]" ../dry-gate.log || fail "--dry-run does not show the gate as such" ../dry-gate.log

# 2. The run: every task done, the work on cohort/<run>, the checkout as it was.
"$rw" run tasks.json --allow-task-commands -j 4 --run-dir .cohort/runs/first > ../run1.log 2>&1 ||
  fail "the isolated run failed" ../run1.log
grep -q "work: branch cohort/first holds the work of 4 job(s)" ../run1.log || fail "no word of the run branch" ../run1.log
[[ $(git show cohort/first:ab.txt) == $'a\nb' ]] || fail "wave 2 did not see wave 1" ../run1.log
[[ $(git show cohort/first:c.txt) == c ]] || fail "parent 2 did not run on parent 1's work" ../run1.log
[[ $(git rev-parse HEAD) == "$head" ]] || fail "the checkout's HEAD moved"
[[ -z $(git status --porcelain) ]] || { git status --porcelain; fail "the checkout is not clean (the run dir shows?)"; }
[[ ! -e a.txt ]] || fail "an agent wrote into the checkout"
[[ $(git for-each-ref --format='%(refname:short)' | tr '\n' ' ') == "cohort/first main " ]] ||
  fail "branches left: $(git for-each-ref --format='%(refname:short)' | tr '\n' ' ')"

# --json: the work as one JSON line (each job's state, branch and commit).
"$rw" run tasks.json --allow-task-commands --json --run-dir .cohort/runs/json > ../json.out 2> ../json.err ||
  fail "the --json run failed" ../json.err
grep '"event":"work"' ../json.out | grep -q '"run_branch":"cohort/json".*"state":"merged"' ||
  fail "no work line in the JSON events" ../json.out

# From a folder of the checkout: each agent works in the same folder of its worktree.
mkdir -p sub && echo keep > sub/keep.txt && git add sub && git -c user.name=t -c user.email=t@t commit -q -m sub
(cd sub && "$rw" run ../tasks.json --allow-task-commands --run-dir ../.cohort/runs/sub > ../../sub.log 2>&1) ||
  fail "the run from a folder failed" ../sub.log
[[ $(git show cohort/sub:sub/ab.txt) == $'a\nb' ]] || fail "the agents did not work in the folder" ../sub.log

# 3. A dirty checkout is refused, saying how to go on.
echo mine >> base.txt
set +e
"$rw" run tasks.json --allow-task-commands --run-dir .cohort/runs/dirty > ../dirty.log 2>&1
code=$?
set -e
[[ $code == 2 ]] || fail "a dirty checkout: exit $code, expected 2" ../dirty.log
grep -q "has uncommitted changes (1 path(s))" ../dirty.log && grep -q -- "--isolation none" ../dirty.log ||
  fail "the refusal does not say why and what to do" ../dirty.log
git checkout -q base.txt

# 4. A failed agent: its worktree is kept and named; exit 1; nothing of it merged.
sed 's/echo c > c.txt/echo half > half.txt; exit 3/' tasks.json > ../failing.json
set +e
"$rw" run ../failing.json --allow-task-commands --retries 0 --run-dir .cohort/runs/failing > ../failing.log 2>&1
code=$?
set -e
rm ../failing.json
[[ $code == 1 ]] || fail "a failed agent: exit $code, expected 1" ../failing.log
grep -q "kept: 2.1 (failed): worktree .*/.cohort/runs/failing/worktrees/2.1-1" ../failing.log ||
  fail "the failed job's worktree is not named" ../failing.log
[[ -e .cohort/runs/failing/worktrees/2.1-1/half.txt ]] || fail "the failed job's worktree is gone"
git show cohort/failing:half.txt > /dev/null 2>&1 && fail "a failed job's work was merged"
# clean: the kept worktree and work branches go; the run branch stays (unless --run-branch).
"$rw" clean --run-dir .cohort/runs/failing > ../clean.log 2>&1 || fail "clean failed" ../clean.log
grep -q "removed 1 worktree(s) and [1-9][0-9]* branch(es) of run failing" ../clean.log || fail "clean said otherwise" ../clean.log
[[ ! -e .cohort/runs/failing/worktrees/2.1-1 ]] || fail "clean left the worktree"
[[ -z $(git for-each-ref 'refs/heads/cohort-work/failing/') ]] || fail "clean left work branches"
git rev-parse -q --verify cohort/failing > /dev/null || fail "clean removed the run branch"
"$rw" clean --run-dir .cohort/runs/failing --run-branch > ../clean2.log 2>&1 || fail "clean --run-branch failed" ../clean2.log
git rev-parse -q --verify cohort/failing > /dev/null && fail "clean --run-branch kept the run branch"

# 5. --gate: a failing gate fails its parent (dependents skipped); nothing of it is merged.
set +e
"$rw" run tasks.json --allow-task-commands --gate 'sh -c "test -e ab.txt && exit 7"' --run-dir .cohort/runs/gated > ../gate.log 2>&1
code=$?
set -e
[[ $code == 1 ]] || fail "a failing gate: exit $code, expected 1" ../gate.log
grep -Eq "^1 +Parts +failed" ../gate.log && grep -Eq "^2 +After +skipped" ../gate.log || fail "the gate's parent did not fail" ../gate.log
git show cohort/gated:a.txt > /dev/null 2>&1 && fail "a parent whose gate failed was merged"
[[ -s .cohort/runs/gated/agents/1/1.out || -e .cohort/runs/gated/agents/1/1.err ]] || fail "the gate's output is not in the run dir"

# 6. --land: the user's branch is fast-forwarded to the run's.
"$rw" run tasks.json --allow-task-commands --run-dir .cohort/runs/landed --land > ../land.log 2>&1 ||
  fail "the run with --land failed" ../land.log
grep -q "landed: your branch is now at cohort/landed" ../land.log || fail "--land said nothing" ../land.log
[[ $(git rev-parse main) == $(git rev-parse cohort/landed) && -e c.txt ]] || fail "main was not fast-forwarded"
echo "isolated agents, merged at the joins; checkout untouched; dirty refused; failure kept; --land landed"
