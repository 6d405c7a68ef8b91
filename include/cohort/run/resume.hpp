// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_RESUME_HPP
#define COHORT_RUN_RESUME_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/detail/async_coroutine.hpp>
#include <cohort/core/error.hpp>
#include <cohort/run/executor.hpp>
#include <cohort/run/journal_state.hpp>
#include <cohort/run/plan_identity.hpp>
#include <cohort/run/run_dir.hpp>
#include <cohort/plan/plan.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cohort {

/// What differs between the plan a journal recorded and the plan given now (full task ids).
struct plan_changes {
  std::vector<std::string> added, removed, changed;

  bool empty() const noexcept { return added.empty() && removed.empty() && changed.empty(); }
  /// "added: 18, 18.1; removed: 3.2; changed: 12.1", or "no change".
  std::string describe() const;
};

plan_changes compare(const plan_identity& before, const plan_identity& now);

/// Thrown when a resume is refused because the plan's content changed since the journal's run.
/** Its code is `errc::plan_invalid`; the message lists the changes, `changes()` holds them. */
class plan_changed_error : public system_error {
public:
  explicit plan_changed_error(plan_changes c);
  const plan_changes& changes() const noexcept { return changes_; }

private:
  plan_changes changes_;
};

/// What `end_leftovers` found and did.
struct ended_leftovers {
  std::size_t checked = 0;     ///< agents of the journal not recorded as ended
  std::size_t ended = 0;       ///< process groups that were alive and were ended
  std::size_t unrecorded = 0;  ///< of those, groups found only by `run_dir_variable`
  std::size_t killed = 0;      ///< of those, groups that needed SIGKILL after the grace
  std::size_t reused = 0;      ///< pids alive but with another start time: left alone
  std::size_t survivors = 0;   ///< groups still alive after SIGKILL (should be 0)
  std::vector<int> pids;       ///< the processes that got SIGTERM
};

/// Ends every agent process group of a dead run that is still alive; blocks until they are gone.
/**
 * For each agent the journal saw start and never saw end, the group is that agent's only if its
 * leader's pid still has the recorded start time (`/proc/<pid>/stat` field 22): a reused pid is
 * never signalled. When the leader is gone but its group lives on (orphaned grandchildren), a
 * member is taken when it started no earlier than the leader and its environment carries the
 * agent's `COHORT_TASK_ID` and `COHORT_ATTEMPT` (the process launcher sets both). Any other
 * process whose environment carries `run_dir_variable` for `s.run_dir` is a leftover too (an
 * agent started but not yet recorded when its run died; the lock proves no live run owns it).
 * A child the dead run had forked and not yet exec'd shows the dead runner's environment, not
 * the mark: the search first waits (at most two seconds) until no other process of the calling
 * program stands before its exec, so that a program resuming its own runs finds such an agent.
 * Each group gets SIGTERM, then SIGKILL after `grace`; zombies count as gone.
 *
 * Call it with the run dir locked (`run_dir_lock`), before the resumed run starts. It blocks
 * the calling thread for at most `grace` plus about three seconds (it runs an event loop of its
 * own): not on an event loop. There, use `async_end_leftovers`.
 */
ended_leftovers end_leftovers(const journal_state& s,
                              std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

namespace detail {
boost::asio::awaitable<code_and<ended_leftovers>> end_leftovers_outcome(journal_state s,
                                                                        std::chrono::milliseconds grace);
/// What an agent may have left running: the processes whose environment holds every entry of
/// `environment`, that started no earlier than `born_after` (a /proc start time) and are not in
/// process group `group` (the agent's own, which its kill ladder ends).
struct escape_search {
  std::vector<std::string> environment;
  std::uint64_t born_after = 0;
  int group = 0;
  /// When set: the agent's pid, and the machine's fork count read before it started
  /// (`/proc/stat`'s `processes`). Only the pids handed out since the agent's are looked at,
  /// but those in `skip` (the other agents, alive: they cannot be its leftovers) — unless the
  /// pid counter may have come round since, when every process is.
  int leader = 0;
  std::uint64_t forks_before = 0;
  std::vector<int> skip;
  /// When set, gets the last fork count the search read (left as it is when it read none): the
  /// `forks_before` of a later launch.
  std::uint64_t* forks_seen = nullptr;
};
/// Ends what `s` finds: SIGTERM, SIGKILL after `grace`, then reaps those that are the caller's
/// children. For the process launcher.
boost::asio::awaitable<ended_leftovers> end_escaped(escape_search s, std::chrono::milliseconds grace);
} // namespace detail

/// `end_leftovers` as an asynchronous operation: the waits are timers, the thread stays free.
/**
 * @par Completion signature
 * `void(error_code, ended_leftovers)`; the code is always empty.
 */
template <class CompletionToken>
auto async_end_leftovers(const boost::asio::any_io_executor& ex, journal_state s,
                         std::chrono::milliseconds grace, CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(error_code, ended_leftovers)>(
      detail::initiate_coroutine{ex}, token,
      [st = std::move(s), grace]() mutable { return detail::end_leftovers_outcome(std::move(st), grace); });
}

/// Puts a journal's progress into `options` for a run of `p`: every task recorded succeeded goes
/// to `finished` (by id; ids `p` does not have are left out), and `tokens_spent` becomes the
/// journal's spend. Tasks that were running, failed, skipped or cancelled run again.
void restore(const journal_state& s, const plan& p, executor_options& options);

/// How `prepare_resume` treats a changed plan and leftover agents.
struct resume_options {
  bool accept_changed_plan = false;  ///< go on when the plan changed (tasks recorded done stay done)
  std::chrono::milliseconds grace{5000};  ///< for `end_leftovers`
};

/// What `prepare_resume` found.
struct resumed_run {
  journal_state journal;      ///< as read back
  plan_changes changes;       ///< empty unless a change was accepted
  ended_leftovers leftovers;  ///< the agents of the dead run it ended
};

/// Everything before a resumed run, in order: reads the journal of `lock.run_dir()`, refuses a
/// changed plan, ends leftover agents, and restores `options` (see the functions above).
/**
 * Then construct a `journal` with the same lock (moved) and `options`, and run the plan:
 * @code
 * cohort::run_dir_lock lock(run_dir);   // refuses a second live run on the dir
 * cohort::executor_options options = ...;
 * const cohort::resumed_run was = cohort::prepare_resume(lock, p, options);
 * cohort::journal j(std::move(lock), p, options, {.agent_files = true});
 * auto report = co_await cohort::run_plan(p, launcher, options, {&j});
 * @endcode
 *
 * A journal without a complete header (its run died while creating it, before any agent
 * started) resumes as an empty one: nothing done, no plan change.
 *
 * @par Errors
 * Those of `read_journal`; `plan_changed_error` when the plan changed and that was not accepted.
 */
resumed_run prepare_resume(const run_dir_lock& lock, const plan& p, executor_options& options,
                             const resume_options& ro = {});

} // namespace cohort

#endif // COHORT_RUN_RESUME_HPP
