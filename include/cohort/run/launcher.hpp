// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_LAUNCHER_HPP
#define COHORT_RUN_LAUNCHER_HPP

#include <cohort/core/config.hpp>
#include <cohort/plan/plan.hpp>
#include <cohort/run/events.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cohort {

/// An agent that started, as its launcher tells the executor.
struct started_agent {
  int pid = 0;  ///< 0: not a local process (a cluster's job)
  /// Its start time as `process_start_time(pid)` reads it, when the launcher knows it without
  /// reading /proc; 0: unknown (whoever needs it reads /proc).
  std::uint64_t start_time = 0;
};

/// One attempt of one task, as the executor hands it to a launcher.
struct launch_request {
  const plan* source = nullptr;  ///< the plan being run (never null)
  task_index task = 0;
  int attempt = 1;                                      ///< 1 for the first launch
  std::chrono::milliseconds timeout{0};                 ///< 0: none; the launcher enforces it
  std::function<void(std::string_view)> on_output;      ///< one line of output (may be empty)
  std::function<void(const started_agent&)> on_started;  ///< the agent is running
  /// A step of a wrapping launcher with the attempt's work: the executor makes it a
  /// `task_merge` event (the `merge`, `branch`, `commit` and `message` fields of `step` are used).
  std::function<void(const event& step)> on_merge;
  /// A cluster launcher's job for the attempt was queued or changed state: the executor makes
  /// it a `task_queued` event (the `job`, `job_state` and `message` fields of `step` are used),
  /// and the job id goes with the `task_launched` that `on_started` makes.
  std::function<void(const event& step)> on_queued;
  /// Where the agent works, when a wrapping launcher chose it (a worktree of its own); empty:
  /// the launcher's own setting.
  std::filesystem::path workdir;
  /// Added to the end of the agent's prompt (why this attempt runs again, for example).
  std::string prompt_note;

  const cohort::task& get() const noexcept { return source->tasks[task]; }
};

/// How an attempt ended.
enum class launch_status {
  succeeded,     ///< the agent reported success (exit 0)
  failed,        ///< the agent failed; a retry may follow
  rate_limited,  ///< rate limited or overloaded: the whole run pauses, the task goes again
  fatal,         ///< no attempt can succeed (a bad API key): the run stops launching and ends
};

/// What an attempt produced.
struct launch_result {
  launch_status status = launch_status::failed;
  std::optional<std::uint64_t> tokens;  ///< reported usage; empty when unknown
  int exit_code = 0;
  int signal = 0;          ///< the terminating signal, if any
  bool timed_out = false;  ///< ended by the timeout
  std::string message;     ///< why it failed, for people: the agent's own words when it said
  std::optional<double> cost_usd;  ///< reported cost; empty when unknown
  /// How long the agent was told to wait (a `retry-after`), when rate limited; 0: not said.
  std::chrono::milliseconds retry_after{0};
};

/// How agents are started: the seam between the executor and the world.
/**
 * The executor calls `launch` once per attempt, after the attempt holds its slot, its token
 * reservation and its turn of the pacer. `launch` completes when the agent is gone. A local
 * process launcher runs `claude -p ...` or any argv; a fake one completes after a given time
 * (tests, simulation); a cluster one would submit a job. Nothing above assumes a local child.
 *
 * Cancellation: when the awaiting coroutine is cancelled, the launcher ends the agent (for a
 * process: the kill ladder), waits until it is gone, then throws `operation_aborted`.
 *
 * @par Thread safety
 * A run calls `launch` on its strand (the awaiting coroutine's executor); the launches of one
 * run never run concurrently with that run's other work. A launcher shared by several runs at
 * once is called from each run's strand: such a launcher guards its own state.
 */
class launcher {
public:
  virtual ~launcher() = default;
  [[nodiscard]] virtual boost::asio::awaitable<launch_result> launch(const launch_request& r) = 0;
};

} // namespace cohort

#endif // COHORT_RUN_LAUNCHER_HPP
