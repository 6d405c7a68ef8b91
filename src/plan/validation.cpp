// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/plan/validation.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
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

// The wait-for graph of a plan. Task i has two nodes: 2i is the task itself (for a parent: its
// start), 2i+1 is a parent's end (unused for a subtask). An edge u -> v means "u waits for v".
// Structural edges (a subtask waits for its parent's start; a parent's end waits for its start
// and its subtasks) cannot be removed; dependency edges carry the task and the dependency.
struct edge {
  std::size_t to;
  task_index from_task = no_task;
  task_index dependency = no_task;
  static constexpr task_index no_task = static_cast<task_index>(-1);
  bool is_dependency() const noexcept { return from_task != no_task; }
};

// Compressed rows: node n's edges are `edges[begin[n]..begin[n+1])`, in the order they were added
// (one allocation for the whole graph: on a million tasks a vector per node cost more than the search).
struct graph {
  std::vector<std::size_t> begin;
  std::vector<edge> edges;
  std::size_t size() const noexcept { return begin.size() - 1; }
  std::span<const edge> operator[](std::size_t n) const noexcept {
    return {edges.data() + begin[n], begin[n + 1] - begin[n]};
  }
};

std::size_t target_node(const plan& p, task_index d) { return p.tasks[d].is_parent() ? 2 * d + 1 : 2 * d; }

// Calls `add(node, edge)` for every edge, each node's in order.
template <class Add>
void for_each_edge(const plan& p, Add add) {
  for (task_index i = 0; i < p.size(); ++i) {
    const task& t = p.tasks[i];
    for (task_index d : t.dependencies) add(2 * i, edge{target_node(p, d), i, d});
    if (t.parent) {
      add(2 * i, edge{2 * *t.parent});
    } else {
      add(2 * i + 1, edge{2 * i});
      for (task_index s : t.subtasks) add(2 * i + 1, edge{2 * s});
    }
  }
}

graph build_graph(const plan& p) {
  graph g;
  g.begin.assign(2 * p.size() + 1, 0);
  for_each_edge(p, [&](std::size_t n, const edge&) { ++g.begin[n + 1]; });
  std::partial_sum(g.begin.begin(), g.begin.end(), g.begin.begin());
  g.edges.resize(g.begin.back());
  std::vector<std::size_t> fill(g.begin.begin(), g.begin.end() - 1);
  for_each_edge(p, [&](std::size_t n, const edge& e) { g.edges[fill[n]++] = e; });
  return g;
}

// A cycle found by the depth-first search: the nodes from the back edge's target to its source,
// and the edges between them (edges[k] leaves nodes[k]; the last one is the back edge).
struct cycle {
  std::vector<std::size_t> nodes;
  std::vector<edge> edges;
};

std::string cycle_path(const plan& p, const cycle& c) {
  std::vector<std::string_view> ids;
  for (std::size_t n : c.nodes) {
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
                     [&](std::size_t n) { return is_finished(p.tasks[n / 2].status); });
}

// Iterative depth-first search that reports, for every back edge, the cycle it closes.
class cycle_finder {
public:
  explicit cycle_finder(const graph& g) : g_(g), state_(g.size(), 0), pos_(g.size(), 0) {}

  template <class OnCycle>
  void run(OnCycle on_cycle) {
    for (std::size_t root = 0; root < g_.size(); ++root) {
      if (state_[root] == 0) visit(root, on_cycle);
    }
  }

private:
  struct frame {
    std::size_t node;
    std::size_t next = 0;
  };

  template <class OnCycle>
  void visit(std::size_t root, OnCycle& on_cycle) {
    push(root);
    while (!stack_.empty()) {
      frame& f = stack_.back();
      if (f.next == g_[f.node].size()) {
        state_[f.node] = 2;
        stack_.pop_back();
        continue;
      }
      const edge& e = g_[f.node][f.next++];
      if (state_[e.to] == 0) push(e.to);
      else if (state_[e.to] == 1) on_cycle(make_cycle(e));
    }
  }

  void push(std::size_t n) {
    state_[n] = 1;
    pos_[n] = stack_.size();
    stack_.push_back({n});
  }

  cycle make_cycle(const edge& back) const {
    cycle c;
    for (std::size_t k = pos_[back.to]; k < stack_.size(); ++k) {
      c.nodes.push_back(stack_[k].node);
      c.edges.push_back(g_[stack_[k].node][stack_[k].next - 1]);
    }
    c.edges.back() = back;
    return c;
  }

  const graph& g_;
  std::vector<unsigned char> state_;  // 0 unvisited, 1 on the stack, 2 done
  std::vector<std::size_t> pos_;      // index in stack_ while on it
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
  const graph g = build_graph(p);
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
