// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_TESTS_SUPPORT_PROCESSES_HPP
#define COHORT_TESTS_SUPPORT_PROCESSES_HPP

// Processes for the journal and reliability tests: start a program in its own process group
// (as the process launcher would), and count the live members of a group by scanning /proc.

#include "common/procfs.hpp"     // the library's private /proc reader
#include "sim_agent.hpp"  // running(pid)

#include <algorithm>
#include <cctype>
#include <csignal>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace cohort::test {

/// Starts `argv` in a new process group (pgid == pid) with `env` added to this environment and
/// stdout on `out` (default /dev/null). Returns its pid, or -1.
inline int spawn_group(const std::vector<std::string>& argv,
                       const std::map<std::string, std::string>& env = {},
                       const std::string& out = "/dev/null") {
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) envs.emplace_back(*e);
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
  std::vector<char*> a, e;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  for (const auto& s : envs) e.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  e.push_back(nullptr);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, a[0], &fa, &attr, a.data(), e.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return rc == 0 ? pid : -1;
}

/// The live (not zombie) processes of group `pgid`.
inline std::vector<int> live_members(int pgid) {
  std::vector<int> out;
  for (const auto& p : detail::scan_processes()) {
    if (p.pgid == pgid && !p.zombie()) out.push_back(p.pid);
  }
  return out;
}

/// Waits up to `limit` until group `pgid` has `n` live members; true when it has.
inline bool wait_members(int pgid, std::size_t n,
                         std::chrono::milliseconds limit = std::chrono::milliseconds(10000)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (live_members(pgid).size() != n) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

/// SIGKILLs whatever is left of group `pgid` and reaps `pid` if it is this process' child.
inline void kill_and_reap(int pid) {
  ::kill(-pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

} // namespace cohort::test

#endif // COHORT_TESTS_SUPPORT_PROCESSES_HPP
