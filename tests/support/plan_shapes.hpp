// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_TESTS_SUPPORT_PLAN_SHAPES_HPP
#define COHORT_TESTS_SUPPORT_PLAN_SHAPES_HPP

// Plans built in code for the analysis, simulation, ownership and render suites and the
// analysis benchmark: a small builder, the seed's example plan, the benchmark's trap, and
// seeded random layered DAGs. Header-only, no Boost.Test.

#include <cohort/plan/plan.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace cohort::shapes {

using ms = std::chrono::milliseconds;

/// Adds a parent; `deps` are indexes of tasks added before.
inline task_index parent(plan& p, std::string id, const std::vector<task_index>& deps = {},
                         std::optional<ms> duration = std::nullopt) {
  task t;
  t.id = std::move(id);
  t.duration = duration;
  const task_index i = p.add_parent(std::move(t));
  for (task_index d : deps) p.add_dependency(i, d);
  return i;
}

/// Adds subtask `<parent>.<local>` lasting `duration`, waiting for `deps`.
inline task_index sub(plan& p, task_index of, const std::string& local, ms duration,
                      const std::vector<task_index>& deps = {},
                      std::optional<std::uint64_t> tokens = std::nullopt) {
  task t;
  t.id = local;
  t.duration = duration;
  t.tokens = tokens;
  const task_index i = p.add_subtask(of, std::move(t));
  for (task_index d : deps) p.add_dependency(i, d);
  return i;
}

/// One parent of the seed: wave sizes and the duration of every subtask of each wave (minutes).
/// Wave 2 subtask j waits for wave-1 subtask j mod size; wave 3 waits for all of wave 2.
struct seed_parent {
  int id;
  std::array<int, 3> sizes;
  std::array<int, 3> minutes;
};

/// The seed's TaskMasterWebIntegration plan: 1 -> ... -> 11 -> {12, 13, 14} -> 15 -> 16 -> 17;
/// 1 and 2 done; subtask counts and per-parent wave times as the research note gives them (its
/// "parallel" minutes); 10,000 tokens per subtask. Waves-only: 445 min; hierarchical: 385 min.
inline plan seed_plan() {
  static constexpr std::array<seed_parent, 17> parents{{
      {1, {2, 1, 1}, {10, 10, 10}},  {2, {2, 1, 1}, {10, 10, 10}},  {3, {6, 2, 2}, {10, 10, 10}},
      {4, {3, 2, 1}, {10, 10, 10}},  {5, {3, 2, 1}, {10, 10, 10}},  {6, {2, 2, 1}, {10, 10, 5}},
      {7, {4, 2, 1}, {15, 10, 10}},  {8, {1, 2, 1}, {10, 5, 5}},    {9, {3, 2, 1}, {10, 10, 10}},
      {10, {2, 2, 1}, {10, 10, 5}},  {11, {3, 2, 1}, {10, 10, 10}}, {12, {3, 2, 1}, {10, 10, 10}},
      {13, {4, 2, 1}, {15, 10, 10}}, {14, {3, 2, 1}, {10, 10, 10}}, {15, {4, 2, 2}, {15, 15, 10}},
      {16, {4, 2, 1}, {15, 10, 10}}, {17, {1, 2, 1}, {10, 5, 5}},
  }};
  plan p;
  std::vector<task_index> idx;
  for (const seed_parent& sp : parents) {
    std::vector<task_index> deps;
    if (sp.id >= 2 && sp.id <= 12) deps = {idx.back()};
    if (sp.id == 13 || sp.id == 14) deps = {idx[10]};
    if (sp.id == 15) deps = {idx[11], idx[12], idx[13]};
    if (sp.id >= 16) deps = {idx.back()};
    const task_index q = parent(p, std::to_string(sp.id), deps);
    idx.push_back(q);
    std::vector<std::vector<task_index>> wave(3);
    int k = 1;
    for (std::size_t w = 0; w < 3; ++w) {
      for (int j = 0; j < sp.sizes[w]; ++j) {
        std::vector<task_index> on;
        if (w == 1) on = {wave[0][static_cast<std::size_t>(j) % wave[0].size()]};
        if (w == 2) on = wave[1];
        wave[w].push_back(sub(p, q, std::to_string(k++), std::chrono::minutes(sp.minutes[w]), on,
                              10'000));
      }
    }
    if (sp.id <= 2) p.tasks[q].status = task_status::done;
  }
  return p;
}

// "<prefix><n>" (built in place: g++ 12 warns falsely on `"w" + std::to_string(n)` at -O3).
inline std::string numbered(const char* prefix, int n) {
  std::string id = prefix;
  id += std::to_string(n);
  return id;
}

/// The benchmark's trap: `wide` parents of `size` independent `short_ms` jobs, and `chain`
/// parents forming one chain of `chain_len` x `chain_ms` jobs each; the chain listed last (the
/// `trap` workload) or first (`trapfirst`).
inline plan trap_plan(bool chain_first = false, int wide = 16, int size = 20, int short_ms = 20,
                      int chain = 2, int chain_len = 4, int chain_ms = 50) {
  plan p;
  auto add_wide = [&] {
    for (int i = 0; i < wide; ++i) {
      const task_index q = parent(p, numbered("w", i + 1));
      for (int j = 0; j < size; ++j) sub(p, q, std::to_string(j + 1), ms(short_ms));
    }
  };
  auto add_chain = [&] {
    std::optional<task_index> prev;
    for (int c = 0; c < chain; ++c) {
      const task_index q = parent(p, numbered("c", c + 1));
      if (prev) p.add_dependency(q, *prev);
      std::optional<task_index> last;
      for (int j = 0; j < chain_len; ++j) {
        last = sub(p, q, std::to_string(j + 1), ms(chain_ms),
                   last ? std::vector<task_index>{*last} : std::vector<task_index>{});
      }
      prev = q;
    }
  };
  if (chain_first) add_chain();
  add_wide();
  if (!chain_first) add_chain();
  return p;
}

/// A random layered DAG: `parents` parents in layers of `width`, each waiting for 1-3 parents of
/// the layer before, 1-`max_subs` subtasks in up to 3 sibling waves, durations 1-100 ms, tokens
/// 1-1000, random priorities, about one subtask in 20 with a cross-parent dependency on a
/// subtask of an earlier layer, and about one task in 10 already done. Same seed, same plan.
inline plan random_plan(std::uint32_t seed, std::size_t parents, std::size_t width = 4,
                        int max_subs = 8) {
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  static constexpr std::array<const char*, 4> priorities{"", "low", "medium", "high"};
  plan p;
  std::vector<task_index> prev_layer, layer, earlier_subs, layer_subs;
  for (std::size_t i = 0; i < parents; ++i) {
    if (i % width == 0) {
      prev_layer = std::move(layer);
      layer.clear();
      earlier_subs.insert(earlier_subs.end(), layer_subs.begin(), layer_subs.end());
      layer_subs.clear();
    }
    std::vector<task_index> deps;
    for (int k = prev_layer.empty() ? 0 : pick(1, 3); k > 0; --k) {
      deps.push_back(prev_layer[static_cast<std::size_t>(pick(0, int(prev_layer.size()) - 1))]);
    }
    const task_index q = parent(p, std::to_string(i + 1), deps, ms(pick(1, 100)));
    p.tasks[q].text.set_priority(priorities[static_cast<std::size_t>(pick(0, 3))]);
    p.tasks[q].tokens = static_cast<std::uint64_t>(pick(1, 1000));
    layer.push_back(q);
    const int n = pick(0, max_subs);
    std::vector<task_index> subs;
    for (int j = 0; j < n; ++j) {
      std::vector<task_index> on;
      if (!subs.empty() && pick(0, 2) > 0) on.push_back(subs[static_cast<std::size_t>(pick(0, int(subs.size()) - 1))]);
      if (!earlier_subs.empty() && pick(0, 19) == 0) {
        on.push_back(earlier_subs[static_cast<std::size_t>(pick(0, int(earlier_subs.size()) - 1))]);
      }
      const task_index s = sub(p, q, std::to_string(j + 1), ms(pick(1, 100)), on,
                               static_cast<std::uint64_t>(pick(1, 1000)));
      p.tasks[s].text.set_priority(priorities[static_cast<std::size_t>(pick(0, 3))]);
      if (pick(0, 9) == 0) p.tasks[s].status = task_status::done;
      subs.push_back(s);
      layer_subs.push_back(s);
    }
    if (pick(0, 19) == 0) p.tasks[q].status = task_status::done;
  }
  return p;
}

} // namespace cohort::shapes

#endif // COHORT_TESTS_SUPPORT_PLAN_SHAPES_HPP
