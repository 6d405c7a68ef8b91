// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/analysis/plan_analysis.hpp>

namespace cohort {

plan_analysis analyze(const plan& p, const plan_analysis_options& options) {
  plan_analysis r;
  r.projected = project(p, options.defaults);
  r.schedule = critical_path(p, options.defaults);
  r.groups = parallel_groups(p);
  r.layers = layers(p);
  r.waves = waves(p);
  if (options.budget) r.budget = split_budget(p, options.budget, options.reserve, {}, options.defaults);
  r.conflicts = ownership_conflicts(p);
  if (options.simulate) {
    r.simulated_with = options.simulate;
    r.simulated_with->defaults = options.defaults;
    r.simulated = simulate(p, *r.simulated_with);
  }
  return r;
}

} // namespace cohort
