// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "cli.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>

namespace rolling_wave {
namespace {

using std::chrono::milliseconds;

constexpr std::uint64_t max_agents = 100'000;  // -j and --per-parent
constexpr double max_duration_ms = 366.0 * 24 * 3'600'000;  // a year: longer is a typo

std::uint64_t parse_count(std::string_view text, std::string_view flag) {
  std::uint64_t value = 0, digits = 0;
  std::size_t i = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  const std::string_view suffix = text.substr(i);
  const std::uint64_t unit = suffix.empty() ? 1 : suffix == "k" || suffix == "K" ? 1000 : suffix == "M" ? 1'000'000 : 0;
  if (digits == 0 || unit == 0) {
    throw usage_error(fmt::format("{} needs a whole number (like 8, 200k, 1M), not '{}'", flag, text));
  }
  if (digits > 15 || value * unit > 1'000'000'000'000'000) {
    throw usage_error(fmt::format("{} is out of range: '{}' (at most 1000000000000000)", flag, text));
  }
  return value * unit;
}

// A count in [low, high], the range named in the error.
std::uint64_t parse_count(std::string_view text, std::string_view flag, std::uint64_t low, std::uint64_t high) {
  const std::uint64_t v = parse_count(text, flag);
  if (v < low || v > high) {
    throw usage_error(fmt::format("{} is out of range: {} (from {} to {})", flag, v, low, high));
  }
  return v;
}

// A decimal number from `low` (included only when `zero_ok`, for 0) to `high`.
double parse_decimal(std::string_view text, std::string_view flag, bool zero_ok, double high) {
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !(zero_ok ? v >= 0 : v > 0) || v > high) {
    throw usage_error(fmt::format("{} needs a {} number up to {}, not '{}'", flag,
                                  zero_ok ? "non-negative" : "positive", high, text));
  }
  return v;
}

double parse_scale(std::string_view text, std::string_view flag) { return parse_decimal(text, flag, false, 1e6); }

template <class Enum>
Enum parse_choice(std::string_view text, std::string_view flag,
                  std::initializer_list<std::pair<std::string_view, Enum>> choices) {
  std::string names;
  for (const auto& [name, value] : choices) {
    if (name == text) return value;
    if (!names.empty()) names += '|';
    names += name;
  }
  throw usage_error(fmt::format("{} is {}, not '{}'", flag, names, text));
}

std::optional<command> command_of(std::string_view word) {
  static const std::map<std::string_view, command> words{
      {"run", command::run}, {"plan", command::plan}, {"resume", command::resume},
      {"status", command::status}, {"clean", command::clean}, {"demo", command::demo},
      {"help", command::help}};
  auto it = words.find(word);
  if (it == words.end()) return std::nullopt;
  return it->second;
}

// Flags without a value.
bool switch_flag(std::string_view flag, arguments& a) {
  if (flag == "--fail-fast") a.options.fail_fast = true;
  else if (flag == "--dry-run" || flag == "-n") a.dry_run = true;
  else if (flag == "--confirm") a.confirm = true;
  else if (flag == "--yes" || flag == "-y") a.yes = true;
  else if (flag == "--write-status") a.write_status = true;
  else if (flag == "--allow-task-commands") a.allow_task_commands = true;
  else if (flag == "--keep-branches") a.keep_branches = true;
  else if (flag == "--land") a.land = true;
  else if (flag == "--run-branch") a.run_branch = true;
  else if (flag == "--json") a.json = true;
  else if (flag == "--help" || flag == "-h") a.cmd = command::help;
  else if (flag == "--version" || flag == "-V") a.cmd = command::version;
  else return false;
  return true;
}

void schedule_flag(std::string_view flag, std::string_view v, arguments& a) {
  auto& s = a.options.schedule;
  if (flag == "-j" || flag == "--jobs") {
    s.max_running = parse_count(v, flag);
    if (s.max_running == 0) throw usage_error(fmt::format("{} must be at least 1", flag));
    if (s.max_running > max_agents) {
      throw usage_error(fmt::format("{} is out of range: {} (from 1 to {})", flag, s.max_running, max_agents));
    }
    a.jobs_given = true;
  }
  else if (flag == "--per-parent") s.max_per_parent = parse_count(v, flag, 0, max_agents);
  else if (flag == "--budget") s.token_budget = parse_count(v, flag);
  else if (flag == "--reserve") a.reserve = parse_count(v, flag);
  else if (flag == "--stagger") s.parent_stagger = parse_duration(v, flag);
  else if (flag == "--launch-interval") s.launch_interval = parse_duration(v, flag);
  else if (flag == "--mode") s.mode = parse_choice<cohort::wave_mode>(v, flag, {{"waves", cohort::wave_mode::waves}, {"rolling", cohort::wave_mode::rolling}});
  else if (flag == "--order") s.order = parse_choice<cohort::ready_order>(v, flag, {{"longest-path", cohort::ready_order::longest_path}, {"fifo", cohort::ready_order::fifo}});
  else if (flag == "--retries") a.options.retry.retries = static_cast<int>(parse_count(v, flag, 0, 1000));
  else if (flag == "--timeout") a.options.timeout = parse_duration(v, flag);
  else if (flag == "--rate-limit-delay") a.options.rate_limit_delay = parse_duration(v, flag);
  else if (flag == "--budget-usd") a.options.cost_budget = parse_decimal(v, flag, false, 1e9);
  else if (flag == "--cache-read-weight") a.weights.read = parse_decimal(v, flag, true, 100);
  else if (flag == "--cache-write-weight") a.weights.write = parse_decimal(v, flag, true, 100);
  else if (flag == "--rate-limit-tries") a.options.max_rate_limits = static_cast<int>(parse_count(v, flag, 0, 1000));
  else throw usage_error(fmt::format("unknown option '{}' (see rolling-wave --help)", flag));
}

// A value given to Slurm as one `--name=value` word: never empty, never an option of its own.
std::string slurm_word(std::string_view v, std::string_view flag) {
  if (v.empty() || v.starts_with("-")) throw usage_error(fmt::format("{} needs a value, not '{}'", flag, v));
  return std::string(v);
}

// One sbatch option for every job. Those cohort sets itself (the job's name, comment, files,
// directory, environment) or that would change what a submission is (waiting for the job, an
// array, another cluster, a test only) are refused, naming the flag.
std::string sbatch_option(std::string_view v) {
  if (!v.starts_with("-")) throw usage_error(fmt::format("--slurm-option takes one sbatch option, such as --qos=high, not '{}'", v));
  static constexpr std::string_view refused[] = {
      "-J", "--job-name", "--comment", "-o", "--output", "-e", "--error", "-i", "--input", "-D", "--chdir",
      "--export", "--export-file", "--parsable", "-W", "--wait", "-a", "--array", "-M", "--clusters",
      "--test-only", "--wrap", "--requeue"};
  const std::string_view name = v.substr(0, v.find('='));
  for (auto r : refused) {
    if (name == r || (r.size() == 2 && v.starts_with(r))) {
      throw usage_error(fmt::format("--slurm-option {}: cohort sets that itself, or it would change what a job is", v));
    }
  }
  return std::string(v);
}

// Flags with a value.
void value_flag(std::string_view flag, std::string_view v, arguments& a) {
  if (flag == "--tag") a.tag = v;
  else if (flag == "--agent") {
    a.agent = split_words(v);
    if (a.agent.empty()) throw usage_error("--agent needs a command, e.g. --agent claude, or --agent 'my-agent {prompt_file}'");
    // One word naming a profile: that CLI as cohort runs it (agent_profile.hpp).
    a.profile = a.agent.size() == 1 ? cohort::find_agent_profile(a.agent[0]) : std::nullopt;
    if (a.profile) a.agent = a.profile->argv;
  } else if (flag == "--prompt") a.prompt = parse_choice<std::string_view>(v, flag, {{"file", "file"}, {"stdin", "stdin"}});
  else if (flag == "--workdir") a.workdir = v;
  else if (flag == "--run-dir") a.run_dir = std::string(v);
  else if (flag == "--trace") a.trace_file = v;
  else if (flag == "--format") a.format = parse_choice<std::string_view>(v, flag, {{"text", "text"}, {"json", "json"}, {"dot", "dot"}, {"mermaid", "mermaid"}});
  else if (flag == "--isolation") a.isolation = parse_choice<std::string_view>(v, flag, {{"worktree", "worktree"}, {"none", "none"}});
  else if (flag == "--on-conflict") a.on_conflict = parse_choice<cohort::conflict_policy>(v, flag, {{"retry", cohort::conflict_policy::retry}, {"fail", cohort::conflict_policy::fail}, {"sequential", cohort::conflict_policy::sequential}});
  else if (flag == "--gate") {
    a.gate = split_words(v);
    if (a.gate.empty()) throw usage_error("--gate needs a command, e.g. --gate 'make check'");
  }
  else if (flag == "--launcher") a.slurm = parse_choice<bool>(v, flag, {{"local", false}, {"slurm", true}});
  else if (flag == "--slurm-partition") a.slurm_job.partition = slurm_word(v, flag);
  else if (flag == "--slurm-account") a.slurm_job.account = slurm_word(v, flag);
  else if (flag == "--slurm-time") a.slurm_job.time_limit = slurm_word(v, flag);
  else if (flag == "--slurm-mem") a.slurm_job.memory = slurm_word(v, flag);
  else if (flag == "--slurm-cpus") a.slurm_job.cpus = static_cast<int>(parse_count(v, flag, 1, 4096));
  else if (flag == "--slurm-option") a.slurm_job.extra.push_back(sbatch_option(v));
  else if (flag == "--slurm-poll") {
    a.slurm_poll = parse_duration(v, flag);
    if (a.slurm_poll < std::chrono::milliseconds(50)) throw usage_error("--slurm-poll is at least 50ms (be gentle with the controller)");
  }
  else if (flag == "--on-resume") a.adopt_jobs = parse_choice<bool>(v, flag, {{"adopt", true}, {"cancel", false}});
  else if (flag == "--conflict-retries") a.conflict_retries = static_cast<int>(parse_count(v, flag, 0, 100));
  else if (flag == "--author") {
    a.author = v;
    const auto lt = a.author.find('<');
    if (lt == std::string::npos || lt == 0 || a.author.back() != '>')
      throw usage_error(fmt::format("--author is 'Name <email>', not '{}'", v));
  }
  else if (flag == "--on-violation") a.violation = parse_choice<on_violation>(v, flag, {{"warn", on_violation::warn}, {"fail", on_violation::fail}, {"sequential", on_violation::sequential}});
  else if (flag == "--time-scale") {
    a.time_scale = parse_scale(v, flag);
    a.time_scale_given = true;
  } else schedule_flag(flag, v, a);
}

bool takes_value(std::string_view flag) {
  static const char* const flags[] = {"--tag", "--agent", "--prompt", "--workdir", "--run-dir", "--trace",
                                      "--format", "--on-violation", "--time-scale", "-j", "--jobs",
                                      "--isolation", "--on-conflict", "--conflict-retries", "--author", "--gate",
                                      "--per-parent", "--budget", "--reserve", "--stagger",
                                      "--launch-interval", "--mode", "--order", "--retries", "--timeout",
                                      "--rate-limit-delay", "--rate-limit-tries", "--budget-usd",
                                      "--cache-read-weight", "--cache-write-weight", "--launcher",
                                      "--slurm-partition", "--slurm-account", "--slurm-time", "--slurm-mem",
                                      "--slurm-cpus", "--slurm-option", "--slurm-poll", "--on-resume"};
  for (const char* f : flags) {
    if (flag == f) return true;
  }
  return false;
}

} // namespace

std::chrono::milliseconds parse_duration(std::string_view text, std::string_view flag) {
  static const std::map<std::string_view, double> units{{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}};
  const auto bad = [&] {
    return usage_error(fmt::format("{} needs a duration like 500ms, 30s, 5m or 1h30m, not '{}'", flag, text));
  };
  if (text.empty()) throw bad();
  if (text.find_first_not_of('0') == std::string_view::npos) return milliseconds(0);  // "0" needs no unit
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    const std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string_view unit_name = text.substr(unit_start, i - unit_start);
    const std::string number(text.substr(start, unit_start - start));
    if (unit_name.empty() && !number.empty() && i == text.size()) {
      throw usage_error(fmt::format("{} needs a unit: '{}' is ambiguous (write {}ms or {}s)", flag, text, number, number));
    }
    const auto unit = units.find(unit_name);
    char* end = nullptr;
    const double v = std::strtod(number.c_str(), &end);
    if (number.empty() || *end != '\0' || unit == units.end()) throw bad();
    total += v * unit->second;
  }
  if (!(total <= max_duration_ms)) {
    throw usage_error(fmt::format("{} is out of range: '{}' (at most 366 days)", flag, text));
  }
  return milliseconds(static_cast<milliseconds::rep>(total));
}

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
    } else if (c == '\'') {
      const auto close = line.find('\'', i + 1);
      if (close == std::string_view::npos) throw usage_error("--agent: unclosed ' quote");
      word += line.substr(i + 1, close - i - 1);
      i = close;
    } else if (c == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        const bool escape = line[i] == '\\' && i + 1 < line.size() &&
                            std::string_view("\"\\$`").find(line[i + 1]) != std::string_view::npos;
        word += escape ? line[++i] : line[i];
      }
      if (i >= line.size()) throw usage_error("--agent: unclosed \" quote");
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

arguments parse_arguments(const std::vector<std::string>& args) {
  arguments a;
  a.options.schedule.max_running = 5;
  a.options.schedule.mode = cohort::wave_mode::waves;
  std::size_t i = 0;
  if (!args.empty()) {
    if (auto c = command_of(args[0])) {
      a.cmd = *c;
      i = 1;
    }
  }
  for (; i < args.size(); ++i) {
    std::string flag = args[i], value;
    const bool is_flag = flag.size() > 1 && flag[0] == '-';
    if (!is_flag) {
      if (!a.tasks_file.empty()) throw usage_error(fmt::format("one tasks file only: '{}' and '{}'", a.tasks_file, flag));
      a.tasks_file = flag;
      continue;
    }
    if (switch_flag(flag, a)) continue;
    if (auto eq = flag.find('='); eq != std::string::npos && flag.rfind("--", 0) == 0) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    } else if (flag.rfind("-j", 0) == 0 && flag.size() > 2) {
      value = flag.substr(2);
      flag = "-j";
    } else if (takes_value(flag)) {
      if (i + 1 >= args.size()) throw usage_error(fmt::format("{} needs a value", flag));
      value = args[++i];
    } else {
      throw usage_error(fmt::format("unknown option '{}' (see rolling-wave --help)", flag));
    }
    value_flag(flag, value, a);
  }
  if (a.tag.empty()) {
    if (const char* t = std::getenv("TASKMASTER_TAG")) a.tag = t;
  }
  if (a.cmd == command::demo && !a.tasks_file.empty()) a.cmd = command::run;
  return a;
}

std::string help_text() {
  return R"(rolling-wave: run AI coding agents over a Task Master plan, as many at once as the
dependencies and your limits allow; parents in parallel, each parent's subtasks in waves.

usage:
  rolling-wave                         the built-in demo (the seed plan, simulated agents)
  rolling-wave run [TASKS] --agent 'CMD ...' [options]
  rolling-wave plan [TASKS] [--format text|json|dot|mermaid] [-j N] [--budget N] [--mode M]
  rolling-wave resume --run-dir DIR [options]
  rolling-wave status [TASKS] [--run-dir DIR]
  rolling-wave clean --run-dir DIR [--run-branch]
                                       remove a run's worktrees and work branches (kept
                                       failed jobs' too; the run branch with --run-branch)

TASKS is a Task Master tasks.json (default .taskmaster/tasks/tasks.json, then tasks/tasks.json).

run options:
  --tag TAG                the Task Master tag (default $TASKMASTER_TAG, then the current tag)
  --agent claude|codex|gemini
                           a known agent CLI, run as cohort runs it: claude -p --output-format
                           json --permission-mode acceptEdits --no-session-persistence (its own
                           retries bounded, no outside traffic); codex exec --json --sandbox
                           workspace-write -;
                           gemini --output-format json --approval-mode auto_edit. The prompt on
                           stdin; usage, cost,
                           messages and errors read from their JSON
  --agent 'CMD ARGS'       any other agent command, split into words like a shell line (quotes
                           kept) but never run through a shell. Placeholders: {id} {title}
                           {parent} {prompt_file} {workdir} {attempt} {duration_ms}. A
                           placeholder that is a whole word and would start with '-' is refused
                           (put -- before it).
  --allow-task-commands    run the commands that tasks carry in the file ("argv", instead of
                           --agent) and the environment they set ("env"); without it such a
                           plan is refused, listing each command
  --prompt file|stdin      where the agent reads the task's prompt (default: file when the
                           command names {prompt_file}, else stdin)
  --workdir DIR            the agents' working directory (default: the current one)
  -j, --jobs N             agents at once (default 5)
  --per-parent N           agents of one parent at once (default: no cap)
  --budget TOKENS          token budget for the run (200k, 1M); no new agent once it is spent.
                           A task without an estimate reserves what its parent's finished
                           tasks used on average, else the run's average, else 20k
  --budget-usd AMOUNT      a budget in dollars, from the cost the agents report (Claude Code's
                           total_cost_usd); no new agent once it is spent
  --cache-read-weight W    what a cache-read token counts in token budgets (default 0.1, as
                           providers price it against an input token)
  --cache-write-weight W   what a cache-write token counts (default 1.25)
  --reserve TOKENS         kept out of the per-parent budget split shown on the dashboard
  --stagger DURATION       between two parents starting (500ms, 30s, 5m)
  --launch-interval DUR    between any two agent launches
  --mode waves|rolling     waves: a parent's wave k+1 starts when wave k is over (default);
                           rolling: each subtask as soon as its own dependencies are done
  --order longest-path|fifo  which ready task goes first (default longest-path)
  --retries N              extra attempts of a failed task (exponential backoff)
  --timeout DURATION       per attempt
  --rate-limit-delay DUR   a rate limit or an overload from any agent pauses every launch this
                           long (default 30s); then fewer agents at once, growing back one per
                           launch that passes
  --rate-limit-tries N     rate limits of one task before it fails (default 5): a limit that
                           never clears ends a task after N pauses and N+1 agent runs
  --fail-fast              the first task failing for good stops the run
  --isolation worktree|none
                           worktree (the default in a git checkout): every agent works in a git
                           worktree of its own, on its own branch; finished work is merged at
                           the join (never touching your checkout) into the branch
                           cohort/<run>, which holds every finished task at the end. A checkout
                           with uncommitted changes is refused. none: all in the work dir
  --on-conflict retry|fail|sequential
                           work that does not merge: run the agent again from the current tip
                           with the conflict in its prompt (default), fail the task, or go on
                           one agent at a time
  --conflict-retries N     runs again after a conflict (default 2)
  --gate 'CMD ARGS'        after a parent's subtasks, run CMD (no shell) on their merged work (in
                           a worktree of the parent's branch); if it fails, the parent fails:
                           its dependents are skipped and its branch is not merged. A parent's
                           own command in the file (with consent) takes its place
  --launcher local|slurm   where agents run: local processes (default), or one Slurm batch job
                           per attempt (sbatch; the cluster SLURM_CONF names, the run dir on a
                           file system the nodes share). A task may ask for resources in the
                           file: "cohort": {"slurm": {"partition": "gpu", "cpus": 4, ...}}
  --slurm-partition P, --slurm-account A, --slurm-time T, --slurm-mem M, --slurm-cpus N
                           what every job asks for (sbatch's --partition, ...)
  --slurm-option OPT       one more sbatch option for every job (repeatable), e.g. --qos=high
  --slurm-poll DURATION    how often one squeue looks at every job (default 250ms)
  --on-resume adopt|cancel resume: wait for the dead run's jobs still in the queue as if this
                           run had submitted them (default), or cancel them (one that completed
                           counts as done); never a second job
  --land                   at the end, if every task is done, fast-forward your branch to the
                           run's (refused, saying why, when it cannot fast-forward)
  --keep-branches          keep merged jobs' branches (failed jobs' are always kept)
  --author 'NAME <EMAIL>'  who cohort's commits are by (default cohort <cohort@localhost>)
  --on-violation warn|fail|sequential
                           a changed file no task owns (git checkouts, tasks with "owns"):
                           warn, fail the run, or go on one agent at a time
  --write-status           set statuses in the tasks file as tasks start and finish
                           (in-progress, done; back to pending when failed or cancelled)
  --dry-run                show the plan and the command of each task; launch nothing
  --confirm                show the plan and ask before launching (--yes: do not ask)
  --run-dir DIR            prompts, agent output and the journal (default .cohort/runs/<time>)
  --trace FILE             write a Chrome trace (open it in https://ui.perfetto.dev)
  --json                   events as JSON lines on stdout (the dashboard goes to stderr)
  --time-scale F           scale simulated agents' sleeps (the demo uses it)
  --version, --help

An agent's authentication error (a bad API key) stops the run at once with its message.

exit codes: 0 every task done, 1 some task failed or was skipped, 2 bad input, 130 interrupted
(Ctrl-C, SIGTERM), 129 the terminal closed (SIGHUP), 141 the output pipe closed (SIGPIPE).
Ctrl-C once: launch nothing more and end the agents gracefully; twice: end them now. A closed
terminal or output pipe ends the run like one Ctrl-C; the journal keeps it resumable.
)";
}

} // namespace rolling_wave
