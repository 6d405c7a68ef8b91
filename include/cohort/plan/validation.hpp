// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_PLAN_VALIDATION_HPP
#define COHORT_PLAN_VALIDATION_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/error.hpp>
#include <cohort/plan/plan.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

/// How bad a problem found in a plan is.
enum class severity {
  warning,  ///< reported; the plan is still usable (e.g. a cycle between finished tasks)
  error,    ///< the plan is refused
};

/// One problem found while loading or checking a plan. Plain data.
/**
 * Every field that applies is set, so that a person can find the problem without searching:
 * `file` and `tag` say where, `task` is the full id of the task whose field is wrong, and
 * `reference` is the offending value as written (the missing dependency, the duplicated id, the
 * unknown status text, or the cycle as a path `12.1 -> 12.4 -> 12.1`).
 */
struct diagnostic {
  // tag::outline[]
  cohort::severity severity = cohort::severity::error;
  std::string file;       ///< the file read, or empty for text
  std::string tag;        ///< the Task Master tag, or empty
  std::string task;       ///< the full id of the task concerned, or empty
  std::string reference;  ///< the offending reference as written, or empty
  std::string message;    ///< what is wrong, in one sentence
  std::size_t line = 0;   ///< 1-based line of a JSON syntax error, 0 otherwise
  std::size_t column = 0; ///< 1-based column (in bytes) of a JSON syntax error, 0 otherwise
  // end::outline[]
};

/// One line: `file:line:column: error: tag 'master': task 12.1: <message>`.
std::string to_string(const diagnostic& d);

/// True when any diagnostic is an error.
bool has_errors(const std::vector<diagnostic>& ds) noexcept;

/// The errors among `ds`, one `to_string` per line (no trailing newline).
std::string error_text(const std::vector<diagnostic>& ds);

/// Throws `system_error(errc::plan_invalid, error_text(ds))` when `ds` holds an error.
void throw_if_errors(const std::vector<diagnostic>& ds);

/// What a loader does with a dependency that cannot be kept (missing, on itself, or closing a
/// cycle between unfinished tasks).
enum class broken_edges {
  refuse,  ///< report an error: the plan is refused (the default, like Task Master's `add-dependency`)
  drop,    ///< drop the edge and report a warning (like Task Master's `fix-dependencies`)
};

/// What a loader returns: the plan, everything it found wrong, and which tag it read and why.
/**
 * The plan always satisfies `plan`'s invariants and is acyclic: edges that could not be kept are
 * left out whatever the policy. When `diagnostics` holds an error the plan must not be run; the
 * throwing and `error_code` loaders refuse it.
 */
struct loaded_plan {
  // tag::outline[]
  cohort::plan plan;
  std::vector<diagnostic> diagnostics;
  std::string tag_reason;  ///< why `plan.tag` was read: "--tag", "state.json currentTag", ...

  bool ok() const noexcept { return !has_errors(diagnostics); }
  // end::outline[]
};

/// A dependency cycle for people, its tasks' ids in order (the first not repeated at the end):
/// `12.1 -> 12.4 -> 12.1`. Past 12 tasks the middle is left out and the length said:
/// `1 -> 2 -> 3 -> 4 -> 5 -> ... -> 99999 -> 100000 -> 1 (a cycle of 100000 tasks)`.
std::string describe_cycle(const std::vector<std::string_view>& ids);

/// Finds every dependency cycle of `p`, reports each as a path and removes the edge closing it.
/**
 * A subtask waits for its parent's dependencies, and a dependency on a parent means the whole
 * parent, so the cycles found are the ones that would deadlock a run (a subtask that depends on
 * its own parent is one). Each cycle is reported once, as a path of full ids starting and ending
 * at the same task, e.g. `12.1 -> 12.4 -> 12.1`; its last dependency edge is removed from `p`.
 *
 * A cycle whose tasks are all finished blocks nothing: it is a warning whatever `policy` says.
 * Otherwise it is an error under `broken_edges::refuse`, a warning under `broken_edges::drop`.
 * `context` gives the `file` and `tag` of every diagnostic appended to `out`.
 *
 * @returns the number of edges removed.
 */
std::size_t break_cycles(plan& p, broken_edges policy, const diagnostic& context,
                         std::vector<diagnostic>& out);

} // namespace cohort

#endif // COHORT_PLAN_VALIDATION_HPP
