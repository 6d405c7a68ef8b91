// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_COMMON_PROCFS_HPP
#define COHORT_SRC_COMMON_PROCFS_HPP

// Private to the library: what /proc says of other processes, for the journal (start times) and
// resume (finding a dead run's agents). Any of them may exit while it is read: every function
// here gives "nothing" then, never an error (a std::ifstream read through istreambuf_iterator
// throws std::ios_base::failure with ESRCH instead).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cohort::detail {

/// The fields of /proc/<pid>/stat that cohort uses.
struct proc_stat {
  int pid = 0;
  char state = '?';
  int ppid = 0;
  int pgid = 0;
  unsigned flags = 0;            ///< field 9: the kernel's PF_* flags
  std::uint64_t start_time = 0;  ///< field 22: clock ticks after boot; with the pid, names a process
  bool zombie() const noexcept { return state == 'Z' || state == 'X'; }
  /// Forked and not (yet) exec'd (PF_FORKNOEXEC): until it execs, a child of `posix_spawn` or
  /// `vfork` shows its parent's command line and environment.
  bool before_exec() const noexcept { return (flags & 0x40U) != 0; }
};

/// The whole of /proc/<pid>/<name>; nothing when the process is gone or the file unreadable.
/// Read, it may still be empty: /proc/<pid>/environ is, for a moment, while the process execs.
std::optional<std::string> try_read_proc_file(int pid, const char* name);

/// `try_read_proc_file`, with "nothing" as empty.
std::string read_proc_file(int pid, const char* name);

/// /proc/<pid>/stat, parsed; empty when the process is gone.
std::optional<proc_stat> read_proc_stat(int pid);
/// Whether process `pid` runs the executable file this process runs (/proc/<pid>/exe); false
/// when it is gone or not this user's.
bool runs_this_program(int pid);

/// Now, in the unit of `proc_stat::start_time` (clock ticks since boot, rounded down): a
/// process started after this call has a start time no smaller.
std::uint64_t boot_ticks_now();

/// Every process there is, zombies included.
std::vector<proc_stat> scan_processes();

/// Processes and threads created on the machine since boot (`processes` in /proc/stat); 0 when
/// /proc does not say.
std::uint64_t forks_since_boot();

/// The pids the kernel handed out after a given one, in its cyclic order: `(after, through]`,
/// wrapping past the pid limit to the low pids.
struct pid_window {
  int after = 0;
  int through = 0;
  int limit = 0;  ///< pid_max: pids are below it
  bool contains(int pid) const noexcept {
    return after <= through ? pid > after && pid <= through : pid > after || pid <= through;
  }
  std::size_t size() const noexcept;
};

/// Every pid allocated after `pid` (this pid namespace), if the counter cannot have come round
/// past `pid` since: `forks_before` is `forks_since_boot()` read before `pid` was created, and
/// fewer forks than pids there are happened since. Empty otherwise, or when /proc does not say:
/// then only a scan of every process finds what `pid` left behind. The fork count it reads goes
/// to `forks_now` when given (a later `forks_before`: any count read earlier is one).
std::optional<pid_window> pids_allocated_after(int pid, std::uint64_t forks_before,
                                               std::uint64_t* forks_now = nullptr);

/// The processes (thread-group leaders, zombies included) whose pid is in `window`, but for the
/// pids in `skip`; /proc is not read at all when nothing else is in the window.
std::vector<proc_stat> scan_processes(const pid_window& window, const std::vector<int>& skip);

} // namespace cohort::detail

#endif // COHORT_SRC_COMMON_PROCFS_HPP
