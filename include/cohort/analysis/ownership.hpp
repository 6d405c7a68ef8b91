// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_ANALYSIS_OWNERSHIP_HPP
#define COHORT_ANALYSIS_OWNERSHIP_HPP

#include <cohort/core/config.hpp>
#include <cohort/plan/plan.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

// Ownership: the file globs a task declares it may write (`task::owns`). Two tasks the DAG does
// not order may run at the same time, so their globs must not be able to match a common path.
// That is decided on the globs themselves: the files an agent will create do not exist yet.
//
// Glob syntax (paths are '/'-separated, relative to the repository):
// - `*` any run of characters within one segment; a segment that is only `*` matches a
//   non-empty name;
// - `?` one character other than '/'; `[abc]`, `[a-z]`, `[!a]` / `[^a]` one character of (not
//   of) the class, never '/'; `]` first in a class is literal; an unclosed `[` is literal;
// - `**` as a whole segment: any number of segments (`a/**/b` matches `a/b` and `a/x/y/b`; a
//   trailing `a/**` matches everything below `a`); `**` inside a segment is `*`;
// - `\x` the character x; a trailing `/` means everything below (`docs/` is `docs/**`); a
//   leading `./` is dropped.

// tag::outline[]
/// True if `path` matches `glob`.
bool glob_match(std::string_view glob, std::string_view path);
/// A shortest path both globs match; empty if there is none.
std::optional<std::string> common_path(std::string_view a, std::string_view b);
/// True if some path matches both globs.
bool globs_intersect(std::string_view a, std::string_view b);

/// Two unfinished tasks the DAG does not order whose globs can match a common path.
struct ownership_conflict {
  task_index first = 0, second = 0;  ///< first < second
  std::string first_glob, second_glob;  ///< the first overlapping pair of their globs
  std::string example;                  ///< a path both match
};
/// Every conflict, ordered by (first, second). A parent's globs cover all its subtasks; a
/// subtask is never in conflict with its own parent. O(owners x (tasks + dependencies)) plus the
/// glob tests. Throws on a dependency cycle.
std::vector<ownership_conflict> ownership_conflicts(const plan& p);

/// "`after` waits for `before`".
struct serialization_edge {
  task_index before = 0, after = 0;
};
/// Edges that order every conflicting pair: the earlier task in plan order goes first; a pair an
/// earlier edge already ordered gets none. Adding them never creates a cycle.
std::vector<serialization_edge> serialization_edges(const plan& p,
                                                    const std::vector<ownership_conflict>& c);
/// Adds the edges to the plan as dependencies (`add_dependency(after, before)`).
void add_serialization_edges(plan& p, const std::vector<serialization_edge>& edges);
// end::outline[]

} // namespace cohort

#endif // COHORT_ANALYSIS_OWNERSHIP_HPP
