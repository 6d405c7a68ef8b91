// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_ANALYSIS_ANALYSIS_HPP
#define COHORT_ANALYSIS_ANALYSIS_HPP

#include <cohort/core/config.hpp>
#include <cohort/plan/plan.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cohort {

// Pure functions over a `plan`: order, waves, parallel groups, critical path, projections.
//
// The flattened job graph (the semantics every function here, the simulation and the executor
// share):
// - A *job* is a task that runs a command (`task::is_job`): a subtask, a parent without subtasks,
//   or a parent with subtasks and its own `argv`. Only jobs run and take time.
// - A parent *starts* when its own dependencies are finished; a subtask can start when its parent
//   has started and its own dependencies are finished.
// - A parent with subtasks is complete when all its subtasks are, and, when it has a command of
//   its own, that command has run after them. A dependency on a parent means a dependency on the
//   whole parent (all its subtasks, and its own command).
// - A finished task (`done`, or a subtask of a finished parent, or a parent without a command of
//   its own whose subtasks are all finished) takes zero time and is complete from the start,
//   whatever it depends on.
// - A task without a duration estimate takes `estimate_defaults::duration`; without a token
//   estimate, `estimate_defaults::tokens`.
//
// Functions that need an acyclic plan throw `system_error` with `errc::plan_invalid` and the cycle
// as a path of ids (`dependency cycle: 12.1 -> 12.4 -> 12.1`,
// read "12.1 waits for 12.4, which waits for 12.1").

/// What a task without an estimate is assumed to cost.
struct estimate_defaults {
  std::chrono::milliseconds duration{std::chrono::minutes(10)};  ///< the seed's typical subtask
  std::uint64_t tokens = 20'000;                    ///< per launch
};

/// How the subtasks of a parent are released (see simulation.hpp for the whole policy).
enum class wave_mode {
  rolling,  ///< each subtask as soon as its own dependencies are finished
  waves,    ///< also after every subtask of the earlier waves of its parent is finished
};

/// How ready work is ordered.
enum class ready_order {
  longest_path,  ///< longest remaining path, then priority, then plan order (the default)
  fifo,          ///< the time it became ready, then plan order (for comparison)
};

/// The scheduler's knobs: the executor's options and the simulation's, one struct.
struct schedule_options {
  // tag::outline[]
  std::size_t max_running = 8;        ///< K: agents running at once (at least 1)
  std::size_t max_per_parent = 0;     ///< agents of one parent at once; 0: no per-parent cap
  std::uint64_t token_budget = 0;     ///< 0: unlimited
  std::chrono::milliseconds launch_interval{0};    ///< minimum time between any two launches
  std::chrono::milliseconds parent_stagger{0};     ///< minimum time between two parents starting
  wave_mode mode = wave_mode::rolling;
  ready_order order = ready_order::longest_path;
  estimate_defaults defaults;         ///< durations and token reservations without an estimate
  /// The simulation only: what starting and reaping one agent adds to its duration (about
  /// 1 ms for a local process here; 0 for estimates of AI agents in minutes).
  std::chrono::milliseconds launch_overhead{0};
  // end::outline[]
};

/// Task Master priority as a rank: high 3, medium 2, low 1, anything else 0.
int priority_rank(const task& t) noexcept;

/// Where a task stands in the ready order: compare with `launches_before`.
struct ready_key {
  std::chrono::milliseconds remaining{0};  ///< longest remaining path, own duration included
  int priority = 0;           ///< `priority_rank`
  task_index index = 0;       ///< plan order
};
/// The longest-path ready order: longer remaining path first, then higher priority, then the
/// lower index. A strict weak order (a total order on distinct indexes). Inline: it is the
/// comparison of every sort and heap of ready work.
inline bool launches_before(const ready_key& a, const ready_key& b) noexcept {
  if (a.remaining != b.remaining) return a.remaining > b.remaining;
  if (a.priority != b.priority) return a.priority > b.priority;
  return a.index < b.index;
}

/// The flattened job graph of a plan. Nodes `[0, task_count)` are the plan's tasks (a parent
/// with subtasks is its completion barrier); node `task_count + k` is the start gate of
/// `plan.parents[k]`; in waves mode, the nodes after the gates are wave barriers (the barrier
/// before wave w >= 1 of a parent waits for all of wave w-1 and the barrier before it). Edges
/// point from a node to the nodes that wait for it.
struct job_graph {
  enum class kind : std::uint8_t { job, barrier, gate, wave };
  std::size_t task_count = 0;
  std::vector<kind> kinds;
  /// Per task (only tasks take time: `duration(n)` for any node): a job's duration and token
  /// reservation, 0 for other tasks and finished jobs.
  std::vector<std::int64_t> duration_ms;
  std::vector<std::uint64_t> tokens;
  std::vector<std::uint8_t> finished;     ///< complete from the start
  std::vector<std::uint32_t> owner;       ///< per node: its task (for gates and waves, the parent)
  std::vector<std::uint32_t> gate;        ///< per task: its own start gate (parents) or its parent's
  std::vector<std::int8_t> priority;      ///< per task: its `priority_rank` (read once, not per pass)
  std::vector<std::uint32_t> pred_begin, preds;  ///< CSR: node i waits for preds[pred_begin[i]..]
  std::vector<std::uint32_t> succ_begin, succs;  ///< CSR: the reverse

  std::size_t size() const noexcept { return kinds.size(); }
  std::span<const std::uint32_t> predecessors(std::size_t n) const noexcept;
  std::span<const std::uint32_t> successors(std::size_t n) const noexcept;
  bool is_job(std::size_t n) const noexcept { return kinds[n] == kind::job; }
  /// Node `n`'s duration: its task's, 0 for gates and wave barriers.
  std::int64_t duration(std::size_t n) const noexcept { return n < task_count ? duration_ms[n] : 0; }
  /// The node where task `t` starts (the gate of a parent with subtasks) and where it ends.
  std::uint32_t start_node(task_index t) const noexcept;
  std::uint32_t end_node(task_index t) const noexcept { return static_cast<std::uint32_t>(t); }
};

// tag::outline[]
/// Builds the flattened job graph, in waves mode with the wave barriers. A dependency cycle is
/// kept in the graph for `topological_nodes` to name, except a cycle between siblings in waves
/// mode: their waves cannot be computed, and `flatten` throws for it.
job_graph flatten(const plan& p, const estimate_defaults& defaults = {},
                  wave_mode mode = wave_mode::rolling);
/// True for the tasks that count as finished (see above).
std::vector<std::uint8_t> finished_tasks(const plan& p);
/// A dependency cycle as a path that starts and ends at the same task, finished tasks included
/// (the caller decides whether a cycle of finished tasks matters); empty if there is none.
std::vector<task_index> find_cycle(const plan& p);
/// Every task, finished or not, each after all it waits for (ties in plan order); a parent is
/// placed where it starts: after its dependencies, before its subtasks. Throws on a cycle.
std::vector<task_index> topological_order(const plan& p);
/// The nodes of `g` in a topological order. Throws on a cycle (naming it with `p`); a cycle of
/// finished tasks only is no cycle here (finished tasks wait for nothing).
std::vector<std::uint32_t> topological_nodes(const plan& p, const job_graph& g);

/// Per task: its wave inside its parent. A subtask's wave is its dependency depth counting
/// dependencies on *siblings* only: 0 without sibling dependencies, else 1 + the highest wave
/// among them. Parents get 0. Cross-parent dependencies do not count. Throws on a cycle between
/// siblings.
std::vector<std::size_t> waves(const plan& p);

/// Tasks that can run side by side.
struct parallel_group {
  std::vector<task_index> dependencies;  ///< the shared dependency set, sorted
  std::vector<task_index> tasks;         ///< two or more, plan order
};
/// The seed's parallel groups: unfinished parents with equal dependency sets, and unfinished
/// siblings with equal dependency sets, two or more per group.
std::vector<parallel_group> parallel_groups(const plan& p);

/// Antichains of the longest-path layering: tasks on one layer are never ordered by the DAG.
struct layering {
  /// Unfinished parents by layer: 1 + the highest layer among the parents that must be complete
  /// before it starts (a cross-parent subtask dependency does not order the parents).
  std::vector<std::vector<task_index>> parents;
  /// Unfinished jobs by layer: 1 + the highest layer among the jobs it waits for.
  std::vector<std::vector<task_index>> jobs;
};
layering layers(const plan& p);

/// Earliest and latest times of one task (critical path method, unlimited agents).
struct task_times {
  std::chrono::milliseconds earliest_start{0}, earliest_finish{0};
  std::chrono::milliseconds latest_start{0}, latest_finish{0};
  std::chrono::milliseconds slack() const noexcept { return latest_start - earliest_start; }
};
struct schedule_analysis {
  std::vector<task_times> tasks;           ///< per task index
  std::chrono::milliseconds length{0};                  ///< the critical path's duration
  std::vector<task_index> critical_path;   ///< its jobs, first to last
};
schedule_analysis critical_path(const plan& p, const estimate_defaults& defaults = {});

/// Per node: the longest remaining path, own duration included, over `g` (so in waves mode the
/// later waves of a parent count).
std::vector<std::int64_t> remaining_paths(const plan& p, const job_graph& g);
/// Per task: its key in the longest-path ready order under `options` (mode and defaults); a
/// parent's key is its start gate's.
std::vector<ready_key> ready_keys(const plan& p, const schedule_options& options = {});
/// The same, from a graph already flattened (`remaining` from `remaining_paths(p, g)`).
std::vector<ready_key> ready_keys(const plan& p, const job_graph& g,
                                  const std::vector<std::int64_t>& remaining);

/// How long the unfinished work takes under three simple policies (unlimited agents).
struct projections {
  std::chrono::milliseconds sequential{0};    ///< one job after another
  std::chrono::milliseconds waves_only{0};    ///< parents one after another, each in waves
  std::chrono::milliseconds hierarchical{0};  ///< parents in parallel as their dependencies allow, waves inside
  std::chrono::milliseconds critical_path{0}; ///< no waves: the lower bound with unlimited agents
  std::uint64_t tokens = 0;      ///< the estimated tokens of all unfinished jobs
};
projections project(const plan& p, const estimate_defaults& defaults = {});

/// A token allocation per parent.
struct budget_share {
  task_index parent = 0;
  std::uint64_t size = 0;    ///< the parent's estimated tokens (its unfinished jobs)
  std::uint64_t tokens = 0;  ///< its share
};
/// Splits `total - reserve` over `parents` (default: every unfinished parent) in proportion to
/// their size, largest remainders first. The shares sum to at most `total - reserve` (exactly
/// that when any parent has a size), and to 0 when `reserve >= total`.
std::vector<budget_share> split_budget(const plan& p, std::uint64_t total, std::uint64_t reserve,
                                       std::span<const task_index> parents = {},
                                       const estimate_defaults& defaults = {});
// end::outline[]

} // namespace cohort

#endif // COHORT_ANALYSIS_ANALYSIS_HPP
