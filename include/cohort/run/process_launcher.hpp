// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_PROCESS_LAUNCHER_HPP
#define COHORT_RUN_PROCESS_LAUNCHER_HPP

#include <cohort/core/config.hpp>
#include <cohort/process/usage.hpp>
#include <cohort/run/launcher.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

/// Where an agent finds its prompt.
enum class prompt_delivery {
  file,   ///< written to a file; the template names it with `{prompt_file}`
  stdin,  ///< written to the agent's standard input (and to the file, when there is a run dir)
};

/// How the local process launcher starts agents.
struct process_launcher_options {
  // tag::outline[]
  /// The agent command, e.g. `{"claude", "-p", "--output-format", "json", "{prompt_file}"}`
  /// (see agent_command.hpp for the placeholders). A task with its own `argv` runs that instead.
  std::vector<std::string> agent;
  /// Per launch: the prompt, output and usage files under it (run_dir.hpp names them). Made
  /// absolute by the launcher, so that the paths agents get hold in any working directory.
  /// Empty: output is only streamed to the executor, nothing is written (the fastest).
  std::filesystem::path run_dir;
  std::filesystem::path workdir;  ///< the agents' working directory; empty: the current one
  prompt_delivery prompt = prompt_delivery::file;
  std::map<std::string, std::string, std::less<>> environment;  ///< added to the inherited one
  std::chrono::milliseconds grace{5000};  ///< between SIGTERM and SIGKILL
  bool stream_output = true;              ///< pass every output line on as an event (an agent's
                                          ///< JSON result line as its message, not its 2-5 KB)
  cache_weights weights;                  ///< how cached tokens count in a launch's usage
  /// A start that fails for want of file descriptors or processes (`EMFILE`, `ENFILE`,
  /// `EAGAIN`: other agents hold them) is tried again this many times, 10 ms apart doubling to
  /// 1 s (about a minute in all), before the attempt fails.
  int start_retries = 64;
  /// After each attempt (with a run dir), the processes it left running outside its process
  /// group (a daemon after `setsid`: the kill ladder cannot reach it) are ended like the agent
  /// (SIGTERM, `grace`, SIGKILL): those started since the launch whose environment carries the
  /// attempt's `COHORT_RUN_DIR`, `COHORT_TASK_ID` and `COHORT_ATTEMPT`. Costs one read of /proc
  /// per attempt. In a child subreaper (subreaper.hpp) they are the host's children: reaped too.
  bool end_escaped = true;
  /// Told the task id, the attempt and how many processes `end_escaped` ended, on the awaiting
  /// coroutine's executor (a run's strand); not called when there were none.
  std::function<void(std::string_view task_id, int attempt, std::size_t ended)> on_escaped;
  // end::outline[]
};

/// Runs each attempt as a local process (process.hpp): argv from the task or the template,
/// never a shell; the prompt in a file or on stdin; output to files under the run directory;
/// usage read from the Claude Code result or `COHORT_USAGE_FILE` (usage.hpp); exit code 75 or a
/// rate-limit report means "rate limited". Each agent gets `COHORT_TASK_ID` and
/// `COHORT_ATTEMPT` in its environment (over the task's `env`, itself over `environment`), and
/// with a run dir `COHORT_RUN_DIR` (run_dir.hpp), by
/// which a resumed run finds the agents of the dead one.
///
/// @par Thread safety
/// Distinct objects: safe. Shared objects: safe; `launch` reads the launcher's options and keeps
/// the pids of the agents alive under a mutex, so one launcher may serve several runs on
/// different strands or threads at once.
class process_launcher final : public launcher {
public:
  explicit process_launcher(process_launcher_options options);

  [[nodiscard]] boost::asio::awaitable<launch_result> launch(const launch_request& r) override;
  const process_launcher_options& options() const noexcept { return options_; }

private:
  boost::asio::awaitable<void> end_escaped(const std::string& id, int attempt,
                                           std::uint64_t launched_at, int group,
                                           std::uint64_t forks_before);
  struct live_agent;
  void started(int pid);
  void ended(int pid);
  std::vector<int> live_agents() const;
  std::uint64_t forks_before_launch();
  void saw_forks(std::uint64_t forks);

  process_launcher_options options_;
  std::string marker_;  ///< `run_dir_marker(options_.run_dir)`; empty without a run dir
  mutable std::mutex live_mutex_;
  std::vector<int> live_;  ///< the pids of this launcher's agents alive now (under live_mutex_)
  std::atomic<bool> agents_dir_made_{false};  ///< an attempt made the run dir's agents folder
  /// The latest fork count a search read, and when (under live_mutex_): a lower bound of the
  /// count at every later launch, so a launch soon after reads none of its own.
  std::uint64_t forks_seen_ = 0;
  std::chrono::steady_clock::time_point forks_seen_at_{};
};

} // namespace cohort

#endif // COHORT_RUN_PROCESS_LAUNCHER_HPP
