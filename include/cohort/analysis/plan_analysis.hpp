// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_ANALYSIS_PLAN_ANALYSIS_HPP
#define COHORT_ANALYSIS_PLAN_ANALYSIS_HPP

#include <cohort/analysis/analysis.hpp>
#include <cohort/analysis/ownership.hpp>
#include <cohort/analysis/simulation.hpp>
#include <cohort/core/config.hpp>
#include <cohort/plan/plan.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace cohort {

/// What `analyze` computes.
struct plan_analysis_options {
  estimate_defaults defaults;
  /// Also simulate the scheduler with these options (its defaults are replaced by `defaults`).
  std::optional<schedule_options> simulate;
  std::uint64_t budget = 0;   ///< split this token budget over the parents; 0: no split
  std::uint64_t reserve = 0;  ///< kept out of the split
};

/// Every analysis of a plan, ready to render. Plain data.
struct plan_analysis {
  // tag::outline[]
  projections projected;
  schedule_analysis schedule;  ///< critical path and slack
  std::vector<parallel_group> groups;
  layering layers;
  std::vector<std::size_t> waves;  ///< per task
  std::vector<budget_share> budget;
  std::vector<ownership_conflict> conflicts;
  std::optional<schedule_options> simulated_with;
  std::optional<simulation_result> simulated;
  // end::outline[]
};

/// Runs every analysis. Throws `errc::plan_invalid` on a cycle.
plan_analysis analyze(const plan& p, const plan_analysis_options& options = {});
// end::outline[]

} // namespace cohort

#endif // COHORT_ANALYSIS_PLAN_ANALYSIS_HPP
