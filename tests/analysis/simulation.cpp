// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/analysis/simulation.hpp>

#include "support/plan_shapes.hpp"

#include <cohort/core/error.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <vector>

using namespace std::chrono_literals;
using cohort::schedule_options;
using cohort::simulation_result;
using cohort::task_index;
using cohort::shapes::parent;
using cohort::shapes::sub;

namespace {

std::int64_t start(const simulation_result& r, task_index t) { return r.tasks[t].start->count(); }
std::int64_t launch(const simulation_result& r, task_index t) { return r.tasks[t].launch->count(); }
std::int64_t finish(const simulation_result& r, task_index t) { return r.tasks[t].finish->count(); }

// Parent "1" (estimated at `own`) with three independent 10 ms subtasks.
task_index three_jobs(cohort::plan& p, std::optional<cohort::shapes::ms> own = std::nullopt) {
  const task_index a = parent(p, "1", {}, own);
  for (int i = 1; i <= 3; ++i) sub(p, a, std::to_string(i), 10ms);
  return a;
}

// Every task that waits for `t` through the plan: its own dependencies and, for a subtask, its
// parent's. Checks that each finished before `t` started.
void check_dependencies(const cohort::plan& p, const simulation_result& r,
                        const std::vector<std::uint8_t>& fin, task_index t) {
  std::vector<task_index> deps(p.tasks[t].dependencies.begin(), p.tasks[t].dependencies.end());
  if (const auto q = p.tasks[t].parent) {
    deps.insert(deps.end(), p.tasks[*q].dependencies.begin(), p.tasks[*q].dependencies.end());
    BOOST_TEST(start(r, *q) <= launch(r, t));
  }
  for (task_index d : deps) {
    if (!fin[d]) BOOST_TEST(finish(r, d) <= launch(r, t), p.tasks[d].id << " before " << p.tasks[t].id);
  }
}

// Sweeps launches and finishes (finishes first at equal times): cap, per-parent cap, budget.
void check_capacity(const cohort::plan& p, const simulation_result& r, const schedule_options& o) {
  std::multimap<std::pair<std::int64_t, int>, task_index> timeline;  // (time, 0 finish / 1 start)
  for (task_index t = 0; t < p.size(); ++t) {
    if (!r.tasks[t].launch) continue;
    timeline.emplace(std::pair{launch(r, t), 1}, t);
    if (r.tasks[t].finish) timeline.emplace(std::pair{finish(r, t), 0}, t);
  }
  std::size_t running = 0;
  std::uint64_t reserved = 0, spent = 0;
  std::map<task_index, std::size_t> per_parent;
  for (const auto& [at, t] : timeline) {
    const std::uint64_t tokens = p.tasks[t].tokens.value_or(o.defaults.tokens);
    auto& mine = per_parent[p.tasks[t].parent.value_or(t)];
    if (at.second == 0) {
      --running, --mine, reserved -= tokens, spent += tokens;
      continue;
    }
    ++running, ++mine, reserved += tokens;
    BOOST_TEST(running <= o.max_running);
    if (o.max_per_parent) BOOST_TEST(mine <= o.max_per_parent);
    if (o.token_budget) BOOST_TEST(spent + reserved <= o.token_budget);
  }
  BOOST_TEST(spent == r.spent);
}

// Gaps between consecutive times of `ts` (sorted here) are at least `gap`.
void check_spacing(std::vector<std::int64_t> ts, std::int64_t gap) {
  std::sort(ts.begin(), ts.end());
  for (std::size_t i = 1; i < ts.size(); ++i) BOOST_TEST(ts[i] - ts[i - 1] >= gap);
}

void check_run(const cohort::plan& p, const schedule_options& o) {
  const auto r = cohort::simulate(p, o);
  const auto fin = cohort::finished_tasks(p);
  const auto wave = cohort::waves(p);
  std::vector<std::int64_t> launches, parent_starts;
  for (task_index t = 0; t < p.size(); ++t) {
    if (fin[t] || !r.tasks[t].start) continue;
    if (p.tasks[t].is_parent()) parent_starts.push_back(start(r, t));
    if (!r.tasks[t].launch) continue;
    check_dependencies(p, r, fin, t);
    launches.push_back(launch(r, t));
    if (o.mode != cohort::wave_mode::waves || p.tasks[t].is_parent()) continue;
    for (task_index s : p.tasks[*p.tasks[t].parent].subtasks) {  // the waves barrier
      if (wave[s] < wave[t] && !fin[s]) BOOST_TEST(finish(r, s) <= launch(r, t));
    }
  }
  check_capacity(p, r, o);
  check_spacing(launches, o.launch_interval.count());
  check_spacing(parent_starts, o.parent_stagger.count());
  BOOST_TEST(r.peak_running <= o.max_running);
  if (o.token_budget != 0) return;
  BOOST_TEST(r.unfinished == 0u);
  const auto pr = cohort::project(p, o.defaults);
  const auto work_over_k = pr.sequential.count() / static_cast<std::int64_t>(o.max_running);
  BOOST_TEST(r.makespan.count() >= std::max(pr.critical_path.count(), work_over_k));
}

} // namespace

BOOST_AUTO_TEST_SUITE(simulation)

BOOST_AUTO_TEST_CASE(without_limits_it_reaches_the_projections) {
  const cohort::plan p = cohort::shapes::seed_plan();
  schedule_options o;
  o.max_running = 1000;
  o.mode = cohort::wave_mode::waves;
  BOOST_TEST(cohort::simulate(p, o).makespan.count() == cohort::project(p).hierarchical.count());
  o.mode = cohort::wave_mode::rolling;
  BOOST_TEST(cohort::simulate(p, o).makespan.count() == cohort::project(p).critical_path.count());
  o.max_running = 1;
  BOOST_TEST(cohort::simulate(p, o).makespan.count() == cohort::project(p).sequential.count());
}

BOOST_AUTO_TEST_CASE(a_parents_own_command_takes_a_slot_after_its_subtasks) {
  cohort::plan p;
  const task_index a = three_jobs(p, 7ms);
  p.tasks[a].argv = {"link"};
  const task_index b = parent(p, "2", {a}, 1ms);
  schedule_options o;
  o.max_running = 2;
  const auto r = cohort::simulate(p, o);
  BOOST_TEST(r.launches == 5u);
  BOOST_TEST(finish(r, a) == 27);  // 10 + 10 (two at a time), then its own 7
  BOOST_TEST(finish(r, b) == 28);
  o.max_running = 1000;
  BOOST_TEST(cohort::simulate(p, o).makespan.count() == cohort::project(p).critical_path.count());
}

BOOST_AUTO_TEST_CASE(the_cap_queues_work) {
  cohort::plan p;
  const task_index a = three_jobs(p);
  schedule_options o;
  o.max_running = 2;
  const auto r = cohort::simulate(p, o);
  BOOST_TEST(r.makespan.count() == 20);
  BOOST_TEST(r.peak_running == 2u);
  BOOST_TEST(r.launches == 3u);
  BOOST_TEST(finish(r, a) == 20);
}

BOOST_AUTO_TEST_CASE(the_launch_overhead_lengthens_every_job) {
  cohort::plan p;
  const task_index a = three_jobs(p);
  schedule_options o;
  o.max_running = 2;
  o.launch_overhead = 2ms;  // two jobs of 12 ms, then one more
  const auto r = cohort::simulate(p, o);
  BOOST_TEST(r.makespan.count() == 24);
  BOOST_TEST(finish(r, a) == 24);
}

BOOST_AUTO_TEST_CASE(parents_start_one_stagger_apart_and_launches_one_interval_apart) {
  cohort::plan p;
  for (int i = 1; i <= 3; ++i) parent(p, std::to_string(i), {}, 10ms);
  schedule_options o;
  o.parent_stagger = 5ms;
  auto r = cohort::simulate(p, o);
  BOOST_TEST(start(r, 0) == 0);
  BOOST_TEST(start(r, 1) == 5);
  BOOST_TEST(start(r, 2) == 10);
  BOOST_TEST(r.makespan.count() == 20);
  o.parent_stagger = 0ms;
  o.launch_interval = 3ms;
  r = cohort::simulate(p, o);
  BOOST_TEST(launch(r, 2) == 6);
}

BOOST_AUTO_TEST_CASE(the_budget_head_blocks_without_barging) {
  cohort::plan p;  // A 30 ms / 50 tokens, B 20 ms / 60 tokens, C 5 ms / 10 tokens: ready order A, B, C
  const task_index a = parent(p, "A", {}, 30ms);
  const task_index b = parent(p, "B", {}, 20ms);
  const task_index c = parent(p, "C", {}, 5ms);
  p.tasks[a].tokens = 50;
  p.tasks[b].tokens = 60;
  p.tasks[c].tokens = 10;
  schedule_options o;
  o.token_budget = 100;
  const auto r = cohort::simulate(p, o);
  BOOST_TEST(start(r, a) == 0);
  BOOST_TEST(!r.tasks[b].launch);  // 50 + 60 > 100, then 50 spent + 60 > 100
  BOOST_TEST(!r.tasks[c].launch);  // would fit beside A, but B is the head
  BOOST_TEST(r.unfinished == 2u);
  BOOST_TEST(r.budget_exhausted);
  BOOST_TEST(r.spent == 50u);
  o.token_budget = 120;  // B fits beside A; C waits for nothing then
  const auto r2 = cohort::simulate(p, o);
  BOOST_TEST(r2.unfinished == 0u);
  BOOST_TEST(r2.peak_reserved == 120u);
  BOOST_TEST(start(r2, c) == 0);
}

BOOST_AUTO_TEST_CASE(the_per_parent_cap_leaves_other_parents_alone) {
  cohort::plan p;
  const task_index a = parent(p, "1");
  for (int i = 1; i <= 4; ++i) sub(p, a, std::to_string(i), 10ms);
  const task_index b = parent(p, "2", {}, 5ms);
  schedule_options o;
  o.max_per_parent = 1;
  const auto r = cohort::simulate(p, o);
  BOOST_TEST(r.makespan.count() == 40);
  BOOST_TEST(start(r, b) == 0);  // stepped past the parked subtasks of 1
}

BOOST_AUTO_TEST_CASE(waves_mode_waits_for_the_whole_earlier_wave) {
  cohort::plan p;
  const task_index a = parent(p, "1");
  sub(p, a, "1", 10ms);
  const task_index two = sub(p, a, "2", 1ms);
  const task_index three = sub(p, a, "3", 1ms, {two});
  schedule_options o;
  BOOST_TEST(start(cohort::simulate(p, o), three) == 1);
  o.mode = cohort::wave_mode::waves;
  BOOST_TEST(start(cohort::simulate(p, o), three) == 10);
}

BOOST_AUTO_TEST_CASE(invariants_hold_on_random_plans) {
  for (std::uint32_t seed = 1; seed <= 12; ++seed) {
    const cohort::plan p = cohort::shapes::random_plan(seed, 30);
    schedule_options o;
    o.max_running = 1 + seed % 6;
    o.max_per_parent = seed % 3;
    o.mode = seed % 2 ? cohort::wave_mode::waves : cohort::wave_mode::rolling;
    o.order = seed % 4 == 3 ? cohort::ready_order::fifo : cohort::ready_order::longest_path;
    o.launch_interval = std::chrono::milliseconds(seed % 3);
    o.parent_stagger = std::chrono::milliseconds(seed % 5 * 4);
    BOOST_TEST_CONTEXT("seed " << seed) {
      check_run(p, o);
      o.token_budget = 20'000 + seed * 1'000;  // runs out part way
      check_run(p, o);
    }
  }
}

BOOST_AUTO_TEST_CASE(longest_path_first_beats_fifo_on_the_trap) {
  for (const bool chain_first : {false, true}) {
    const cohort::plan p = cohort::shapes::trap_plan(chain_first);
    schedule_options o;
    const auto best = cohort::simulate(p, o);
    o.order = cohort::ready_order::fifo;
    const auto fifo = cohort::simulate(p, o);
    BOOST_TEST_CONTEXT("chain first: " << chain_first) {
      // The chain runs from t=0 beside 7 slots of shorts: 140 shorts by 400 ms, 180 left on 8.
      BOOST_TEST(best.makespan.count() == 860);
      // FIFO: the chain's next step queues behind the shorts that were ready before it.
      BOOST_TEST(fifo.makespan.count() >= 1100, "fifo " << fifo.makespan.count());
    }
  }
}

BOOST_AUTO_TEST_CASE(rejects_a_zero_cap) {
  schedule_options o;
  o.max_running = 0;
  BOOST_CHECK_THROW(cohort::simulate(cohort::shapes::seed_plan(), o), cohort::system_error);
}

BOOST_AUTO_TEST_SUITE_END()
