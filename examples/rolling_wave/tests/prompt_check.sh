#!/usr/bin/env bash
# Task text full of shell syntax ($(...), backticks, quotes, ;, |) reaches the agent verbatim and
# runs nothing: through stdin (compared byte for byte with the prompt file) and as an argv word
# ({title}, printed back by the agent). No canary file may appear.
# Usage: prompt_check.sh ROLLING_WAVE SIM_AGENT HOSTILE_JSON WORK_DIR
set -euo pipefail
rw=$1 sim=$2 plan=$3 work=$4
rm -rf "$work" && mkdir -p "$work/agents-cwd"
cd "$work"

"$rw" run "$plan" --agent "$sim --echo-stdin" --prompt stdin --workdir "$work/agents-cwd" \
  --run-dir "$work/run1" > "$work/run1.log" 2>&1
cmp "$work/run1/agents/1/prompt.md" "$work/run1/agents/1/1.out"
grep -qF '$(rm -rf ~) and `rm -rf ~`' "$work/run1/agents/1/1.out"

"$rw" run "$plan" --agent "$sim --print-env '{title}'" --workdir "$work/agents-cwd" \
  --run-dir "$work/run2" > "$work/run2.log" 2>&1
title=$'Fix $(touch canary-title) `touch canary-tick` "quoted" \'single\' ; rm -rf ~'
printf '%s unset\n' "$title" | cmp - "$work/run2/agents/1/1.out"

if find "$work" -name 'canary-*' | grep -q .; then
  echo "a canary file was created: task text ran as code" >&2
  exit 1
fi
echo "prompt and argv reached the agent verbatim; nothing ran"
