// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/analysis/simulation.hpp>

#include "graph_passes.hpp"

#include <cohort/core/error.hpp>

#include <chrono>
#include <algorithm>
#include <limits>
#include <tuple>

namespace cohort {

using std::chrono::milliseconds;
namespace {

using node_id = std::uint32_t;
constexpr std::int64_t never = std::numeric_limits<std::int64_t>::min();
constexpr node_id wake_up = std::numeric_limits<node_id>::max();

// A place in a ready order; smaller goes first. Longest path: (-remaining, -priority, task);
// FIFO: (ready time, 0, task).
struct entry {
  std::int64_t first;
  int second;
  std::uint32_t task;
  node_id node;
  friend bool operator>(const entry& a, const entry& b) {
    return std::tie(a.first, a.second, a.task) > std::tie(b.first, b.second, b.task);
  }
};

struct event {
  std::int64_t at;
  node_id node;  // a finishing job, or `wake_up`
  friend bool operator>(const event& a, const event& b) {
    return std::tie(a.at, a.node) > std::tie(b.at, b.node);
  }
};

// A binary min-heap over a vector that keeps its capacity.
template <class T>
struct min_heap {
  std::vector<T> items;
  bool empty() const noexcept { return items.empty(); }
  const T& top() const noexcept { return items.front(); }
  void push(const T& x) {
    items.push_back(x);
    std::push_heap(items.begin(), items.end(), std::greater<>{});
  }
  T pop() {
    std::pop_heap(items.begin(), items.end(), std::greater<>{});
    T x = items.back();
    items.pop_back();
    return x;
  }
};

class simulator {
public:
  simulator(const plan& p, const schedule_options& o, const job_graph& g)
      : p_(p), o_(o), g_(g), rem_(remaining_paths(p, g_)) {
    missing_.resize(g_.size());
    running_in_.assign(p.parents.size(), 0);
    parked_.resize(p.parents.size());
    result_.tasks.resize(p.size());
    work_.reserve(g_.size());
  }

  simulation_result run() {
    release_initial();
    for (;;) {
      start_parents();
      launch();
      if (events_.empty()) break;
      now_ = events_.top().at;
      while (!events_.empty() && events_.top().at == now_) {
        const event e = events_.pop();
        if (e.node != wake_up) finish(e.node);
      }
    }
    tally();
    return std::move(result_);
  }

private:
  entry key(node_id v) const {
    const task_index t = g_.owner[v];
    if (o_.order == ready_order::fifo) return {now_, 0, std::uint32_t(t), v};
    return {-rem_[v], -g_.priority[t], std::uint32_t(t), v};
  }
  std::size_t slot(node_id job) const { return g_.gate[job] - g_.task_count; }
  std::uint64_t reservation(node_id job) const { return g_.tokens[job]; }

  void release_initial() {
    for (std::size_t v = 0; v < g_.size(); ++v) {
      missing_[v] = static_cast<std::uint32_t>(g_.predecessors(v).size());
    }
    for (std::size_t v = 0; v < g_.size(); ++v) {
      if (missing_[v] == 0) became_ready(static_cast<node_id>(v));
    }
    drain();
  }

  // Finished nodes and barriers complete at once; gates and jobs queue.
  void became_ready(node_id v) {
    if (g_.finished[v] || g_.kinds[v] == job_graph::kind::barrier ||
        g_.kinds[v] == job_graph::kind::wave) {
      work_.push_back(v);
    } else if (g_.kinds[v] == job_graph::kind::gate) {
      gates_.push(key(v));
    } else {
      ready_.push(key(v));
    }
  }

  // Completes the nodes in `work_` and everything that completes with them.
  void drain() {
    while (!work_.empty()) {
      const node_id v = work_.back();
      work_.pop_back();
      if (v < g_.task_count && !g_.finished[v]) result_.tasks[v].finish = milliseconds(now_);
      for (node_id s : g_.successors(v)) {
        if (--missing_[s] == 0) became_ready(s);
      }
    }
  }

  bool stagger_allows() {
    if (last_parent_ == never || now_ >= last_parent_ + o_.parent_stagger.count()) return true;
    wake_at(last_parent_ + o_.parent_stagger.count());
    return false;
  }

  void start_parents() {
    while (!gates_.empty() && stagger_allows()) {
      const node_id gate = gates_.pop().node;
      result_.tasks[g_.owner[gate]].start = milliseconds(now_);
      last_parent_ = now_;
      work_.push_back(gate);
      drain();
    }
  }

  bool fits(node_id job) {
    if (o_.token_budget == 0) return true;
    return spent_ + reserved_ + reservation(job) <= o_.token_budget;
  }

  bool interval_allows() {
    if (last_launch_ == never || now_ >= last_launch_ + o_.launch_interval.count()) return true;
    wake_at(last_launch_ + o_.launch_interval.count());
    return false;
  }

  void launch() {
    while (!ready_.empty() && running_ < o_.max_running) {
      const node_id job = ready_.top().node;
      if (o_.max_per_parent != 0 && running_in_[slot(job)] >= o_.max_per_parent) {
        parked_[slot(job)].push(ready_.pop());
        continue;
      }
      if (!fits(job) || !interval_allows()) return;
      ready_.pop();
      start(job);
    }
  }

  void start(node_id job) {
    ++running_;
    ++running_in_[slot(job)];
    reserved_ += reservation(job);
    ++result_.launches;
    result_.peak_running = std::max(result_.peak_running, running_);
    result_.peak_reserved = std::max(result_.peak_reserved, reserved_);
    result_.tasks[job].launch = milliseconds(now_);
    if (!result_.tasks[job].start) result_.tasks[job].start = milliseconds(now_);
    last_launch_ = now_;
    events_.push({now_ + g_.duration_ms[job] + o_.launch_overhead.count(), job});
  }

  void finish(node_id job) {
    --running_;
    auto& parked = parked_[slot(job)];
    if (--running_in_[slot(job)] < o_.max_per_parent && !parked.empty()) ready_.push(parked.pop());
    reserved_ -= reservation(job);
    spent_ += reservation(job);
    work_.push_back(job);
    drain();
  }

  void wake_at(std::int64_t at) {
    if (at == last_wake_) return;
    last_wake_ = at;
    events_.push({at, wake_up});
  }

  void tally() {
    result_.spent = spent_;
    result_.budget_exhausted = !ready_.empty() && !fits(ready_.top().node);
    for (std::size_t t = 0; t < g_.task_count; ++t) {
      if (!g_.is_job(t) || g_.finished[t]) continue;
      if (const auto& f = result_.tasks[t].finish) result_.makespan = std::max(result_.makespan, *f);
      else ++result_.unfinished;
    }
  }

  const plan& p_;
  const schedule_options& o_;
  const job_graph& g_;
  std::vector<std::int64_t> rem_;
  std::vector<std::uint32_t> missing_;  // per node: predecessors not complete yet
  std::vector<node_id> work_;           // nodes completing now
  min_heap<entry> gates_, ready_;
  std::vector<min_heap<entry>> parked_;  // per parent: jobs waiting for the per-parent cap
  min_heap<event> events_;
  std::vector<std::size_t> running_in_;  // per parent
  std::size_t running_ = 0;
  std::uint64_t reserved_ = 0, spent_ = 0;
  std::int64_t now_ = 0, last_launch_ = never, last_parent_ = never, last_wake_ = never;
  simulation_result result_;
};

} // namespace

simulation_result simulate(const plan& p, const schedule_options& options) {
  return detail::simulate(p, options, flatten(p, options.defaults, options.mode));
}

simulation_result detail::simulate(const plan& p, const schedule_options& options, const job_graph& g) {
  if (options.max_running == 0) {
    throw system_error(make_error_code(errc::invalid_argument), "simulate: max_running is 0");
  }
  return simulator(p, options, g).run();
}

} // namespace cohort
