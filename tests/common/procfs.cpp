// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the (private) header is self-contained.
#include "common/procfs.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <csignal>

#include <sys/wait.h>
#include <unistd.h>

using namespace cohort::detail;

namespace {

// A child that waits to be killed; ended and reaped with the object.
struct child {
  pid_t pid = ::fork();
  child() {
    if (pid == 0) {
      ::pause();
      ::_exit(0);
    }
    BOOST_REQUIRE(pid > 0);
  }
  ~child() {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  child(const child&) = delete;
  child& operator=(const child&) = delete;
};

bool holds(const std::vector<proc_stat>& procs, int pid) {
  return std::any_of(procs.begin(), procs.end(), [pid](const proc_stat& p) { return p.pid == pid; });
}

} // namespace

BOOST_AUTO_TEST_SUITE(procfs)

BOOST_AUTO_TEST_CASE(the_window_after_a_pid_holds_the_processes_born_since_and_not_those_before) {
  const child before;
  const std::uint64_t forks = forks_since_boot();
  BOOST_REQUIRE(forks > 0);
  const child first;
  const child later;
  const auto window = pids_allocated_after(first.pid, forks);
  BOOST_REQUIRE(window.has_value());
  BOOST_TEST(window->contains(later.pid));
  BOOST_TEST(!window->contains(first.pid));
  BOOST_TEST(!window->contains(before.pid));
  BOOST_TEST(window->size() >= 1u);
  const auto found = scan_processes(*window, {});
  BOOST_TEST(holds(found, later.pid));
  BOOST_TEST(!holds(found, before.pid));
  BOOST_TEST(!holds(found, first.pid));
}

BOOST_AUTO_TEST_CASE(the_pids_skipped_are_not_read_and_a_window_of_only_those_reads_nothing) {
  const std::uint64_t forks = forks_since_boot();
  const child first;
  const child later;
  const auto window = pids_allocated_after(first.pid, forks);
  BOOST_REQUIRE(window.has_value());
  BOOST_TEST(!holds(scan_processes(*window, {later.pid}), later.pid));
  // Every pid of the window skipped: nothing is found, whatever /proc holds.
  std::vector<int> all;
  for (int pid = window->after, left = static_cast<int>(window->size()); left > 0; --left) {
    pid = pid + 1 >= window->limit ? 1 : pid + 1;
    all.push_back(pid);
  }
  BOOST_TEST(scan_processes(*window, all).empty());
}

BOOST_AUTO_TEST_CASE(a_window_the_pid_counter_may_have_come_round_is_refused) {
  const child first;
  // Forks counted since "long ago": as many as there are pids, so the counter may have passed
  // `first` again and a pid after it in the window could be older than it.
  const std::uint64_t now = forks_since_boot();
  const auto window = pids_allocated_after(first.pid, now);
  BOOST_REQUIRE(window.has_value());
  const auto pids = static_cast<std::uint64_t>(window->limit);
  if (now > pids) BOOST_TEST(!pids_allocated_after(first.pid, now - pids).has_value());
  BOOST_TEST(!pids_allocated_after(first.pid, 0).has_value());  // unknown: no window
  BOOST_TEST(!pids_allocated_after(first.pid, now + 1'000'000).has_value());  // a counter that went back
}

BOOST_AUTO_TEST_CASE(a_window_wraps_past_the_pid_limit) {
  pid_window w;
  w.after = 32'000;
  w.through = 400;
  w.limit = 32'768;
  BOOST_TEST(w.contains(32'001));
  BOOST_TEST(w.contains(32'767));
  BOOST_TEST(w.contains(300));
  BOOST_TEST(w.contains(400));
  BOOST_TEST(!w.contains(32'000));
  BOOST_TEST(!w.contains(401));
  BOOST_TEST(w.size() == 767u + 400u);
}

BOOST_AUTO_TEST_SUITE_END()
