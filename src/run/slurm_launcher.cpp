// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/slurm_launcher.hpp>

#include <cohort/core/error.hpp>
#include <cohort/process/process.hpp>
#include <cohort/run/run_dir.hpp>

#include "common/fnv1a.hpp"
#include "run/attempt.hpp"
#include "run/slurm_text.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>

namespace cohort {
namespace asio = boost::asio;
namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

// What a job's submission runs: its argv, exactly (sbatch hands the script its arguments).
constexpr std::string_view batch_script = "#!/bin/sh\nexec \"$@\"\n";

// A job's state as the poller last saw it, told to the launch waiting for it.
struct job_status {
  std::string state, reason;
  bool final = false;                    // it left the queue
  std::optional<detail::job_exit> exit;  // with `final`, when `scontrol` still knew it
};

// One launch (or cancel) waiting for a job. Touched only on the waiter's own executor: the
// poller posts each change there.
struct watcher {
  explicit watcher(const asio::any_io_executor& ex) : wake(ex, clock_type::time_point::max()) {}
  asio::steady_timer wake;
  std::deque<job_status> changes;
  job_status last;  // the last change taken
};

// A command line built outside any coroutine: g++ 12 destroys the array behind a braced list
// of strings twice when the list is written in a coroutine's body.
template <class... Words>
std::vector<std::string> words(Words&&... w) {
  std::vector<std::string> out;
  out.reserve(sizeof...(w));
  (out.emplace_back(std::forward<Words>(w)), ...);
  return out;
}

struct command_output {
  int exit = -1;
  std::string out, err;
};

// Runs one of Slurm's commands to its end and keeps what it printed (up to `cap` bytes of each
// stream). No default arguments: g++ 12 destroys temporaries made inside a co_await twice.
asio::awaitable<command_output> run_command(std::vector<std::string> argv, std::optional<std::string> input,
                                            std::map<std::string, std::string, std::less<>> env, std::size_t cap) {
  process_options po;
  po.argv = std::move(argv);
  po.input = std::move(input);
  po.environment = std::move(env);
  po.grace = std::chrono::seconds(2);
  command_output out;
  po.on_line = [&out, cap](const output_line& line) {
    std::string& s = line.stream == output_stream::out ? out.out : out.err;
    if (s.size() < cap) (s += line.text) += '\n';
  };
  const process_result r = co_await run_process(std::move(po));
  out.exit = r.exit_code.value_or(-1);
  co_return out;
}

// A command without input whose output is small (scontrol, scancel).
asio::awaitable<command_output> run_command(std::vector<std::string> argv) {
  std::optional<std::string> no_input;
  std::map<std::string, std::string, std::less<>> no_env;
  co_return co_await run_command(std::move(argv), std::move(no_input), std::move(no_env), std::size_t{1} << 20);
}

// A path given to sbatch (`--output`, `--error`, `--input`): Slurm expands `%` patterns in
// it, and an id made file-safe holds `%20` and the like.
std::string slurm_path(const fs::path& p) {
  std::string out;
  for (char c : p.string()) {
    out += c;
    if (c == '%') out += '%';
  }
  return out;
}

// New complete lines of `file` from `offset` (moved past them): a job's output as it comes.
std::vector<std::string> new_lines(const fs::path& file, std::uintmax_t& offset) {
  std::vector<std::string> out;
  std::ifstream in(file, std::ios::binary);
  if (!in) return out;
  in.seekg(static_cast<std::streamoff>(offset));
  std::string chunk(64 * 1024, '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<std::size_t>(in.gcount()));
  const auto last = chunk.rfind('\n');
  if (last == std::string::npos) {
    if (chunk.size() == 64 * 1024) offset += chunk.size();  // one line longer than 64 KiB: skipped
    return out;
  }
  offset += last + 1;
  std::string_view rest(chunk.data(), last + 1);
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    out.emplace_back(rest.substr(0, std::min<std::size_t>(nl, 16 * 1024)));
    rest.remove_prefix(nl + 1);
  }
  return out;
}

// The last non-empty line of a file's last 4 KiB (the job's own last words).
std::string last_line_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::streamoff>(in.tellg());
  in.seekg(std::max<std::streamoff>(0, size - 4096));
  std::string tail((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  return tail.substr(tail.find_last_of('\n') == std::string::npos ? 0 : tail.find_last_of('\n') + 1);
}

std::string first_error_line(const std::string& text) {
  std::string_view rest = text;
  std::string_view first;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty()) continue;
    if (first.empty()) first = line;
    if (line.find("error") != std::string_view::npos) return std::string(line);
  }
  return std::string(first);
}

// `--name=value` for a task's `slurm` resource (plan.hpp).
std::string resource_option(std::string_view key, std::string_view value) {
  const std::string_view name = key == "cpus" ? "cpus-per-task" : key;
  return fmt::format("--{}={}", name, value);
}

} // namespace

// The jobs being watched, the adopted ones, and the one poller (a coroutine on the strand). The
// maps are shared with launches on any executor: guarded by `mutex`, held only for a few map
// operations, never across a wait.
struct slurm_launcher::state {
  state(const executor_type& ex, std::string run, fs::path folder, std::chrono::milliseconds interval)
      : strand(asio::make_strand(ex)), run_mark(std::move(run)), commands(std::move(folder)),
        poll_interval(interval) {}

  struct entry {
    std::shared_ptr<watcher> w;
    asio::any_io_executor ex;
    std::string state, reason;
    int misses = 0;  // polls in a row that did not list it
  };

  asio::strand<executor_type> strand;
  const std::string run_mark;
  const fs::path commands;
  const std::chrono::milliseconds poll_interval;
  std::mutex mutex;
  std::multimap<std::string, entry> jobs;     // by job id (a job may have several waiters)
  bool polling = false;
  std::map<std::string, slurm_job> adopted;   // by task id
  std::vector<slurm_job> superseded;          // adopted jobs of a task with a newer one

  std::string command(std::string_view name) const {
    return commands.empty() ? std::string(name) : (commands / name).string();
  }
  std::string job_name() const { return "cohort-" + run_mark; }

  // One squeue: this run's jobs, in any state the controller keeps.
  asio::awaitable<std::optional<std::vector<detail::queue_line>>> list() const {
    // `--me`: a job of another user's with the same name and comment is never taken for ours.
    std::vector<std::string> argv = words(command("squeue"), "-h", "--me", "-t", "all", "--name=" + job_name(),
                                          "-o", std::string(detail::queue_format));
    std::optional<std::string> no_input;
    std::map<std::string, std::string, std::less<>> no_env;
    const command_output q =
        co_await run_command(std::move(argv), std::move(no_input), std::move(no_env), std::size_t{1} << 30);
    if (q.exit != 0) co_return std::nullopt;
    std::vector<detail::queue_line> out;
    std::string_view rest = q.out;
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      if (auto line = detail::parse_queue_line(rest.substr(0, nl))) out.push_back(std::move(*line));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
    co_return out;
  }

  static void tell(const entry& e, const job_status& s) {
    asio::post(e.ex, [w = e.w, s] {
      w->changes.push_back(s);
      w->wake.cancel();
    });
  }

  // Every interval while there are jobs: one squeue for them all; one scontrol per job that
  // ended (its exit code). A job the queue no longer lists three polls in a row has ended
  // without a record (the controller forgot it): its waiters are told so.
  static asio::awaitable<void> poll(std::shared_ptr<state> s) {
    asio::steady_timer timer(s->strand);
    for (;;) {
      timer.expires_after(s->poll_interval);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      {
        const std::lock_guard lock(s->mutex);
        if (s->jobs.empty()) {
          s->polling = false;
          co_return;
        }
      }
      std::optional<std::vector<detail::queue_line>> listed;
      try {
        listed = co_await s->list();
      } catch (const std::exception&) {
        // squeue could not start: as a busy controller, tried again next time
      }
      if (!listed) continue;
      std::map<std::string, job_status> ended = s->take_in(*listed);
      for (auto& [id, st] : ended) {
        if (!st.state.empty()) {
          try {
            std::vector<std::string> argv = words(s->command("scontrol"), "-o", "show", "job", id);
            const command_output c = co_await run_command(std::move(argv));
            if (c.exit == 0) st.exit = detail::parse_job_exit(" " + c.out);
          } catch (const std::exception&) {
          }
        }
        const std::lock_guard lock(s->mutex);
        const auto [first, last] = s->jobs.equal_range(id);
        for (auto it = first; it != last; ++it) tell(it->second, st);
        s->jobs.erase(id);
      }
    }
  }

  // Takes in one squeue listing: tells each waiter its job's new state; returns the jobs that
  // ended (a job not listed three polls in a row ended without a record: empty state).
  std::map<std::string, job_status> take_in(const std::vector<detail::queue_line>& listed) {
    std::map<std::string, const detail::queue_line*> by_id;
    for (const auto& l : listed) by_id.emplace(l.id, &l);
    std::map<std::string, job_status> ended;
    const std::lock_guard lock(mutex);
    for (auto& [id, e] : jobs) {
      const auto it = by_id.find(id);
      job_status st;
      if (it == by_id.end()) {
        if (++e.misses < 3) continue;
        st.final = true;
      } else {
        e.misses = 0;
        st.state = it->second->state;
        st.reason = it->second->reason == "None" ? std::string() : it->second->reason;
        st.final = detail::is_final_state(st.state);
        if (!st.final && st.state == e.state && st.reason == e.reason) continue;
      }
      e.state = st.state;
      e.reason = st.reason;
      if (st.final) ended.emplace(id, std::move(st));
      else tell(e, st);
    }
    return ended;
  }

  // Watches `id` for `w` (told on `ex`); starts the poller if it is not running.
  void watch(const std::string& id, std::shared_ptr<watcher> w, asio::any_io_executor ex,
             const std::shared_ptr<state>& self) {
    const std::lock_guard lock(mutex);
    jobs.emplace(id, entry{std::move(w), std::move(ex), {}, {}, 0});
    if (polling) return;
    polling = true;
    asio::co_spawn(strand, poll(self), asio::detached);
  }

  // The adopted job of `task_id`, if any, taken: its launch waits for it.
  std::optional<slurm_job> claim(const std::string& task_id) {
    const std::lock_guard lock(mutex);
    std::optional<slurm_job> j;
    if (auto it = adopted.find(task_id); it != adopted.end()) {
      j = std::move(it->second);
      adopted.erase(it);
    }
    return j;
  }
};

namespace {

bool cancelled(const asio::cancellation_state& cs) {
  return cs.cancelled() != asio::cancellation_type::none;
}

// Takes the changes told to `w` until the job has ended or `until`; `on_change` sees each
// non-final one. Returns the final status, if it came.
template <class OnChange>
asio::awaitable<std::optional<job_status>> wait_job(watcher& w, clock_type::time_point until, OnChange on_change,
                                                    const asio::cancellation_state* cs = nullptr) {
  for (;;) {
    while (!w.changes.empty()) {
      job_status st = std::move(w.changes.front());
      w.changes.pop_front();
      if (st.final) co_return st;
      w.last = st;
      on_change(st);
    }
    if (clock_type::now() >= until || (cs && cancelled(*cs))) co_return std::nullopt;
    w.wake.expires_at(until);
    (void)co_await w.wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

struct ignore_change {
  void operator()(const job_status&) const noexcept {}
};
constexpr ignore_change no_change;

} // namespace

// --- the launcher ------------------------------------------------------------------------------

bool is_final_slurm_state(std::string_view state) noexcept { return detail::is_final_state(state); }

slurm_launcher::slurm_launcher(executor_type ex, slurm_launcher_options options)
    : options_(std::move(options)) {
  if (options_.run_dir.empty()) {
    throw system_error(errc::invalid_argument, "cohort: the Slurm launcher needs a run dir (shared with the nodes)");
  }
  options_.run_dir = fs::absolute(options_.run_dir);
  if (!options_.workdir.empty()) options_.workdir = fs::absolute(options_.workdir);
  marker_ = run_dir_marker(options_.run_dir);
  run_mark_ = fmt::format("{:016x}", detail::fnv1a(marker_));
  state_ = std::make_shared<state>(ex, run_mark_, options_.commands,
                                   std::max(options_.poll_interval, std::chrono::milliseconds(10)));
}

slurm_launcher::~slurm_launcher() = default;

namespace {

// The sbatch command of an attempt: the job's name, comment, working directory, output files,
// stdin (the prompt, when it goes there) and resources, then the batch script (on sbatch's
// stdin) and the agent's argv as its arguments. Built outside any coroutine (g++ 12 mishandles
// temporaries of a conditional expression in one).
std::vector<std::string> submission(const slurm_launcher::state& s, const slurm_job_options& j, const task& t,
                                    int attempt, const process_options& po, const fs::path& prompt) {
  std::vector<std::string> argv = words(s.command("sbatch"));
  // The run's own options first: cohort's after them win where they name the same thing.
  argv.insert(argv.end(), j.extra.begin(), j.extra.end());
  const std::vector<std::string> own = words(
      "--parsable", "--no-requeue",  // a requeued job would run again after cohort saw it end
      "--job-name=" + s.job_name(), "--comment=" + detail::job_comment(s.run_mark, t.id, attempt),
      "--chdir=" + (po.cwd.empty() ? fs::current_path() : fs::absolute(po.cwd)).string(),
      "--output=" + slurm_path(po.stdout_file), "--error=" + slurm_path(po.stderr_file));
  argv.insert(argv.end(), own.begin(), own.end());
  if (po.input) argv.push_back("--input=" + slurm_path(prompt));
  if (!j.partition.empty() && !t.slurm->contains("partition")) argv.push_back("--partition=" + j.partition);
  if (!j.account.empty() && !t.slurm->contains("account")) argv.push_back("--account=" + j.account);
  if (!j.time_limit.empty() && !t.slurm->contains("time")) argv.push_back("--time=" + j.time_limit);
  if (!j.memory.empty() && !t.slurm->contains("mem")) argv.push_back("--mem=" + j.memory);
  if (j.cpus > 0 && !t.slurm->contains("cpus")) argv.push_back(fmt::format("--cpus-per-task={}", j.cpus));
  for (const auto& [key, value] : *t.slurm) argv.push_back(resource_option(key, value));
  argv.emplace_back("/dev/stdin");  // the batch script, given on sbatch's stdin
  argv.insert(argv.end(), po.argv.begin(), po.argv.end());
  return argv;
}

// The environment sbatch runs with (and the job gets): the attempt's, without what would make
// a task's `env` an sbatch option (`SBATCH_*`) or another cluster (`SLURM_*`), and without the
// run dir's mark (how a resume ends a dead run's *local* agents: a job is found by its comment).
std::map<std::string, std::string, std::less<>> submission_environment(const process_options& po, const task& t,
                                                                       const slurm_launcher_options& o) {
  std::map<std::string, std::string, std::less<>> env = po.environment;
  for (const auto& [name, value] : *t.env) {
    if (!name.starts_with("SBATCH_") && !name.starts_with("SLURM_")) continue;
    if (auto own = o.environment.find(name); own != o.environment.end()) env[name] = own->second;
    else env.erase(name);
  }
  env.erase(run_dir_variable);
  env["COHORT_USAGE_FILE"] = po.usage_file.string();
  return env;
}

// `scancel [args] ids...`; a failure to run it is not fatal (the next step, or the job's own
// end, still comes).
asio::awaitable<void> scancel(const slurm_launcher::state& s, std::vector<std::string> args,
                              const std::vector<std::string>& ids) {
  if (ids.empty()) co_return;
  args.insert(args.begin(), s.command("scancel"));
  args.insert(args.end(), ids.begin(), ids.end());
  try {
    (void)co_await run_command(std::move(args));
  } catch (const std::exception&) {
  }
}

// Waits until each job not yet final is, or `until`.
asio::awaitable<void> wait_all(const std::vector<std::pair<std::string, std::shared_ptr<watcher>>>& jobs,
                               std::vector<std::optional<job_status>>& final, clock_type::time_point until) {
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (final[i]) continue;
    final[i] = co_await wait_job(*jobs[i].second, until, no_change);
  }
}

// The end of jobs a launch or a resume gives up: TERM to each running job's processes
// (`--full`: the batch script's children too; a pending job is simply cancelled), the grace,
// then SIGKILL to what is left (`--full -s KILL`) and `scancel`, asked again every few seconds,
// and the wait until each has left the queue. A controller that never answers is given up
// after two minutes: the status then has the state "UNKNOWN". Returns each job's final status.
asio::awaitable<std::vector<job_status>> end_jobs(std::shared_ptr<slurm_launcher::state> s,
                                                  std::vector<std::pair<std::string, std::shared_ptr<watcher>>> jobs,
                                                  std::chrono::milliseconds grace) {
  std::vector<std::optional<job_status>> final(jobs.size());
  std::vector<std::string> running, pending;
  for (const auto& [id, w] : jobs) (w->last.state == "RUNNING" ? running : pending).push_back(id);
  const std::vector<std::string> plain, term = words("--full", "-s", "TERM"), kill = words("--full", "-s", "KILL");
  co_await scancel(*s, plain, pending);
  co_await scancel(*s, term, running);
  auto left = [&] {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < jobs.size(); ++i)
      if (!final[i]) ids.push_back(jobs[i].first);
    return ids;
  };
  co_await wait_all(jobs, final, clock_type::now() + grace);
  const auto give_up = clock_type::now() + std::chrono::minutes(2);
  for (bool first = true; !left().empty() && clock_type::now() < give_up; first = false) {
    if (first) co_await scancel(*s, kill, left());
    co_await scancel(*s, plain, left());
    co_await wait_all(jobs, final, std::min(give_up, clock_type::now() + std::chrono::seconds(5)));
  }
  std::vector<job_status> out;
  for (auto& f : final) {
    if (!f) {
      f.emplace();
      f->state = "UNKNOWN";
      f->final = true;
    }
    out.push_back(std::move(*f));
  }
  co_return out;
}

// How a job that ended as `end` counts: its exit code (or signal) and its output read as a
// local agent's, and only COMPLETED as done.
launch_result result_of(const std::string& job, const job_status& end, const agent_files& files, bool timed_out,
                        const cache_weights& weights) {
  process_result pr;
  if (end.exit && end.exit->signal != 0) pr.signal = end.exit->signal;
  else if (end.exit) pr.exit_code = end.exit->code;
  else if (end.state == "COMPLETED") pr.exit_code = 0;  // scontrol had forgotten it: Slurm said it completed
  pr.ended_by = timed_out ? end_reason::deadline : end_reason::none;
  pr.pid = pr.pgid = 0;
  pr.stdout_file = files.stdout_file;
  pr.stderr_file = files.stderr_file;
  pr.usage_file = files.usage_file;
  launch_result out = detail::launch_result_of(pr, weights);
  if (end.state.empty()) {
    out.status = launch_status::failed;
    out.message = "job " + job + " left the cluster's records before its end was seen";
    return out;
  }
  if (end.state == "UNKNOWN") {
    out.status = launch_status::failed;
    out.message = "the cluster did not answer: job " + job + " may still be in its queue";
    return out;
  }
  if (end.state == "TIMEOUT") out.timed_out = true;
  // Only COMPLETED is done: a job cancelled while pending, past its time limit, or on a node
  // that failed may say exit 0 all the same.
  if (end.state != "COMPLETED" && out.status == launch_status::succeeded) {
    out.status = launch_status::failed;
    out.message = describe(pr);
  }
  if (out.status == launch_status::failed && out.message == describe(pr)) {
    // No words of the agent's own: the job's last line on stderr (`exec: prog: not found`).
    if (std::string line = last_line_of(files.stderr_file); !line.empty()) out.message += ": " + line;
    if (end.state != "COMPLETED" && end.state != "FAILED") out.message += " (" + end.state + ")";
  }
  return out;
}

// What shapes an agent's command (attempt.hpp), from the launcher's options.
detail::agent_setup setup_of(const slurm_launcher_options& o, const std::string& marker) {
  return {o.agent, o.run_dir, marker, o.workdir, o.prompt, o.environment};
}

} // namespace

asio::awaitable<launch_result> slurm_launcher::launch(const launch_request& r) {
  // A coroutine of its own (co_spawn forwards the caller's cancellation to it): the settings it
  // changes to see a job to its end stay its own, not the caller's.
  auto ex = co_await asio::this_coro::executor;
  auto attempt = run_attempt(r);
  co_return co_await asio::co_spawn(ex, std::move(attempt), asio::use_awaitable);
}

asio::awaitable<std::string> slurm_launcher::submit(const launch_request& r, int attempt, launch_result& failed) {
  const task& t = r.get();
  auto ex = co_await asio::this_coro::executor;
  auto cs = co_await asio::this_coro::cancellation_state;
  const process_options po = detail::prepare_attempt(setup_of(options_, marker_), r);
  const std::vector<std::string> argv = submission(*state_, options_.job, t, attempt, po,
                                                   agent_files_of(options_.run_dir, t.id, attempt).prompt);
  const auto env = submission_environment(po, t, options_);
  const std::string comment = detail::job_comment(run_mark_, t.id, attempt);
  std::error_code ignored;
  fs::remove(po.usage_file, ignored);  // a usage file is this attempt's or none
  for (int tried = 0;; ++tried) {
    // Out of reach of the cancellation: an sbatch cut short may still have queued its job,
    // which would then run unwatched. Every argument a named object (g++ 12).
    std::optional<std::string> script(batch_script);
    auto submitting = run_command(argv, std::move(script), env, std::size_t{1} << 20);
    const command_output sub = co_await asio::co_spawn(
        ex, std::move(submitting), asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
    std::string job = sub.exit == 0 ? detail::parse_job_id(sub.out) : std::string();
    const bool transient = job.empty() && detail::is_transient_submit_error(sub.err);
    if (transient) {
      // A submission whose answer was lost may have been queued all the same: looked for by
      // its comment before another is made.
      if (auto listed = co_await state_->list()) {
        for (const auto& l : *listed)
          if (l.comment == comment) job = l.id;
      }
    }
    if (!job.empty()) co_return job;
    if (cancelled(cs)) throw system_error(asio::error::operation_aborted, "cohort: slurm submission");
    if (tried >= options_.submit_retries || !transient) {
      const std::string why = first_error_line(sub.err.empty() ? sub.out : sub.err);
      failed.status = launch_status::failed;
      failed.exit_code = sub.exit;
      failed.message = "the job was not submitted: " + why;
      if (why.empty()) failed.message += fmt::format("sbatch exit {}", sub.exit);
      co_return std::string();
    }
    asio::steady_timer wait(ex, std::chrono::milliseconds(std::min(100 << std::min(tried, 6), 5000)));
    (void)co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
    if (cancelled(cs)) throw system_error(asio::error::operation_aborted, "cohort: slurm submission");
  }
}

asio::awaitable<launch_result> slurm_launcher::run_attempt(const launch_request& r) {
  const task& t = r.get();
  auto ex = co_await asio::this_coro::executor;
  auto cs = co_await asio::this_coro::cancellation_state;
  co_await asio::this_coro::throw_if_cancelled(false);  // a submitted job is always ended
  if (cancelled(cs)) throw system_error(asio::error::operation_aborted, "cohort: slurm launch");

  // A job of the dead run for this task, adopted at resume: waited for instead of a new one.
  const std::optional<slurm_job> adopted = state_->claim(t.id);
  const int attempt = adopted ? adopted->attempt : r.attempt;
  const agent_files files = agent_files_of(options_.run_dir, t.id, attempt);
  std::string job;
  if (adopted) {
    job = adopted->id;
  } else {
    launch_result not_submitted;
    job = co_await submit(r, attempt, not_submitted);
    if (job.empty()) co_return not_submitted;
  }

  auto w = std::make_shared<watcher>(ex);
  w->last.state = "PENDING";
  if (adopted) w->last.state = adopted->state;
  state_->watch(job, w, ex, state_);

  // The request's callbacks, on this executor; one that throws ends the job, then its error
  // goes on.
  std::exception_ptr callback_error;
  bool started = false;
  job_status shown;  // the last state told
  auto deadline = clock_type::time_point::max();  // the timeout counts from RUNNING, not the queue
  auto told = [&](const job_status& st) {
    if (callback_error || (!shown.state.empty() && st.state == shown.state && st.reason == shown.reason)) return;
    shown = st;
    try {
      event step;
      step.job = job;
      step.job_state = st.state;
      step.message = st.reason;
      if (r.on_queued) r.on_queued(step);
      if (st.state == "RUNNING" && !started) {
        started = true;
        if (r.timeout.count() > 0) deadline = clock_type::now() + r.timeout;
        if (r.on_started) r.on_started({});
      }
    } catch (...) {
      callback_error = std::current_exception();
    }
  };
  std::uintmax_t read_at = 0;  // of the job's output, passed on line by line
  auto pass_output = [&] {
    if (!r.on_output || callback_error) return;
    try {
      for (const auto& line : new_lines(files.stdout_file, read_at)) r.on_output(detail::shown_line(line));
    } catch (...) {
      callback_error = std::current_exception();
    }
  };
  job_status first;
  first.state = w->last.state;
  if (adopted) first.reason = adopted->reason;
  told(first);

  const auto tick = std::clamp(options_.poll_interval * 4, std::chrono::milliseconds(250), std::chrono::milliseconds(2000));
  std::optional<job_status> end;
  for (;;) {
    end = co_await wait_job(*w, std::min(deadline, clock_type::now() + tick), told, &cs);
    if (started) pass_output();
    if (end || cancelled(cs) || callback_error || clock_type::now() >= deadline) break;
  }
  const bool given_up = !end;
  const bool was_cancelled = given_up && cancelled(cs);
  if (given_up) {
    co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
    std::vector<std::pair<std::string, std::shared_ptr<watcher>>> mine;
    mine.emplace_back(job, w);
    std::vector<job_status> ended = co_await end_jobs(state_, std::move(mine), options_.grace);
    end = std::move(ended.front());
  }
  if (callback_error) std::rethrow_exception(callback_error);
  const bool ran = end->state == "COMPLETED" || end->state == "FAILED" || end->state == "TIMEOUT" ||
                   end->state == "OUT_OF_MEMORY";
  if (!started && ran && r.on_started) r.on_started({});  // it ran between two polls
  if (was_cancelled) throw system_error(asio::error::operation_aborted, "cohort: slurm job " + job + " cancelled");
  pass_output();
  co_return result_of(job, *end, files, given_up, options_.weights);
}

asio::awaitable<std::vector<slurm_job>> slurm_launcher::find_jobs() {
  const auto listed = co_await state_->list();
  if (!listed) throw system_error(errc::cluster_failed, "cohort: squeue could not list the run's jobs");
  std::vector<slurm_job> out;
  for (const auto& l : *listed) {
    const auto mark = detail::parse_job_comment(l.comment);
    if (!mark || mark->run != run_mark_) continue;
    slurm_job j;
    j.id = l.id;
    j.state = l.state;
    j.reason = l.reason;
    j.task_id = mark->task_id;
    j.attempt = mark->attempt;
    out.push_back(std::move(j));
  }
  co_return out;
}

void slurm_launcher::adopt(std::vector<slurm_job> jobs) {
  {
    const std::lock_guard lock(state_->mutex);
    auto* s = state_.get();
    for (auto& j : jobs) {
      auto& slot = s->adopted[j.task_id];
      if (!slot.id.empty() && slot.attempt >= j.attempt) {
        s->superseded.push_back(std::move(j));
        continue;
      }
      if (!slot.id.empty()) s->superseded.push_back(std::move(slot));
      slot = std::move(j);
    }
  }
}

std::vector<slurm_job> slurm_launcher::unclaimed() const {
  const std::lock_guard lock(state_->mutex);
  std::vector<slurm_job> out = state_->superseded;
  for (const auto& [task, j] : state_->adopted) out.push_back(j);
  return out;
}

asio::awaitable<void> slurm_launcher::cancel(std::vector<slurm_job> jobs) {
  auto ex = co_await asio::this_coro::executor;
  std::vector<std::pair<std::string, std::shared_ptr<watcher>>> watched;
  for (const auto& j : jobs) {
    if (detail::is_final_state(j.state)) continue;
    auto w = std::make_shared<watcher>(ex);
    w->last.state = j.state;
    state_->watch(j.id, w, ex, state_);
    watched.emplace_back(j.id, std::move(w));
  }
  if (!watched.empty()) (void)co_await end_jobs(state_, std::move(watched), options_.grace);
}

} // namespace cohort
