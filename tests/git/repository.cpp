// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/git/repository.hpp>

#include "support/co_test.hpp"
#include "support/files.hpp"
#include "support/git_repo.hpp"

#include <set>

namespace fs = std::filesystem;
using cohort::merge_outcome;
using cohort::test::git;
using cohort::test::show;

namespace {

// Branch `name` from main with `file` set to `text`, committed with the library (as a job is).
boost::asio::awaitable<std::string> work_on(const cohort::repository& repo, const fs::path& worktrees,
                                            std::string name, std::string file, std::string text) {
  const std::string base = co_await repo.resolve("refs/heads/main");
  co_await repo.create_branch(name, base);
  const fs::path wt = worktrees / name;
  co_await repo.add_worktree(wt, name);
  std::ofstream(wt / file, std::ios::binary) << text;
  const std::string commit = co_await repo.commit_all(wt, name + ": work");
  co_await repo.remove_worktree(wt);
  co_return commit;
}

} // namespace

BOOST_AUTO_TEST_SUITE(repository)

BOOST_AUTO_TEST_CASE(ref_components_are_valid_and_injective) {
  const std::vector<std::string> ids{"12", "12.3", "a..b", "a.", ".a", "x.lock", "a/b", "a%2Fb", "a b", "~^:?*[\\",
                                     "rust-core.cli", "\xC3\xA9t\xC3\xA9"};
  std::set<std::string> seen;
  for (const auto& id : ids) {
    const std::string c = cohort::ref_component(id);
    BOOST_TEST_INFO(id << " -> " << c);
    BOOST_TEST(seen.insert(c).second);
    BOOST_TEST(c.find("..") == std::string::npos);
    BOOST_TEST(c.front() != '.');
    BOOST_TEST(c.back() != '.');
    BOOST_TEST(c.find_first_of("/ ~^:?*[\\") == std::string::npos);
  }
  BOOST_TEST(cohort::ref_component("12.3") == "12.3");  // the common case stays readable
  cohort::test::temp_dir dir;
  cohort::test::make_repo(dir.path(), {{"f", "x\n"}});
  for (const auto& c : seen) git(dir.path(), {"check-ref-format", "refs/heads/cohort/" + c});
}

CO_TEST_CASE(work_on_different_files_merges_and_the_checkout_is_never_touched) {
  cohort::test::temp_dir dir;
  const fs::path repo_dir = dir / "repo";
  cohort::test::make_repo(repo_dir, {{"a.txt", "a\n"}, {"b.txt", "b\n"}});
  // The user's own uncommitted work in the checkout: it must stay as it is.
  std::ofstream(repo_dir / "a.txt", std::ios::binary) << "mine\n";
  const cohort::repository repo(repo_dir);
  BOOST_TEST(co_await cohort::repository::top_level(repo_dir / ".") == fs::canonical(repo_dir));
  BOOST_TEST(co_await repo.current_branch() == "main");
  const std::string base = co_await repo.resolve("HEAD");
  co_await repo.create_branch("target", base);
  const std::string one = co_await work_on(repo, dir / "wt", "one", "a.txt", "one\n");
  const std::string two = co_await work_on(repo, dir / "wt", "two", "b.txt", "two\n");
  const merge_outcome first = co_await repo.merge("target", one, "merge one");
  BOOST_TEST((first.kind == merge_outcome::fast_forwarded));  // target had nothing else
  const merge_outcome second = co_await repo.merge("target", two, "merge two");
  BOOST_TEST((second.kind == merge_outcome::merged));
  BOOST_TEST(show(repo_dir, "target", "a.txt") == "one");
  BOOST_TEST(show(repo_dir, "target", "b.txt") == "two");
  BOOST_TEST(git(repo_dir, {"rev-list", "--parents", "-n1", "target"}).size() == 3 * 40 + 2);  // two parents
  const merge_outcome again = co_await repo.merge("target", two, "merge two again");
  BOOST_TEST((again.kind == merge_outcome::already_merged));
  // The checkout: same HEAD, same branch, the user's change still there and nothing else.
  BOOST_TEST(co_await repo.resolve("HEAD") == base);
  BOOST_TEST(cohort::test::read_text(repo_dir / "a.txt") == "mine\n");
  const auto changes = co_await repo.changes();
  BOOST_TEST(changes == std::vector<std::string>{" M a.txt"}, boost::test_tools::per_element());
}

CO_TEST_CASE(different_hunks_of_one_file_merge_and_the_same_lines_conflict) {
  cohort::test::temp_dir dir;
  const fs::path repo_dir = dir / "repo";
  cohort::test::make_repo(repo_dir, {{"f.txt", "1\n2\n3\n4\n5\n6\n7\n8\n9\n"}});
  const cohort::repository repo(repo_dir);
  co_await repo.create_branch("target", co_await repo.resolve("HEAD"));
  const std::string top = co_await work_on(repo, dir / "wt", "top", "f.txt", "one\n2\n3\n4\n5\n6\n7\n8\n9\n");
  const std::string bottom = co_await work_on(repo, dir / "wt", "bottom", "f.txt", "1\n2\n3\n4\n5\n6\n7\n8\nnine\n");
  const std::string clash = co_await work_on(repo, dir / "wt", "clash", "f.txt", "uno\n2\n3\n4\n5\n6\n7\n8\n9\n");
  BOOST_TEST((co_await repo.merge("target", top, "top")).kind == merge_outcome::fast_forwarded);
  BOOST_TEST((co_await repo.merge("target", bottom, "bottom")).kind == merge_outcome::merged);
  BOOST_TEST(show(repo_dir, "target", "f.txt") == "one\n2\n3\n4\n5\n6\n7\n8\nnine");
  const std::string before = co_await repo.resolve("refs/heads/target");
  const merge_outcome c = co_await repo.merge("target", clash, "clash");
  BOOST_TEST((c.kind == merge_outcome::conflict));
  BOOST_TEST(c.conflicts == std::vector<std::string>{"f.txt"}, boost::test_tools::per_element());
  BOOST_TEST(co_await repo.resolve("refs/heads/target") == before);  // nothing changed
  const std::string d = co_await repo.diff(co_await repo.resolve("HEAD"), clash, c.conflicts, 1 << 16);
  BOOST_TEST(d.find("+uno") != std::string::npos, d);
}

CO_TEST_CASE(new_deleted_and_self_committed_work_is_all_committed_and_no_hook_runs) {
  cohort::test::temp_dir dir;
  const fs::path repo_dir = dir / "repo";
  cohort::test::make_repo(repo_dir, {{"keep.txt", "k\n"}, {"gone.txt", "g\n"}});
  // Hooks of a cloned repository are code: none may run.
  for (const char* hook : {"pre-commit", "post-commit", "post-checkout", "commit-msg", "reference-transaction"}) {
    const fs::path h = dir.write(fs::path("repo/.git/hooks") / hook,
                                 "#!/bin/sh\necho ran >> \"" + (dir / "hook-canary").string() + "\"\n");
    fs::permissions(h, fs::perms::owner_all);
  }
  const cohort::repository repo(repo_dir);
  const std::string base = co_await repo.resolve("HEAD");
  co_await repo.create_branch("job", base);
  const fs::path wt = dir / "wt" / "job";
  co_await repo.add_worktree(wt, "job");
  // The agent commits one change itself (through git, without hooks too), leaves others.
  std::ofstream(wt / "self.txt") << "s\n";
  git(wt, {"-c", "core.hooksPath=/dev/null", "add", "self.txt"});
  git(wt, {"-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", "agent's own"});
  std::ofstream(wt / "new.txt") << "n\n";
  fs::remove(wt / "gone.txt");
  const std::string tip = co_await repo.commit_all(wt, "1.1: work");
  BOOST_TEST(git(repo_dir, {"ls-tree", "--name-only", tip}) == "keep.txt\nnew.txt\nself.txt");
  BOOST_TEST(git(repo_dir, {"log", "--format=%s|%an", base + ".." + tip}) == "1.1: work|cohort\nagent's own|test");
  BOOST_TEST(co_await repo.commit_all(wt, "nothing") == tip);  // nothing new: no commit
  co_await repo.remove_worktree(wt);
  BOOST_TEST(!fs::exists(wt));
  co_await repo.delete_branch("job");
  BOOST_TEST((co_await repo.resolve("refs/heads/job")).empty());
  BOOST_TEST(!fs::exists(dir / "hook-canary"));
}

BOOST_AUTO_TEST_SUITE_END()
