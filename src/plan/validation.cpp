// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/plan/validation.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <span>
#include <utility>
#include <vector>

namespace cohort {

std::string to_string(const diagnostic& d) {
  std::string out = d.file.empty() ? std::string("<text>") : d.file;
  if (d.line != 0) out += fmt::format(":{}:{}", d.line, d.column);
  out += d.severity == severity::error ? ": error: " : ": warning: ";
  if (!d.tag.empty()) out += fmt::format("tag '{}': ", d.tag);
  if (!d.task.empty()) out += fmt::format("task {}: ", d.task);
  out += d.message;
  return out;
}

bool has_errors(const std::vector<diagnostic>& ds) noexcept {
  return std::any_of(ds.begin(), ds.end(),
                     [](const diagnostic& d) { return d.severity == severity::error; });
}

std::string error_text(const std::vector<diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) {
    if (d.severity != severity::error) continue;
    if (!out.empty()) out += '\n';
    out += to_string(d);
  }
  return out;
}

void throw_if_errors(const std::vector<diagnostic>& ds) {
  if (has_errors(ds)) throw system_error(errc::plan_invalid, error_text(ds));
}

namespace {

// The wait-for graph of a plan, read from the plan's own lists (a copy of its edges was 100 MB of
// temporaries on a million tasks, each loaded plan searched once). Task i has two nodes: 2i is
// the task itself (for a parent: its start), 2i+1 is a parent's end (no edges for a subtask). An
// edge u -> v means "u waits for v". Structural edges (a subtask waits for its parent's start; a
// parent's end waits for its start and its subtasks) cannot be removed; dependency edges carry
// the task and the dependency. A node's edges, in order: a task's dependencies, then (a subtask)
// its parent's start; a parent's end: its start, then its subtasks.
using node_id = std::uint32_t;  // a plan of n tasks has 2n nodes (fewer than 2^32: checked)

struct edge {
  node_id to;
  task_index from_task = no_task;
  task_index dependency = no_task;
  static constexpr task_index no_task = static_cast<task_index>(-1);
  bool is_dependency() const noexcept { return from_task != no_task; }
};

class wait_graph {
public:
  explicit wait_graph(const plan& p) : p_(p) {
    COHORT_ASSERT(p.size() < std::numeric_limits<node_id>::max() / 2);
  }
  std::size_t size() const noexcept { return 2 * p_.size(); }
  std::size_t degree(node_id n) const noexcept {
    const task& t = p_.tasks[n / 2];
    if (n % 2 == 0) return t.dependencies.size() + (t.parent ? 1 : 0);
    return t.parent ? 0 : 1 + t.subtasks.size();
  }
  /// Edge `k` of node `n` (`k < degree(n)`).
  edge at(node_id n, std::size_t k) const noexcept {
    const task_index i = n / 2;
    const task& t = p_.tasks[i];
    if (n % 2 == 1) return edge{k == 0 ? 2 * i : 2 * t.subtasks[k - 1]};
    if (k == t.dependencies.size()) return edge{2 * *t.parent};
    const task_index d = t.dependencies[k];
    return edge{p_.tasks[d].is_parent() ? 2 * d + 1 : 2 * d, i, d};
  }

private:
  const plan& p_;
};

// A cycle found by the depth-first search: the nodes from the back edge's target to its source,
// and the edges between them (edges[k] leaves nodes[k]; the last one is the back edge).
struct cycle {
  std::vector<node_id> nodes;
  std::vector<edge> edges;
};

std::string cycle_path(const plan& p, const cycle& c) {
  std::vector<std::string_view> ids;
  for (node_id n : c.nodes) {
    std::string_view id = p.tasks[n / 2].id;
    if (ids.empty() || ids.back() != id) ids.push_back(id);
  }
  if (ids.size() > 1 && ids.front() == ids.back()) ids.pop_back();
  return describe_cycle(ids);
}

} // namespace

std::string describe_cycle(const std::vector<std::string_view>& ids) {
  if (ids.empty()) return {};
  constexpr std::size_t shown = 12, head = 5, tail = 2;
  if (ids.size() <= shown) return fmt::format("{} -> {}", fmt::join(ids, " -> "), ids.front());
  const std::vector<std::string_view> first(ids.begin(), ids.begin() + head);
  const std::vector<std::string_view> last(ids.end() - tail, ids.end());
  return fmt::format("{} -> ... -> {} -> {} (a cycle of {} tasks)", fmt::join(first, " -> "),
                     fmt::join(last, " -> "), ids.front(), ids.size());
}

namespace {

bool all_finished(const plan& p, const cycle& c) {
  return std::all_of(c.nodes.begin(), c.nodes.end(),
                     [&](node_id n) { return is_finished(p.tasks[n / 2].status); });
}

// Iterative depth-first search that reports, for every back edge, the cycle it closes.
class cycle_finder {
public:
  explicit cycle_finder(const wait_graph& g) : g_(g), state_(g.size(), 0), pos_(g.size(), 0) {}

  template <class OnCycle>
  void run(OnCycle on_cycle) {
    for (std::size_t root = 0; root < g_.size(); ++root) {
      if (state_[root] == 0) visit(static_cast<node_id>(root), on_cycle);
    }
  }

private:
  struct frame {
    node_id node;
    std::size_t next = 0;
  };

  template <class OnCycle>
  void visit(node_id root, OnCycle& on_cycle) {
    push(root);
    while (!stack_.empty()) {
      frame& f = stack_.back();
      if (f.next == g_.degree(f.node)) {
        state_[f.node] = 2;
        stack_.pop_back();
        continue;
      }
      const edge e = g_.at(f.node, f.next++);
      if (state_[e.to] == 0) push(e.to);
      else if (state_[e.to] == 1) on_cycle(make_cycle(e));
    }
  }

  void push(node_id n) {
    state_[n] = 1;
    pos_[n] = static_cast<node_id>(stack_.size());
    stack_.push_back({n});
  }

  cycle make_cycle(const edge& back) const {
    cycle c;
    for (std::size_t k = pos_[back.to]; k < stack_.size(); ++k) {
      c.nodes.push_back(stack_[k].node);
      c.edges.push_back(g_.at(stack_[k].node, stack_[k].next - 1));
    }
    c.edges.back() = back;
    return c;
  }

  const wait_graph& g_;
  std::vector<unsigned char> state_;  // 0 unvisited, 1 on the stack, 2 done
  std::vector<node_id> pos_;          // index in stack_ while on it
  std::vector<frame> stack_;
};

using edge_key = std::pair<task_index, task_index>;  // (task, dependency)

std::string cycle_message(const plan& p, const std::string& path, edge_key cut, bool finished,
                          broken_edges policy) {
  const auto& from = p.tasks[cut.first].id;
  const auto& to = p.tasks[cut.second].id;
  if (finished)
    return fmt::format("dependency cycle {} between finished tasks blocks nothing; "
                       "ignoring the dependency of {} on {}", path, from, to);
  if (policy == broken_edges::drop)
    return fmt::format("dependency cycle {}: dropped the dependency of {} on {}", path, from, to);
  return fmt::format("dependency cycle {}", path);
}

// One search over the graph; returns the dependency edges that break every cycle it found.
std::set<edge_key> find_cuts(plan& p, broken_edges policy, const diagnostic& context,
                             std::vector<diagnostic>& out) {
  const wait_graph g(p);
  std::set<edge_key> cuts;
  cycle_finder(g).run([&](const cycle& c) {
    for (const edge& e : c.edges)
      if (e.is_dependency() && cuts.count({e.from_task, e.dependency})) return;  // already broken
    auto last = std::find_if(c.edges.rbegin(), c.edges.rend(),
                             [](const edge& e) { return e.is_dependency(); });
    COHORT_ASSERT(last != c.edges.rend());  // structural edges alone form no cycle
    const edge_key cut{last->from_task, last->dependency};
    cuts.insert(cut);
    const bool finished = all_finished(p, c);
    diagnostic d = context;
    d.severity = finished || policy == broken_edges::drop ? severity::warning : severity::error;
    d.task = p.tasks[cut.first].id;
    d.reference = cycle_path(p, c);
    d.message = cycle_message(p, d.reference, cut, finished, policy);
    out.push_back(std::move(d));
  });
  return cuts;
}

} // namespace

std::size_t break_cycles(plan& p, broken_edges policy, const diagnostic& context,
                         std::vector<diagnostic>& out) {
  std::size_t removed = 0;
  for (;;) {
    const auto cuts = find_cuts(p, policy, context, out);
    if (cuts.empty()) return removed;
    for (const auto& [t, d] : cuts) {
      auto& deps = p.tasks[t].dependencies;
      deps.erase(std::remove(deps.begin(), deps.end(), d), deps.end());
    }
    removed += cuts.size();
  }
}

} // namespace cohort
