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

#include <sys/wait.h>
#include <unistd.h>

namespace cohort {
namespace asio = boost::asio;

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

// Whether the environment of `pid` holds every `NAME=value` of `entries`; `unsure` when it
// reads empty, as it does for a moment while the process execs.
enum class environment_match { no, yes, unsure };

environment_match match_environment(int pid, const std::vector<std::string>& entries) {
  const auto env = detail::try_read_proc_file(pid, "environ");
  if (!env) return environment_match::no;
  if (env->empty()) return environment_match::unsure;
  const bool all = std::all_of(entries.begin(), entries.end(), [&](const std::string& kv) {
    return env->starts_with(kv + '\0') || env->find('\0' + kv + '\0') != std::string::npos;
  });
  return all ? environment_match::yes : environment_match::no;
}

bool has_environment(int pid, const std::vector<std::string>& entries) {
  return match_environment(pid, entries) == environment_match::yes;
}

// Which processes are leftovers by their mark: every entry in their environment, started no
// earlier than `born_after` (a /proc start time).
struct marks {
  std::vector<std::string> environment;
  std::uint64_t born_after = 0;
  int skip_group = 0;  // a process group the kill ladder is ending already
  // Set: only the pids handed out after this one are looked at (when /proc can tell), but `skip`.
  int leader = 0;
  std::uint64_t forks_before = 0;
  std::vector<int> skip;
  std::uint64_t* forks_seen = nullptr;  // gets the fork count read, when set
};

// The processes `m` may name: those born since its leader when /proc can tell, else all.
std::vector<proc_stat> candidates(const marks& m) {
  if (m.leader > 0) {
    if (const auto window = detail::pids_allocated_after(m.leader, m.forks_before, m.forks_seen)) {
      return detail::scan_processes(*window, m.skip);
    }
  }
  return detail::scan_processes();
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
  const std::vector<std::string> mark{"COHORT_TASK_ID=" + a.task,
                                      "COHORT_ATTEMPT=" + std::to_string(a.attempt)};
  for (const auto& p : procs) {
    if (p.pgid != a.pid || p.zombie()) continue;
    if (g.by_leader || (p.start_time >= a.start_time && has_environment(p.pid, mark))) {
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

// Live processes with the marks that no target holds yet, one target per process group; those
// whose environment could not be told go to `unsure`, if given.
void add_marked(const marks& m, const std::vector<proc_stat>& procs, std::vector<target>& out,
                std::vector<int>* unsure) {
  std::vector<int> taken;
  for (const auto& [a, g] : out) taken.insert(taken.end(), g.members.begin(), g.members.end());
  for (const auto& p : procs) {
    const bool held = std::find(taken.begin(), taken.end(), p.pid) != taken.end();
    if (p.zombie() || held || p.pid == ::getpid() || p.start_time < m.born_after || p.pgid == m.skip_group)
      continue;
    const environment_match match = match_environment(p.pid, m.environment);
    // A kernel thread (kthreadd, pid 2, and its children) has no environment at all: never ours.
    const bool kernel = p.pid == 2 || p.ppid == 2;
    if (match == environment_match::unsure && unsure && !kernel) unsure->push_back(p.pid);
    if (match != environment_match::yes) continue;
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
std::vector<target> live_groups(const std::vector<journal_agent>& agents, const marks& m,
                                ended_leftovers* report, std::vector<int>* unsure = nullptr) {
  const auto procs = agents.empty() ? candidates(m) : detail::scan_processes();
  std::vector<target> out;
  for (const auto& a : agents) {
    group g = find_group(a, procs);
    if (g.reused && report) ++report->reused;
    if (!g.members.empty()) out.emplace_back(a, std::move(g));
  }
  if (!m.environment.empty()) add_marked(m, procs, out, unsure);
  return out;
}

// Waits until none of `agents` has a live member, or `limit` passes; returns those left. Polls
// /proc every 10 ms from a timer: the thread is free meanwhile.
// A process signalled, by pid and /proc start time (the pair names it, whatever reuses the pid).
using signalled = std::vector<std::pair<int, std::uint64_t>>;

signalled named(const std::vector<int>& pids) {
  signalled out;
  for (int pid : pids) {
    if (const auto s = detail::read_proc_stat(pid); s && !s->zombie()) out.emplace_back(pid, s->start_time);
  }
  return out;
}

// Those of `sent` still running (a zombie has ended). A process caught in an exec reads as
// having no environment, so a scan by marks alone could take it for gone.
signalled still_running(const signalled& sent) {
  signalled out;
  for (const auto& [pid, start] : sent) {
    const auto s = detail::read_proc_stat(pid);
    if (s && !s->zombie() && s->start_time == start) out.emplace_back(pid, start);
  }
  return out;
}

// Calls `done` now and every `period` until it holds or `limit` passes; whether it held.
template <class Done>
asio::awaitable<bool> poll_until(milliseconds limit, milliseconds period, Done done) {
  const auto until = std::chrono::steady_clock::now() + limit;
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (;;) {
    if (done()) co_return true;
    if (std::chrono::steady_clock::now() >= until) co_return false;
    pause.expires_after(period);
    co_await pause.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<std::size_t> wait_gone(const std::vector<journal_agent>& agents, const marks& m,
                                       milliseconds limit, const signalled& sent) {
  std::size_t left = 0;
  const auto gone = [&] {
    left = live_groups(agents, m, nullptr).size() + still_running(sent).size();
    return left == 0;
  };
  (void)co_await poll_until(limit, milliseconds(10), gone);
  co_return left;
}

std::vector<target> signal_all(const std::vector<journal_agent>& agents, const marks& m, int sig,
                               ended_leftovers* report, std::vector<int>* unsure = nullptr) {
  auto hit = live_groups(agents, m, report, unsure);
  for (const auto& [a, g] : hit) signal_group(a, g, sig);
  return hit;
}

// SIGTERM to the marked processes among `unsure` once their environment can be read: a process
// in the middle of an exec shows an empty one for well under a millisecond, so they are looked at
// up to 20 times, 5 ms apart, before they are taken for not ours (an `env -i` process, say).
asio::awaitable<void> signal_late(const marks& m, std::vector<int> unsure, std::vector<target>& termed) {
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (int look = 0; look < 20 && !unsure.empty(); ++look) {
    pause.expires_after(milliseconds(5));
    co_await pause.async_wait(asio::use_awaitable);
    std::vector<proc_stat> again;
    for (int pid : unsure) {
      if (auto s = detail::read_proc_stat(pid)) again.push_back(*s);
    }
    unsure.clear();
    std::vector<target> late;
    add_marked(m, again, late, &unsure);
    for (auto& t : late) {
      signal_group(t.first, t.second, SIGTERM);
      // One target per process group: a late member joins its group's target, if there is one.
      const auto same = std::find_if(termed.begin(), termed.end(), [&](const target& x) {
        return x.first.task.empty() && x.first.pid == t.first.pid;
      });
      if (same == termed.end()) termed.push_back(std::move(t));
      else same->second.members.insert(same->second.members.end(), t.second.members.begin(), t.second.members.end());
    }
  }
}

// A child the dead run was starting when it died may still stand between its fork and its exec
// (posix_spawn's child, scheduled late on a busy machine). Until it execs, /proc shows it with
// the dead runner's command line and environment, without the run dir's mark: a scan would miss
// the agent it is about to become, and its task would run twice. Such a child runs the program
// that spawned it: this one, when a program resumes its own runs. So this waits until no other
// process of this program stands before its exec, polling every 5 ms, for at most `limit`.
asio::awaitable<void> wait_for_execs(milliseconds limit) {
  const auto none_left = [] {
    const auto procs = detail::scan_processes();
    return std::none_of(procs.begin(), procs.end(), [](const proc_stat& p) {
      return p.before_exec() && !p.zombie() && p.pid != ::getpid() && detail::runs_this_program(p.pid);
    });
  };
  (void)co_await poll_until(limit, milliseconds(5), none_left);
}

// SIGTERM to every group, SIGKILL after the grace to those left; counts in `r`.
asio::awaitable<void> end_groups(std::vector<journal_agent> open, marks m, milliseconds grace,
                                 ended_leftovers& r) {
  std::vector<int> unsure;
  auto termed = signal_all(open, m, SIGTERM, &r, &unsure);
  if (!unsure.empty()) co_await signal_late(m, std::move(unsure), termed);
  r.ended = termed.size();
  r.unrecorded = static_cast<std::size_t>(std::count_if(
      termed.begin(), termed.end(), [](const target& t) { return t.first.task.empty(); }));
  for (const auto& [a, g] : termed) r.pids.insert(r.pids.end(), g.members.begin(), g.members.end());
  const signalled sent = named(r.pids);
  if (!termed.empty() && co_await wait_gone(open, m, grace, sent) > 0) {
    r.killed = signal_all(open, m, SIGKILL, nullptr).size();
    for (const auto& [pid, start] : still_running(sent)) ::kill(pid, SIGKILL);
    r.survivors = co_await wait_gone(open, m, milliseconds(1000), sent);
  }
  // Those that were our children (a child subreaper adopts its agents' daemons) are reaped
  // here; for any other pid this is a no-op (ECHILD).
  for (int pid : r.pids) ::waitpid(pid, nullptr, WNOHANG);
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
  marks m;
  if (!s.run_dir.empty()) m.environment.push_back(run_dir_variable + ('=' + run_dir_marker(s.run_dir)));
  co_await wait_for_execs(milliseconds(2000));
  co_await end_groups(std::move(open), std::move(m), grace, r);
  co_return code_and<ended_leftovers>{{}, r};
}

asio::awaitable<ended_leftovers> detail::end_escaped(escape_search s, milliseconds grace) {
  ended_leftovers r;
  marks m;  // built in its own statement: g++ 12 miscompiles braced temporaries in a co_await
  m.environment = std::move(s.environment);
  m.born_after = s.born_after;
  m.skip_group = s.group;
  m.leader = s.leader;
  m.forks_before = s.forks_before;
  m.skip = std::move(s.skip);
  m.forks_seen = s.forks_seen;
  std::vector<journal_agent> none;
  co_await end_groups(std::move(none), std::move(m), grace, r);
  co_return r;
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
  options.cost_spent = s.cost_spent;
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
