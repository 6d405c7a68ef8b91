// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_PLAN_TASKMASTER_HPP
#define COHORT_PLAN_TASKMASTER_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/error.hpp>
#include <cohort/plan/plan.hpp>
#include <cohort/plan/validation.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace cohort {

/// How to read a Task Master `tasks.json`.
struct taskmaster_options {
  // tag::outline[]
  /// The tag to read (`--tag`; a driver passes `TASKMASTER_TAG` here too). Empty: the project's
  /// `.taskmaster/state.json` `currentTag` (or `activeTag`), else `master`, else the only or
  /// the first tag. A named tag that does not exist is an error.
  std::string tag;
  /// Where `.taskmaster/state.json` is looked for. Empty: the project root of the file read
  /// (`<root>/.taskmaster/tasks/tasks.json`, `<root>/tasks/tasks.json`, else its folder);
  /// for text, not looked for.
  std::filesystem::path project_root;
  broken_edges on_broken = broken_edges::refuse;
  /// A cohort sidecar giving estimates and ownership by full task id (format below); empty: none.
  std::filesystem::path sidecar;
  /// The name diagnostics give for text passed to `parse_taskmaster`.
  std::string file_name;
  /// false: each task's description, details, test strategy and the members cohort does not
  /// model are read and dropped (`t.text` keeps only its priority): for a reader that analyses
  /// the plan and neither prompts an agent from it nor writes it out (a million tasks hold about
  /// 100 bytes each less). The file is checked as closely either way.
  bool keep_texts = true;
  // end::outline[]
};

/// Reads a Task Master plan from text (1) or a file (2); never throws for a bad plan.
/// Both layouts are read: tagged `{"<tag>": {"tasks": [...], "metadata": {...}}, ...}` and legacy
/// `{"tasks": [...], "metadata": {...}}` (read as tag `master`). `loaded_plan::tag_reason` says
/// which tag was read and why.
///
/// @par Ids
/// Task and subtask ids may be numbers, numeric strings, dotted strings (`"7.1"`), floats (`31.1`)
/// or slugs. An id is compared as JavaScript's `String(id)`. A subtask's full id is
/// `"<parent id>.<local id>"`; a dotted subtask id `"7.1"` or `7.1` under parent 7 has local id
/// `1` (under another parent, its part after the last dot, with a warning).
///
/// @par Dependencies: the rule
/// 1. A task's dependency `d` is the task or subtask whose full id is `String(d)` (`3`, `"3"`,
///    `"5.2"`, a slug).
/// 2. A subtask's dependency `d` of parent `P` is read as tm-core's `next` reads it: a string
///    with a dot, or a float, is a full id (`"94.7"`, another parent's subtask included);
///    anything else (`2`, `"2"`, a slug) is the sibling `P.d`.
/// 3. Where rule 2 finds nothing but the top-level task `d` exists (`32` or `"29"` meant as a
///    task), that task is taken, with a warning: Task Master's `next` would never start the subtask.
/// 4. Otherwise the dependency is missing.
/// A dependency on a parent means the whole parent, all its subtasks included.
///
/// @par Statuses
/// `pending, in-progress, done, review, deferred, cancelled, blocked`, and `completed` (read as
/// done). A missing or null status is `pending`. `done` and `completed` count as finished.
///
/// @par Estimates and ownership
/// Read from optional fields of a task or subtask (Task Master keeps unknown fields):
/// - `"cohort": {"duration": "1h30m" | "25m" | "90s" | "250ms" | <ms>, "duration_ms": <ms>,
///   "tokens": <n>, "owns": ["src/x/**", ...], "argv": ["prog", "arg", ...]}`;
/// - the benchmark harness's `"duration_ms": <ms>` and `"argv": [...]` directly on the task.
/// The `cohort` object wins over the direct fields. The sidecar (`taskmaster_options::sidecar`)
/// is a JSON object keyed by full task id whose values have the same members as `cohort`:
/// `{"12": {"duration": "25m", "tokens": 12000}, "12.3": {"owns": ["docs/**"]}}`; it wins over
/// both. These fields are not copied to `task::extra`; every other unknown field is, verbatim.
///
/// @par Diagnostics
/// Errors (the plan is refused): unreadable file, JSON syntax error (with line and column), not a
/// Task Master layout, tag not found, task without id, duplicate id, unknown status, bad
/// estimate field, and under `broken_edges::refuse` a missing dependency, a self-dependency or a
/// cycle. Warnings: the same edge problems under `broken_edges::drop`, any problem involving only
/// finished tasks (a `done` task's missing dependency, a cycle between `done` subtasks), rule 3
/// above, nested subtasks (kept verbatim in `extra`, not scheduled).
loaded_plan parse_taskmaster(std::string_view text, const taskmaster_options& options = {});
loaded_plan read_taskmaster(const std::filesystem::path& file,
                            const taskmaster_options& options = {});

/// Loads a Task Master plan from a file, refusing an invalid one (1) by throwing, (2) through `ec`.
/**
 * @par Errors
 * `errc::plan_invalid`: (1) throws `system_error` whose message lists every error, one per line;
 * (2) sets `ec` and returns an empty plan. Use `read_taskmaster` to get the diagnostics as data.
 */
plan load_taskmaster(const std::filesystem::path& file, const taskmaster_options& options = {});
plan load_taskmaster(const std::filesystem::path& file, const taskmaster_options& options,
                     error_code& ec);

} // namespace cohort

#endif // COHORT_PLAN_TASKMASTER_HPP
