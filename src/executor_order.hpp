// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_EXECUTOR_ORDER_HPP
#define COHORT_SRC_EXECUTOR_ORDER_HPP

// The executor's ordering of ready work (private to the library).

#include <cohort/plan.hpp>

#include <chrono>
#include <vector>

namespace cohort::detail {

/// A launch priority per task (higher goes first): the longest remaining path by estimate,
/// then the Task Master priority (high > medium > low > none), then plan order. The remaining
/// path of a job is its duration plus the longest remaining path of the jobs that wait for it,
/// over the flattened job graph (a parent with subtasks is its subtasks; a subtask inherits its
/// parent's dependencies). Finished tasks take no time; tasks without an estimate take
/// `default_duration`. Throws system_error(errc::invalid_argument) on a dependency cycle.
std::vector<int> launch_priorities(const plan& p, std::chrono::milliseconds default_duration);

/// The subtasks of parent `p` grouped by dependency depth among siblings: wave 0 has no
/// sibling dependency, wave k depends on a sibling of wave k-1 at the deepest.
std::vector<std::vector<task_index>> waves_of(const plan& p, task_index parent);

} // namespace cohort::detail

#endif // COHORT_SRC_EXECUTOR_ORDER_HPP
