// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_RUN_DIR_HPP
#define COHORT_RUN_RUN_DIR_HPP

#include <cohort/core/config.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace cohort {

/// The run directory: every name in it, the marker of its agents, and its lock.
/**
 * Layout, the only place that knows it:
 * @code
 * <run_dir>/journal.jsonl                  the journal (journal.hpp)
 * <run_dir>/journal.lock                   held by the live run (`run_dir_lock`)
 * <run_dir>/agents/<id>/prompt.md          the prompt of a task
 * <run_dir>/agents/<id>/<attempt>.out      an attempt's standard output
 * <run_dir>/agents/<id>/<attempt>.err      its standard error
 * <run_dir>/agents/<id>/<attempt>.usage.json   the usage it reported (`COHORT_USAGE_FILE`)
 * @endcode
 * `<id>` is the task id made a file name, one to one: every byte outside `[A-Za-z0-9._-]`, and
 * a leading dot, as `%XX` (so `a/b`, `a_b` and `a%2Fb` get three folders, and no id escapes
 * `agents/`); an empty id is `%`; a name longer than 100 bytes is cut to its first 80 and
 * followed by `~` and the 64-bit FNV-1a hash of the whole id.
 *
 * Nothing in a run dir can redirect what cohort writes: the run dir and its folders are created
 * 0700, and an existing one that is a symbolic link, belongs to another user or is writable by
 * group or others is refused (`operation_not_permitted`); files are opened with `O_NOFOLLOW` (a
 * planted link is refused: `too_many_symbolic_link_levels`) and created 0600.
 */
// tag::outline[]
/// The journal's file in `run_dir`.
std::filesystem::path journal_file(const std::filesystem::path& run_dir);

/// The folder of all agent output in `run_dir`.
std::filesystem::path agents_dir(const std::filesystem::path& run_dir);

/// The files of one attempt of a task in a run dir.
struct agent_files {
  std::filesystem::path prompt;  ///< the task's prompt (shared by its attempts)
  std::filesystem::path stdout_file, stderr_file, usage_file;
};

/// Where attempt `attempt` of task `task_id` keeps its files under `run_dir`.
agent_files agent_files_of(const std::filesystem::path& run_dir, const std::string& task_id,
                           int attempt);

/// The text the files of that attempt start with, `<run_dir>/agents/<task>/<attempt>`: its
/// output files are this plus ".out" and ".err" (`agent_files_of` without making a path of
/// each, for a caller that only writes their names).
std::string agent_file_stem(const std::filesystem::path& run_dir, std::string_view task_id,
                            int attempt);

/// Creates (privately, see above) the folder of task `task_id`'s files in `run_dir`, and
/// returns it. Throws `system_error`. With `parents_made` (the caller made a task's folder in
/// this run dir before), the run dir and its agents folder are not checked again, only made
/// again if they are gone: one `mkdir` a launch on the way of short jobs.
std::filesystem::path make_agent_dir(const std::filesystem::path& run_dir,
                                     const std::string& task_id, bool parents_made = false);

/// The environment variable that marks every agent process of a run dir (and, inherited, their
/// children): `COHORT_RUN_DIR=<run_dir_marker(run_dir)>`. The process launcher sets it;
/// `end_leftovers` (resume.hpp) then also finds an agent whose launch the dead run had no time to
/// record (killed between the spawn and the journal write).
inline constexpr const char* run_dir_variable = "COHORT_RUN_DIR";

/// The value of `run_dir_variable` for `run_dir`: its absolute, normal form.
std::string run_dir_marker(const std::filesystem::path& run_dir);
// end::outline[]

/// Exclusive use of a run directory for the life of a run (or a resume).
/**
 * Creates the directory if needed and takes `flock(LOCK_EX)` on `<run_dir>/journal.lock`. The
 * kernel releases it when the holder dies, even by `kill -9`: a stale lock never blocks a resume.
 * (A holder killed while it was starting a process leaves the lock to that child until the child
 * execs: when the pid written in the file is no live process, the lock is tried again for up to
 * two seconds, the calling thread blocked.)
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

} // namespace cohort

#endif // COHORT_RUN_RUN_DIR_HPP
