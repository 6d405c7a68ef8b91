// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/resume.hpp>

#include "common/procfs.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <string_view>
#include <utility>

#include <unistd.h>

namespace cohort {
namespace asio = boost::asio;

using std::chrono::milliseconds;

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// --- plan changes ------------------------------------------------------------------------------

std::string plan_changes::describe() const {
  if (empty()) return "no change";
  std::string out;
  auto list = [&](std::string_view what, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    out += fmt::format("{}{}: {}", out.empty() ? "" : "; ", what, fmt::join(ids, ", "));
  };
  list("added", added);
  list("removed", removed);
  list("changed", changed);
  return out;
}

plan_changes compare(const plan_identity& before, const plan_identity& now) {
  plan_changes c;
  for (const auto& [id, fp] : now.tasks) {
    const auto was = before.tasks.find(id);
    if (was == before.tasks.end()) c.added.push_back(id);
    else if (was->second != fp) c.changed.push_back(id);
  }
  for (const auto& [id, fp] : before.tasks) {
    if (!now.tasks.contains(id)) c.removed.push_back(id);
  }
  return c;
}

plan_changed_error::plan_changed_error(plan_changes c)
    : system_error(make_error_code(errc::plan_invalid),
                   "cohort: the plan changed since the journal's run (" + c.describe() + ")"),
      changes_(std::move(c)) {}

// --- leftover agents ---------------------------------------------------------------------------

namespace {

using detail::proc_stat;

bool has_environment(int pid, const std::string& a, const std::string& b = {}) {
  const std::string env = detail::read_proc_file(pid, "environ");
  auto has = [&](const std::string& kv) {
    return kv.empty() || env.starts_with(kv + '\0') ||
           env.find('\0' + kv + '\0') != std::string::npos;
  };
  return has(a) && has(b);
}

// The live processes that belong to agent `a`, and whether its leader vouches for the group.
struct group {
  bool by_leader = false;  ///< the leader lives with the recorded start time: signal the group
  bool reused = false;     ///< the pid lives with another start time: not ours
  std::vector<int> members;
};

group find_group(const journal_agent& a, const std::vector<proc_stat>& procs) {
  group g;
  const auto leader = std::find_if(procs.begin(), procs.end(),
                                   [&](const proc_stat& p) { return p.pid == a.pid; });
  if (leader != procs.end() && leader->start_time != a.start_time) {
    g.reused = !leader->zombie();
    return g;
  }
  g.by_leader = leader != procs.end();
  const std::string task = "COHORT_TASK_ID=" + a.task;
  const std::string attempt = "COHORT_ATTEMPT=" + std::to_string(a.attempt);
  for (const auto& p : procs) {
    if (p.pgid != a.pid || p.zombie()) continue;
    if (g.by_leader || (p.start_time >= a.start_time && has_environment(p.pid, task, attempt))) {
      g.members.push_back(p.pid);
    }
  }
  return g;
}

void signal_group(const journal_agent& a, const group& g, int sig) {
  if (g.by_leader) {
    ::kill(-a.pid, sig);
    return;
  }
  for (int pid : g.members) ::kill(pid, sig);
}

using target = std::pair<journal_agent, group>;

// Live processes marked with `marker` that no target holds yet, one target per process group.
void add_marked(const std::string& marker, const std::vector<proc_stat>& procs,
                std::vector<target>& out) {
  std::vector<int> taken;
  for (const auto& [a, g] : out) taken.insert(taken.end(), g.members.begin(), g.members.end());
  for (const auto& p : procs) {
    const bool held = std::find(taken.begin(), taken.end(), p.pid) != taken.end();
    if (p.zombie() || held || p.pid == ::getpid() || !has_environment(p.pid, marker)) continue;
    auto t = std::find_if(out.begin(), out.end(), [&](const target& x) {
      return x.first.task.empty() && x.first.pid == p.pgid;
    });
    if (t == out.end()) {
      journal_agent unrecorded;
      unrecorded.pid = p.pgid;
      t = out.emplace(out.end(), unrecorded, group{});
    }
    t->second.members.push_back(p.pid);
  }
}

// The agents whose groups still have live members, then the unrecorded marked processes;
// `report` counts the pids left alone.
std::vector<target> live_groups(const std::vector<journal_agent>& agents, const std::string& marker,
                                ended_leftovers* report) {
  const auto procs = detail::scan_processes();
  std::vector<target> out;
  for (const auto& a : agents) {
    group g = find_group(a, procs);
    if (g.reused && report) ++report->reused;
    if (!g.members.empty()) out.emplace_back(a, std::move(g));
  }
  if (!marker.empty()) add_marked(marker, procs, out);
  return out;
}

// Waits until none of `agents` has a live member, or `limit` passes; returns those left. Polls
// /proc every 10 ms from a timer: the thread is free meanwhile.
asio::awaitable<std::size_t> wait_gone(const std::vector<journal_agent>& agents, const std::string& marker,
                                       milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  asio::steady_timer poll(co_await asio::this_coro::executor);
  for (;;) {
    const std::size_t left = live_groups(agents, marker, nullptr).size();
    if (left == 0 || std::chrono::steady_clock::now() >= until) co_return left;
    poll.expires_after(milliseconds(10));
    co_await poll.async_wait(asio::use_awaitable);
  }
}

std::vector<target> signal_all(const std::vector<journal_agent>& agents, const std::string& marker,
                               int sig, ended_leftovers* report) {
  auto hit = live_groups(agents, marker, report);
  for (const auto& [a, g] : hit) signal_group(a, g, sig);
  return hit;
}

} // namespace

asio::awaitable<detail::code_and<ended_leftovers>> detail::end_leftovers_outcome(journal_state s,
                                                                                milliseconds grace) {
  ended_leftovers r;
  std::vector<journal_agent> open;
  for (const auto& a : s.agents) {
    if (!a.ended && a.pid > 0) open.push_back(a);
  }
  r.checked = open.size();
  const std::string marker =
      s.run_dir.empty() ? std::string() : run_dir_variable + ('=' + run_dir_marker(s.run_dir));
  const auto termed = signal_all(open, marker, SIGTERM, &r);
  r.ended = termed.size();
  r.unrecorded = static_cast<std::size_t>(std::count_if(
      termed.begin(), termed.end(), [](const target& t) { return t.first.task.empty(); }));
  if (!termed.empty() && co_await wait_gone(open, marker, grace) > 0) {
    r.killed = signal_all(open, marker, SIGKILL, nullptr).size();
    r.survivors = co_await wait_gone(open, marker, milliseconds(1000));
  }
  co_return code_and<ended_leftovers>{{}, r};
}

ended_leftovers end_leftovers(const journal_state& s, milliseconds grace) {
  asio::io_context own;  // the waits run on a loop of their own: this thread's, for this call
  auto result = asio::co_spawn(own, detail::end_leftovers_outcome(s, grace), asio::use_future);
  own.run();
  return result.get().value;
}

// --- restoring a run ---------------------------------------------------------------------------

void restore(const journal_state& s, const plan& p, executor_options& options) {
  options.finished.clear();
  options.earlier_launches.assign(p.tasks.size(), 0);
  for (const auto& [id, t] : s.tasks) {
    const auto i = p.find(id);
    if (!i) continue;
    options.earlier_launches[*i] = t.launches;
    if (t.state == journal_task_state::succeeded) options.finished.push_back(*i);
  }
  std::sort(options.finished.begin(), options.finished.end());
  options.tokens_spent = s.tokens_spent;
}

resumed_run prepare_resume(const run_dir_lock& lock, const plan& p, executor_options& options,
                           const resume_options& ro) {
  resumed_run r;
  r.journal = read_journal(lock.run_dir());
  // No complete header: the run died creating its journal, before any agent; nothing to compare.
  if (r.journal.runs > 0) r.changes = compare(r.journal.identity, identify(p));
  if (!r.changes.empty() && !ro.accept_changed_plan) throw plan_changed_error(r.changes);
  r.leftovers = end_leftovers(r.journal, ro.grace);
  restore(r.journal, p, options);
  return r;
}

} // namespace cohort
