# Sourced by the agents_*_check.sh scripts: the real agent CLIs (installed by .ci/setup, pinned)
# against the mock model server of tests/agents, on 127.0.0.1 only.
# Sets: mock_port, mock_log; functions: fail, start_mock, claude_env, json_query.
# Usage of a script: SCRIPT ROLLING_WAVE MOCK_SERVER_JS AGENT_BIN_DIR WORK_DIR
set -euo pipefail
rw=$1 mock_js=$2 bin=$3 work=$4
fail() { echo "FAILED: $*"; exit 1; }

if [[ ! -x $bin/claude ]] || ! command -v node > /dev/null; then
  echo "SKIPPED LOUDLY: the agent CLIs are not installed in $bin (or there is no node):"
  echo "  run .ci/setup (it installs them from npm, pinned); this test needs them"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work/home"
export PATH="$bin:$PATH"

mock_log=$work/mock.log
start_mock() {
  node "$mock_js" --port-file "$work/mock.port" --log "$mock_log" --idle-seconds 600 --parent-pid $$ &
  for _ in $(seq 1 200); do [[ -s $work/mock.port ]] && break; sleep 0.05; done
  [[ -s $work/mock.port ]] || fail "the mock model server did not start"
  mock_port=$(cat "$work/mock.port")
}

# What Claude Code needs, and nothing of the developer's own setup.
claude_env() {
  export HOME=$work/home ANTHROPIC_BASE_URL=http://127.0.0.1:$mock_port ANTHROPIC_API_KEY=test-key
  unset ANTHROPIC_AUTH_TOKEN CLAUDE_CONFIG_DIR || true
}

# json_query FILE EXPRESSION: the events and the report of `rolling-wave --json` output in FILE
# as `events` (an array) and `report`; prints EXPRESSION (JavaScript).
json_query() {
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(l => l.startsWith("{"));
    const all = lines.map(l => JSON.parse(l));
    const events = all.filter(e => e.event !== "report" && e.event !== "work");
    const report = (all.find(e => e.event === "report") || {}).report;
    const out = eval(process.argv[2]);
    console.log(typeof out === "string" ? out : JSON.stringify(out));' "$1" "$2"
}

# A git repository with a Task Master file: make_plan DIR, the file's text on stdin.
make_plan() {
  mkdir -p "$1/.taskmaster/tasks"
  cat > "$1/.taskmaster/tasks/tasks.json"
  git -C "$1" init -q -b main
  git -C "$1" add -A
  git -C "$1" -c user.name=test -c user.email=test@localhost commit -qm plan
}
