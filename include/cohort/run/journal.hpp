// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_JOURNAL_HPP
#define COHORT_RUN_JOURNAL_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/error.hpp>
#include <cohort/run/events.hpp>
#include <cohort/run/executor.hpp>
#include <cohort/run/run_dir.hpp>
#include <cohort/plan/plan.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cohort {

/// What the journal records beyond the events.
struct journal_options {
  /// Agents write their output files in this run dir (a `process_launcher` with the same
  /// `run_dir`): record the paths of each launch's `.out` and `.err` (run_dir.hpp) with it.
  bool agent_files = false;
  /// When launches share an fsync (group commit: a launch waits while the event loop's passes
  /// bring others, see `journal`). `automatic`: while an fsync costs more than
  /// `group_commit_above` (a disk); a cheap one (tmpfs, a fast SSD's cache) is done at once for
  /// each launch, which waits for nothing. What an fsync costs is the fastest of the last 8: a
  /// thread descheduled in one on a busy machine does not make tmpfs a disk. Either way no agent
  /// starts before everything recorded so far is durable.
  enum class grouping { automatic, always, never };
  grouping group_commit = grouping::automatic;
  std::chrono::microseconds group_commit_above{100};
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
 * which survives the death of the process. No agent starts before everything recorded so far
 * survives the machine's: a run's launches wait for `until_recorded`, which writes and fsyncs
 * once for every launch decided while it waits (group commit: the first launch queues the
 * commit behind the handlers already queued, and it goes back to the end of the queue while the
 * last pass brought it more launches, at most 64 times; the others join it);
 * `before_launch` does the same for one caller at once. A torn last line left by an earlier
 * death is cut off before appending.
 *
 * @par Errors
 * The constructor throws `system_error` with the system's code (`no_space_on_device`,
 * `read_only_file_system`, ...). A write failing in `on_event` is kept and thrown by the next
 * `before_launch`, which fails that launch: nothing runs unrecorded.
 *
 * @par Thread safety
 * Like every observer: called on its run's strand, one call at a time; one journal per run.
 */
class journal final : public observer {
public:
  // tag::outline[]
  /// Appends a run header for `p` and `options` and makes it durable.
  journal(run_dir_lock lock, const plan& p, const executor_options& options,
          journal_options jo = {});
  ~journal() override;  ///< flushes; errors are ignored (call `flush` to see them)

  void on_event(const event& e) override;
  void before_launch() override;  ///< write + fsync; throws what failed, or that the file was deleted
  bool groups_launches() const noexcept override;
  /// `before_launch` once for every launch that waits in the same turn of the event loop.
  boost::asio::awaitable<void> until_recorded() override;
  void flush();                   ///< write + fsync; throws `system_error`

  std::filesystem::path file() const;
  // end::outline[]

  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

private:
  struct commit;  // the launches waiting for the next fsync
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
  /// The last one queued (it may have run); owned by its handler and its waiters only, so that
  /// it never outlives the event loop its timer belongs to.
  std::weak_ptr<commit> next_commit_;
  /// What the last fsyncs took (a ring); the fastest is what one costs the device.
  std::array<std::chrono::steady_clock::duration, 8> syncs_{};
  std::size_t next_sync_ = 0;
  bool unsynced_ = false;  ///< written since the last fsync
};

} // namespace cohort

#endif // COHORT_RUN_JOURNAL_HPP
