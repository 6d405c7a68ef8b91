// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "executor_order.hpp"

#include <cohort/error.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace cohort::detail {
namespace {

int priority_rank(const std::string& p) {
  if (p == "high") return 3;
  if (p == "medium") return 2;
  if (p == "low") return 1;
  return 0;
}

// The jobs a dependency on `x` stands for: its subtasks, or itself.
std::vector<task_index> jobs_of(const plan& p, task_index x) {
  const auto& t = p.tasks[x];
  return t.subtasks.empty() ? std::vector<task_index>{x} : t.subtasks;
}

// waiters[d]: the jobs that wait for job d.
std::vector<std::vector<task_index>> job_waiters(const plan& p) {
  std::vector<std::vector<task_index>> waiters(p.tasks.size());
  auto add = [&](task_index job, task_index dep) {
    if (dep == p.tasks[job].parent) return;
    for (task_index d : jobs_of(p, dep)) waiters[d].push_back(job);
  };
  for (task_index j = 0; j < p.tasks.size(); ++j) {
    const auto& t = p.tasks[j];
    if (t.is_parent() && !t.subtasks.empty()) continue;  // not a job
    for (task_index d : t.dependencies) add(j, d);
    if (t.parent) {
      for (task_index d : p.tasks[*t.parent].dependencies) add(j, d);
    }
  }
  return waiters;
}

} // namespace

std::vector<int> launch_priorities(const plan& p, std::chrono::milliseconds default_duration) {
  const std::size_t n = p.tasks.size();
  const auto waiters = job_waiters(p);
  // Kahn's algorithm from the sinks: a job's remaining path needs its waiters' first.
  std::vector<std::size_t> pending(n, 0);
  for (task_index d = 0; d < n; ++d) pending[d] = waiters[d].size();
  std::vector<std::vector<task_index>> deps_of(n);
  for (task_index d = 0; d < n; ++d) {
    for (task_index w : waiters[d]) deps_of[w].push_back(d);
  }
  std::vector<task_index> ready;
  for (task_index i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  std::vector<std::int64_t> remaining(n, 0);
  std::size_t done = 0;
  while (!ready.empty()) {
    const task_index j = ready.back();
    ready.pop_back();
    ++done;
    const auto& t = p.tasks[j];
    const auto own = is_finished(t.status) ? 0 : t.duration.value_or(default_duration).count();
    std::int64_t longest = 0;
    for (task_index w : waiters[j]) longest = std::max(longest, remaining[w]);
    remaining[j] = own + longest;
    for (task_index d : deps_of[j]) {
      if (--pending[d] == 0) ready.push_back(d);
    }
  }
  if (done != n) throw system_error(errc::invalid_argument, "cohort: the plan has a dependency cycle");
  std::vector<task_index> order(n);
  std::iota(order.begin(), order.end(), task_index{0});
  std::stable_sort(order.begin(), order.end(), [&](task_index a, task_index b) {
    if (remaining[a] != remaining[b]) return remaining[a] > remaining[b];
    return priority_rank(p.tasks[a].priority) > priority_rank(p.tasks[b].priority);
  });
  std::vector<int> priority(n);
  for (std::size_t rank = 0; rank < n; ++rank) priority[order[rank]] = static_cast<int>(n - rank);
  return priority;
}

std::vector<std::vector<task_index>> waves_of(const plan& p, task_index parent) {
  const auto& subtasks = p.tasks[parent].subtasks;
  std::vector<std::size_t> depth(p.tasks.size(), 0);
  std::vector<bool> known(p.tasks.size(), false);
  // Depth by repeated relaxation in file order; siblings are few, and cycles were refused.
  for (std::size_t round = 0; round <= subtasks.size(); ++round) {
    bool changed = false;
    for (task_index s : subtasks) {
      std::size_t d = 0;
      for (task_index dep : p.tasks[s].dependencies) {
        if (p.tasks[dep].parent == parent) d = std::max(d, depth[dep] + 1);
      }
      if (!known[s] || d != depth[s]) changed = true;
      depth[s] = d;
      known[s] = true;
    }
    if (!changed) break;
  }
  std::vector<std::vector<task_index>> waves;
  for (task_index s : subtasks) {
    if (depth[s] >= waves.size()) waves.resize(depth[s] + 1);
    waves[depth[s]].push_back(s);
  }
  return waves;
}

} // namespace cohort::detail
