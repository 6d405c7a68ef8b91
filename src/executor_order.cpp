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

// The graph the remaining paths run over, linear in the plan's size. Nodes 0..n-1 are the tasks:
// a job (a subtask, or a parent without subtasks) takes its duration; a parent with subtasks is
// its "join" (zero time, complete when its subtasks are). Nodes n.. are the "starts" of parents
// with subtasks (zero time): a parent's dependencies lead to its start, its start to its
// subtasks. So a dependency on a parent costs one edge, not one per subtask.
struct job_graph {
  std::vector<std::vector<task_index>> waiters;  // waiters[x]: nodes that wait for x
  std::vector<std::int64_t> duration;
};

job_graph make_graph(const plan& p, std::chrono::milliseconds default_duration) {
  const std::size_t n = p.tasks.size();
  job_graph g;
  g.waiters.resize(n);
  g.duration.assign(n, 0);
  constexpr task_index none = static_cast<task_index>(-1);
  std::vector<task_index> start(n, none);  // the start node of each parent with subtasks
  for (task_index i = 0; i < n; ++i) {
    const auto& t = p.tasks[i];
    if (t.is_parent() && !t.subtasks.empty()) {
      start[i] = g.waiters.size();
      g.waiters.emplace_back(t.subtasks.begin(), t.subtasks.end());
      g.duration.push_back(0);
      for (task_index s : t.subtasks) g.waiters[s].push_back(i);  // the join waits for it
    } else if (!is_finished(t.status)) {
      g.duration[i] = t.duration.value_or(default_duration).count();
    }
  }
  for (task_index i = 0; i < n; ++i) {
    const auto& t = p.tasks[i];
    const task_index waiter = start[i] != none ? start[i] : i;
    for (task_index d : t.dependencies) {
      if (d != t.parent) g.waiters[d].push_back(waiter);
    }
  }
  return g;
}

} // namespace

std::vector<int> launch_priorities(const plan& p, std::chrono::milliseconds default_duration) {
  const std::size_t n = p.tasks.size();
  const job_graph g = make_graph(p, default_duration);
  const std::size_t nodes = g.waiters.size();
  // Kahn's algorithm from the sinks: a node's remaining path needs its waiters' first.
  std::vector<std::size_t> pending(nodes, 0);
  std::vector<std::vector<task_index>> deps_of(nodes);
  for (task_index d = 0; d < nodes; ++d) {
    pending[d] = g.waiters[d].size();
    for (task_index w : g.waiters[d]) deps_of[w].push_back(d);
  }
  std::vector<task_index> ready;
  for (task_index i = 0; i < nodes; ++i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  std::vector<std::int64_t> remaining(nodes, 0);
  std::size_t done = 0;
  while (!ready.empty()) {
    const task_index j = ready.back();
    ready.pop_back();
    ++done;
    std::int64_t longest = 0;
    for (task_index w : g.waiters[j]) longest = std::max(longest, remaining[w]);
    remaining[j] = g.duration[j] + longest;
    for (task_index d : deps_of[j]) {
      if (--pending[d] == 0) ready.push_back(d);
    }
  }
  if (done != nodes) {
    throw system_error(errc::invalid_argument, "cohort: the plan has a dependency cycle");
  }
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
