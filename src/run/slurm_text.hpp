// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_RUN_SLURM_TEXT_HPP
#define COHORT_SRC_RUN_SLURM_TEXT_HPP

// What Slurm 22.05's commands print, read: `sbatch --parsable`, `squeue -o '%i|%T|%r|%k'` and
// `scontrol -o show job`. Kept apart from the launcher so that each shape has a test of its own.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort::detail {

/// One line of `squeue -h -t all -o '%i|%T|%r|%k'`: id, state, reason, comment (the comment
/// last: it may hold '|').
struct queue_line {
  std::string id, state, reason, comment;
};

/// The format string `parse_queue_line` reads.
inline constexpr std::string_view queue_format = "%i|%T|%r|%k";

std::optional<queue_line> parse_queue_line(std::string_view line);

/// The job id `sbatch --parsable` printed (`12` or `12;cluster`); empty when it is not one.
std::string parse_job_id(std::string_view out);

/// Whether a job in `state` has left the queue for good (COMPLETED, FAILED, CANCELLED, TIMEOUT,
/// NODE_FAIL, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE, PREEMPTED).
bool is_final_state(std::string_view state) noexcept;

/// `ExitCode=code:signal` of `scontrol -o show job ID` (not `DerivedExitCode`).
struct job_exit {
  int code = 0;
  int signal = 0;
};
std::optional<job_exit> parse_job_exit(std::string_view scontrol_line);

/// The comment cohort gives a job: `cohort <run> <attempt> <task id>`, and its reading.
std::string job_comment(std::string_view run, std::string_view task_id, int attempt);
struct job_mark {
  std::string run, task_id;
  int attempt = 0;
};
std::optional<job_mark> parse_job_comment(std::string_view comment);

/// Whether sbatch's complaint is the controller's moment (busy, unreachable), worth another try.
bool is_transient_submit_error(std::string_view text) noexcept;

} // namespace cohort::detail

#endif // COHORT_SRC_RUN_SLURM_TEXT_HPP
