// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_SLURM_LAUNCHER_HPP
#define COHORT_RUN_SLURM_LAUNCHER_HPP

#include <cohort/core/config.hpp>
#include <cohort/process/usage.hpp>
#include <cohort/run/launcher.hpp>
#include <cohort/run/process_launcher.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

/// What every job of a run asks of the cluster; a task's own `slurm` resources (plan.hpp) win.
struct slurm_job_options {
  std::string partition;           ///< `--partition`; empty: the cluster's default
  std::string account;             ///< `--account`
  std::string time_limit;          ///< `--time`, in Slurm's words (`30`, `1:00:00`)
  std::string memory;              ///< `--mem` (`4G`)
  int cpus = 0;                    ///< `--cpus-per-task`; 0: the cluster's default
  std::vector<std::string> extra;  ///< more `sbatch` options, each one argument (`--qos=high`)
};

/// How the Slurm launcher submits and watches jobs.
struct slurm_launcher_options {
  // tag::outline[]
  /// The agent command, as for the process launcher (agent_command.hpp); a task's `argv` wins.
  std::vector<std::string> agent;
  /// Required, on a file system the nodes share: each attempt's prompt, output and usage files
  /// (run_dir.hpp) are written there by the job and read from there by the launcher.
  std::filesystem::path run_dir;
  std::filesystem::path workdir;  ///< the jobs' working directory; empty: the current one
  prompt_delivery prompt = prompt_delivery::file;  ///< stdin: the prompt file is the job's stdin
  /// Added to the driver's environment for `sbatch`, whose default export gives the job all of
  /// it (with the task's `env`, `COHORT_TASK_ID`, `COHORT_ATTEMPT`, `COHORT_RUN_DIR` and
  /// `COHORT_USAGE_FILE`). `SLURM_CONF` in the driver's environment picks the cluster.
  std::map<std::string, std::string, std::less<>> environment;
  std::chrono::milliseconds grace{5000};  ///< between `scancel --full -s TERM` and `scancel`
  cache_weights weights;                  ///< how cached tokens count in a job's usage
  slurm_job_options job;
  /// One `squeue` for every job of the launcher per interval (never a process per job), and
  /// one `scontrol show job` per job that ended, for its exit code.
  std::chrono::milliseconds poll_interval{250};
  /// The folder of `sbatch`, `squeue`, `scontrol` and `scancel`; empty: found on `PATH`.
  std::filesystem::path commands;
  /// A submission the controller turns away for the moment (busy, unreachable) is tried again
  /// this many times, 100 ms apart doubling to 5 s, before the attempt fails.
  int submit_retries = 8;
  // end::outline[]
};

/// A job of a run dir the cluster still knows, found by its comment (`find_jobs`).
struct slurm_job {
  std::string id;
  std::string state;   ///< as Slurm says it: PENDING, RUNNING, COMPLETED, FAILED, ...
  std::string reason;  ///< why it is pending (Priority, Resources, ...)
  std::string task_id;
  int attempt = 0;
};

/// Whether a job in Slurm's `state` has left the queue for good (COMPLETED, FAILED, CANCELLED,
/// TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE, PREEMPTED).
bool is_final_slurm_state(std::string_view state) noexcept;

/// Runs each attempt as one Slurm batch job.
/**
 * The job runs the attempt's exact argv (a two-line `#!/bin/sh` + `exec "$@"` batch script on
 * sbatch's stdin: no shell ever parses task text), in the working directory, with the
 * environment described in the options, its output in the run dir. Its name is
 * `cohort-<run>` and its comment `cohort <run> <attempt> <task id>`, `<run>` a hash of the run
 * dir: both identify the run, the comment the attempt. While it waits, `on_queued` tells its
 * state and Slurm's reason; once it runs, `on_started` (pid 0); at its end its exit code or signal
 * (`scontrol show job`) and the usage and errors in its output make the result, read as for
 * a local agent.
 *
 * Cancellation and the request's timeout: `scancel --full -s TERM`, the grace, then `scancel`;
 * the awaiting coroutine resumes once the job has left the queue (then throws
 * `operation_aborted` for a cancellation).
 *
 * A resumed run calls `find_jobs` and then `adopt` (the next launch of each such task waits
 * for the dead run's job instead of submitting one) or `cancel`: never a duplicate job.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: safe. The jobs and the poller live on a strand of
 * the executor given at construction; a launch's callbacks run on the awaiting coroutine's
 * executor (its run's strand). The launcher must outlive its launches.
 */
class slurm_launcher final : public launcher {
public:
  using executor_type = boost::asio::any_io_executor;

  slurm_launcher(executor_type ex, slurm_launcher_options options);
  ~slurm_launcher() override;
  slurm_launcher(const slurm_launcher&) = delete;
  slurm_launcher& operator=(const slurm_launcher&) = delete;

  [[nodiscard]] boost::asio::awaitable<launch_result> launch(const launch_request& r) override;

  /// The jobs of this run dir the cluster still lists (in any state it keeps).
  [[nodiscard]] boost::asio::awaitable<std::vector<slurm_job>> find_jobs();
  /// The next launch of each job's task waits for that job (the newest attempt of a task wins;
  /// call before the run starts). Jobs no launch claimed are `unclaimed()`.
  void adopt(std::vector<slurm_job> jobs);
  /// The adopted jobs no launch has claimed yet.
  [[nodiscard]] std::vector<slurm_job> unclaimed() const;
  /// Ends `jobs` (TERM, the grace, KILL) and completes once each has left the queue.
  [[nodiscard]] boost::asio::awaitable<void> cancel(std::vector<slurm_job> jobs);

  /// The run's mark in job names and comments (a hash of the run dir).
  const std::string& run_mark() const noexcept { return run_mark_; }
  const slurm_launcher_options& options() const noexcept { return options_; }

  struct state;  // the jobs and the poller, on the strand (slurm_launcher.cpp)

private:
  boost::asio::awaitable<launch_result> run_attempt(const launch_request& r);
  /// The job id; empty when sbatch refused the job (then `failed` says why).
  boost::asio::awaitable<std::string> submit(const launch_request& r, int attempt, launch_result& failed);

  slurm_launcher_options options_;
  std::string marker_;    ///< run_dir_marker(options_.run_dir)
  std::string run_mark_;  ///< hash of marker_
  std::shared_ptr<state> state_;
};

} // namespace cohort

#endif // COHORT_RUN_SLURM_LAUNCHER_HPP
