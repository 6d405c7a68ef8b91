// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// rolling-wave's commands.
#ifndef ROLLING_WAVE_RUN_HPP
#define ROLLING_WAVE_RUN_HPP

#include "cli.hpp"

#include <cohort/plan/plan.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rolling_wave {

/// Exit codes.
enum exit_code : int { all_done = 0, some_failed = 1, bad_input = 2, interrupted = 130 };

/// The built-in demo plan: examples/plans/seed.json, compiled in (seed_plan.cpp, generated).
std::string_view seed_plan_json();

/// The plan the arguments name (the built-in one for the demo), loaded and checked: warnings go
/// to stderr, errors throw `usage_error` listing every problem.
cohort::plan load_plan(const arguments& a);

/// The commands a tasks file itself carries (a task's "argv"), which run only with
/// --allow-task-commands: a tasks file is untrusted input.
struct task_command_list {
  std::size_t tasks = 0;     ///< unfinished tasks with a command of their own
  std::size_t distinct = 0;  ///< distinct commands among them
  std::string text;          ///< one line each, shell-quoted, with its tasks; the first `shown`
};
task_command_list list_task_commands(const cohort::plan& p, std::size_t shown = 10);

/// The commands; each returns the exit code.
int run_command(arguments a, const std::vector<std::string>& raw);
int plan_command(const arguments& a);

/// The wait a job spends in Slurm besides its own work, measured on a one-machine Slurm 22.05
/// cluster (tests/slurm): submission to RUNNING 0.6-1.0 s, and its end seen at the next poll.
std::chrono::milliseconds slurm_launch_overhead(const arguments& a);

/// `p` as the chosen launcher runs it, for the prediction: with Slurm, every job takes its
/// estimate (else the default) plus `slurm_launch_overhead`. Same tasks, same indices.
cohort::plan as_launched(const cohort::plan& p, const arguments& a);
int status_command(const arguments& a);
int resume_command(arguments a, const std::vector<std::string>& raw);

} // namespace rolling_wave

#endif // ROLLING_WAVE_RUN_HPP
