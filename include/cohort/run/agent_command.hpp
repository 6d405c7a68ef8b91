// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_AGENT_COMMAND_HPP
#define COHORT_RUN_AGENT_COMMAND_HPP

#include <cohort/core/config.hpp>
#include <cohort/plan/plan.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

/// The values of an agent command template's placeholders for one launch.
/**
 * `{id}` the task's full id, `{title}` its title, `{prompt_file}` the file holding its prompt,
 * `{workdir}` the agents' working directory, `{attempt}` the launch number, `{parent}` the
 * parent's id (the task's own for a parent), `{duration_ms}` the task's duration estimate in
 * milliseconds (empty without one; a simulated agent sleeps that long).
 */
using placeholder_values = std::map<std::string, std::string, std::less<>>;

// tag::outline[]
/// Substitutes the placeholders in each argument of `argv_template`. Each argument stays one
/// argument whatever the values hold (spaces, quotes, `$(...)`): no shell ever sees them, so task
/// text never becomes code. An unknown `{name}` is left as it is; `{{` and `}}` are literal braces.
///
/// Task text never becomes an option either: a placeholder that is a whole argument (after the
/// program) and whose value starts with `-` (a title `--output=/etc/x`) throws `system_error`
/// with `errc::invalid_argument` naming the placeholder and the value, unless an argument `--`
/// comes before it in the template. Inside an argument (`--title={title}`) a value is harmless.
std::vector<std::string> render_argv(const std::vector<std::string>& argv_template,
                                     const placeholder_values& values);

/// The prompt of a task, in Markdown: its title, description, details and test strategy, the
/// parent's title and description for a subtask, and the file globs it owns (the only files it
/// may write).
std::string build_prompt(const plan& p, task_index t);

/// The placeholder values for `t` (without `{prompt_file}`, `{workdir}` and `{attempt}`).
placeholder_values task_placeholders(const plan& p, task_index t);
// end::outline[]

} // namespace cohort

#endif // COHORT_RUN_AGENT_COMMAND_HPP
