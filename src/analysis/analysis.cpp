// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/analysis/analysis.hpp>

#include "graph_passes.hpp"

#include <cohort/plan/validation.hpp>

#include <cohort/core/error.hpp>

#include <fmt/format.h>

#include <chrono>
#include <algorithm>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <utility>

namespace cohort {

using std::chrono::milliseconds;
namespace {

using node_id = std::uint32_t;
__extension__ typedef unsigned __int128 uint128;

struct edge {
  node_id from;  // `to` waits for `from`
  node_id to;
};

std::int64_t duration_of(const task& t, const estimate_defaults& d) {
  return (t.duration ? *t.duration : d.duration).count();
}

std::uint64_t tokens_of(const task& t, const estimate_defaults& d) {
  return t.tokens ? *t.tokens : d.tokens;
}

[[noreturn]] void throw_cycle(const plan& p, const std::vector<task_index>& path) {
  std::vector<std::string_view> ids;
  for (task_index t : path) ids.emplace_back(p.tasks[t].id);
  if (ids.size() > 1 && ids.front() == ids.back()) ids.pop_back();
  throw system_error(make_error_code(errc::plan_invalid), "dependency cycle: " + describe_cycle(ids));
}

// Kind, duration, tokens, owner, gate and priority of every task node and every gate node. `structural`:
// as if no task were finished (for the order and the cycles of the plan as written).
void init_nodes(const plan& p, const estimate_defaults& d, bool structural, job_graph& g) {
  auto fin = finished_tasks(p);
  if (structural) fin.assign(fin.size(), 0);
  const std::size_t n = p.size(), total = n + p.parents.size();
  g.task_count = n;
  g.kinds.assign(total, job_graph::kind::gate);
  g.duration_ms.assign(n, 0);
  g.tokens.assign(n, 0);
  g.finished.assign(total, 0);
  g.owner.resize(total);
  g.gate.resize(n);
  g.priority.resize(n);
  for (std::size_t k = 0; k < p.parents.size(); ++k) {
    const task_index q = p.parents[k];
    g.owner[n + k] = static_cast<node_id>(q);
    g.finished[n + k] = fin[q];
    g.gate[q] = static_cast<node_id>(n + k);
    for (task_index s : p.tasks[q].subtasks) g.gate[s] = static_cast<node_id>(n + k);
  }
  for (task_index t = 0; t < n; ++t) {
    const task& x = p.tasks[t];
    const bool is_job = x.is_job();  // a parent with its own argv: a job after its subtasks
    g.kinds[t] = is_job ? job_graph::kind::job : job_graph::kind::barrier;
    g.owner[t] = static_cast<node_id>(t);
    g.finished[t] = fin[t];
    g.priority[t] = static_cast<std::int8_t>(priority_rank(x));
    if (is_job && !fin[t]) {
      g.duration_ms[t] = duration_of(x, d);
      g.tokens[t] = tokens_of(x, d);
    }
  }
}

// The edges of the rolling graph (finished nodes wait for nothing): `add(from, to)` for each, the
// same ones in the same order on every call.
template <class Add>
void task_edges(const plan& p, const job_graph& g, Add add) {
  for (std::size_t k = 0; k < p.parents.size(); ++k) {
    const node_id gate = static_cast<node_id>(p.size() + k);
    if (g.finished[gate]) continue;
    for (task_index d : p.tasks[p.parents[k]].dependencies) add(node_id(d), gate);
  }
  for (task_index t = 0; t < p.size(); ++t) {
    if (g.finished[t]) continue;
    const task& x = p.tasks[t];
    const node_id to = static_cast<node_id>(t);
    if (!x.subtasks.empty()) {
      for (task_index s : x.subtasks) add(node_id(s), to);
      // Its own command also waits for its dependencies, even when every subtask is finished.
      if (g.is_job(to)) add(g.gate[t], to);
      continue;
    }
    add(g.gate[t], to);
    if (x.is_parent()) continue;  // a parent's own dependencies are on its gate
    for (task_index d : x.dependencies) add(node_id(d), to);
  }
}

// The wave barriers of every unfinished parent with two waves or more.
void wave_edges(const plan& p, std::span<const std::size_t> wave, job_graph& g, std::vector<edge>& out) {
  const auto wave_count = [&](task_index q) {
    std::size_t count = 0;
    for (task_index s : p.tasks[q].subtasks) count = std::max(count, wave[s] + 1);
    return count;
  };
  std::size_t barriers = 0;  // the arrays grow once, to their size (a million-task plan's are 10 MB each)
  for (task_index q : p.parents) {
    if (!g.finished[q]) barriers += std::max<std::size_t>(wave_count(q), 1) - 1;
  }
  g.kinds.reserve(g.size() + barriers);
  g.finished.reserve(g.size() + barriers);
  g.owner.reserve(g.size() + barriers);
  for (task_index q : p.parents) {
    const auto& subs = p.tasks[q].subtasks;
    if (g.finished[q] || subs.empty()) continue;
    const std::size_t count = wave_count(q);
    const node_id base = static_cast<node_id>(g.size());  // barrier before wave w: base + w - 1
    for (std::size_t w = 1; w < count; ++w) {
      g.kinds.push_back(job_graph::kind::wave);
      g.finished.push_back(0);
      g.owner.push_back(static_cast<node_id>(q));
      if (w > 1) out.push_back({node_id(base + w - 2), node_id(base + w - 1)});
    }
    for (task_index s : subs) {
      const std::size_t w = wave[s];
      if (w + 1 < count) out.push_back({node_id(s), node_id(base + w)});
      if (w > 0 && !g.finished[s]) out.push_back({node_id(base + w - 1), node_id(s)});
    }
  }
}

// The graph's lists from `edges(add)`, which calls `add(from, to)` for every edge: once to count
// them, once to place them (no list of the edges is held: on a million tasks it was 35 MB,
// grown twice, beside the lists it filled). Node v's count goes to begin[v + 2]: after the sums
// begin[v + 1] is where v's list starts, and placing v's edges moves it to where v's list ends,
// which is where v + 1's starts: begin[0..n] is then the start of each list (no copy of it kept).
template <class Edges>
void build_csr(job_graph& g, Edges edges) {
  const std::size_t n = g.size();
  g.pred_begin.assign(n + 2, 0);
  g.succ_begin.assign(n + 2, 0);
  edges([&](node_id from, node_id to) {
    ++g.pred_begin[to + 2];
    ++g.succ_begin[from + 2];
  });
  std::partial_sum(g.pred_begin.begin(), g.pred_begin.end(), g.pred_begin.begin());
  std::partial_sum(g.succ_begin.begin(), g.succ_begin.end(), g.succ_begin.begin());
  g.preds.resize(g.pred_begin.back());
  g.succs.resize(g.succ_begin.back());
  edges([&](node_id from, node_id to) {
    g.preds[g.pred_begin[to + 1]++] = from;
    g.succs[g.succ_begin[from + 1]++] = to;
  });
  g.pred_begin.pop_back();
  g.succ_begin.pop_back();
}

// Kahn's algorithm; ties in node order. `missing` keeps, for nodes left out, their unmet count.
std::vector<node_id> kahn(const job_graph& g, std::vector<std::uint32_t>& missing) {
  std::vector<node_id> order;
  order.reserve(g.size());
  missing.resize(g.size());
  for (std::size_t v = 0; v < g.size(); ++v) {
    missing[v] = static_cast<std::uint32_t>(g.predecessors(v).size());
    if (missing[v] == 0) order.push_back(static_cast<node_id>(v));
  }
  for (std::size_t head = 0; head < order.size(); ++head) {
    for (node_id s : g.successors(order[head])) {
      if (--missing[s] == 0) order.push_back(s);
    }
  }
  return order;
}

// A cycle among the nodes Kahn left out, as nodes in waits-for order.
std::vector<node_id> node_cycle(const job_graph& g, const std::vector<std::uint32_t>& missing) {
  std::size_t v = 0;
  while (missing[v] == 0) ++v;
  std::vector<std::size_t> pos(g.size(), std::numeric_limits<std::size_t>::max());
  std::vector<node_id> path;
  while (pos[v] == std::numeric_limits<std::size_t>::max()) {
    pos[v] = path.size();
    path.push_back(static_cast<node_id>(v));
    for (node_id d : g.predecessors(v)) {
      if (missing[d] != 0) {
        v = d;
        break;
      }
    }
  }
  return {path.begin() + static_cast<std::ptrdiff_t>(pos[v]), path.end()};
}

// The cycle in task ids: gates and wave barriers read as their parent; "p, s, p" (a parent that
// waits for its own start through its subtask s) reads as "p"; closed, starting at the lowest.
std::vector<task_index> task_cycle(const plan& p, const job_graph& g,
                                   const std::vector<node_id>& nodes) {
  std::vector<task_index> out;
  for (node_id v : nodes) {
    if (out.empty() || out.back() != g.owner[v]) out.push_back(g.owner[v]);
  }
  while (out.size() > 1 && out.front() == out.back()) out.pop_back();
  for (std::size_t i = 1; i + 1 < out.size() && out.size() > 3;) {
    const bool detour = p.tasks[out[i]].parent == out[i - 1] && out[i + 1] == out[i - 1];
    if (detour) out.erase(out.begin() + static_cast<std::ptrdiff_t>(i), out.begin() + static_cast<std::ptrdiff_t>(i + 2));
    else ++i;
  }
  std::rotate(out.begin(), std::min_element(out.begin(), out.end()), out.end());
  out.push_back(out.front());
  return out;
}

// The length of the longest path through `g` (unlimited agents): one finish time per node.
std::int64_t path_length(const job_graph& g, std::span<const node_id> order) {
  std::vector<std::int64_t> finish(g.size(), 0);
  std::int64_t length = 0;
  for (node_id v : order) {
    std::int64_t start = 0;
    for (node_id d : g.predecessors(v)) start = std::max(start, finish[d]);
    finish[v] = start + g.duration(v);
    length = std::max(length, finish[v]);
  }
  return length;
}

// The critical path method's times per node. Only the earliest start and the latest finish are
// stored (two arrays, not four: the graph of a million-task plan has two million nodes); the
// others are a duration away.
struct cpm {
  const job_graph& g;
  std::vector<std::int64_t> es, lf;
  std::int64_t length = 0;

  std::int64_t ef(std::size_t v) const noexcept { return es[v] + g.duration(v); }
  std::int64_t ls(std::size_t v) const noexcept { return lf[v] - g.duration(v); }
};

cpm compute_cpm(const job_graph& g, std::span<const node_id> order) {
  cpm c{g, std::vector<std::int64_t>(g.size(), 0), {}, 0};
  for (node_id v : order) {
    for (node_id d : g.predecessors(v)) c.es[v] = std::max(c.es[v], c.ef(d));
    c.length = std::max(c.length, c.ef(v));
  }
  c.lf.assign(g.size(), c.length);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    for (node_id s : g.successors(*it)) c.lf[*it] = std::min(c.lf[*it], c.ls(s));
  }
  return c;
}

// Walks back from the job that finishes last along predecessors that finish exactly in time.
std::vector<task_index> critical_jobs(const job_graph& g, const cpm& c) {
  std::vector<task_index> path;
  if (c.length == 0) return path;
  std::size_t v = 0;
  while (!(g.is_job(v) && c.ef(v) == c.length)) ++v;
  for (;;) {
    if (g.is_job(v)) path.push_back(v);
    if (c.es[v] == 0) break;
    std::size_t next = g.size();
    for (node_id d : g.predecessors(v)) {
      if (c.ef(d) == c.es[v]) next = std::min<std::size_t>(next, d);
    }
    v = next;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::int64_t waves_only_time(const plan& p, const job_graph& g, std::span<const std::size_t> wave) {
  std::int64_t total = 0;
  std::vector<std::int64_t> longest;
  for (task_index q : p.parents) {
    if (p.tasks[q].subtasks.empty()) {
      total += g.duration_ms[q];
      continue;
    }
    longest.clear();
    for (task_index s : p.tasks[q].subtasks) {
      if (longest.size() <= wave[s]) longest.resize(wave[s] + 1, 0);
      longest[wave[s]] = std::max(longest[wave[s]], g.duration_ms[s]);
    }
    total = std::accumulate(longest.begin(), longest.end(), total);
    total += g.duration_ms[q];  // its own command after its last wave (0 without one)
  }
  return total;
}

std::uint64_t parent_size(const plan& p, task_index q, std::span<const std::uint8_t> fin,
                          const estimate_defaults& d) {
  const auto& subs = p.tasks[q].subtasks;
  if (subs.empty()) return fin[q] ? 0 : tokens_of(p.tasks[q], d);
  std::uint64_t size = fin[q] || !p.tasks[q].is_job() ? 0 : tokens_of(p.tasks[q], d);
  for (task_index s : subs) size += fin[s] ? 0 : tokens_of(p.tasks[s], d);
  return size;
}

// Proportional floors, then the units left over to the largest remainders (plan order on ties).
void apportion(std::vector<budget_share>& shares, std::uint64_t avail) {
  std::uint64_t sum = 0;
  for (const auto& s : shares) sum += s.size;
  if (sum == 0 || avail == 0) return;
  std::vector<std::pair<std::uint64_t, std::size_t>> remainders;
  std::uint64_t given = 0;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    const uint128 product = uint128(avail) * shares[i].size;
    shares[i].tokens = static_cast<std::uint64_t>(product / sum);
    given += shares[i].tokens;
    remainders.emplace_back(static_cast<std::uint64_t>(product % sum), i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = 0; given < avail && i < remainders.size(); ++i, ++given) {
    ++shares[remainders[i].second].tokens;
  }
}

// `wave`: `waves(p)`, for waves mode only.
job_graph flatten_graph(const plan& p, const estimate_defaults& defaults, bool structural) {
  COHORT_ASSERT(2 * p.size() < std::numeric_limits<node_id>::max());
  job_graph g;
  init_nodes(p, defaults, structural, g);
  build_csr(g, [&](auto add) { task_edges(p, g, add); });
  return g;
}

} // namespace

std::span<const std::uint32_t> job_graph::predecessors(std::size_t n) const noexcept {
  return {preds.data() + pred_begin[n], pred_begin[n + 1] - pred_begin[n]};
}

std::span<const std::uint32_t> job_graph::successors(std::size_t n) const noexcept {
  return {succs.data() + succ_begin[n], succ_begin[n + 1] - succ_begin[n]};
}

std::uint32_t job_graph::start_node(task_index t) const noexcept {
  return kinds[t] == kind::barrier ? gate[t] : static_cast<std::uint32_t>(t);
}

int priority_rank(const task& t) noexcept {
  const std::string_view p = t.text.priority();
  if (p == "high") return 3;
  if (p == "medium") return 2;
  if (p == "low") return 1;
  return 0;
}

std::vector<std::uint8_t> finished_tasks(const plan& p) {
  std::vector<std::uint8_t> fin(p.size());
  for (task_index t = 0; t < p.size(); ++t) fin[t] = is_finished(p.tasks[t].status);
  for (task_index q : p.parents) {
    const auto& subs = p.tasks[q].subtasks;
    if (fin[q]) {
      for (task_index s : subs) fin[s] = 1;
    } else if (!subs.empty() && p.tasks[q].argv.empty()) {
      fin[q] = std::all_of(subs.begin(), subs.end(), [&](task_index s) { return fin[s] != 0; });
    }
  }
  return fin;
}

job_graph flatten(const plan& p, const estimate_defaults& defaults, wave_mode mode) {
  job_graph rolling = flatten_graph(p, defaults, false);
  if (mode == wave_mode::waves) return detail::with_waves(p, std::move(rolling), waves(p));
  return rolling;
}

// Adds `extra` (pairs of a node and a node it lists) to one CSR direction in place: each node's
// list moves up by the lists added before it, last node first (a move never reaches a list not
// yet moved), and its new entries follow its old ones, in the order of `extra`. Nodes past the
// old end of `begin` start with empty lists. No second copy of the lists is ever held.
template <class Key, class Value>
void insert_edges(std::vector<std::uint32_t>& begin, std::vector<node_id>& list, std::size_t nodes,
                  const std::vector<edge>& extra, Key key, Value value) {
  std::vector<std::uint32_t> pos(nodes, 0);  // per node: its count of new entries, then where they go
  for (const edge& e : extra) ++pos[key(e)];
  const std::uint32_t old_total = begin.back();
  begin.reserve(nodes + 1);  // grown to their size, not doubled
  begin.resize(nodes + 1, old_total);
  list.reserve(list.size() + extra.size());
  list.resize(list.size() + extra.size());
  auto added = static_cast<std::uint32_t>(extra.size());  // new entries before node v's end
  std::uint32_t old_end = old_total;
  for (std::size_t v = nodes; v-- > 0;) {
    added -= pos[v];
    const std::uint32_t old_begin = begin[v], length = old_end - old_begin;
    std::copy_backward(list.begin() + old_begin, list.begin() + old_end,
                       list.begin() + old_begin + added + length);
    begin[v] = old_begin + added;
    pos[v] = begin[v] + length;
    old_end = old_begin;
  }
  begin[nodes] = old_total + static_cast<std::uint32_t>(extra.size());
  for (const edge& e : extra) list[pos[key(e)]++] = value(e);
}

// The rolling graph's nodes and edges, then the wave barriers and their edges: each node's
// predecessors and successors in the rolling graph's order, then the barriers' (as one list of
// edges would give them). No pass over the plan's tasks but the parents' subtasks. The rolling
// graph becomes the waved one in place: a million-task plan never holds two graphs.
job_graph detail::with_waves(const plan& p, job_graph g, std::span<const std::size_t> wave) {
  std::vector<edge> barriers;
  wave_edges(p, wave, g, barriers);
  insert_edges(g.pred_begin, g.preds, g.size(), barriers, [](const edge& e) { return e.to; },
               [](const edge& e) { return e.from; });
  insert_edges(g.succ_begin, g.succs, g.size(), barriers, [](const edge& e) { return e.from; },
               [](const edge& e) { return e.to; });
  return g;
}

std::vector<std::uint32_t> topological_nodes(const plan& p, const job_graph& g) {
  std::vector<std::uint32_t> missing;
  auto order = kahn(g, missing);
  if (order.size() != g.size()) throw_cycle(p, task_cycle(p, g, node_cycle(g, missing)));
  return order;
}

std::vector<task_index> find_cycle(const plan& p) {
  const auto g = flatten_graph(p, {}, true);
  std::vector<std::uint32_t> missing;
  if (kahn(g, missing).size() == g.size()) return {};
  return task_cycle(p, g, node_cycle(g, missing));
}

std::vector<task_index> topological_order(const plan& p) {
  const auto g = flatten_graph(p, {}, true);
  std::vector<task_index> out;
  out.reserve(p.size());
  std::vector<std::uint8_t> seen(p.size(), 0);
  for (node_id v : topological_nodes(p, g)) {
    const bool starts = g.kinds[v] == job_graph::kind::gate || g.is_job(v);
    const task_index t = g.owner[v];
    if (starts && !seen[t]) out.push_back(t);
    if (starts) seen[t] = 1;
  }
  for (task_index q : p.parents) {
    if (!p.tasks[q].subtasks.empty() && !seen[q]) out.push_back(q);  // unreachable: a gate per parent
  }
  return out;
}

std::vector<std::size_t> waves(const plan& p) {
  std::vector<std::size_t> wave(p.size(), 0);
  std::vector<std::uint8_t> state(p.size(), 0);  // 0 new, 1 on the stack, 2 done
  std::vector<std::pair<task_index, std::size_t>> stack;
  for (task_index root = 0; root < p.size(); ++root) {
    if (state[root] != 0 || p.tasks[root].is_parent()) continue;
    stack.emplace_back(root, 0);
    state[root] = 1;
    while (!stack.empty()) {
      const auto [t, i] = stack.back();
      const auto& deps = p.tasks[t].dependencies;
      if (i == deps.size()) {
        state[t] = 2;
        stack.pop_back();
        continue;
      }
      const task_index d = deps[i];
      if (p.tasks[d].parent != p.tasks[t].parent || state[d] == 2) {
        if (p.tasks[d].parent == p.tasks[t].parent) wave[t] = std::max(wave[t], wave[d] + 1);
        ++stack.back().second;
      } else if (state[d] == 1) {
        std::vector<task_index> path;
        auto it = std::find_if(stack.begin(), stack.end(), [d](const auto& e) { return e.first == d; });
        for (; it != stack.end(); ++it) path.push_back(it->first);
        path.push_back(d);
        throw_cycle(p, path);
      } else {
        state[d] = 1;
        stack.emplace_back(d, 0);
      }
    }
  }
  return wave;
}

std::vector<parallel_group> parallel_groups(const plan& p) {
  return detail::parallel_groups(p, finished_tasks(p));
}

// Tasks with equal (parent, dependency set) keys, found by sorting (hash, task) pairs: nothing
// per task but the pair is kept (a map keyed by copies of every dependency list was the
// analysis' largest allocation on a million tasks).
std::vector<parallel_group> detail::parallel_groups(const plan& p, std::span<const std::uint8_t> fin) {
  // A task's parent (a parent: none) and its dependencies in order: its own list when it is in
  // order already (the loaders' usual one; no copy), else a sorted copy in `scratch`.
  const auto key_of = [&](task_index t, std::vector<task_index>& scratch, std::span<const task_index>& deps) {
    const auto& own = p.tasks[t].dependencies;
    if (std::is_sorted(own.begin(), own.end())) {
      deps = own;
    } else {
      scratch.assign(own.begin(), own.end());
      std::sort(scratch.begin(), scratch.end());
      deps = scratch;
    }
    return p.tasks[t].parent.value_or(std::numeric_limits<task_index>::max());
  };
  struct keyed {
    std::uint64_t hash;
    task_index task;
    bool operator<(const keyed& o) const noexcept { return hash != o.hash ? hash < o.hash : task < o.task; }
  };
  std::vector<keyed> keys;
  keys.reserve(p.size());  // address space: only what is filled is touched
  std::vector<task_index> scratch, other_scratch;
  std::span<const task_index> deps, other;
  for (task_index t = 0; t < p.size(); ++t) {
    if (fin[t]) continue;
    std::uint64_t h = key_of(t, scratch, deps) + 0x9e3779b97f4a7c15ULL;
    for (task_index d : deps) h = (h ^ d) * 0x100000001b3ULL + (h >> 29);
    keys.push_back({h, t});
  }
  std::sort(keys.begin(), keys.end());
  std::vector<parallel_group> out;
  std::vector<task_index> run, rest;
  for (std::size_t i = 0, j = 0; i < keys.size(); i = j) {
    while (j < keys.size() && keys[j].hash == keys[i].hash) ++j;
    run.clear();
    for (std::size_t k = i; k < j; ++k) run.push_back(keys[k].task);
    while (run.size() >= 2) {  // one key per hash but for a collision: peel off each key's tasks
      parallel_group g;
      const task_index parent = key_of(run.front(), scratch, deps);
      g.dependencies.assign(deps.begin(), deps.end());
      rest.clear();
      for (task_index t : run) {
        if (key_of(t, other_scratch, other) == parent && std::ranges::equal(other, g.dependencies)) g.tasks.push_back(t);
        else rest.push_back(t);
      }
      if (g.tasks.size() >= 2) out.push_back(std::move(g));
      run.swap(rest);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.tasks.front() < b.tasks.front(); });
  return out;
}

layering layers(const plan& p) {
  const auto g = flatten(p);
  return detail::layers(p, g, topological_nodes(p, g));
}

layering detail::layers(const plan& p, const job_graph& g, std::span<const std::uint32_t> order) {
  std::vector<std::uint32_t> pout(g.size(), 0), jout(g.size(), 0), player(p.size(), 0),
      jlayer(p.size(), 0);
  for (node_id v : order) {
    std::uint32_t pin = 0, jin = 0;
    for (node_id d : g.predecessors(v)) {
      pin = std::max(pin, pout[d]);
      jin = std::max(jin, jout[d]);
    }
    pout[v] = pin;
    jout[v] = jin;
    if (g.finished[v]) continue;
    if (g.kinds[v] == job_graph::kind::gate) player[g.owner[v]] = pin;
    if (g.kinds[v] == job_graph::kind::barrier) pout[v] = std::max(pin, player[v] + 1);
    if (!g.is_job(v)) continue;
    jlayer[v] = jin;
    jout[v] = jin + 1;
    if (p.tasks[v].is_parent()) pout[v] = std::max(pin, player[v] + 1);
  }
  layering out;
  for (task_index q : p.parents) {
    if (g.finished[q]) continue;
    if (out.parents.size() <= player[q]) out.parents.resize(player[q] + 1);
    out.parents[player[q]].push_back(q);
  }
  for (task_index t = 0; t < p.size(); ++t) {
    if (g.finished[t] || !g.is_job(t)) continue;
    if (out.jobs.size() <= jlayer[t]) out.jobs.resize(jlayer[t] + 1);
    out.jobs[jlayer[t]].push_back(t);
  }
  return out;
}

schedule_analysis critical_path(const plan& p, const estimate_defaults& defaults) {
  const auto g = flatten(p, defaults);
  return detail::critical_path(g, topological_nodes(p, g));
}

schedule_analysis detail::critical_path(const job_graph& g, std::span<const std::uint32_t> order) {
  const cpm c = compute_cpm(g, order);
  schedule_analysis out;
  out.length = milliseconds(c.length);
  out.critical_path = critical_jobs(g, c);
  out.tasks.resize(g.task_count);
  for (task_index t = 0; t < g.task_count; ++t) {
    const node_id s = g.start_node(t);
    out.tasks[t] = {milliseconds(c.es[s]), milliseconds(c.ef(t)), milliseconds(c.ls(s)),
                    milliseconds(c.lf[t])};
  }
  return out;
}

std::vector<std::int64_t> remaining_paths(const plan& p, const job_graph& g) {
  const auto order = topological_nodes(p, g);
  std::vector<std::int64_t> rem(g.size(), 0);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    std::int64_t after = 0;
    for (node_id s : g.successors(*it)) after = std::max(after, rem[s]);
    rem[*it] = g.duration(*it) + after;
  }
  return rem;
}

std::vector<ready_key> ready_keys(const plan& p, const job_graph& g,
                                  const std::vector<std::int64_t>& remaining) {
  std::vector<ready_key> keys(p.size());
  for (task_index t = 0; t < p.size(); ++t) {
    keys[t] = {milliseconds(remaining[g.start_node(t)]), g.priority[t], t};
  }
  return keys;
}

std::vector<ready_key> ready_keys(const plan& p, const schedule_options& options) {
  const auto g = flatten(p, options.defaults, options.mode);
  return ready_keys(p, g, remaining_paths(p, g));
}

projections project(const plan& p, const estimate_defaults& defaults) {
  const auto g = flatten(p, defaults);
  const auto wave = waves(p);
  projections out = detail::project(p, g, topological_nodes(p, g), wave);
  out.hierarchical = detail::hierarchical(p, detail::with_waves(p, std::move(g), wave));
  return out;
}

projections detail::project(const plan& p, const job_graph& g, std::span<const std::uint32_t> order,
                            std::span<const std::size_t> wave) {
  projections out;
  for (std::size_t v = 0; v < g.task_count; ++v) {
    out.sequential += milliseconds(g.duration_ms[v]);
    out.tokens += g.tokens[v];
  }
  out.critical_path = milliseconds(path_length(g, order));
  out.waves_only = milliseconds(waves_only_time(p, g, wave));
  return out;
}

milliseconds detail::hierarchical(const plan& p, const job_graph& waved) {
  return milliseconds(path_length(waved, topological_nodes(p, waved)));
}

std::vector<budget_share> split_budget(const plan& p, std::uint64_t total, std::uint64_t reserve,
                                       std::span<const task_index> parents,
                                       const estimate_defaults& defaults) {
  return detail::split_budget(p, finished_tasks(p), total, reserve, parents, defaults);
}

std::vector<budget_share> detail::split_budget(const plan& p, std::span<const std::uint8_t> fin,
                                               std::uint64_t total, std::uint64_t reserve,
                                               std::span<const task_index> parents,
                                               const estimate_defaults& defaults) {
  std::vector<budget_share> shares;
  for (task_index q : parents) shares.push_back({q, parent_size(p, q, fin, defaults), 0});
  if (parents.empty()) {
    for (task_index q : p.parents) {
      if (!fin[q]) shares.push_back({q, parent_size(p, q, fin, defaults), 0});
    }
  }
  apportion(shares, total > reserve ? total - reserve : 0);
  return shares;
}

} // namespace cohort
