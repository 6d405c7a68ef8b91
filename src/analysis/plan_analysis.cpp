// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/analysis/plan_analysis.hpp>

#include "graph_passes.hpp"

#include <span>

namespace cohort {

// Each analysis alone flattens the plan; together they share one graph per mode (and one
// topological order, one wave computation): on a million tasks a flattening is a pass over it
// all. The graph with wave barriers is the larger one and the fewest passes need it: they run
// first, and it is gone before the passes whose results stay (the peak is one graph fewer).
plan_analysis analyze(const plan& p, const plan_analysis_options& options) {
  plan_analysis r;
  const job_graph rolling = flatten(p, options.defaults);
  const auto order = topological_nodes(p, rolling);  // throws on a cycle, naming it
  r.waves = waves(p);
  if (options.simulate) {
    r.simulated_with = options.simulate;
    r.simulated_with->defaults = options.defaults;
  }
  const bool simulate_waves = options.simulate && options.simulate->mode == wave_mode::waves;
  {
    const job_graph waved = detail::with_waves(p, rolling, r.waves);
    r.projected = detail::project(p, rolling, order, r.waves, waved);
    if (simulate_waves) r.simulated = detail::simulate(p, *r.simulated_with, waved);
  }
  const std::span<const std::uint8_t> finished(rolling.finished.data(), rolling.task_count);
  r.schedule = detail::critical_path(rolling, order);
  r.groups = detail::parallel_groups(p, finished);
  r.layers = detail::layers(p, rolling, order);
  if (options.budget) {
    r.budget = detail::split_budget(p, finished, options.budget, options.reserve, {}, options.defaults);
  }
  r.conflicts = detail::ownership_conflicts(p, rolling);
  if (options.simulate && !simulate_waves) r.simulated = detail::simulate(p, *r.simulated_with, rolling);
  return r;
}

} // namespace cohort
