// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_GIT_REPOSITORY_HPP
#define COHORT_GIT_REPOSITORY_HPP

#include <cohort/core/config.hpp>
#include <cohort/git/git.hpp>

#include <boost/asio/awaitable.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cohort {

/// What merging a commit into a branch did.
struct merge_outcome {
  enum kind_type {
    merged,           ///< a merge commit on the branch
    fast_forwarded,   ///< the branch moved to the commit (it had nothing else)
    already_merged,   ///< the commit was in the branch already
    conflict,         ///< nothing changed: `conflicts` names the paths
  } kind = merged;
  std::string commit;                  ///< the branch's new tip (or its tip, unchanged)
  std::vector<std::string> conflicts;  ///< the paths changed on both sides in ways git cannot join
};

/// The git operations cohort's isolation needs, on one repository, each a child `git` process
/// (run_git: no shell, no hook, never blocking the event loop). Branch names are short names
/// (`cohort/run-1`), stored under `refs/heads/`.
/**
 * None of them touches the user's working tree or index: work happens in worktrees, commits are
 * made with plumbing (`write-tree`, `commit-tree`), merges are checked with
 * `git merge-tree --write-tree` (git 2.38 and later) and written with `commit-tree` and a
 * compare-and-swap `update-ref`. So a branch checked out nowhere can be merged into while the
 * user keeps working in their checkout.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: safe for commands on different branches; the caller
 * serializes the ref updates of one branch (a merge queue per target branch).
 */
class repository {
public:
  // tag::outline[]
  /// `dir` or any folder inside the working tree; `who` signs cohort's commits.
  explicit repository(std::filesystem::path dir, git_identity who = {});

  /// The top folder of the working tree `dir` is in; empty when it is in none.
  static boost::asio::awaitable<std::filesystem::path> top_level(std::filesystem::path dir);

  /// The commit `rev` names (`HEAD`, a branch, an id); empty when none.
  boost::asio::awaitable<std::string> resolve(std::string rev) const;
  /// `git status --porcelain` of the checkout: uncommitted changes and untracked files, one per
  /// line; empty when clean.
  boost::asio::awaitable<std::vector<std::string>> changes() const;
  /// The branch HEAD is on (short name); empty when detached.
  boost::asio::awaitable<std::string> current_branch() const;

  /// Creates branch `name` at `commit`; throws if it exists.
  boost::asio::awaitable<void> create_branch(std::string name, std::string commit) const;
  /// The branches whose names start with `prefix` (short names, sorted).
  boost::asio::awaitable<std::vector<std::string>> branches(std::string prefix) const;
  /// Deletes branch `name` if it exists.
  boost::asio::awaitable<void> delete_branch(std::string name) const;
  /// A new worktree at `path` with branch `name` checked out.
  boost::asio::awaitable<void> add_worktree(std::filesystem::path path, std::string name) const;
  /// Removes the worktree at `path` (with whatever is in it) and forgets it.
  boost::asio::awaitable<void> remove_worktree(std::filesystem::path path) const;
  /// Puts the worktree at `path` on branch `name`, exactly: its files as the branch has them,
  /// every untracked and ignored file removed. Writes only the files that differ, so reusing a
  /// worktree costs far less than making one in a large repository.
  boost::asio::awaitable<void> switch_worktree(std::filesystem::path path, std::string name) const;
  /// Detaches the worktree at `path` from its branch (which may then be deleted).
  boost::asio::awaitable<void> detach_worktree(std::filesystem::path path) const;
  /// Moves the worktree at `from` to `to`.
  boost::asio::awaitable<void> move_worktree(std::filesystem::path from, std::filesystem::path to) const;

  /// Commits everything the worktree at `path` holds that its HEAD does not (changes, new and
  /// deleted files) with `message`, on its branch; returns the branch's tip, new or as it was
  /// (with `always`, a commit is made even when nothing changed: a record of the job).
  boost::asio::awaitable<std::string> commit_all(std::filesystem::path path, std::string message,
                                                 bool always = false) const;
  /// The values of trailer `key` (`Cohort-Task: 12.3`) in the commits `rev` names (a range
  /// such as `base..branch`, or a whole history).
  boost::asio::awaitable<std::vector<std::string>> trailers(std::string rev, std::string key) const;
  /// The whole message of `commit`; empty when there is no such commit.
  boost::asio::awaitable<std::string> message(std::string commit) const;
  /// Whether `ancestor` is `commit` or one of its ancestors.
  boost::asio::awaitable<bool> is_ancestor(std::string ancestor, std::string commit) const;
  /// Merges `commit` into branch `target` (see `merge_outcome`); `message` for a merge commit.
  /// Throws `errc::git_failed` if the branch moved while merging (serialize the merges).
  boost::asio::awaitable<merge_outcome> merge(std::string target, std::string commit,
                                              std::string message) const;
  /// `git diff from to -- paths`, cut at `limit` bytes.
  boost::asio::awaitable<std::string> diff(std::string from, std::string to,
                                           std::vector<std::string> paths, std::size_t limit) const;

  const std::filesystem::path& path() const noexcept { return dir_; }
  const git_identity& identity() const noexcept { return who_; }
  // end::outline[]

private:
  std::filesystem::path dir_;
  git_identity who_;
};

} // namespace cohort

#endif // COHORT_GIT_REPOSITORY_HPP
