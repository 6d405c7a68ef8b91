// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_ANALYSIS_SIMULATION_HPP
#define COHORT_ANALYSIS_SIMULATION_HPP

#include <cohort/analysis/analysis.hpp>
#include <cohort/core/config.hpp>
#include <cohort/core/markable.hpp>
#include <cohort/plan/plan.hpp>

#include <cstddef>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace cohort {

/// When each task starts and finishes in a simulated run (milliseconds from the start).
struct simulated_task {
  markable<std::chrono::milliseconds> start;   ///< a parent's start; a subtask's launch
  markable<std::chrono::milliseconds> launch;  ///< a job's launch (a parent without subtasks is a job)
  markable<std::chrono::milliseconds> finish;  ///< a job's end; a parent's completion
};

/// What a simulated run predicts.
struct simulation_result {
  // tag::outline[]
  std::chrono::milliseconds makespan{0};         ///< when the last job finished
  std::size_t peak_running = 0;     ///< most agents running at once
  std::uint64_t peak_reserved = 0;  ///< most tokens reserved by running agents at once
  std::uint64_t spent = 0;          ///< tokens spent (each finished job's reservation)
  std::size_t launches = 0;
  /// Jobs that never ran: the budget ran out (or a reservation is larger than the budget).
  std::size_t unfinished = 0;
  bool budget_exhausted = false;    ///< the run stopped with a ready job that did not fit
  std::vector<simulated_task> tasks;  ///< per task index; finished tasks: none
  // end::outline[]
};

/// A discrete-event simulation of the scheduler's policy: the executor implements exactly this.
/**
 * @par The policy (the contract)
 * - **Parents.** A parent *starts* when its dependencies are finished and at least
 *   `parent_stagger` has passed since the previous parent started. Parents waiting for the
 *   stagger start in the ready order below (their key is their start gate's).
 * - **Ready.** A job is ready when its parent has started, its own dependencies are finished, and
 *   in `wave_mode::waves` every subtask of the earlier waves of its parent is finished. A parent
 *   without subtasks is one job, ready when it starts.
 * - **Ready order.** `ready_order::longest_path`: `launches_before` on `ready_keys` (longest
 *   remaining path over the flattened graph of the mode, then Task Master priority, then plan
 *   order). `ready_order::fifo`: the time it became ready, then plan order.
 * - **Launch.** The head of the ready order launches as soon as: fewer than `max_running` agents
 *   run; `launch_interval` has passed since the previous launch; and its token reservation (its
 *   token estimate, else `defaults.tokens`) fits in `token_budget` minus the tokens spent and
 *   reserved. The budget is FIFO without barging: a head that does not fit stops every launch
 *   behind it until tokens come back. A head whose parent already runs `max_per_parent` agents
 *   steps aside (it waits for its parent, first in that parent's own ready order) and the next
 *   one is considered.
 * - **Finish.** A job takes its duration estimate (else `defaults.duration`); on finish its
 *   reservation is settled to the actual tokens (here: the reservation) and spent. A parent with
 *   subtasks finishes with its last subtask. Finished tasks take no time and no tokens.
 * - Events at the same instant: finishes first, then parents start, then launches.
 *
 * @par Complexity
 * O((V + E) log V) for V tasks and E dependencies; no allocation per event.
 *
 * @throws system_error `errc::plan_invalid` on a dependency cycle, including, in waves mode, one
 * the wave barriers make (a subtask of an early wave waiting, across parents, for a later wave
 * that waits for it); `errc::invalid_argument` when `max_running` is 0.
 */
simulation_result simulate(const plan& p, const schedule_options& options = {});

} // namespace cohort

#endif // COHORT_ANALYSIS_SIMULATION_HPP
