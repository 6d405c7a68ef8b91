// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_PLAN_PLAN_HPP
#define COHORT_PLAN_PLAN_HPP

#include <cohort/core/boxed.hpp>
#include <cohort/core/config.hpp>
#include <cohort/core/index_list.hpp>
#include <cohort/core/markable.hpp>
#include <cohort/core/string_list.hpp>
#include <cohort/plan/task_text.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace cohort {

/// Where a task stands, as Task Master writes it (`completed` reads as `done`).
enum class task_status { pending, in_progress, done, review, deferred, cancelled, blocked };

/// The text Task Master writes for `s` ("in-progress" for `in_progress`).
std::string_view to_string(task_status s) noexcept;
/// Parses Task Master's status text; `completed` is `done`. Empty when unknown.
std::optional<task_status> parse_task_status(std::string_view text) noexcept;
/// True for the statuses that count as finished, as Task Master counts them: `done` (and
/// `completed`, read as done) and `cancelled`. A finished task is not run and never rewritten;
/// its dependents may run.
constexpr bool is_finished(task_status s) noexcept { return s == task_status::done || s == task_status::cancelled; }
/// True for the statuses Task Master runs (`task-master next` picks): `pending`, `in-progress`.
/// A task neither runnable nor finished (`review`, `deferred`, `blocked`) is not run, its
/// dependents wait for it, and its status is never rewritten.
constexpr bool is_runnable(task_status s) noexcept {
  return s == task_status::pending || s == task_status::in_progress;
}

/// The index of a task in `plan::tasks`: the node id every layer above the plan uses. 32 bits
/// (a plan holds fewer than 2^32 - 1 tasks): half the size of a `size_t` in every dependency
/// and subtask list, and in every per-task array of the analysis and of a run.
using task_index = std::uint32_t;
static_assert(std::is_same_v<task_index, index_list::value_type>);

/// Names and their values, ordered by name: a task's environment, its cluster resources.
using string_map = std::map<std::string, std::string, std::less<>>;

/// One node of the plan: a parent (top-level task) or a subtask. Plain data.
struct task {
  // tag::outline[]
  std::string id;        ///< full id: "12" for a parent, "12.3" for a subtask (slugs kept as-is)
  std::string title;
  task_status status = task_status::pending;

  markable<task_index> parent;  ///< set on subtasks (an optional, 4 bytes)
  index_list subtasks;  ///< set on parents, in file order (a vector's interface, 8 bytes)
  /// What must be finished before this task starts (resolved). A dependency on a parent means
  /// the whole parent, all its subtasks included.
  index_list dependencies;

  markable<std::chrono::milliseconds> duration;  ///< estimated duration (an optional, 8 bytes)
  markable<std::uint64_t> tokens;                ///< estimated LLM tokens (an optional, 8 bytes)
  string_list owns;  ///< file globs the task may write (ownership)
  /// The task's own command (an argv, never a shell string); empty: use the agent template.
  /// One allocation for all its words (`t.argv.to_vector()` gives them as strings).
  string_list argv;
  /// Variables added to its agent's environment, over the launcher's (`cohort.env` in the
  /// file). Like `argv`, it comes from the file: a driver runs it only with the user's consent
  /// (`LD_PRELOAD` is code). Boxed, as most tasks have none: `t.env->empty()` allocates
  /// nothing, `t.env.edit()` writes.
  boxed<string_map> env;
  /// What the task asks of a cluster launcher (`cohort.slurm` in the file): `partition`,
  /// `account`, `qos`, `time`, `cpus`, `mem`, `gres`, `constraint`. Values are checked at load
  /// (no option, no control character: `--output` and its kind never come from a file); each
  /// becomes one `--name=value` argument of the job's submission (slurm_launcher.hpp).
  boxed<string_map> slurm;

  /// Its description, details, test strategy and priority, and every member of its source
  /// object cohort does not model (`text.extra()`): one allocation the passes never touch.
  task_text text;
  // end::outline[]

  bool is_parent() const noexcept { return !parent.has_value(); }
  /// Whether the task runs a command (an agent) of its own: every subtask, a parent without
  /// subtasks, and a parent with subtasks that carries its own `argv` (run after its subtasks,
  /// as `make` runs a rule after its prerequisites). A parent with subtasks and no `argv` is
  /// done when they are.
  bool is_job() const noexcept { return subtasks.empty() || !argv.empty(); }
};

/// A plan: parents and their subtasks, with resolved dependencies. Plain data, no I/O.
/**
 * Invariants, established by the loaders and by the `add_*` functions:
 * - `tasks[i].parent`, `tasks[i].subtasks` and `tasks[i].dependencies` hold valid indexes;
 * - `parents` lists the top-level tasks in file order; a parent's `subtasks` list its children;
 * - ids are unique (`find` is exact).
 * Validation (missing references, cycles) is the loader's and the analysis' job; a `plan` may
 * hold a cycle when the caller asked to keep broken edges out, never a dangling index.
 */
struct plan {
  std::vector<task> tasks;
  std::vector<task_index> parents;
  std::string source;  ///< the file it came from, if any
  std::string tag;     ///< the Task Master tag it came from, if any

  /// Adds a top-level task; returns its index.
  task_index add_parent(task t);
  /// Adds a subtask of `parent`; its id becomes "<parent id>.<t.id>" unless it already has a dot.
  task_index add_subtask(task_index parent, task t);
  /// Records that `task` waits for `dependency`. No effect if the edge exists.
  void add_dependency(task_index task, task_index dependency);
  /// The task with this full id.
  std::optional<task_index> find(std::string_view id) const;
  /// A hint: `find(id)`, or the add of a task with this id, comes soon. The index's slot for
  /// it is fetched into the cache meanwhile (a loader calls it before reading the rest of the
  /// task: on a big plan the slot is a random read of memory, otherwise waited for).
  void prefetch(std::string_view id) const noexcept;
  /// Makes room for `n` tasks in all (a loader that knows how many are coming).
  void reserve(std::size_t n);

  std::size_t size() const noexcept { return tasks.size(); }

private:
  // The id index: open addressing over `tasks` (linear probing, at most three quarters full: a
  // slot is 8 bytes, the 8 slots of a cache line are probed for the price of one). A slot holds
  // a task's index + 1 (0: empty) and 32 bits of its id's hash; the id itself is the task's.
  struct id_slot {
    std::uint32_t task = 0;
    std::uint32_t hash = 0;
  };
  std::size_t slot_of(std::string_view id, std::size_t hash) const;
  void index_id(task_index i);
  void rehash_ids(std::size_t slots);
  std::vector<id_slot> id_slots_;
  std::size_t ids_ = 0;
};

} // namespace cohort

#endif // COHORT_PLAN_PLAN_HPP
