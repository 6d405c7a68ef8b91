// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_JOURNAL_STATE_HPP
#define COHORT_RUN_JOURNAL_STATE_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/error.hpp>
#include <cohort/run/plan_identity.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

/// How a task stands in a journal.
enum class journal_task_state { pending, running, succeeded, failed, skipped, cancelled };

std::string_view to_string(journal_task_state s) noexcept;

/// One agent process a journal saw start.
struct journal_agent {
  std::string task;  ///< full id
  int attempt = 0;   ///< the attempt number within its run
  int pid = 0;       ///< also its process group id
  std::uint64_t start_time = 0;  ///< `/proc/<pid>/stat` field 22 (clock ticks since boot)
  std::uint64_t reserved = 0;    ///< tokens reserved for it
  std::filesystem::path stdout_file, stderr_file;  ///< empty when not recorded
  bool ended = false;  ///< its end was recorded (usage, an outcome, or the end of its run)
};

/// What a journal says about one task, over every run of it.
struct journal_task {
  journal_task_state state = journal_task_state::pending;
  int launches = 0;          ///< agents started for it, over all runs
  std::uint64_t tokens = 0;  ///< reported usage, plus the reservation of agents that never reported
  /// Its last `task_merge` record (an isolating launcher's): the state (`merged`, `conflict`,
  /// ...; empty: none), the branch and the commit it names.
  std::string merge, branch, commit;
};

/// The state of a run directory, rebuilt from its journal.
struct journal_state {
  // tag::outline[]
  std::filesystem::path run_dir;  ///< where it was read from
  plan_identity identity;  ///< of the last header: the plan the last run ran
  int runs = 0;        ///< headers: 1 for a run never resumed
  bool finished = false;  ///< the last run delivered `run_finished`
  std::uint64_t tokens_spent = 0;  ///< the sum of `tasks[*].tokens`
  double cost_spent = 0;           ///< reported cost (US dollars), summed over every run
  std::map<std::string, journal_task, std::less<>> tasks;  ///< by full id
  std::vector<journal_agent> agents;  ///< every agent started, in order
  std::size_t lines = 0;   ///< complete lines read
  bool torn_tail = false;  ///< an unterminated last line was ignored
  // end::outline[]
};

/// Reads `<run_dir>/journal.jsonl` back: (1) throws `system_error`, (2) sets `ec`.
/**
 * A last line without its newline (a write torn by a crash) is ignored; any other line that is
 * not a journal record is an error. Outcomes of a later run replace those of an earlier one; a
 * task that was running when its run died stays `running` (a resume runs it again).
 *
 * @par Errors
 * `errc::journal_corrupt`, the message naming the file and the line number;
 * `no_such_file_or_directory` when there is no journal.
 */
journal_state read_journal(const std::filesystem::path& run_dir);
journal_state read_journal(const std::filesystem::path& run_dir, error_code& ec);

} // namespace cohort

#endif // COHORT_RUN_JOURNAL_STATE_HPP
