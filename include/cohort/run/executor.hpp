// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_EXECUTOR_HPP
#define COHORT_RUN_EXECUTOR_HPP

#include <cohort/analysis/analysis.hpp>
#include <cohort/core/boxed.hpp>
#include <cohort/core/config.hpp>
#include <cohort/core/detail/async_coroutine.hpp>
#include <cohort/core/semaphore.hpp>
#include <cohort/run/events.hpp>
#include <cohort/run/launcher.hpp>
#include <cohort/plan/plan.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cohort {

/// Retries of a failed attempt: exponential backoff with jitter.
struct retry_policy {
  int retries = 0;                             ///< extra attempts after the first
  std::chrono::milliseconds base_delay{1000};  ///< before the first retry; doubles each time
  std::chrono::milliseconds max_delay{60000};
  double jitter = 0.2;  ///< the delay is scaled by a uniform factor in [1 - jitter, 1 + jitter]
};

/// The limits and policies of a run. Every launch holds a slot (and a slot of its parent's
/// cap), a token reservation and a turn of the launch pacer, in that order.
struct executor_options {
  // tag::outline[]
  /// Cap, per-parent cap, token budget, launch interval, parent stagger, waves or rolling, the
  /// ready order and the defaults for tasks without estimates: the same struct the simulation
  /// takes, so a prediction and a run use one policy (analysis.hpp, simulation.hpp).
  schedule_options schedule;
  retry_policy retry;
  /// A rate limit or an overload from any agent pauses every launch of the run this long (or
  /// as long as the agent was told, if longer), then admission grows back (rate_gate.hpp).
  std::chrono::milliseconds rate_limit_delay{30000};
  /// Rate limits of one task before it fails: with the pause, a limit that never clears ends a
  /// task after at most this many pauses and agent runs.
  int max_rate_limits = 5;
  /// A budget in money (US dollars, from the agents' reported cost; 0: none): once the run has
  /// spent it, no agent starts (those running finish).
  double cost_budget = 0;
  double cost_spent = 0;  ///< resume: what an earlier run already spent
  std::chrono::milliseconds timeout{0};        ///< per attempt; 0: none
  bool fail_fast = false;  ///< the first task failing for good cancels everything running
  std::uint64_t seed = 0;  ///< for the backoff jitter (runs are reproducible)
  /// Resume: these tasks finished in an earlier run and are not run again.
  std::vector<task_index> finished;
  std::uint64_t tokens_spent = 0;  ///< resume: tokens an earlier run already spent
  /// Resume: launches per task (by index; shorter means 0) in earlier runs. Attempt numbers go
  /// on from there, so an attempt's output files never overwrite an earlier run's.
  std::vector<int> earlier_launches;
  /// Limits shared with other runs (several runs at once under one cap, one budget): a slot of
  /// `shared_slots` is held by every launch, after the run's own slot; the reservation is also
  /// taken from `shared_budget` and settled there. Both are optional and outlive the run; a
  /// semaphore may be used by runs on any threads.
  semaphore* shared_slots = nullptr;
  semaphore* shared_budget = nullptr;
  // end::outline[]
};

/// How a task ended.
enum class task_outcome {
  pending,         ///< no outcome (only seen while running)
  already_done,    ///< done in the plan (or in the resumed journal); not run
  succeeded,
  failed,          ///< failed for good
  skipped,         ///< never ran: a dependency failed, or the budget is spent
  cancelled,
};

std::string_view to_string(task_outcome o) noexcept;

/// Where a task's work went, as its launcher told the run.
struct task_placement {
  /// Where its work stands in an isolating launcher (its last `task_merge` event): empty
  /// `branch` when there was none.
  merge_state merge{};
  std::string branch, commit;
  std::size_t conflicts = 0;  ///< conflicts its work met (each run again or failed)
  std::string job;  ///< its last attempt's job in a cluster (a `task_queued` event); empty: local
};

/// The outcome of one task after a run.
struct task_report {
  task_outcome outcome = task_outcome::pending;
  int attempts = 0;
  std::uint64_t tokens = 0;  ///< tokens spent (settled to the reported usage)
  event::clock_type::time_point started{};   ///< first launch (epoch if never)
  event::clock_type::time_point finished{};  ///< outcome time
  std::string reason;  ///< failure or skip reason
  /// Where its work went, if its launcher said (an isolating or a cluster launcher): kept apart,
  /// as most runs have none (`tr.placement->branch` reads empty then, nothing allocated).
  boxed<task_placement> placement;

  /// Takes in a `task_merge` event of this task.
  void record_merge(const event& step);
  /// Takes in a `task_queued` event of this task (its job in a cluster).
  void record_queued(const event& step);
};

/// The outcome of a run.
struct run_report {
  std::vector<task_report> tasks;  ///< indexed like `plan::tasks`
  event::clock_type::time_point started{};
  event::clock_type::time_point finished{};
  std::uint64_t tokens_spent = 0;
  std::size_t peak_running = 0;
  bool cancelled = false;  ///< the run itself was cancelled
  std::size_t rate_limit_pauses = 0;  ///< times a rate limit or an overload paused the run
  double cost_usd = 0;                ///< reported cost, summed (with `cost_spent` of a resume)
  std::size_t unknown_usage = 0;      ///< attempts that reported no usage (their reservation counted)
  /// Why the run stopped launching by itself (an agent's authentication error); empty: it did not.
  std::string stopped;

  std::size_t count(task_outcome o) const noexcept;
  /// True when every task succeeded or was already done.
  bool all_done() const noexcept;
};

/// Runs `p` with `l`, within the limits of `options`, telling `observers` every state change.
/**
 * Every parent whose dependencies are finished runs at the same time, each as a scope that
 * completes only when all its subtasks have finished; subtasks run in waves or rolling. Among
 * ready tasks the one with the longest remaining path (by estimate) goes first, then the higher
 * Task Master priority, then plan order. A task that fails for good skips its dependents (with
 * the reason) and stops nothing else unless `fail_fast`. The plan and the launcher must outlive
 * the run.
 *
 * @par Errors
 * `errc::invalid_argument` when `schedule.max_running` is 0; `errc::plan_invalid` when the
 * plan has a dependency cycle (named as a path).
 * When the awaiting coroutine is cancelled, every agent is ended, every task gets an outcome,
 * `run_finished` is delivered, and then `operation_aborted` is thrown (`async_run_plan` gives
 * the report with it).
 *
 * @par Thread safety
 * The run lives on a strand: the caller's, when it runs on a `boost::asio::strand`, else one
 * made from the caller's executor. Observers and the launcher are called there, never
 * concurrently, on any executor (a multi-threaded `io_context`, a `thread_pool`).
 */
[[nodiscard]] boost::asio::awaitable<run_report> run_plan(const plan& p, launcher& l,
                                                          executor_options options,
                                                          std::vector<observer*> observers = {});

namespace detail {
/// `run_plan` with its error as a code and the report in every case. A non-`system_error`
/// exception (from an observer or the launcher) is thrown.
boost::asio::awaitable<code_and<run_report>> run_plan_outcome(const plan& p, launcher& l,
                                                              executor_options options,
                                                              std::vector<observer*> observers);
} // namespace detail

/// Runs `p` as `run_plan` does, with any completion token.
/**
 * @par Completion signature
 * `void(error_code, run_report)`. The report is complete in every case: a cancelled run gives
 * `operation_aborted` with every task's outcome (those it ended are `cancelled`).
 *
 * @par Per-operation cancellation
 * `terminal`: every agent is ended and every task gets an outcome before the handler is called.
 *
 * @par Thread safety
 * The run lives on a strand made from `ex`: observers and the launcher are called there, never
 * concurrently, whatever `ex` is. The plan, the launcher and the observers must outlive the
 * operation.
 */
template <class CompletionToken>
auto async_run_plan(const boost::asio::any_io_executor& ex, const plan& p, launcher& l,
                    executor_options options, std::vector<observer*> observers,
                    CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(error_code, run_report)>(
      detail::initiate_coroutine{ex}, token,
      [&p, &l, o = std::move(options), obs = std::move(observers)]() mutable {
        return detail::run_plan_outcome(p, l, std::move(o), std::move(obs));
      });
}

} // namespace cohort

#endif // COHORT_RUN_EXECUTOR_HPP
