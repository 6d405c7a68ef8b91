#!/usr/bin/env bash
# Real Claude Code agents meeting limits the mock model server scripts:
# 1. a 429 on two agents pauses the whole run: no other agent starts until the pause is over;
#    the run finishes once the limit clears, and the report counts the pause;
# 2. a limit that never clears ends its task after --rate-limit-tries pauses (a bounded number
#    of launches), with Claude's own message;
# 3. a 401 stops the run at once with Claude's message: nothing more is launched, exit 1;
# 4. --budget-usd stops new launches once the reported cost reaches it.
source "$(dirname "$0")/agents_common.sh"
start_mock
claude_env

# plan DIR SUBTASK_DESCRIPTIONS...: a parent "1" with one subtask per description.
plan() {
  local dir=$1 i=0 subtasks=""
  shift
  for d in "$@"; do
    i=$((i + 1))
    subtasks+="${subtasks:+,}{\"id\": $i, \"title\": \"task $i\", \"description\": \"$d\", \"status\": \"pending\", \"dependencies\": []}"
  done
  make_plan "$dir" <<JSON
{"master": {"tasks": [{"id": 1, "title": "limits", "description": "limits", "status": "pending",
  "dependencies": [], "subtasks": [$subtasks]}]}}
JSON
}

# 1. Tasks 1.1 and 1.2 meet three 429s each: Claude Code's own two retries (bounded by the
# profile) do not get past them, so both attempts end rate limited; the queue waits.
plan "$work/pause" "mock-status 429 3 a" "mock-status 429 3 b" "ok 3" "ok 4" "ok 5" "ok 6"
cd "$work/pause"
"$rw" run --agent claude -j 2 --mode rolling --isolation none --rate-limit-delay 3s --json \
  --run-dir "$work/run-pause" > "$work/pause.json" 2> "$work/pause.err" ||
  { tail -5 "$work/pause.err"; fail "the paused run did not finish well"; }
pauses=$(json_query "$work/pause.json" 'report.summary.rate_limit_pauses')
((pauses >= 1)) || fail "the report counts $pauses pauses"
# The first limited attempt ends at the first usage event of 1.1 or 1.2; no launch may follow
# within the pause (3 s), whichever agent it is for.
early=$(json_query "$work/pause.json" '
  (() => { const end = events.find(e => e.event === "task_usage" && (e.task === "1.1" || e.task === "1.2")).ms;
           return events.filter(e => e.event === "task_launched" && e.ms > end && e.ms < end + 3000)
                        .map(e => e.task + "@" + (e.ms - end)).join(" "); })()')
[[ -z $early ]] || fail "launched during the pause: $early (ms after the limit)"
done_all=$(json_query "$work/pause.json" 'report.tasks.every(t => t.outcome === "succeeded")')
[[ $done_all == true ]] || fail "not every task succeeded once the limit cleared"

# 2. A limit that never clears: with --rate-limit-tries 1 the task fails after two launches.
plan "$work/persistent" "mock-status 429 100000 forever"
cd "$work/persistent"
set +e
"$rw" run --agent claude --isolation none --rate-limit-delay 1s --rate-limit-tries 1 --json \
  --run-dir "$work/run-persistent" > "$work/persistent.json" 2> "$work/persistent.err"
code=$?
set -e
[[ $code == 1 ]] || fail "a limit that never clears: exit $code, not 1"
launches=$(json_query "$work/persistent.json" 'events.filter(e => e.event === "task_launched").length')
[[ $launches == 2 ]] || fail "a limit that never clears: $launches launches, not 2"
reason=$(json_query "$work/persistent.json" 'report.tasks.find(t => t.id === "1.1").reason')
[[ $reason == "rate limited 2 times: rate limited: API Error: Request rejected (429)"* ]] || fail "reason: $reason"

# 3. A bad key: the first agent's 401 stops the run; the two others never start.
plan "$work/key" "mock-status 401 100000 key" "ok 2" "ok 3"
cd "$work/key"
set +e
"$rw" run --agent claude -j 1 --isolation none --retries 3 --json --run-dir "$work/run-key" \
  > "$work/key.json" 2> "$work/key.err"
code=$?
set -e
[[ $code == 1 ]] || fail "a 401: exit $code, not 1"
launches=$(json_query "$work/key.json" 'events.filter(e => e.event === "task_launched").length')
[[ $launches == 1 ]] || fail "a 401: $launches launches, not 1 (no relaunch, nothing after it)"
grep -q "the run stopped: Invalid API key" "$work/key.err" || { tail -3 "$work/key.err"; fail "the run does not say why it stopped"; }

# 4. A budget in dollars: each one-turn agent reports $0.00125 (Claude Code's price of the mock's
# usage); --budget-usd 0.003 lets a third agent start ($0.0025 spent) and no fourth ($0.00375).
plan "$work/budget" "ok 1" "ok 2" "ok 3" "ok 4"
cd "$work/budget"
set +e
"$rw" run --agent claude -j 1 --isolation none --budget-usd 0.003 --json --run-dir "$work/run-budget" \
  > "$work/budget.json" 2> "$work/budget.err"
code=$?
set -e
[[ $code == 1 ]] || fail "the budget: exit $code, not 1"
outcomes=$(json_query "$work/budget.json" 'report.tasks.filter(t => t.id.includes(".")).map(t => t.outcome).join(" ")')
[[ $outcomes == "succeeded succeeded succeeded skipped" ]] || fail "the budget: outcomes $outcomes"
reason=$(json_query "$work/budget.json" 'report.tasks.find(t => t.id === "1.4").reason')
[[ $reason == "the budget of \$0.003 is spent (\$0.003"* ]] || fail "the budget: reason '$reason'"
echo "a 429 paused the run ($pauses pause(s), no launch into it); a persistent limit failed after 2 launches;" \
     "a 401 stopped the run at once; --budget-usd stopped the fourth launch"
