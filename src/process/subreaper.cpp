// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/process/subreaper.hpp>

#include "common/procfs.hpp"
#include "common/system_errors.hpp"

#include <cerrno>
#include <csignal>
#include <thread>
#include <vector>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cohort {

void become_child_subreaper(error_code& ec) {
  ec = {};
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL) != 0)
    ec = detail::last_error();
}

void become_child_subreaper() {
  error_code ec;
  become_child_subreaper(ec);
  if (ec) throw system_error(ec, "cohort: cannot become a child subreaper");
}

bool is_child_subreaper() noexcept {
  int on = 0;
  return ::prctl(PR_GET_CHILD_SUBREAPER, &on, 0UL, 0UL, 0UL) == 0 && on != 0;
}

namespace {

// The caller's live children; zombies among them are reaped as they are found.
std::vector<detail::proc_stat> live_children() {
  std::vector<detail::proc_stat> out;
  const int self = ::getpid();
  for (const auto& p : detail::scan_processes()) {
    if (p.ppid != self) continue;
    if (p.zombie()) ::waitpid(p.pid, nullptr, WNOHANG);
    else out.push_back(p);
  }
  return out;
}

// A child that leads its process group (a daemon after setsid) takes its group with it.
void signal_child(const detail::proc_stat& p, int sig) { ::kill(p.pgid == p.pid ? -p.pid : p.pid, sig); }

// Polls every 10 ms until no child is left or `limit` passes; returns those left.
std::vector<detail::proc_stat> wait_children(std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    auto left = live_children();
    if (left.empty() || std::chrono::steady_clock::now() >= until) return left;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

} // namespace

std::size_t end_adopted_children(std::chrono::milliseconds grace) {
  const auto children = live_children();
  for (const auto& p : children) {
    signal_child(p, SIGTERM);
    signal_child(p, SIGCONT);
  }
  if (!children.empty() && !wait_children(grace).empty()) {
    for (const auto& p : live_children()) signal_child(p, SIGKILL);
    (void)wait_children(std::chrono::milliseconds(1000));
  }
  return children.size();
}

} // namespace cohort
