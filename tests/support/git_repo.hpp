// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_TESTS_SUPPORT_GIT_REPO_HPP
#define COHORT_TESTS_SUPPORT_GIT_REPO_HPP

// Real git repositories for the tests, made and read with the git command line (blocking: only
// outside the event loop, in the test's own setup and checks).

#include "support/files.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace cohort::test {

/// Runs `git -C dir args...`; returns its standard output; fails the test if it exits non-zero
/// (unless `may_fail`).
inline std::string git(const std::filesystem::path& dir, std::vector<std::string> args, bool may_fail = false) {
  const temp_dir out_dir;
  const std::string out_file = (out_dir.path() / "out").string();
  std::vector<std::string> words{"git", "-C", dir.string(), "-c", "user.name=test",
                                 "-c", "user.email=test@localhost"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  ::posix_spawn_file_actions_init(&fa);
  ::posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, "git", &fa, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&fa);
  BOOST_REQUIRE_MESSAGE(spawned == 0, "cannot start git");
  int status = 0;
  ::waitpid(pid, &status, 0);
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::string words_shown;
  for (const auto& a : args) words_shown += ' ' + a;
  if (!may_fail) BOOST_REQUIRE_MESSAGE(ok, "git" << words_shown << " failed in " << dir);
  std::string text = read_text(out_file);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

/// A new repository in `dir` on branch `main`, with `files` (name, content) committed.
inline void make_repo(const std::filesystem::path& dir,
                      const std::vector<std::pair<std::string, std::string>>& files) {
  std::filesystem::create_directories(dir);
  git(dir, {"init", "-q", "-b", "main"});
  for (const auto& [name, text] : files) {
    const auto p = dir / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  git(dir, {"add", "--all"});
  git(dir, {"commit", "-q", "-m", "base"});
}

/// The content of `path` in commit `rev` of the repository at `dir`.
inline std::string show(const std::filesystem::path& dir, const std::string& rev, const std::string& path) {
  return git(dir, {"show", rev + ":" + path});
}

} // namespace cohort::test

#endif // COHORT_TESTS_SUPPORT_GIT_REPO_HPP
