// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_GIT_GIT_HPP
#define COHORT_GIT_GIT_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/error.hpp>

#include <boost/asio/awaitable.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

/// Who cohort's own commits are by (author and committer).
struct git_identity {
  std::string name = "cohort";
  std::string email = "cohort@localhost";
};

/// What one git command printed, and how it exited.
struct git_output {
  int exit_code = -1;
  std::string out;  ///< standard output
  std::string err;  ///< standard error
  bool ok() const noexcept { return exit_code == 0; }
  /// Standard output without its last newline (a single value: an object id, a path).
  std::string value() const;
  /// Standard output, one element per line.
  std::vector<std::string> lines() const;
};

/// Runs `git <args>` in `dir` as a child process (run_process: no shell), on the caller's
/// executor; the event loop never waits for it.
/**
 * Every command runs with `-c core.hooksPath=/dev/null` (no hook of the repository runs: a
 * cloned repository's hooks are code), `GIT_TERMINAL_PROMPT=0` and `LC_ALL=C`, its standard
 * input from /dev/null; with `who`, `GIT_AUTHOR_*` and `GIT_COMMITTER_*` name it.
 *
 * @returns the output whatever the exit code; throws `system_error` only when git cannot be
 * started, or with `operation_aborted` when the awaiting coroutine is cancelled (after git is
 * ended).
 */
boost::asio::awaitable<git_output> run_git(std::filesystem::path dir, std::vector<std::string> args,
                                           const git_identity* who = nullptr);

/// Like `run_git`, but a non-zero exit throws `system_error` (`errc::git_failed`) whose message
/// names the command and quotes git's own message.
boost::asio::awaitable<git_output> git_checked(std::filesystem::path dir, std::vector<std::string> args,
                                               const git_identity* who = nullptr);

/// A name made of any bytes (a task id) as one component of a git ref name: every byte outside
/// `[A-Za-z0-9_-]` and `.` percent-encoded (and `.` too where git would refuse it: a leading
/// dot, `..`, a trailing dot or `.lock`). Injective.
std::string ref_component(std::string_view name);

} // namespace cohort

#endif // COHORT_GIT_GIT_HPP
