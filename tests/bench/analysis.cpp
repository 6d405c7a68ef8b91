// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// Plan analysis benchmark: analyse + simulate a synthetic plan of about 100,000 tasks (10,000
// parents in layers of 50, 0-18 subtasks each, cross-parent subtask dependencies, some tasks
// done). Prints ms per step and the peak RSS; the goal is under 1 s in all. Release build:
//   cohort_bench_analysis            ~100,000 tasks
//   cohort_bench_analysis --quick    ~2,000 tasks (the CTest smoke run)
#include <cohort/analysis/analysis.hpp>
#include <cohort/analysis/simulation.hpp>

#include "../support/plan_shapes.hpp"

#include <fmt/core.h>

#include <sys/resource.h>

#include <chrono>
#include <cstring>

using clock_type = std::chrono::steady_clock;

namespace {

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux: KiB
}

// Runs `fn`, prints its time, returns it in ms.
template <class Fn>
double step(const char* what, Fn&& fn) {
  const auto t0 = clock_type::now();
  fn();
  const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
  fmt::print("{:<44} {:>9.1f} ms\n", what, ms);
  return ms;
}

} // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  cohort::plan p;
  step("build the plan (not counted)", [&] { p = cohort::shapes::random_plan(42, quick ? 200 : 10'000, 50, 18); });
  std::size_t edges = 0;
  for (const auto& t : p.tasks) edges += t.dependencies.size();
  fmt::print("plan: {} tasks, {} parents, {} dependencies\n", p.size(), p.parents.size(), edges);

  double total = 0;
  cohort::projections pr;
  cohort::simulation_result waves, rolling;
  total += step("topological order", [&] { (void)cohort::topological_order(p); });
  total += step("waves + parallel groups + layers", [&] {
    (void)cohort::waves(p);
    (void)cohort::parallel_groups(p);
    (void)cohort::layers(p);
  });
  total += step("critical path + slack", [&] { (void)cohort::critical_path(p); });
  total += step("projections", [&] { pr = cohort::project(p); });
  total += step("split_budget", [&] { (void)cohort::split_budget(p, 10'000'000, 100'000); });
  cohort::schedule_options o;
  o.max_running = 8;
  o.token_budget = 0;
  o.mode = cohort::wave_mode::waves;
  total += step("simulate K=8 waves", [&] { waves = cohort::simulate(p, o); });
  o.mode = cohort::wave_mode::rolling;
  o.max_per_parent = 4;
  o.token_budget = pr.tokens;  // all of it: every reservation is checked, nothing stalls
  o.launch_interval = std::chrono::milliseconds(1);
  total += step("simulate K=8 rolling, per-parent cap, budget", [&] { rolling = cohort::simulate(p, o); });
  fmt::print("{:<44} {:>9.1f} ms  (goal: under 1000 ms for 100,000 tasks)\n", "analyse + simulate", total);
  fmt::print("peak RSS {:.1f} MiB\n", peak_rss_mib());
  fmt::print("makespan: sequential {} ms, hierarchical {} ms, simulated waves {} ms, rolling {} ms "
             "({} unfinished)\n",
             pr.sequential.count(), pr.hierarchical.count(), waves.makespan.count(),
             rolling.makespan.count(), rolling.unfinished);
  return waves.unfinished == 0 && rolling.unfinished == 0 ? 0 : 1;
}
