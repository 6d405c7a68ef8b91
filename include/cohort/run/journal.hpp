// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_JOURNAL_HPP
#define COHORT_JOURNAL_HPP

#include <cohort/config.hpp>
#include <cohort/error.hpp>
#include <cohort/events.hpp>
#include <cohort/executor.hpp>
#include <cohort/plan.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cohort {

/// What a plan is: a content hash and one fingerprint per task, to tell whether a plan changed
/// between a run and its resume, and which tasks did.
/**
 * A task's fingerprint is the FNV-1a 64 hash of its canonical JSON (`to_json` of plan_json.hpp)
 * without `status` and `subtasks`: statuses are run state (a write-back changes them), and a
 * subtask has its own fingerprint. The plan's hash covers every id and fingerprint in order.
 */
struct plan_identity {
  // tag::outline[]
  std::string path;  ///< the plan file (`plan::source`), for people
  std::string tag;   ///< the Task Master tag (`plan::tag`)
  std::uint64_t hash = 0;
  std::map<std::string, std::uint64_t, std::less<>> tasks;  ///< full id -> fingerprint
  // end::outline[]
};

plan_identity identify(const plan& p);

/// Exclusive use of a run directory for the life of a run (or a resume).
/**
 * Creates the directory if needed and takes `flock(LOCK_EX)` on `<run_dir>/journal.lock`. The
 * kernel releases it when the holder dies, even by `kill -9`: a stale lock never blocks a resume.
 *
 * @par Errors
 * `device_or_resource_busy` when another process holds it (the message names the run dir and
 * that process' pid); the system's code when the directory cannot be created or the lock file
 * opened (e.g. `read_only_file_system`, `permission_denied`).
 */
class run_dir_lock {
public:
  explicit run_dir_lock(std::filesystem::path run_dir);
  run_dir_lock(run_dir_lock&& other) noexcept;
  run_dir_lock& operator=(run_dir_lock&&) = delete;
  ~run_dir_lock();

  const std::filesystem::path& run_dir() const noexcept { return run_dir_; }

private:
  std::filesystem::path run_dir_;
  int fd_ = -1;  ///< the locked file; -1 once moved from
};

/// Where agent output goes, for the journal to record with each launch: the run dir of the
/// process launcher (`agents/<id>/<attempt>.out` and `.err` under it). Empty: not recorded.
struct journal_options {
  std::filesystem::path agent_output_dir;
};

/// The journal of a run: an observer that appends every event to `<run_dir>/journal.jsonl`.
/**
 * One JSON object per line. A run (and every resume) starts with a header line:
 * `{"journal":1,"run":N,"time_ms":...,"pid":...,"plan":{"path","tag","hash","tasks":{id:fp}},
 * "options":{...}}`; then one line per event: `{"e":"task_launched","ms":...,"task":"12.3",
 * "attempt":1,"tokens":...,"pid":...,"pgid":...,"start_time":...,"out":...,"err":...}` (task
 * ids, never indexes; `start_time` is field 22 of `/proc/<pid>/stat`, to recognise the process
 * later). `task_output` lines are not journaled: they are in the agent's output file.
 *
 * Durability: the constructor writes and fsyncs the header (and the directory), so an unwritable
 * run dir or a full disk fails before any agent starts. `on_event` buffers; an event that
 * changes what a resume does (launch, usage, retry, outcome, end of run) is written at once,
 * which survives the death of the process; `before_launch` writes and fsyncs, which survives the
 * machine's. A torn last line left by an earlier death is cut off before appending.
 *
 * @par Errors
 * The constructor throws `system_error` with the system's code (`no_space_on_device`,
 * `read_only_file_system`, ...). A write failing in `on_event` is kept and thrown by the next
 * `before_launch`, which fails that launch: nothing runs unrecorded.
 *
 * @par Thread safety
 * Like every observer: called on the executor's thread only.
 */
class journal final : public observer {
public:
  // tag::outline[]
  /// Appends a run header for `p` and `options` and makes it durable.
  journal(run_dir_lock lock, const plan& p, const executor_options& options,
          journal_options jo = {});
  ~journal() override;  ///< flushes; errors are ignored (call `flush` to see them)

  void on_event(const event& e) override;
  void before_launch() override;  ///< write + fsync; throws what failed
  void flush();                   ///< write + fsync; throws `system_error`

  std::filesystem::path file() const;
  // end::outline[]

  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

private:
  void append(const std::string& line);
  void write_pending();
  void sync();

  run_dir_lock lock_;
  const plan& plan_;
  journal_options options_;
  int fd_ = -1;
  std::string pending_;  ///< complete lines not yet written; bounded (written at 64 KiB)
  error_code error_;     ///< the first failed write of `on_event`, thrown by `before_launch`
  event::clock_type::time_point origin_;  ///< `ms` of an event is measured from here
};

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
};

/// The state of a run directory, rebuilt from its journal.
struct journal_state {
  // tag::outline[]
  std::filesystem::path run_dir;  ///< where it was read from
  plan_identity identity;  ///< of the last header: the plan the last run ran
  int runs = 0;        ///< headers: 1 for a run never resumed
  bool finished = false;  ///< the last run delivered `run_finished`
  std::uint64_t tokens_spent = 0;  ///< the sum of `tasks[*].tokens`
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

/// The journal's file in `run_dir`.
std::filesystem::path journal_file(const std::filesystem::path& run_dir);

/// The environment variable that marks every agent process of a run dir (and, inherited, their
/// children): `COHORT_RUN_DIR=<run_dir_marker(run_dir)>`. A launcher of local processes should
/// set it (with `process_launcher`: `options.environment[run_dir_variable] =
/// run_dir_marker(run_dir)`); `end_leftovers` then also finds an agent whose launch the dead
/// run had no time to record (killed between the spawn and the journal write).
inline constexpr const char* run_dir_variable = "COHORT_RUN_DIR";

/// The value of `run_dir_variable` for `run_dir`: its absolute, normal form.
std::string run_dir_marker(const std::filesystem::path& run_dir);

/// `/proc/<pid>/stat` field 22 of a live process; 0 when there is none.
std::uint64_t process_start_time(int pid);

} // namespace cohort

#endif // COHORT_JOURNAL_HPP
