#!/usr/bin/env bash
# Codex and Gemini CLI as agents (their own commands, pointed at the mock model server): their
# usage is read from their JSON output (cached input weighted 0.1), and their errors (a 401)
# are classified from it: the run stops with the CLI's own message.
source "$(dirname "$0")/agents_common.sh"
start_mock
export HOME=$work/home
mkdir -p "$HOME/.gemini"
echo '{"security": {"auth": {"selectedType": "gemini-api-key"}}}' > "$HOME/.gemini/settings.json"
export OPENAI_API_KEY=test-key GEMINI_API_KEY=test-key GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:$mock_port
export GEMINI_CLI_TRUST_WORKSPACE=true

codex="codex exec --json --skip-git-repo-check --sandbox workspace-write
  -c model_providers.mock.base_url=http://127.0.0.1:$mock_port/v1 -c model_provider=mock
  -c model_providers.mock.name=mock -c model_providers.mock.request_max_retries=1
  -c model_providers.mock.stream_max_retries=1 -"
# A fixed model: the default `auto` asks a router model first, which the mock does not play.
gemini="gemini -m gemini-2.5-flash --output-format json --yolo"

plan_of() {
  make_plan "$1" <<JSON
{"master": {"tasks": [{"id": 1, "title": "one", "description": "$2", "status": "pending",
  "dependencies": [], "subtasks": []}]}}
JSON
}
for agent in codex gemini; do
  plan_of "$work/$agent" "say hello"
  cd "$work/$agent"
  "$rw" run --agent "${!agent}" --isolation none --timeout 120s --json --run-dir "$work/run-$agent" \
    > "$work/$agent.json" 2> "$work/$agent.err" || { tail -5 "$work/$agent.err"; fail "$agent: the run failed"; }
  # One turn: input 100 (uncached), output 20, cached 1000 x 0.1 = 220 tokens.
  tokens=$(json_query "$work/$agent.json" 'report.tasks[0].tokens')
  [[ $tokens == 220 ]] || fail "$agent: $tokens tokens, not 220"

  plan_of "$work/$agent-key" "mock-status 401 100000 key-$agent"
  cd "$work/$agent-key"
  set +e
  "$rw" run --agent "${!agent}" --isolation none --timeout 120s --json --run-dir "$work/run-$agent-key" \
    > "$work/$agent-key.json" 2> "$work/$agent-key.err"
  code=$?
  set -e
  [[ $code == 1 ]] || fail "$agent with a bad key: exit $code, not 1"
  grep -q "the run stopped: .*invalid x-api-key" "$work/$agent-key.err" ||
    { tail -3 "$work/$agent-key.err"; fail "$agent: a 401 did not stop the run with its message"; }
done
echo "codex and gemini: usage read (220 tokens each), a 401 stops the run with the CLI's message"
