// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/process_launcher.hpp>

#include <cohort/core/error.hpp>
#include <cohort/run/run_dir.hpp>
#include <cohort/process/process.hpp>
#include <cohort/process/usage.hpp>

#include <cohort/run/resume.hpp>

#include "common/procfs.hpp"
#include "run/attempt.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <utility>

namespace cohort {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

// Running out of file descriptors or processes is the machine's state, not the agent's fault.
bool is_transient_start_error(const error_code& ec) {
  if (ec.category() != boost::system::system_category() &&
      ec.category() != boost::system::generic_category())
    return false;
  return ec.value() == EMFILE || ec.value() == ENFILE || ec.value() == EAGAIN;
}

// 10 ms, doubling, at most 1 s.
std::chrono::milliseconds start_retry_delay(int waited) {
  return std::chrono::milliseconds(std::min(10 << std::min(waited, 7), 1000));
}

} // namespace

// An agent of this launcher while it lives: its pid is in `live_` from its start to its end
// (or the attempt's, whichever comes first).
struct process_launcher::live_agent {
  process_launcher* launcher;
  int pid = 0;
  void start(int p) {
    end();
    launcher->started(pid = p);
  }
  void end() {
    if (pid != 0) launcher->ended(std::exchange(pid, 0));
  }
  ~live_agent() { end(); }
};

process_launcher::process_launcher(process_launcher_options options)
    : options_(std::move(options)) {
  // Agents run in the workdir: every path they are given must not depend on the cwd.
  if (!options_.run_dir.empty()) {
    options_.run_dir = fs::absolute(options_.run_dir);
    marker_ = run_dir_marker(options_.run_dir);  // once: it resolves the path on disk
  }
}

asio::awaitable<launch_result> process_launcher::launch(const launch_request& r) {
  const task& t = r.get();
  process_options po = detail::prepare_attempt({options_.agent, options_.run_dir, marker_, options_.workdir,
                                                options_.prompt, options_.environment, agents_dir_made_}, r);
  agents_dir_made_ = true;
  po.grace = options_.grace;
  po.deadline = r.timeout;
  if (options_.stream_output && r.on_output) {
    po.on_line = [&r](const output_line& line) { r.on_output(detail::shown_line(line.text)); };
  }
  // What the agent leaves behind was born no earlier than the agent: the clock read before the
  // launch, in the unit of /proc's start times, is the bound.
  live_agent agent{this};  // while it lives, other agents' leftover searches skip its pid
  std::uint64_t launched_at = 0;
  po.on_start = [&r, &agent, &launched_at](int pid) {
    agent.start(pid);
    // The child was born between the two clock reads: when they fall in one tick, that tick is
    // its start time, and the journal need not read /proc for it (one open, read and close a
    // launch). A launch that straddles a tick (about 1 in 100 at 100 ticks a second) says 0.
    const std::uint64_t now = detail::boot_ticks_now();
    if (r.on_started) r.on_started({pid, now == launched_at ? now : 0});
  };
  // Out of descriptors or processes for a moment (other agents hold them): wait for some to be
  // given back and start again; the attempt fails only if they stay gone.
  for (int waited = 0;; ++waited) {
    launched_at = detail::boot_ticks_now();
    const bool search = options_.end_escaped && !marker_.empty();
    const std::uint64_t forks_before = search ? forks_before_launch() : 0;
    std::optional<process_result> result;
    try {
      result = co_await run_process(po);
    } catch (const system_error& e) {
      if (!is_transient_start_error(e.code()) || waited == options_.start_retries) throw;
    }
    if (result) {
      agent.end();
      if (search) co_await end_escaped(t.id, r.attempt, launched_at, result->pgid, forks_before);
      co_return detail::launch_result_of(*result, options_.weights);
    }
    asio::steady_timer wait(co_await asio::this_coro::executor, start_retry_delay(waited));
    co_await wait.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> process_launcher::end_escaped(const std::string& id, int attempt,
                                                   std::uint64_t launched_at, int group,
                                                   std::uint64_t forks_before) {
  detail::escape_search search;
  search.environment = {run_dir_variable + ('=' + marker_), "COHORT_TASK_ID=" + id,
                        "COHORT_ATTEMPT=" + std::to_string(attempt)};
  search.born_after = launched_at;
  search.group = group;
  // What the agent left was born after it: with the other agents' pids left out, a short
  // agent's search reads nothing of /proc but the counters (a scan of every process was most
  // of the driver's CPU on zero-length jobs).
  search.leader = group;
  search.forks_before = forks_before;
  search.skip = live_agents();
  std::uint64_t forks_seen = 0;
  search.forks_seen = &forks_seen;
  const ended_leftovers ended = co_await detail::end_escaped(std::move(search), options_.grace);
  if (forks_seen != 0) saw_forks(forks_seen);
  if (ended.ended > 0 && options_.on_escaped) options_.on_escaped(id, attempt, ended.pids.size());
}

// The fork count before a launch: the one the last search read when it is recent (one read of
// /proc/stat a job, not two), else read now. Any count read before the launch bounds it from
// below, which is all the search needs; a recent one keeps its window of pids small.
std::uint64_t process_launcher::forks_before_launch() {
  constexpr auto recent = std::chrono::seconds(1);
  {
    const std::lock_guard lock(live_mutex_);
    if (forks_seen_ != 0 && std::chrono::steady_clock::now() - forks_seen_at_ < recent) return forks_seen_;
  }
  const std::uint64_t forks = detail::forks_since_boot();
  saw_forks(forks);
  return forks;
}

void process_launcher::saw_forks(std::uint64_t forks) {
  const std::lock_guard lock(live_mutex_);
  if (forks < forks_seen_) return;
  forks_seen_ = forks;
  forks_seen_at_ = std::chrono::steady_clock::now();
}

void process_launcher::started(int pid) {
  const std::lock_guard lock(live_mutex_);
  live_.push_back(pid);
}

void process_launcher::ended(int pid) {
  const std::lock_guard lock(live_mutex_);
  const auto at = std::find(live_.begin(), live_.end(), pid);
  if (at != live_.end()) {
    *at = live_.back();
    live_.pop_back();
  }
}

std::vector<int> process_launcher::live_agents() const {
  const std::lock_guard lock(live_mutex_);
  return live_;
}

} // namespace cohort
