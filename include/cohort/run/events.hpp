// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_EVENTS_HPP
#define COHORT_RUN_EVENTS_HPP

#include <cohort/core/config.hpp>
#include <cohort/plan/plan.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

/// What happened. Every state change of a run is one event; nothing is polled.
enum class event_kind {
  // tag::outline[]
  run_started,     ///< the executor accepted the plan
  run_finished,    ///< every task has an outcome (also after a cancellation)
  parent_started,  ///< a parent's dependencies are finished: its scope opens
  parent_finished, ///< every subtask of the parent has an outcome
  wave_started,    ///< `wave` of `task` (a parent) begins (waves mode)
  wave_finished,   ///< every subtask of that wave has an outcome
  task_ready,      ///< dependencies finished; it now competes for the limits
  task_waiting,    ///< blocked on `reason`
  task_launched,   ///< an agent started (`attempt`, `pid` when local)
  task_output,     ///< one line of the agent's output (`message`)
  task_usage,      ///< the agent reported `tokens` used
  task_retry,      ///< the attempt failed; another follows after `delay` (`message`: why)
  task_succeeded,
  task_failed,     ///< failed for good (`message`: why)
  task_skipped,    ///< never ran (`message`: the failed dependency or the spent budget)
  task_cancelled,  ///< ended by a cancellation (fail-fast or the run's)
  task_merge,      ///< an isolating launcher's step with the attempt's work (`merge`, `branch`, `commit`)
  task_queued,     ///< a cluster launcher's `job` for the attempt is queued or changed state
                   ///< (`job_state`: PENDING, RUNNING; `message`: the cluster's reason)
  // end::outline[]
};

/// Why a ready task is not running yet.
enum class wait_reason {
  dependency, parent_cap, slot, budget, stagger, backoff, rate_limit,
  queued,  ///< its job waits in a cluster's queue (a `task_queued` event with `job_state` PENDING)
};

/// Where an attempt's work stands in an isolating launcher (worktree_launcher.hpp).
enum class merge_state {
  merging,   ///< committed (`commit`, on its job's `branch`), waiting for its turn to merge
  merged,    ///< merged into its parent's `branch` (`commit`: the merge)
  conflict,  ///< does not merge (`message`: the paths); a run again or a failure follows
  retrying,  ///< runs again from the current tip after a conflict (`message`: which run)
  checked,   ///< a parent's own command (a gate) passed on its `branch`
  kept,      ///< a failed attempt's worktree and `branch` are kept (`message`: the worktree)
};

std::string_view to_string(event_kind k) noexcept;
std::string_view to_string(wait_reason r) noexcept;
std::string_view to_string(merge_state s) noexcept;

/// One state change. Plain data; `task` indexes the executed plan.
struct event {
  using clock_type = std::chrono::steady_clock;

  event_kind kind{};
  clock_type::time_point at{};
  std::optional<task_index> task;  ///< the task or parent concerned
  int attempt = 0;                 ///< 1 for the first launch of a task
  std::size_t wave = 0;            ///< wave_started / wave_finished, and tasks in waves mode
  wait_reason reason{};            ///< task_waiting
  std::uint64_t tokens = 0;        ///< task_usage: tokens used; task_launched: tokens reserved
  double cost_usd = 0;             ///< task_usage: the reported cost (0: none reported)
  bool usage_known = true;         ///< task_usage: false when the agent reported none (`tokens`
                                   ///< is then its reservation, counted as spent)
  std::chrono::milliseconds delay{0};  ///< task_retry: the backoff before the next attempt
  int pid = 0;                     ///< task_launched: the agent's pid (0 when not local)
  std::uint64_t start_time = 0;    ///< task_launched: its /proc start time, when the launcher
                                   ///< knew it (`started_agent`); 0: unknown
  merge_state merge{};             ///< task_merge
  std::string branch;              ///< task_merge: the git branch concerned
  std::string commit;              ///< task_merge: the commit concerned, if any
  std::string job;                 ///< task_queued, task_launched: a cluster's job id (empty: local)
  std::string job_state;           ///< task_queued: the job's state, as the cluster says it
  std::string message;             ///< output line, failure or skip reason
};

/// Receives every event of a run, in order, on the run's strand.
/**
 * `on_event` must not block and must not throw; an observer that needs I/O buffers it (the
 * journal flushes before the next launch through `until_recorded`).
 *
 * @par Thread safety
 * One run calls its observers one at a time, on its strand, whatever the executor. An observer
 * given to several runs at once is called from each run's strand, so concurrently: guard its
 * state, or give each run its own.
 */
class observer {
public:
  virtual ~observer() = default;
  virtual void on_event(const event& e) = 0;
  /// Called before every launch, after the launch's events were delivered. A journal makes its
  /// records durable here; an error thrown here fails the launch (nothing runs unrecorded).
  virtual void before_launch() {}
  /// Whether launches wait for `until_recorded` instead of calling `before_launch` (cheap: no
  /// coroutine unless it says yes). An observer that makes records durable for many launches at
  /// once says yes: the journal shares one fsync between every launch the event loop decided in
  /// the same turn (group commit).
  virtual bool groups_launches() const noexcept { return false; }
  /// Completes when everything delivered so far is recorded; throws what failed, which fails
  /// the launch. Cancelling the run cancels the wait. By default, `before_launch`.
  virtual boost::asio::awaitable<void> until_recorded();

  /// Back-pressure. Before each launch (its limits held), the run asks every observer whether
  /// it lags behind (`lagging`, cheap: no coroutine unless it says yes) and then waits for
  /// `until_caught_up`: a consumer that reads events slower than the run makes them slows the
  /// run's launches down instead of letting its buffer grow (event_channel.hpp). Cancelling
  /// the run cancels the wait.
  virtual bool lagging() const noexcept { return false; }
  virtual boost::asio::awaitable<void> until_caught_up();
};

} // namespace cohort

#endif // COHORT_RUN_EVENTS_HPP
