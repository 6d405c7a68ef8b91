// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_RUN_ATTEMPT_HPP
#define COHORT_SRC_RUN_ATTEMPT_HPP

// What every launcher of agents does around one attempt, wherever the agent runs (a local
// child, a cluster's job): its command, prompt, files and environment before, and how its end
// reads as a launch result after.

#include <cohort/process/process.hpp>
#include <cohort/process/usage.hpp>
#include <cohort/run/launcher.hpp>
#include <cohort/run/process_launcher.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cohort::detail {

/// The settings of a launcher that shape an agent's command (see process_launcher_options).
struct agent_setup {
  const std::vector<std::string>& agent;          ///< the command template
  const std::filesystem::path& run_dir;           ///< absolute; empty: no files
  const std::string& marker;                      ///< `run_dir_marker(run_dir)`; empty without one
  const std::filesystem::path& workdir;           ///< the launcher's; the request's wins
  prompt_delivery prompt;
  const std::map<std::string, std::string, std::less<>>& environment;
  bool agents_dir_made = false;  ///< the run dir's agents folder was made before (make_agent_dir)
};

/// The process the attempt `r` runs: argv (the task's own or the rendered template, never a
/// shell), working directory, environment (the launcher's, the task's, then `COHORT_TASK_ID`,
/// `COHORT_ATTEMPT` and `COHORT_RUN_DIR`), the prompt written to its file (or as `input`), and
/// the output and usage files under the run dir. Throws `system_error` (`invalid_argument`)
/// for a task without argv when there is no template, or `{prompt_file}` without a run dir.
process_options prepare_attempt(const agent_setup& s, const launch_request& r);

/// How an agent that ended as `r` (its files read for usage and errors) counts.
launch_result launch_result_of(const process_result& r, const cache_weights& weights);

/// An output line as the run shows it: an agent's JSON result (Claude Code's is 2-5 KB on one
/// line) as its message and usage; any other line as it is.
std::string shown_line(std::string_view line);

} // namespace cohort::detail

#endif // COHORT_SRC_RUN_ATTEMPT_HPP
