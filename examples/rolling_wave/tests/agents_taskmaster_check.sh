#!/usr/bin/env bash
# The real Task Master CLI on files cohort writes: 20 `task-master add-task` run at once while a
# run writes statuses (add-task writes back the file it read before taking its lock, reverting
# what others wrote meanwhile); at the end every status cohort set is in the file, because the
# run re-asserts them after its last write. Then Task Master's own set-status, list and next
# work on the file.
source "$(dirname "$0")/agents_common.sh"
repo=$work/repo
make_plan "$repo" <<'JSON'
{"master": {"tasks": [
  {"id": 1, "title": "work", "description": "work", "status": "pending", "dependencies": [],
   "priority": "high", "details": "", "testStrategy": "", "subtasks": [
    {"id": 1, "title": "a", "description": "a", "status": "pending", "dependencies": []},
    {"id": 2, "title": "b", "description": "b", "status": "pending", "dependencies": []},
    {"id": 3, "title": "c", "description": "c", "status": "pending", "dependencies": []},
    {"id": 4, "title": "last", "description": "waits for the add-tasks", "status": "pending", "dependencies": [1, 2, 3]}
  ]},
  {"id": 2, "title": "cancelled", "description": "never run", "status": "cancelled", "dependencies": [],
   "priority": "low", "details": "", "testStrategy": "", "subtasks": []}
]}}
JSON
cd "$repo"
# 1.1-1.3 take 3 s, so their statuses change while the add-tasks read and write the file; 1.4
# waits until every add-task is over: they all happen while the run writes statuses.
"$rw" run --isolation none --write-status --run-dir "$work/run" \
  --agent "sh -c 'if [ \"\$COHORT_TASK_ID\" = 1.4 ]; then while [ ! -e $work/added ]; do sleep 0.1; done; else sleep 3; fi'" \
  > "$work/run.log" 2>&1 &
run=$!
for i in $(seq 1 20); do
  task-master add-task --title "added $i" --description "added while cohort ran" > "$work/add-$i.log" 2>&1 &
done
wait $(jobs -p | grep -v "^$run\$") || true
touch "$work/added"
wait $run || { tail -5 "$work/run.log"; fail "the run failed"; }
statuses=$(node -e '
  const t = JSON.parse(require("fs").readFileSync(".taskmaster/tasks/tasks.json", "utf8")).master.tasks;
  const one = t.find(x => x.id === 1), two = t.find(x => x.id === 2);
  console.log([one.status, ...one.subtasks.map(s => s.status), two.status].join(" "));')
[[ $statuses == "done done done done done cancelled" ]] || fail "statuses after the run: $statuses"
added=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(".taskmaster/tasks/tasks.json", "utf8")).master.tasks.length - 2)')
echo "add-task calls whose tasks are in the file: $added of 20 (add-task races with itself too)"
reverted=$(grep -o "another program reverted [0-9]* status" "$work/run.log" || true)
echo "the run: ${reverted:-no status reverted}"
task-master set-status --id=1.2 --status=review > "$work/set.log" 2>&1 || { cat "$work/set.log"; fail "task-master set-status refused the file"; }
task-master list > "$work/list.log" 2>&1 || fail "task-master list refused the file"
task-master next > "$work/next.log" 2>&1 || fail "task-master next refused the file"
echo "20 add-task calls during a run left every status cohort set; Task Master's CLI works on the file"
