// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/git/repository.hpp>

#include <algorithm>
#include <utility>

namespace cohort {
namespace asio = boost::asio;

namespace {
std::string head_ref(const std::string& name) { return "refs/heads/" + name; }
} // namespace

repository::repository(std::filesystem::path dir, git_identity who)
    : dir_(std::move(dir)), who_(std::move(who)) {}

asio::awaitable<std::filesystem::path> repository::top_level(std::filesystem::path dir) {
  std::vector<std::string> args{"rev-parse", "--show-toplevel"};
  const git_output r = co_await run_git(std::move(dir), std::move(args));
  co_return r.ok() ? std::filesystem::path(r.value()) : std::filesystem::path();
}

asio::awaitable<std::string> repository::resolve(std::string rev) const {
  std::vector<std::string> args{"rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"};
  const git_output r = co_await run_git(dir_, std::move(args));
  co_return r.ok() ? r.value() : std::string();
}

asio::awaitable<std::vector<std::string>> repository::changes() const {
  std::vector<std::string> args{"status", "--porcelain=v1", "--untracked-files=normal"};
  const git_output r = co_await git_checked(dir_, std::move(args));
  co_return r.lines();
}

asio::awaitable<std::string> repository::current_branch() const {
  std::vector<std::string> args{"symbolic-ref", "--quiet", "--short", "HEAD"};
  const git_output r = co_await run_git(dir_, std::move(args));
  co_return r.ok() ? r.value() : std::string();
}

asio::awaitable<void> repository::create_branch(std::string name, std::string commit) const {
  // An empty old value: the ref must not exist yet.
  std::vector<std::string> args{"update-ref", "-m", "cohort: create", head_ref(name), commit, ""};
  co_await git_checked(dir_, std::move(args), &who_);
}

asio::awaitable<std::vector<std::string>> repository::branches(std::string prefix) const {
  // for-each-ref matches whole path components: the prefix's own folder is listed, then filtered.
  const auto slash = prefix.rfind('/');
  std::string folder = head_ref(slash == std::string::npos ? std::string() : prefix.substr(0, slash + 1));
  std::vector<std::string> args{"for-each-ref", "--format=%(refname:lstrip=2)", std::move(folder)};
  std::vector<std::string> out;
  for (auto& name : (co_await git_checked(dir_, std::move(args))).lines())
    if (name.starts_with(prefix)) out.push_back(std::move(name));
  std::sort(out.begin(), out.end());
  co_return out;
}

asio::awaitable<void> repository::delete_branch(std::string name) const {
  std::vector<std::string> args{"update-ref", "-d", head_ref(name)};
  (void)co_await run_git(dir_, std::move(args), &who_);
}

asio::awaitable<void> repository::add_worktree(std::filesystem::path path, std::string name) const {
  std::vector<std::string> args{"worktree", "add", "--quiet", "--end-of-options", path.string(), name};
  co_await git_checked(dir_, std::move(args), &who_);
}

asio::awaitable<void> repository::remove_worktree(std::filesystem::path path) const {
  std::vector<std::string> args{"worktree", "remove", "--force", "--force", path.string()};
  const git_output r = co_await run_git(dir_, std::move(args));
  if (!r.ok()) {  // gone already, or never registered: forget what git remembers of it
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
    std::vector<std::string> prune{"worktree", "prune"};
    (void)co_await run_git(dir_, std::move(prune));
  }
}

asio::awaitable<void> repository::switch_worktree(std::filesystem::path path, std::string name) const {
  std::vector<std::string> checkout{"checkout", "--quiet", "--force", name};  // names are ours: never an option
  co_await git_checked(path, std::move(checkout), &who_);
  std::vector<std::string> clean{"clean", "-ffdxq"};
  co_await git_checked(path, std::move(clean), &who_);
}

asio::awaitable<void> repository::detach_worktree(std::filesystem::path path) const {
  std::vector<std::string> args{"checkout", "--quiet", "--force", "--detach"};
  co_await git_checked(std::move(path), std::move(args), &who_);
}

asio::awaitable<void> repository::move_worktree(std::filesystem::path from, std::filesystem::path to) const {
  std::vector<std::string> args{"worktree", "move", from.string(), to.string()};  // absolute paths
  co_await git_checked(dir_, std::move(args), &who_);
}

asio::awaitable<std::string> repository::commit_all(std::filesystem::path path, std::string message,
                                                   bool always) const {
  std::vector<std::string> add{"add", "--all"};
  co_await git_checked(path, std::move(add), &who_);
  std::vector<std::string> write{"write-tree"};
  const std::string tree = (co_await git_checked(path, std::move(write), &who_)).value();
  std::vector<std::string> head{"rev-parse", "HEAD^{tree}", "HEAD"};
  const auto heads = (co_await git_checked(path, std::move(head))).lines();
  if (!always && heads.size() == 2 && heads[0] == tree) co_return heads[1];  // nothing new
  std::vector<std::string> commit{"commit-tree", tree, "-p", "HEAD", "-m", std::move(message)};
  const std::string made = (co_await git_checked(path, std::move(commit), &who_)).value();
  std::vector<std::string> move{"update-ref", "-m", "cohort: commit", "HEAD", made, heads.at(1)};
  co_await git_checked(path, std::move(move), &who_);
  co_return made;
}

asio::awaitable<std::vector<std::string>> repository::trailers(std::string rev, std::string key) const {
  std::vector<std::string> args{"log", "--format=%(trailers:key=" + key + ",valueonly)", rev, "--"};
  std::vector<std::string> out;
  for (auto& line : (co_await git_checked(dir_, std::move(args))).lines())
    if (!line.empty()) out.push_back(std::move(line));
  co_return out;
}

asio::awaitable<std::string> repository::message(std::string commit) const {
  // The raw object: its headers, an empty line, the message exactly as stored (what `show`
  // prints has a newline added).
  std::vector<std::string> args{"cat-file", "commit", std::move(commit)};
  const git_output r = co_await run_git(dir_, std::move(args));
  const auto body = r.out.find("\n\n");
  co_return r.ok() && body != std::string::npos ? r.out.substr(body + 2) : std::string();
}

asio::awaitable<bool> repository::is_ancestor(std::string ancestor, std::string commit) const {
  std::vector<std::string> args{"merge-base", "--is-ancestor", std::move(ancestor), std::move(commit)};
  co_return (co_await run_git(dir_, std::move(args))).ok();
}

asio::awaitable<merge_outcome> repository::merge(std::string target, std::string commit,
                                                 std::string message) const {
  merge_outcome out;
  const std::string tip = co_await resolve(head_ref(target));
  if (tip.empty()) throw system_error(errc::git_failed, "cohort: no branch " + target + " to merge into");
  out.commit = tip;
  if (co_await is_ancestor(commit, tip)) {
    out.kind = merge_outcome::already_merged;
    co_return out;
  }
  std::string merged;
  if (co_await is_ancestor(tip, commit)) {
    out.kind = merge_outcome::fast_forwarded;
    merged = commit;
  } else {
    std::vector<std::string> check{"merge-tree", "--write-tree", "--name-only", "--no-messages", tip, commit};
    const git_output r = co_await run_git(dir_, std::move(check), &who_);
    if (r.exit_code != 0 && r.exit_code != 1) {
      throw system_error(errc::git_failed, "cohort: git merge-tree failed in " + dir_.string() + ": " + r.err);
    }
    auto lines = r.lines();
    if (r.exit_code == 1) {  // conflicts: the tree's id, then the conflicted paths
      out.kind = merge_outcome::conflict;
      for (std::size_t i = 1; i < lines.size() && !lines[i].empty(); ++i) out.conflicts.push_back(lines[i]);
      co_return out;
    }
    std::vector<std::string> make{"commit-tree", lines.at(0), "-p", tip, "-p", commit, "-m", std::move(message)};
    merged = (co_await git_checked(dir_, std::move(make), &who_)).value();
    out.kind = merge_outcome::merged;
  }
  // Compare-and-swap: only if the branch is still at `tip`.
  std::vector<std::string> move{"update-ref", "-m", "cohort: merge", head_ref(target), merged, tip};
  co_await git_checked(dir_, std::move(move), &who_);
  out.commit = merged;
  co_return out;
}

asio::awaitable<std::string> repository::diff(std::string from, std::string to, std::vector<std::string> paths,
                                              std::size_t limit) const {
  std::vector<std::string> args{"diff", "--no-color", "--no-ext-diff", std::move(from), std::move(to), "--"};
  args.insert(args.end(), paths.begin(), paths.end());
  git_output r = co_await run_git(dir_, std::move(args));
  if (r.out.size() > limit) {
    r.out.resize(limit);
    r.out += "\n[... cut]\n";
  }
  co_return r.out;
}

} // namespace cohort
