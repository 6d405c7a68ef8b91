// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_TESTS_SUPPORT_SIM_AGENT_HPP
#define COHORT_TESTS_SUPPORT_SIM_AGENT_HPP

// Helpers for the suites that launch the simulated agent (examples/sim_agent.cpp). CTest passes
// its path after `--`: cohort_tests --run_test=process -- /path/to/cohort-sim-agent

#include "files.hpp"
#include "common/procfs.hpp"  // the library's private /proc reader

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>
#include <unistd.h>

namespace cohort::test {

/// The path of cohort-sim-agent, from the test executable's command line.
inline std::string sim_agent_path() {
  auto& suite = boost::unit_test::framework::master_test_suite();
  BOOST_REQUIRE_MESSAGE(suite.argc > 1, "pass the path of cohort-sim-agent after --");
  return suite.argv[suite.argc - 1];
}

/// argv for the simulated agent with `args`.
inline std::vector<std::string> sim(std::initializer_list<std::string> args) {
  std::vector<std::string> v{sim_agent_path()};
  v.insert(v.end(), args);
  return v;
}

/// The number of open file descriptors of this process.
inline int open_fd_count() {
  int n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  while (d && ::readdir(d)) ++n;
  if (d) ::closedir(d);
  return n - 3;  // ".", ".." and the directory's own fd
}

/// True when process group `pgid` has no member left (zombies included).
inline bool group_gone(int pgid) { return ::kill(-pgid, 0) != 0 && errno == ESRCH; }

/// Waits up to `limit` for `pgid` to be gone. The bound is generous on purpose: orphaned
/// grandchildren are reaped by PID 1, which may take its time (seconds in some containers).
inline bool wait_group_gone(int pgid, std::chrono::seconds limit = std::chrono::seconds(30)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!group_gone(pgid)) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

/// True when `pid` is alive and not a zombie.
inline bool running(int pid) {
  const auto s = detail::read_proc_stat(pid);
  return s && !s->zombie();
}

} // namespace cohort::test

#endif // COHORT_TESTS_SUPPORT_SIM_AGENT_HPP
