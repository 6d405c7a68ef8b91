// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// rolling-wave's command line: what the person asked for, as plain data. Parsing never exits;
// a bad argument throws `usage_error` (exit code 2).
#ifndef ROLLING_WAVE_CLI_HPP
#define ROLLING_WAVE_CLI_HPP

#include <cohort/run/worktree_launcher.hpp>
#include <cohort/process/usage.hpp>
#include <cohort/run/agent_profile.hpp>
#include <cohort/run/executor.hpp>
#include <cohort/run/slurm_launcher.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rolling_wave {

/// A mistake on the command line: the message says which argument and why.
class usage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

enum class command { demo, run, plan, resume, status, clean, help, version };
enum class on_violation { warn, fail, sequential };

struct arguments {
  command cmd = command::demo;
  std::string tasks_file;          ///< empty: the default lookup (or the built-in demo plan)
  std::string tag;                 ///< --tag, else $TASKMASTER_TAG
  std::vector<std::string> agent;  ///< --agent, split into words (a profile's command, expanded)
  std::optional<cohort::agent_profile> profile;  ///< --agent claude|codex|gemini
  std::string prompt;              ///< --prompt file|stdin; empty: from the template
  std::string workdir;
  std::optional<std::string> run_dir;  ///< --run-dir; "" means none
  std::string trace_file;
  std::string format = "text";     ///< plan --format text|json|dot|mermaid
  std::uint64_t reserve = 0;       ///< --reserve: kept out of the per-parent budget split
  double time_scale = 1.0;
  bool time_scale_given = false;
  bool jobs_given = false;
  bool resuming = false;           ///< set by `resume`: the run continues the run dir's journal
  bool json = false, dry_run = false, confirm = false, yes = false, write_status = false;
  bool allow_task_commands = false;  ///< run the commands a tasks file carries (its "argv")
  on_violation violation = on_violation::warn;
  std::string isolation;           ///< --isolation worktree|none; empty: worktree in a git checkout
  cohort::conflict_policy on_conflict = cohort::conflict_policy::retry;
  int conflict_retries = 2;        ///< --conflict-retries
  bool keep_branches = false;      ///< --keep-branches: merged jobs' branches too
  bool land = false;               ///< --land: fast-forward the checkout's branch to the run's
  bool run_branch = false;         ///< clean --run-branch: the run branch too
  std::string author;              ///< --author 'Name <email>' of cohort's commits
  std::vector<std::string> gate;   ///< --gate 'CMD ARGS': every parent's own command
  bool slurm = false;              ///< --launcher slurm: every attempt a Slurm batch job
  cohort::slurm_job_options slurm_job;             ///< --slurm-partition, --slurm-option, ...
  std::chrono::milliseconds slurm_poll{250};       ///< --slurm-poll
  bool adopt_jobs = true;          ///< --on-resume adopt|cancel: the dead run's Slurm jobs
  cohort::executor_options options;  ///< -j, --per-parent, --budget, --stagger, ...
  cohort::cache_weights weights;     ///< --cache-read-weight, --cache-write-weight
};

/// Parses `argv` (without the program name). Throws `usage_error`.
arguments parse_arguments(const std::vector<std::string>& args);

/// "500ms", "30s", "5m", "1h30m", "0"; a number needs a unit ("600" alone is refused: seconds or
/// milliseconds?), and at most 366 days. Throws `usage_error` naming the flag.
std::chrono::milliseconds parse_duration(std::string_view text, std::string_view flag);

/// Splits a command line into words as a POSIX shell would (whitespace separates; '...' keeps
/// everything; "..." keeps everything but \" \\ \$ \`; \ escapes one character), and does
/// nothing else: no expansion, no substitution, nothing run. Throws on an unclosed quote.
std::vector<std::string> split_words(std::string_view line);

/// The text of --help.
std::string help_text();

} // namespace rolling_wave

#endif // ROLLING_WAVE_CLI_HPP
