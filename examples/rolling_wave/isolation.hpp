// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// --isolation: which isolation a run gets, and what is done with its work at the end (--land).
#ifndef ROLLING_WAVE_ISOLATION_HPP
#define ROLLING_WAVE_ISOLATION_HPP

#include "cli.hpp"

#include <cohort/run/worktree_launcher.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace rolling_wave {

/// What --isolation decided for a run.
struct isolation_choice {
  bool worktrees = false;
  std::filesystem::path checkout;  ///< the top of the git checkout the agents work on
  std::string why;                 ///< for --dry-run and the report: "worktrees of /x (a git checkout)"
};

/// Decides before the run (on a short event loop of its own): worktrees by default when the
/// work dir is in a git checkout (not for the demo), none elsewhere. Throws `usage_error` for
/// --isolation worktree outside a checkout, a checkout without commits, and a checkout with
/// uncommitted changes (the run dir's own files aside), saying how to go on. Keeps a run dir
/// inside the checkout out of `git status` (.git/info/exclude).
isolation_choice choose_isolation(const arguments& a, const std::filesystem::path& run_dir, bool demo);

/// The worktree launcher's options for this run.
cohort::worktree_options worktree_options_for(const arguments& a, const isolation_choice& c,
                                              const std::filesystem::path& run_dir);

/// After the run: says where the work is, what was kept, and with --land (every task done)
/// fast-forwards the checkout's branch to the run branch. Returns false when --land was asked
/// and could not be done (the message says why).
bool report_work(const arguments& a, const isolation_choice& c, const cohort::worktree_launcher& w,
                 const std::vector<cohort::worktree_job>& unmerged_parents, bool all_done);

/// `rolling-wave clean --run-dir D [--run-branch]`: removes the run's worktrees and its work
/// branches (`cohort-work/<run>/...`), and with --run-branch `cohort/<run>`; the run dir's
/// journal and logs stay. Run in the checkout (or with --workdir). Returns the exit code.
int clean_command(const arguments& a);

/// The run's work as JSON, for --json: the run branch, and each job's task, attempt, state
/// (merged, checked, conflict, failed), branch, commit, worktree (when kept) and conflicts.
boost::json::object work_json(const cohort::worktree_launcher& w, const std::vector<cohort::worktree_job>& unmerged_parents);

} // namespace rolling_wave

#endif // ROLLING_WAVE_ISOLATION_HPP
