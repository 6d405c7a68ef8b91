// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// `rolling-wave run` (and the demo): the plan, the agents, the observers, Ctrl-C, the report.
#include "isolation.hpp"
#include "observers.hpp"
#include "ownership_guard.hpp"
#include "run.hpp"

#include <cohort/run/agent_command.hpp>
#include <cohort/view/dashboard.hpp>
#include <cohort/view/event_log.hpp>
#include <cohort/run/executor.hpp>
#include <cohort/run/journal.hpp>
#include <cohort/analysis/ownership.hpp>
#include <cohort/run/process_launcher.hpp>
#include <cohort/process/open_files.hpp>
#include <cohort/process/subreaper.hpp>
#include <cohort/view/render.hpp>
#include <cohort/view/terminal_text.hpp>
#include <cohort/view/report.hpp>
#include <cohort/run/resume.hpp>
#include <cohort/plan/taskmaster_writeback.hpp>
#include <cohort/core/scope.hpp>
#include <cohort/view/trace.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/chrono.h>
#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <map>
#include <optional>

#include <fcntl.h>
#include <unistd.h>

namespace rolling_wave {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

// cohort-sim-agent: $COHORT_SIM_AGENT, else next to this program, else on PATH.
std::string sim_agent_path() {
  if (const char* p = std::getenv("COHORT_SIM_AGENT")) return p;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && fs::exists(self.parent_path() / "cohort-sim-agent")) {
    return (self.parent_path() / "cohort-sim-agent").string();
  }
  return "cohort-sim-agent";
}

// The demo: the seed plan at K=8 in waves, a 1M token budget, simulated agents that sleep their
// estimate (one minute of estimate = 50 ms), print progress and report usage.
void apply_demo_defaults(arguments& a) {
  if (!a.jobs_given) a.options.schedule.max_running = 8;
  if (!a.time_scale_given) a.time_scale = 1.0 / 1200;
  a.time_scale_given = true;
  if (a.options.schedule.token_budget == 0) a.options.schedule.token_budget = 1'000'000;
  if (a.reserve == 0) a.reserve = 50'000;
  if (a.agent.empty()) {
    a.agent = {sim_agent_path(), "--sleep", "{duration_ms}", "--progress", "4", "--usage-file",
               "--tokens", "7000,1500"};
  }
}

bool names_prompt_file(const std::vector<std::string>& argv) {
  return std::any_of(argv.begin(), argv.end(),
                     [](const std::string& w) { return w.find("{prompt_file}") != std::string::npos; });
}

bool utf8_locale() {
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* v = std::getenv(name);
    if (!v || !*v) continue;
    std::string s(v);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s.find("utf-8") != std::string::npos || s.find("utf8") != std::string::npos;
  }
  return false;
}

// Every job that will run needs a command: its own argv or the template.
void check_agent(const cohort::plan& p, const arguments& a) {
  if (!a.agent.empty()) return;
  std::vector<std::string> missing;
  for (const auto& t : p.tasks) {
    if (t.subtasks.empty() && t.argv.empty() && !cohort::is_finished(t.status)) missing.push_back(t.id);
  }
  if (missing.empty()) return;
  throw usage_error(fmt::format(
      "{} task(s) have no argv of their own ({}{}): give the agent command, e.g. --agent 'claude -p "
      "--output-format json'", missing.size(), missing.front(), missing.size() > 1 ? ", ..." : ""));
}

// `w` as a shell would read it back as one word, appended to `out`.
void append_quoted(std::string& out, std::string_view w) {
  const bool plain = !w.empty() && std::all_of(w.begin(), w.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("-_./=:,+@%{}").find(static_cast<char>(c)) != std::string_view::npos;
  });
  if (plain) {
    out += w;
    return;
  }
  out += '\'';
  for (char c : w) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  out += '\'';
}

// `NAME=value ... argv` as a shell would show it, words quoted, appended to `line`.
void append_command(std::string& line, const cohort::string_map& env, const cohort::string_list& argv) {
  for (const auto& [name, value] : env) {
    if (!line.empty()) line += ' ';
    append_quoted(line, name + '=' + value);  // one word
  }
  for (std::string_view w : argv) {
    if (!line.empty()) line += ' ';
    append_quoted(line, w);
  }
}

// A budget smaller than one task's estimate would let that task never start: said at once.
void check_budget(const cohort::plan& p, const arguments& a) {
  const std::uint64_t budget = a.options.schedule.token_budget;
  if (budget == 0) return;
  const std::uint64_t fallback = a.options.schedule.defaults.tokens;
  std::size_t over = 0;
  const cohort::task* first = nullptr;
  for (const auto& t : p.tasks) {
    if (!t.is_job() || cohort::is_finished(t.status) || t.tokens.value_or(fallback) <= budget) continue;
    if (++over == 1) first = &t;
  }
  if (over == 0) return;
  throw usage_error(fmt::format(
      "--budget {} is below the token estimate of {} task(s) (e.g. {}: {}{}), which could never "
      "start: raise --budget, or give the tasks smaller estimates", budget, over, first->id,
      first->tokens.value_or(fallback), first->tokens ? "" : ", the default estimate"));
}

// The bytes of memory the machine has available (MemAvailable); 0 when unknown.
std::uint64_t available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

// An agent CLI of known size (a profile): the default -j is what the available memory holds,
// at most the usual default, and the run says so.
void fit_memory(arguments& a) {
  if (a.jobs_given || !a.profile || a.profile->peak_memory == 0) return;
  const std::uint64_t available = available_memory();
  if (available == 0) return;
  auto& jobs = a.options.schedule.max_running;
  // Four fifths of what is available, for the agents; the rest for what they run (builds, tests).
  const std::size_t fit = std::max<std::size_t>(1, static_cast<std::size_t>(available / 5 * 4 / a.profile->peak_memory));
  const std::size_t chosen = std::min(jobs, fit);
  fmt::print(stderr, "rolling-wave: -j {}: {} agents take up to {} MiB each, {} MiB available{} (-j N to choose)\n",
             chosen, a.profile->name, a.profile->peak_memory >> 20, available >> 20,
             chosen < jobs ? fmt::format("; {} would not fit", jobs) : std::string());
  jobs = chosen;
}

// Never more agents than the open-file limit allows (raised to the hard limit first): an agent
// that cannot get its descriptors would fail for no fault of its own.
void fit_open_files(arguments& a) {
  const std::size_t limit = cohort::raise_open_file_limit();
  const std::size_t fit = cohort::agents_within(limit);
  auto& jobs = a.options.schedule.max_running;
  if (jobs <= fit) return;
  if (fit == 0) {
    throw usage_error(fmt::format("the open-file limit ({}, ulimit -n) leaves no room for an agent; "
                                  "raise it to at least {}", limit,
                                  cohort::descriptors_reserved + cohort::descriptors_per_agent));
  }
  fmt::print(stderr, "rolling-wave: -j {} lowered to {}: that many agents fit in the open-file limit "
                     "({}, ulimit -n)\n", jobs, fit, limit);
  jobs = fit;
}

// A tasks file is untrusted: the commands it carries run only with the user's consent.
void check_task_commands(const cohort::plan& p, const arguments& a) {
  if (a.allow_task_commands) return;
  const task_command_list commands = list_task_commands(p);
  if (commands.tasks == 0) return;
  throw usage_error(fmt::format(
      "{} task(s) in {} carry their own command ({} distinct); a tasks file runs nothing without "
      "your consent. Read them, then add --allow-task-commands to run them:\n{}",
      commands.tasks, p.source.empty() ? "the plan" : p.source, commands.distinct, commands.text));
}

fs::path choose_run_dir(const arguments& a, bool demo) {
  // Absolute: agents get paths in it ({prompt_file}, COHORT_USAGE_FILE) and run elsewhere.
  if (a.run_dir) return a.run_dir->empty() ? fs::path() : fs::absolute(*a.run_dir);
  if (demo) {
    std::string pattern = (fs::temp_directory_path() / "rolling-wave-demo-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return {};
    return pattern;
  }
  const std::time_t now = std::time(nullptr);
  return fs::absolute(fs::path(".cohort/runs") / fmt::format("{:%Y%m%d-%H%M%S}", fmt::localtime(now)));
}

cohort::process_launcher_options launcher_options(const arguments& a, const fs::path& run_dir) {
  cohort::process_launcher_options o;
  o.agent = a.agent;
  o.run_dir = run_dir;
  o.workdir = a.workdir;
  const bool file = a.prompt.empty() ? names_prompt_file(a.agent) : a.prompt == "file";
  o.prompt = file ? cohort::prompt_delivery::file : cohort::prompt_delivery::stdin;
  if (file && run_dir.empty()) throw usage_error("the prompt goes in a file: give a --run-dir to keep it in");
  if (a.time_scale_given) o.environment["COHORT_TIME_SCALE"] = fmt::format("{}", a.time_scale);
  if (a.profile) o.environment.insert(a.profile->environment.begin(), a.profile->environment.end());
  o.weights = a.weights;
  return o;
}

// The Slurm launcher's options: the agents' own (command, prompt, files, environment), the
// jobs' resources and the poll.
cohort::slurm_launcher_options slurm_options_for(const arguments& a, const cohort::process_launcher_options& agents) {
  if (agents.run_dir.empty()) throw usage_error("--launcher slurm needs a run dir, on a file system the nodes share (--run-dir DIR)");
  cohort::slurm_launcher_options o;
  o.agent = agents.agent;
  o.run_dir = agents.run_dir;
  o.workdir = agents.workdir;
  o.prompt = agents.prompt;
  o.environment = agents.environment;
  o.grace = agents.grace;
  o.weights = agents.weights;
  o.job = a.slurm_job;
  o.poll_interval = a.slurm_poll;
  return o;
}

// What --launcher slurm will ask of the cluster, for --dry-run.
std::string slurm_summary(const arguments& a) {
  std::string s = "Slurm: each attempt one job, sbatch --parsable --no-requeue";
  const auto& j = a.slurm_job;
  for (const auto& o : j.extra) s += " " + o;
  if (!j.partition.empty()) s += " --partition=" + j.partition;
  if (!j.account.empty()) s += " --account=" + j.account;
  if (!j.time_limit.empty()) s += " --time=" + j.time_limit;
  if (!j.memory.empty()) s += " --mem=" + j.memory;
  if (j.cpus > 0) s += fmt::format(" --cpus-per-task={}", j.cpus);
  s += fmt::format(" (and a task's own \"slurm\" resources); squeue every {} ms; SLURM_CONF={}", a.slurm_poll.count(),
                   std::getenv("SLURM_CONF") ? std::getenv("SLURM_CONF") : "(Slurm's default)");
  return cohort::terminal_safe(s);
}

void print_dry_run(const cohort::plan& p, const arguments& a, const cohort::plan_analysis& r) {
  fmt::print("{}\nWhat would run (nothing is launched with --dry-run):\n\n", cohort::render_text(p, r));
  for (cohort::task_index t = 0; t < p.size(); ++t) {
    const auto& task = p.tasks[t];
    if (!task.is_job() || cohort::is_finished(task.status) ||
        (task.parent && cohort::is_finished(p.tasks[*task.parent].status))) continue;
    auto values = cohort::task_placeholders(p, t);
    values["attempt"] = "1";
    values["workdir"] = a.workdir.empty() ? fs::current_path().string() : a.workdir;
    values["prompt_file"] = fmt::format("<run dir>/agents/{}/prompt.md", task.id);
    cohort::string_list argv;
    try {
      argv = task.argv.empty() ? cohort::string_list(cohort::render_argv(a.agent, values)) : task.argv;
    } catch (const cohort::system_error& e) {
      fmt::print("{:<8} refused: {}\n", cohort::terminal_safe(task.id), cohort::terminal_safe(e.what()));
      continue;
    }
    std::string line;
    append_command(line, *task.env, argv);
    // --gate put the user's own command on the parents that had none: not the file's.
    const bool gate = !a.gate.empty() && !task.subtasks.empty() && task.argv == a.gate && task.env->empty();
    const bool own = !gate && (!task.argv.empty() || !task.env->empty());
    fmt::print("{:<8} {}{}\n", cohort::terminal_safe(task.id), cohort::terminal_safe(line),
               gate ? "   (--gate)"
               : !own ? "" : a.allow_task_commands ? "   (the task's own command)"
                                                  : "   (the task's own command: needs --allow-task-commands)");
  }
}

bool confirmed(const cohort::plan& p, const arguments& a, const cohort::plan_analysis& r) {
  fmt::print("{}\n", cohort::render_text(p, r));
  fmt::print("Launch up to {} agents for {} tasks? [y/N] ", a.options.schedule.max_running,
             std::count_if(p.tasks.begin(), p.tasks.end(), [](const auto& t) { return t.is_job(); }));
  std::fflush(stdout);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

// Tasks that declare owned globs and may overlap are ordered (the earlier one first).
void serialize_conflicts(cohort::plan& p) {
  const auto conflicts = cohort::ownership_conflicts(p);
  if (conflicts.empty()) return;
  const auto edges = cohort::serialization_edges(p, conflicts);
  cohort::add_serialization_edges(p, edges);
  fmt::print(stderr, "rolling-wave: {} ownership conflict(s): {} ordering(s) added, e.g. {} after {} ({})\n",
             conflicts.size(), edges.size(), cohort::terminal_safe(p.tasks[conflicts.front().second].id),
             cohort::terminal_safe(p.tasks[conflicts.front().first].id),
             cohort::terminal_safe(conflicts.front().example));
}

constexpr const char* command_file = "rolling-wave.json";

// What `resume` needs to run the same command again: the arguments and the directory.
void save_command(const fs::path& run_dir, const std::vector<std::string>& raw) {
  boost::json::array args;
  for (const auto& a : raw) args.emplace_back(a);
  const boost::json::object o{{"args", std::move(args)}, {"cwd", fs::current_path().string()}};
  // Like every file in a run dir: never through a link planted in its place, private.
  const fs::path file = run_dir / command_file;
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  const std::string text = boost::json::serialize(o) + '\n';
  const bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (fd >= 0) ::close(fd);
  if (!ok) throw usage_error(fmt::format("cannot write {}: {}", file.string(), std::strerror(errno)));
}

// The tasks that the journal says are finished count as done from now on (for the analysis,
// the dashboard and the report; the journal's plan identity ignores statuses).
void mark_finished(cohort::plan& p, const cohort::executor_options& o) {
  for (cohort::task_index t : o.finished) p.tasks[t].status = cohort::task_status::done;
}

// Locks the run dir, and for a resume reads its journal back and ends the dead run's agents.
// The statuses the dead run recorded go into the tasks file first (it may have died before
// writing them): done for what succeeded; pending for what failed, was cancelled or was running.
std::vector<cohort::status_change> write_recorded_statuses(const cohort::plan& p, const cohort::journal_state& s) {
  std::vector<cohort::status_change> changes;
  for (const auto& [id, t] : s.tasks) {
    if (!p.find(id)) continue;
    switch (t.state) {
      case cohort::journal_task_state::succeeded: changes.push_back({id, cohort::task_status::done}); break;
      case cohort::journal_task_state::running:
      case cohort::journal_task_state::failed:
      case cohort::journal_task_state::cancelled: changes.push_back({id, cohort::task_status::pending}); break;
      default: break;
    }
  }
  if (changes.empty()) return changes;
  cohort::error_code ec;
  const std::size_t written = cohort::set_taskmaster_status(p.source, p.tag, changes, {}, ec);
  if (ec) {
    throw usage_error(fmt::format("--write-status: cannot write the statuses the earlier run recorded "
                                  "into {}: {}", p.source, ec.message()));
  }
  if (written > 0) {
    fmt::print(stderr, "rolling-wave: {} status(es) the earlier run recorded written to {}\n", written, p.source);
  }
  return changes;
}

cohort::run_dir_lock open_run_dir(const fs::path& run_dir, cohort::plan& p, arguments& a,
                                  std::vector<cohort::status_change>& recorded) {
  cohort::run_dir_lock lock(run_dir);
  if (!a.resuming) return lock;
  const cohort::resumed_run was = cohort::prepare_resume(lock, p, a.options);
  if (a.write_status) recorded = write_recorded_statuses(p, was.journal);
  mark_finished(p, a.options);
  fmt::print(stderr, "rolling-wave: resuming {}: {} run(s) so far, {} task(s) finished, {} tokens spent{}\n",
             run_dir.string(), was.journal.runs, a.options.finished.size(), was.journal.tokens_spent,
             was.leftovers.ended ? fmt::format(", {} leftover agent(s) ended", was.leftovers.ended) : "");
  return lock;
}

struct run_context {
  const cohort::plan& plan;
  cohort::executor_options options;
  gate_launcher& gate;
  ownership_guard& guard;
  std::vector<cohort::observer*> observers;
  asio::cancellation_signal stop;
  bool stopped_by_violation = false;
  std::exception_ptr error;
  cohort::worktree_launcher* isolated = nullptr;  // with --isolation worktree
  std::vector<cohort::worktree_job> unmerged;     // parents whose branch did not merge
  cohort::slurm_launcher* slurm = nullptr;         // with --launcher slurm
  bool resuming = false, adopt_jobs = true;
  std::function<void(const std::string&)> note;
  cohort::run_report result;                      // the executor's own, when the run ended
};

asio::awaitable<void> run_body(run_context& c, cohort::scope& s, bool checking) {
  if (checking) {
    c.guard.attach(&s, [&c] {
      c.stopped_by_violation = true;
      c.stop.emit(asio::cancellation_type::terminal);
    }, &c.gate);
  }
  const auto ex = co_await asio::this_coro::executor;
  try {
    auto run = cohort::run_plan(c.plan, c.gate, c.options, c.observers);
    c.result = co_await asio::co_spawn(ex, std::move(run),
                                       asio::bind_cancellation_slot(c.stop.slot(), asio::use_awaitable));
  } catch (...) {
    c.error = std::current_exception();
  }
  c.gate.release();
}

// A resume with Slurm: the dead run's jobs still in the queue are waited for by the tasks they
// run (adopt) or ended (cancel) before anything is submitted: never a second job for a task.
asio::awaitable<void> take_over_jobs(run_context& c) {
  std::vector<cohort::slurm_job> jobs = co_await c.slurm->find_jobs();
  // What is still alive, and what completed while no run watched: the newest attempt of each
  // task. A job that failed or was cancelled is not taken: its task runs again.
  std::erase_if(jobs, [](const cohort::slurm_job& j) {
    return cohort::is_final_slurm_state(j.state) && j.state != "COMPLETED";
  });
  std::map<std::string, cohort::slurm_job> newest;
  std::vector<cohort::slurm_job> older;
  for (auto& j : jobs) {
    auto& slot = newest[j.task_id];
    if (slot.id.empty() || slot.attempt < j.attempt) std::swap(slot, j);
    if (!j.id.empty()) older.push_back(std::move(j));
  }
  jobs.clear();
  for (auto& [task, j] : newest) jobs.push_back(std::move(j));
  if (c.adopt_jobs) {
    if (!older.empty()) co_await c.slurm->cancel(std::move(older));
    if (jobs.empty()) co_return;
    c.note(fmt::format("adopted {} job(s) of the earlier run: their tasks wait for them", jobs.size()));
    c.slurm->adopt(std::move(jobs));
  } else {
    // A job that completed did its task's work: cancelling cannot undo it, running the task
    // again would do it twice. It is adopted (its task is done); the rest are ended.
    const auto completed = std::partition(jobs.begin(), jobs.end(),
                                          [](const cohort::slurm_job& j) { return j.state != "COMPLETED"; });
    std::vector<cohort::slurm_job> done(std::make_move_iterator(completed), std::make_move_iterator(jobs.end()));
    jobs.erase(completed, jobs.end());
    jobs.insert(jobs.end(), std::make_move_iterator(older.begin()), std::make_move_iterator(older.end()));
    if (!done.empty()) {
      c.note(fmt::format("{} job(s) of the earlier run completed: their tasks are done", done.size()));
      c.slurm->adopt(std::move(done));
    }
    if (jobs.empty()) co_return;
    c.note(fmt::format("cancelling {} job(s) of the earlier run", jobs.size()));
    co_await c.slurm->cancel(std::move(jobs));
  }
}

// Adopted jobs no task of this run claimed (their tasks finished, or the run stopped early):
// ended with the run.
asio::awaitable<void> end_unclaimed_jobs(run_context& c) {
  std::vector<cohort::slurm_job> left = c.slurm->unclaimed();
  std::erase_if(left, [](const cohort::slurm_job& j) { return cohort::is_final_slurm_state(j.state); });
  if (left.empty()) co_return;
  c.note(fmt::format("cancelling {} job(s) of the earlier run that no task of this one claimed", left.size()));
  co_await c.slurm->cancel(std::move(left));
}

asio::awaitable<void> drive(run_context& c) {
  if (c.slurm && c.resuming) co_await take_over_jobs(c);
  // Each agent in its own worktree: nothing of one can reach another's files, so the ownership
  // check of the shared work dir has nothing to watch; the merges say what conflicts.
  const bool checking = !c.isolated && co_await c.guard.start();
  if (c.isolated) co_await c.isolated->start();
  (void)co_await cohort::with_scope(cohort::scope_policy::isolate, [&c, checking](cohort::scope& s) {
    return run_body(c, s, checking);
  });
  if (c.isolated) c.unmerged = co_await c.isolated->finish(c.plan);
  if (c.slurm) co_await end_unclaimed_jobs(c);
}

bool is_cancellation(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const cohort::system_error& x) {
    return x.code() == asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}

// Prints the report. The run is over: a report that cannot be written (stdout on a full disk,
// a closed pipe) is said on stderr and does not change the exit code, which tells how the run went.
int finish(const cohort::plan& p, const arguments& a, cohort::run_report& report, const fs::path& run_dir) {
  try {
    if (a.json) {
      boost::json::object line{{"event", "report"}, {"report", cohort::render_json(p, report)}};
      fmt::print("{}\n", boost::json::serialize(line));
    } else {
      // Written as it is: through fmt it would be copied once more (a row per task: megabytes).
      const std::string text = cohort::render_text(p, report);
      if (std::fputc('\n', stdout) == EOF || std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
        throw std::system_error(errno, std::generic_category(), "write");
      }
      if (!run_dir.empty()) fmt::print("prompts and agent output: {}\n", cohort::agents_dir(run_dir).string());
      if (!a.trace_file.empty()) fmt::print("trace: {} (open it in https://ui.perfetto.dev)\n", a.trace_file);
    }
    if (std::fflush(stdout) != 0) throw std::system_error(errno, std::generic_category(), "flush");
  } catch (const std::exception& e) {
    try {  // stderr may be gone too (a closed terminal)
      fmt::print(stderr, "rolling-wave: cannot write the report to stdout ({}); the journal in the "
                         "run dir has every outcome\n", e.what());
    } catch (const std::exception&) {
    }
  }
  return report.all_done() ? all_done : some_failed;
}

cohort::plan_analysis_options analysis_options(const arguments& a) {
  cohort::plan_analysis_options ro;
  ro.simulate = a.options.schedule;
  ro.defaults = a.options.schedule.defaults;
  ro.budget = a.options.schedule.token_budget;
  ro.reserve = a.reserve;
  return ro;
}

// Takes the analysis: what the dashboard needs of it moves there, and the rest (critical path,
// waves, layers, groups: about 100 bytes a task) is let go before the run starts.
cohort::dashboard_options dashboard_options_for(const arguments& a, const cohort::plan& p,
                                                cohort::plan_analysis r) {
  cohort::dashboard_options d;
  d.fd = a.json ? STDERR_FILENO : STDOUT_FILENO;
  d.prediction = std::move(r.simulated);
  d.time_scale = a.time_scale;
  d.token_budget = a.options.schedule.token_budget;
  d.shares = std::move(r.budget);
  d.max_running = a.options.schedule.max_running;
  d.title = a.cmd == command::demo ? "rolling-wave demo (seed plan, simulated agents)"
                                   : fmt::format("rolling-wave {}", fs::path(p.source).filename().string());
  d.unicode = utf8_locale();
  return d;
}

// Ctrl-C (or SIGTERM) once: cancel the run, which ends the agents gracefully; twice: SIGKILL them.
// A closed terminal (SIGHUP) or a closed output pipe (SIGPIPE, `rolling-wave run ... | head`) ends
// the run like one Ctrl-C; repeated, they change nothing (every write to a closed pipe raises one).
struct on_interrupt {
  asio::signal_set& signals;
  const bool& finished;  // the run is over: a signal already queued re-arms nothing
  int& count;
  int& first_signal;
  cohort::dashboard& dash;
  asio::cancellation_signal& stop;
  const agent_pids& pids;

  void operator()(const boost::system::error_code& ec, int signo) const {
    if (ec || finished) return;
    const bool hard = signo == SIGINT || signo == SIGTERM;
    if (count == 0) {
      first_signal = signo;
      ++count;
      if (signo != SIGPIPE && signo != SIGHUP) {
        dash.note("interrupted: nothing new starts; ending the running agents (again: now)");
      }
      stop.emit(asio::cancellation_type::terminal);
    } else if (hard && ++count > 1) {
      pids.kill_all();
    }
    signals.async_wait(*this);
  }
};

// What the agents left running ends with the run: a daemon that left its agent's process group
// (setsid) survives the agent's kill ladder, but carries the run dir's mark (COHORT_RUN_DIR).
// As the driver is a child subreaper, whatever of its children is left once the loop is done was
// adopted from an agent: ended too, marked or not.
void end_stragglers(const fs::path& run_dir) {
  cohort::journal_state s;
  s.run_dir = run_dir;
  const cohort::ended_leftovers r = cohort::end_leftovers(s, std::chrono::milliseconds(2000));
  const std::size_t adopted = cohort::is_child_subreaper() ? cohort::end_adopted_children() : 0;
  if (r.ended + adopted == 0) return;
  try {
    fmt::print(stderr, "rolling-wave: ended {} process group(s) the agents left running (daemons that "
                       "left their agent's process group){}\n", r.ended + adopted,
               r.survivors ? fmt::format("; {} survived SIGKILL", r.survivors) : "");
  } catch (const std::exception&) {  // stderr may be gone (a closed terminal): they are ended all the same
  }
}

// The exit code of a run ended by a signal: 130 for Ctrl-C and SIGTERM, 128 + the signal else.
int exit_code_for(int signo) { return signo == SIGHUP || signo == SIGPIPE ? 128 + signo : interrupted; }

// The run itself: the agents, the observers, the loop, the report. Long, but only wiring: every
// object here lives for the run and is handed to the next.
int execute(const arguments& a, const cohort::plan& p, cohort::plan_analysis analysis,
            const fs::path& run_dir, const isolation_choice& iso, std::optional<cohort::journal>& journal,
            const std::vector<cohort::status_change>& recorded) {
  asio::io_context ctx;
  cohort::dashboard dash(ctx.get_executor(), p, dashboard_options_for(a, p, std::move(analysis)));
  auto note = [&dash](const std::string& s) { dash.note(s); };
  // The agents' daemons come back to the driver when their parents exit (not to init), so
  // that they are ended with their agent, or at the end, even with their environment cleared.
  cohort::error_code subreaper;  // without it (not Linux): daemons are still ended at the end, by their mark
  cohort::become_child_subreaper(subreaper);
  auto agent_options = launcher_options(a, run_dir);
  agent_options.on_escaped = [&dash](std::string_view id, int attempt, std::size_t ended) {
    dash.note(fmt::format("task {} (attempt {}) left {} process(es) running outside its process group "
                          "(a daemon): ended", cohort::terminal_safe(id), attempt, ended));
  };
  std::optional<cohort::slurm_launcher> slurm;
  if (a.slurm) slurm.emplace(ctx.get_executor(), slurm_options_for(a, agent_options));
  cohort::process_launcher agents(std::move(agent_options));
  cohort::launcher& base = slurm ? static_cast<cohort::launcher&>(*slurm) : agents;
  std::optional<cohort::worktree_launcher> isolated;
  if (iso.worktrees) isolated.emplace(base, worktree_options_for(a, iso, run_dir));
  gate_launcher gate(ctx.get_executor(), isolated ? static_cast<cohort::launcher&>(*isolated) : base,
                     a.options.schedule.max_running);
  cohort::run_recorder recorder(p);
  agent_pids pids;
  ownership_guard guard(p, a.workdir, a.violation, note);
  std::optional<cohort::event_log> log;
  std::optional<cohort::trace_writer> trace;
  std::optional<status_writer> status;
  if (a.json) log.emplace(ctx.get_executor(), p, STDOUT_FILENO);
  if (!a.trace_file.empty()) trace.emplace(p, a.trace_file);
  if (a.write_status) {
    status.emplace(ctx.get_executor(), p, p.source, note);
    status->remember(recorded);
  }
  run_context c{p, a.options, gate, guard, {&recorder, &pids, &guard}, {}, false, nullptr,
                isolated ? &*isolated : nullptr, {}, slurm ? &*slurm : nullptr, a.resuming, a.adopt_jobs,
                note, {}};
  for (cohort::observer* o : {static_cast<cohort::observer*>(journal ? &*journal : nullptr),
                              static_cast<cohort::observer*>(log ? &*log : nullptr),
                              static_cast<cohort::observer*>(trace ? &*trace : nullptr),
                              static_cast<cohort::observer*>(status ? &*status : nullptr),
                              static_cast<cohort::observer*>(&dash)}) {
    if (o) c.observers.push_back(o);
  }
  asio::signal_set signals(ctx, SIGINT, SIGTERM, SIGHUP);
  signals.add(SIGPIPE);
  int interrupts = 0, first_signal = 0;
  bool finished = false;
  signals.async_wait(on_interrupt{signals, finished, interrupts, first_signal, dash, c.stop, pids});
  asio::co_spawn(ctx, drive(c), [&](std::exception_ptr e) {
    if (e) c.error = e;
    finished = true;
    signals.cancel();
  });
  ctx.run();
  end_stragglers(run_dir);
  const bool statuses_written = !status || status->finish();  // off the loop: may wait for the lock
  if (c.error && !is_cancellation(c.error)) std::rethrow_exception(c.error);
  if (trace && trace->write_error()) fmt::print(stderr, "rolling-wave: --trace: {}\n", *trace->write_error());
  recorder.report().cancelled = interrupts > 0 || c.stopped_by_violation;
  recorder.report().rate_limit_pauses = c.result.rate_limit_pauses;
  recorder.report().stopped = c.result.stopped;
  if (!c.result.stopped.empty()) {
    fmt::print(stderr, "rolling-wave: the run stopped: {}\n", cohort::terminal_safe(c.result.stopped));
  }
  const int code = finish(p, a, recorder.report(), run_dir);
  if (isolated && a.json) {
    boost::json::object line{{"event", "work"}, {"work", work_json(*isolated, c.unmerged)}};
    fmt::print("{}\n", boost::json::serialize(line));
  }
  const bool landed = !isolated || report_work(a, iso, *isolated, c.unmerged, recorder.report().all_done());
  if (interrupts > 0) return exit_code_for(first_signal);
  if (!landed) return some_failed;
  if (a.violation == on_violation::fail && !guard.violations().empty()) return some_failed;
  if (!statuses_written) return some_failed;  // the file does not say what ran
  return code;
}

// What a task brings of its own, as a shell would show it, in `line`: `NAME=value ... argv`,
// with the agent command standing in for an absent argv. Empty when it brings nothing. (The
// caller's buffer: a plan of a million commands builds no million strings.)
void own_command(const cohort::task& t, std::string& line) {
  line.clear();
  if (t.argv.empty() && t.env->empty()) return;
  append_command(line, *t.env, t.argv);
  if (t.argv.empty()) line += " <the agent command>";
}

} // namespace

// Only the first `shown` lines (in order) are kept as text, with their first five tasks; the
// others are counted by 32 bits of their hash, made again as text only where two hashes meet. A
// plan of a million commands of its own keeps no million strings (8 bytes a task, sorted once).
task_command_list list_task_commands(const cohort::plan& p, std::size_t shown) {
  struct listed_command {
    std::vector<std::string> ids;  // the first five
    std::size_t tasks = 0;
  };
  std::map<std::string, listed_command> first;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> hashed;  // (hash, task)
  hashed.reserve(p.size());  // address space: only what is filled is touched
  task_command_list out;
  std::string command;
  for (cohort::task_index i = 0; i < p.size(); ++i) {
    const cohort::task& t = p.tasks[i];
    if (!t.is_job() || cohort::is_finished(t.status)) continue;
    own_command(t, command);
    if (command.empty()) continue;
    ++out.tasks;
    hashed.emplace_back(static_cast<std::uint32_t>(std::hash<std::string>{}(command)), static_cast<std::uint32_t>(i));
    if (shown == 0 || (first.size() == shown && command > first.rbegin()->first)) continue;
    listed_command& c = first[command];
    if (c.ids.size() < 5) c.ids.push_back(t.id);
    ++c.tasks;
    if (first.size() > shown) first.erase(std::prev(first.end()));
  }
  std::sort(hashed.begin(), hashed.end());
  for (auto run = hashed.begin(); run != hashed.end();) {
    const auto end = std::find_if(run, hashed.end(), [&](const auto& h) { return h.first != run->first; });
    if (end - run == 1) {
      ++out.distinct;
    } else {  // the same hash: the same line, unless two lines meet
      std::vector<std::string> lines;
      for (auto h = run; h != end; ++h) {
        own_command(p.tasks[h->second], command);
        if (std::find(lines.begin(), lines.end(), command) == lines.end()) lines.push_back(command);
      }
      out.distinct += lines.size();
    }
    run = end;
  }
  for (const auto& [line, c] : first) {
    std::string names;
    for (std::size_t i = 0; i < c.ids.size(); ++i) names += (i > 0 ? ", " : "") + c.ids[i];
    if (c.tasks > 5) names += fmt::format(" and {} more", c.tasks - 5);
    out.text += fmt::format("  {}   (task{} {})\n", cohort::terminal_safe(line), c.tasks > 1 ? "s" : "",
                            cohort::terminal_safe(names));
  }
  if (out.distinct > shown) out.text += fmt::format("  ... and {} more command(s)\n", out.distinct - shown);
  return out;
}

int run_command(arguments a, const std::vector<std::string>& raw) {
  const bool demo = a.cmd == command::demo;
  if (demo) apply_demo_defaults(a);
  if (a.write_status && demo) throw usage_error("--write-status needs a tasks file (the demo's plan is built in)");
  cohort::plan p = load_plan(a);
  check_agent(p, a);
  if (!a.dry_run) check_task_commands(p, a);
  // --gate is the user's own command (no consent needed): every parent with subtasks and no
  // command of its own runs it after them.
  if (!a.gate.empty()) {
    for (auto& t : p.tasks)
      if (!t.subtasks.empty() && t.argv.empty()) t.argv = a.gate;
  }
  check_budget(p, a);
  if (!a.dry_run && !a.slurm) fit_memory(a);  // a cluster's memory is its own
  if (!a.dry_run) fit_open_files(a);
  serialize_conflicts(p);
  const fs::path run_dir = a.dry_run ? fs::path() : choose_run_dir(a, demo);
  const isolation_choice iso = choose_isolation(a, run_dir, demo);
  std::optional<status_claim> claim;
  if (a.write_status && !a.dry_run) claim.emplace(p.source, p.tag, run_dir);
  std::optional<cohort::run_dir_lock> lock;
  std::vector<cohort::status_change> recorded;  // a resume's statuses from its journal
  if (!run_dir.empty()) lock.emplace(open_run_dir(run_dir, p, a, recorded));
  cohort::plan_analysis analysis =
      a.slurm ? cohort::analyze(as_launched(p, a), analysis_options(a)) : cohort::analyze(p, analysis_options(a));
  if (a.dry_run) {
    print_dry_run(p, a, analysis);
    fmt::print("\nisolation: {}\n", iso.why);
    if (a.slurm) fmt::print("launcher: {}\n", slurm_summary(a));
    return all_done;
  }
  if (a.confirm && !a.yes && !confirmed(p, a, analysis)) {
    fmt::print(stderr, "rolling-wave: not confirmed; nothing launched\n");
    return some_failed;
  }
  std::optional<cohort::journal> journal;
  if (lock) {
    if (!a.resuming) save_command(run_dir, raw);
    journal.emplace(std::move(*lock), p, a.options, cohort::journal_options{.agent_files = true});
  }
  return execute(a, p, std::move(analysis), run_dir, iso, journal, recorded);
}

// Runs the command saved in the run dir again, continuing its journal; flags given now win.
int resume_command(arguments a, const std::vector<std::string>& raw) {
  if (!a.run_dir || a.run_dir->empty()) throw usage_error("resume needs --run-dir DIR (the run to resume)");
  const fs::path run_dir = fs::absolute(*a.run_dir);
  std::ifstream in(run_dir / command_file);
  if (!in) throw usage_error(fmt::format("{}: no rolling-wave run there ({} is missing)", run_dir.string(), command_file));
  std::stringstream text;
  text << in.rdbuf();
  const boost::json::value saved = boost::json::parse(text.str());
  std::vector<std::string> args;
  for (const auto& v : saved.at("args").as_array()) args.emplace_back(v.as_string());
  args.insert(args.end(), raw.begin() + 1, raw.end());  // the flags given to resume (not "resume")
  args.push_back("--run-dir");
  args.push_back(run_dir.string());
  arguments b = parse_arguments(args);
  if (b.cmd == command::resume) b.cmd = command::run;
  b.resuming = true;
  fs::current_path(std::string(saved.at("cwd").as_string()));
  return run_command(std::move(b), args);
}

} // namespace rolling_wave
