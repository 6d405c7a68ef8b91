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

// Runs one of Slurm's commands to its end and keeps what it printed (the first 1 MiB).
asio::awaitable<command_output> run_command(std::vector<std::string> argv, std::optional<std::string> input = {},
                                            std::map<std::string, std::string, std::less<>> env = {}) {
  process_options po;
  po.argv = std::move(argv);
  po.input = std::move(input);
  po.environment = std::move(env);
  po.grace = std::chrono::seconds(2);
  command_output out;
  po.on_line = [&out](const output_line& line) {
    std::string& s = line.stream == output_stream::out ? out.out : out.err;
    if (s.size() < (1u << 20)) (s += line.text) += '\n';
  };
  const process_result r = co_await run_process(std::move(po));
  out.exit = r.exit_code.value_or(-1);
  co_return out;
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
    std::vector<std::string> argv = words(command("squeue"), "-h", "-t", "all", "--name=" + job_name(), "-o",
                                          std::string(detail::queue_format));
    const command_output q = co_await run_command(std::move(argv));
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

} // namespace

// --- the launcher ------------------------------------------------------------------------------

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
  std::vector<std::string> argv = words(s.command("sbatch"), "--parsable", "--job-name=" + s.job_name(),
                                        "--comment=" + detail::job_comment(s.run_mark, t.id, attempt),
                                        "--chdir=" + (po.cwd.empty() ? fs::current_path() : fs::absolute(po.cwd)).string(),
                                        "--output=" + po.stdout_file.string(), "--error=" + po.stderr_file.string());
  if (po.input) argv.push_back("--input=" + prompt.string());
  if (!j.partition.empty() && !t.slurm.contains("partition")) argv.push_back("--partition=" + j.partition);
  if (!j.account.empty() && !t.slurm.contains("account")) argv.push_back("--account=" + j.account);
  if (!j.time_limit.empty() && !t.slurm.contains("time")) argv.push_back("--time=" + j.time_limit);
  if (!j.memory.empty() && !t.slurm.contains("mem")) argv.push_back("--mem=" + j.memory);
  if (j.cpus > 0 && !t.slurm.contains("cpus")) argv.push_back(fmt::format("--cpus-per-task={}", j.cpus));
  argv.insert(argv.end(), j.extra.begin(), j.extra.end());
  for (const auto& [key, value] : t.slurm) argv.push_back(resource_option(key, value));
  argv.emplace_back("/dev/stdin");  // the batch script, given on sbatch's stdin
  argv.insert(argv.end(), po.argv.begin(), po.argv.end());
  return argv;
}

// The end of jobs a launch or a resume gives up: TERM to each job's processes (`--full`: the
// batch script's children too), the grace, then `scancel` (SIGKILL; a pending job is simply
// cancelled), and the wait until each has left the queue. Returns each job's final status.
asio::awaitable<std::vector<job_status>> end_jobs(const std::shared_ptr<slurm_launcher::state>& s,
                                                  std::vector<std::pair<std::string, std::shared_ptr<watcher>>> jobs,
                                                  std::chrono::milliseconds grace) {
  std::vector<std::optional<job_status>> final(jobs.size());
  std::vector<std::string> running, pending;
  for (const auto& [id, w] : jobs) (w->last.state == "RUNNING" ? running : pending).push_back(id);
  auto scancel = [&s](std::vector<std::string> args, const std::vector<std::string>& ids) -> asio::awaitable<void> {
    if (ids.empty()) co_return;
    args.insert(args.begin(), s->command("scancel"));
    args.insert(args.end(), ids.begin(), ids.end());
    try {
      (void)co_await run_command(std::move(args));
    } catch (const std::exception&) {
      // scancel could not start: the final scancel below, or the job's own end, still comes
    }
  };
  const std::vector<std::string> plain, gentle = words("--full", "-s", "TERM");
  co_await scancel(plain, pending);
  co_await scancel(gentle, running);
  const auto until = clock_type::now() + grace;
  for (std::size_t i = 0; i < jobs.size(); ++i) final[i] = co_await wait_job(*jobs[i].second, until, ignore_change{});
  std::vector<std::string> left;
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (!final[i]) left.push_back(jobs[i].first);
  co_await scancel(plain, left);
  std::vector<job_status> out;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!final[i]) final[i] = co_await wait_job(*jobs[i].second, clock_type::time_point::max(), ignore_change{});
    out.push_back(std::move(*final[i]));
  }
  co_return out;
}

} // namespace

asio::awaitable<launch_result> slurm_launcher::launch(const launch_request& r) {
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
    process_options po = detail::prepare_attempt(
        {options_.agent, options_.run_dir, marker_, options_.workdir, options_.prompt, options_.environment}, r);
    const std::vector<std::string> argv = submission(*state_, options_.job, t, attempt, po, files.prompt);
    po.environment["COHORT_USAGE_FILE"] = po.usage_file.string();
    // The run dir's mark is how a resumed run finds a dead run's local agents and ends them: a
    // job is found by its comment, and adopted or cancelled, not ended as a leftover.
    po.environment.erase(run_dir_variable);
    std::error_code ignored;
    fs::remove(po.usage_file, ignored);  // a usage file is this attempt's or none

    // Submitted out of reach of the cancellation: an sbatch cut short may still have queued
    // its job, which would then run unwatched.
    for (int tried = 0;; ++tried) {
      // Every argument a named object: g++ 12 destroys temporaries made inside a co_await twice.
      std::optional<std::string> script(batch_script);
      auto submit = run_command(argv, std::move(script), po.environment);
      const command_output sub = co_await asio::co_spawn(
          ex, std::move(submit), asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
      if (sub.exit == 0) job = detail::parse_job_id(sub.out);
      if (!job.empty()) break;
      const std::string why = first_error_line(sub.err.empty() ? sub.out : sub.err);
      if (tried >= options_.submit_retries || !detail::is_transient_submit_error(sub.err) || cancelled(cs)) {
        launch_result failed;
        failed.status = launch_status::failed;
        failed.exit_code = sub.exit;
        failed.message = "the job was not submitted: " + why;
        if (why.empty()) failed.message += fmt::format("sbatch exit {}", sub.exit);
        co_return failed;
      }
      asio::steady_timer wait(ex, std::chrono::milliseconds(std::min(100 << std::min(tried, 6), 5000)));
      (void)co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  auto w = std::make_shared<watcher>(ex);
  w->last.state = "PENDING";
  if (adopted) w->last.state = adopted->state;
  state_->watch(job, w, ex, state_);
  bool started = false;
  job_status shown;  // the last state told
  auto told = [&](const job_status& st) {
    if (!shown.state.empty() && st.state == shown.state && st.reason == shown.reason) return;
    shown = st;
    event step;
    step.job = job;
    step.job_state = st.state;
    step.message = st.reason;
    if (r.on_queued) r.on_queued(step);
    if (st.state == "RUNNING" && !started) {
      started = true;
      if (r.on_started) r.on_started(0);
    }
  };
  job_status first;
  first.state = w->last.state;
  if (adopted) first.reason = adopted->reason;
  told(first);

  const auto deadline = r.timeout.count() > 0 ? clock_type::now() + r.timeout : clock_type::time_point::max();
  std::optional<job_status> end = co_await wait_job(*w, deadline, told, &cs);
  const bool given_up = !end;
  const bool was_cancelled = given_up && cancelled(cs);
  if (given_up) {
    co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
    std::vector<std::pair<std::string, std::shared_ptr<watcher>>> mine;
    mine.emplace_back(job, w);
    std::vector<job_status> ended = co_await end_jobs(state_, std::move(mine), options_.grace);
    end = std::move(ended.front());
  }
  if (!started && r.on_started) r.on_started(0);  // it ended between two polls
  if (was_cancelled) throw system_error(asio::error::operation_aborted, "cohort: slurm job " + job + " cancelled");

  process_result pr;
  if (end->exit && end->exit->signal != 0) pr.signal = end->exit->signal;
  else if (end->exit) pr.exit_code = end->exit->code;
  pr.ended_by = given_up ? end_reason::deadline : end_reason::none;
  pr.pid = pr.pgid = 0;
  pr.stdout_file = files.stdout_file;
  pr.stderr_file = files.stderr_file;
  pr.usage_file = files.usage_file;
  launch_result out = detail::launch_result_of(pr, options_.weights);
  if (r.on_output) {
    if (std::string line = last_line_of(files.stdout_file); !line.empty()) r.on_output(detail::shown_line(line));
  }
  if (!end->exit && end->state.empty()) {
    out.status = launch_status::failed;
    out.message = "job " + job + " left the cluster's records before its end was seen";
  } else if (out.status == launch_status::failed && out.message == describe(pr)) {
    // No words of the agent's own: the job's last line on stderr (`exec: prog: not found`).
    if (std::string line = last_line_of(files.stderr_file); !line.empty()) out.message += ": " + line;
    if (end->state != "COMPLETED" && end->state != "FAILED") out.message += " (" + end->state + ")";
  }
  co_return out;
}

asio::awaitable<std::vector<slurm_job>> slurm_launcher::find_jobs() {
  const auto listed = co_await state_->list();
  if (!listed) throw system_error(errc::cluster_failed, "cohort: squeue could not list the run's jobs");
  std::vector<slurm_job> out;
  for (const auto& l : *listed) {
    const auto mark = detail::parse_job_comment(l.comment);
    if (!mark || mark->run != run_mark_) continue;
    out.push_back({l.id, l.state, l.reason, mark->task_id, mark->attempt});
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

asio::awaitable<std::vector<slurm_job>> slurm_launcher::unclaimed() {
  std::vector<slurm_job> out;
  {
    const std::lock_guard lock(state_->mutex);
    out = state_->superseded;
    for (const auto& [task, j] : state_->adopted) out.push_back(j);
  }
  co_return out;
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
