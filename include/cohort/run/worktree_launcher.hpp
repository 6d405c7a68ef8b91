// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_WORKTREE_LAUNCHER_HPP
#define COHORT_RUN_WORKTREE_LAUNCHER_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/semaphore.hpp>
#include <cohort/git/repository.hpp>
#include <cohort/run/launcher.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cohort {

/// What happens when a job's work does not merge into its parent's branch.
enum class conflict_policy {
  retry,       ///< run the agent again from the branch's current tip, the conflict in its prompt
  fail,        ///< fail the task, naming the paths (its branch is kept)
  sequential,  ///< from now on one agent at a time; the job runs again from the current tip
};

/// How the worktree launcher isolates agents.
struct worktree_options {
  // tag::outline[]
  std::filesystem::path repository;  ///< any folder of the user's checkout
  std::filesystem::path worktrees;   ///< where the jobs' worktrees are made (in the run dir)
  std::string run_name;              ///< the run's branch is `cohort/<run_name>`
  std::string base = "HEAD";         ///< what the run branch starts from
  /// Where in the checkout the agents work (the work dir below the checkout's top): the same
  /// folder in each worktree. Empty: the top.
  std::filesystem::path subdir;
  git_identity author;               ///< signs cohort's commits and merges
  conflict_policy on_conflict = conflict_policy::retry;
  int conflict_retries = 2;          ///< runs again after a conflict (retry, sequential)
  bool keep_branches = false;        ///< keep merged jobs' branches (their worktrees go)
  /// A resumed run: the run branch and parents' branches of the run before are taken as they
  /// are (their merged work kept), job branches get a suffix of their own, and the worktrees
  /// the dead run was using are removed (their jobs' branches are kept). A task whose work the
  /// dead run merged is not run again; one whose job committed but was not merged yet is
  /// merged, not run again.
  bool resume = false;
  // end::outline[]
};

/// One job (an attempt, or its run again after a conflict), as the worktree launcher saw it.
struct worktree_job {
  /// `checked`: a parent's own command (a gate) that passed: nothing of it is merged.
  enum state_type { running, merged, checked, conflict, failed } state = running;
  std::string task_id;
  int attempt = 1;
  int run = 0;                         ///< 0, then 1, 2, ... for the runs after conflicts
  std::string branch;                  ///< the job's branch
  std::string name;                    ///< `<task>-<attempt>`: a failed job's worktree is kept under it
  std::filesystem::path worktree;      ///< where it ran; empty once its worktree serves another job
  std::string base;                    ///< the commit it started from
  std::string commit;                  ///< its work, committed
  std::vector<std::string> conflicts;  ///< the paths, on a conflict
};

/// Runs every agent in a git worktree of its own, on its own branch, and merges finished work
/// at the join; wraps any launcher (local processes, a cluster).
/**
 * Branches follow the plan. `start()` makes the run branch `cohort/<run_name>` from `base`. A
 * parent's branch (`cohort-work/<run_name>/p/<parent>`) is made from the run branch when its
 * first job starts, after every parent it depends on was merged into the run branch: so it sees
 * its dependencies' work. Each job gets a branch (`cohort-work/<run_name>/j/<task>/<attempt>`)
 * from its parent's branch as it is when the job starts, and a worktree under `worktrees`; the
 * agent works there (the request's `workdir`). A worktree whose job is merged is reused for the
 * next job (switched to its branch, every untracked and ignored file removed): in a large
 * repository that writes the few files that differ instead of all of them. So wave k+1 sees all of wave k, and in rolling
 * mode a subtask sees the work of the siblings it depends on. Ids are made safe for ref names
 * with `ref_component`.
 *
 * When the agent succeeds, what it left uncommitted is committed (`<id>: <title>`, by
 * `author`), and the job's branch is merged into its parent's (repository::merge: checked with
 * `git merge-tree`, written with `commit-tree` and `update-ref`; no hook runs, the user's
 * checkout is never touched), one merge at a time. A merged job's worktree and branch are
 * removed. A conflict follows `on_conflict`; a failed agent's worktree and branch are kept.
 * `finish()` merges every parent's branch into the run branch, in dependency order.
 *
 * A parent's own command (a parent with subtasks that has an `argv`, run after its subtasks:
 * a gate such as a build or the tests) runs in a worktree of the parent's branch, with every
 * subtask's work merged, as a check: what it leaves is not merged. When it fails, the parent
 * fails and its branch is not merged into the run branch (it is kept). The user's
 * branch is never moved here (the driver's `--land` does that).
 *
 * Each step with a job's work (merging, merged, conflict, retrying, checked, kept) is told
 * through the request's `on_merge`: the run's `task_merge` events, with the branch and commit.
 * Other notes go through `on_output` as lines starting with `cohort:`.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: unsafe: one worktree launcher per run (its calls
 * come from the run's strand).
 */
class worktree_launcher final : public launcher {
public:
  worktree_launcher(launcher& inner, worktree_options options);

  // tag::outline[]
  /// Makes the run branch (it must not exist: one run, one branch).
  [[nodiscard]] boost::asio::awaitable<void> start();
  [[nodiscard]] boost::asio::awaitable<launch_result> launch(const launch_request& r) override;
  /// Merges every parent branch with work into the run branch, in dependency order, and
  /// removes the merged ones (unless `keep_branches`). Returns the parents whose branch did not
  /// merge (kept), with the paths.
  [[nodiscard]] boost::asio::awaitable<std::vector<worktree_job>> finish(const plan& p);

  const std::string& run_branch() const noexcept { return run_branch_; }
  const std::vector<worktree_job>& jobs() const noexcept { return jobs_; }
  std::size_t conflicts() const noexcept { return conflicts_; }  ///< conflicts met (each retried or failed)
  // end::outline[]

private:
  boost::asio::awaitable<std::string> parent_branch(const plan& p, task_index parent);
  boost::asio::awaitable<void> merge_parent(const plan& p, task_index parent);  // with lock_ held
  boost::asio::awaitable<launch_result> run_job(const launch_request& r, std::size_t job,
                                                const std::string& target, std::string note);
  boost::asio::awaitable<bool> merge_pending(const launch_request& r, const std::string& target);
  boost::asio::awaitable<std::string> conflict_note(const worktree_job& done, const std::string& target) const;
  boost::asio::awaitable<void> take_worktree(std::size_t job, const std::string& target);
  boost::asio::awaitable<void> keep_worktree(const launch_request& r, std::size_t job, launch_result& result);
  boost::asio::awaitable<void> release_worktree(std::size_t job);
  semaphore& lock();
  std::string parent_branch_name(const plan& p, task_index parent) const;

  launcher& inner_;
  worktree_options options_;
  repository repo_;
  std::string run_branch_;
  std::string job_suffix_;  // "-r<time>" in a resumed run: its jobs' names are new
  std::string base_;        // the commit the run branch began at (kept in `worktrees`/.base)
  std::optional<semaphore> lock_;   // one git mutation at a time (refs, worktrees, merges)
  std::optional<semaphore> serial_; // taken by every job once a conflict made the run sequential
  bool sequential_ = false;
  std::map<task_index, std::string> parents_;  // parents with a branch
  std::set<task_index> merged_parents_;        // merged into the run branch (or nothing to merge)
  std::set<task_index> failed_gates_;          // parents whose own command failed: not merged
  std::vector<worktree_job> jobs_;
  std::vector<std::filesystem::path> idle_;  // worktrees of merged jobs, reused by the next ones
  std::size_t worktrees_made_ = 0;
  std::vector<worktree_job> parent_conflicts_;
  std::size_t conflicts_ = 0;
};

} // namespace cohort

#endif // COHORT_RUN_WORKTREE_LAUNCHER_HPP
