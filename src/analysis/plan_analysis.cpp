// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/analysis/plan_analysis.hpp>

#include "graph_passes.hpp"

#include <span>
#include <utility>

namespace cohort {

// Each analysis alone flattens the plan; together they share one flattening (and one
// topological order, one wave computation): on a million tasks a flattening is a pass over it
// all. The rolling graph's passes run first; then its wave barriers are added to it in place for
// the passes that need them, so that one graph (~100 MB on a million tasks) is held at a time.
plan_analysis analyze(const plan& p, const plan_analysis_options& options) {
  plan_analysis r;
  if (options.simulate) {
    r.simulated_with = options.simulate;
    r.simulated_with->defaults = options.defaults;
  }
  const bool simulate_waves = options.simulate && options.simulate->mode == wave_mode::waves;
  job_graph rolling = flatten(p, options.defaults);
  {
    const auto order = topological_nodes(p, rolling);  // throws on a cycle, naming it
    r.waves = waves(p);
    r.projected = detail::project(p, rolling, order, r.waves);
    r.schedule = detail::critical_path(rolling, order);
    r.layers = detail::layers(p, rolling, order);
  }
  const std::span<const std::uint8_t> finished(rolling.finished.data(), rolling.task_count);
  r.groups = detail::parallel_groups(p, finished);
  if (options.budget) {
    r.budget = detail::split_budget(p, finished, options.budget, options.reserve, {}, options.defaults);
  }
  r.conflicts = detail::ownership_conflicts(p, rolling);
  if (options.simulate && !simulate_waves) r.simulated = detail::simulate(p, *r.simulated_with, rolling);
  const job_graph waved = detail::with_waves(p, std::move(rolling), r.waves);
  r.projected.hierarchical = detail::hierarchical(p, waved);
  if (simulate_waves) r.simulated = detail::simulate(p, *r.simulated_with, waved);
  return r;
}

} // namespace cohort
