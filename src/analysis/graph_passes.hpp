// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_ANALYSIS_GRAPH_PASSES_HPP
#define COHORT_SRC_ANALYSIS_GRAPH_PASSES_HPP

#include <cohort/analysis/analysis.hpp>
#include <cohort/analysis/ownership.hpp>
#include <cohort/analysis/simulation.hpp>
#include <cohort/plan/plan.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

// The analyses of analysis.hpp, ownership.hpp and simulation.hpp over graphs already flattened:
// `analyze` flattens a plan once per mode for all of them (on a million tasks each flattening is
// a pass over the whole plan); each public function flattens what it needs and calls its pass.
// Throughout: `rolling` is `flatten(p, defaults)`, `order` its `topological_nodes` (so the plan
// has no cycle), `wave` is `waves(p)`, `waved` is `flatten(p, defaults, wave_mode::waves)`, and
// `fin` is `finished_tasks(p)` (a graph's `finished` starts with it).
namespace cohort::detail {

/// `flatten(p, defaults, wave_mode::waves)`, made from the rolling graph, which it consumes (a
/// caller that keeps it passes a copy).
job_graph with_waves(const plan& p, job_graph rolling, std::span<const std::size_t> wave);

/// The projections but `hierarchical`, which needs the waved graph: `hierarchical(p, waved)`.
projections project(const plan& p, const job_graph& rolling, std::span<const std::uint32_t> order,
                    std::span<const std::size_t> wave);
std::chrono::milliseconds hierarchical(const plan& p, const job_graph& waved);
schedule_analysis critical_path(const job_graph& rolling, std::span<const std::uint32_t> order);
std::vector<parallel_group> parallel_groups(const plan& p, std::span<const std::uint8_t> fin);
layering layers(const plan& p, const job_graph& rolling, std::span<const std::uint32_t> order);
std::vector<budget_share> split_budget(const plan& p, std::span<const std::uint8_t> fin,
                                       std::uint64_t total, std::uint64_t reserve,
                                       std::span<const task_index> parents,
                                       const estimate_defaults& defaults);
std::vector<ownership_conflict> ownership_conflicts(const plan& p, const job_graph& rolling);
/// `g`: flattened with `options.defaults` in `options.mode`.
simulation_result simulate(const plan& p, const schedule_options& options, const job_graph& g);

} // namespace cohort::detail

#endif // COHORT_SRC_ANALYSIS_GRAPH_PASSES_HPP
