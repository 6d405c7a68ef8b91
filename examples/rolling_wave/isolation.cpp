// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "isolation.hpp"

#include <cohort/git/repository.hpp>
#include <cohort/view/terminal_text.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace rolling_wave {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

// Runs `op` to its end on an event loop of its own (before or after the run's loop).
template <class T>
T run_here(asio::awaitable<T> op) {
  asio::io_context own;
  auto result = asio::co_spawn(own, std::move(op), asio::use_future);
  own.run();
  return result.get();
}

asio::awaitable<fs::path> top_of(fs::path dir) { co_return co_await cohort::repository::top_level(std::move(dir)); }

// (The repository is a named object: g++ 12 destroys a temporary of a co_await expression
// too early.)
asio::awaitable<std::vector<std::string>> changes_of(fs::path top) {
  const cohort::repository repo(std::move(top));
  co_return co_await repo.changes();
}

asio::awaitable<std::string> resolve_in(fs::path top, std::string rev) {
  const cohort::repository repo(std::move(top));
  co_return co_await repo.resolve(std::move(rev));
}

asio::awaitable<cohort::git_output> git_in(fs::path top, std::vector<std::string> args) {
  co_return co_await cohort::run_git(std::move(top), std::move(args));
}

// The run dir's first folder below the checkout ("/.cohort/"), or empty when it is elsewhere.
std::string run_dir_entry(const fs::path& top, const fs::path& run_dir) {
  if (run_dir.empty()) return {};
  const fs::path rel = fs::weakly_canonical(run_dir).lexically_relative(fs::canonical(top));
  if (rel.empty() || *rel.begin() == "..") return {};
  return "/" + rel.begin()->string() + "/";
}

// `git status --porcelain` lines about anything but the run dir.
std::vector<std::string> user_changes(const std::vector<std::string>& lines, const std::string& entry) {
  std::vector<std::string> out;
  for (const auto& line : lines) {
    const std::string path = "/" + (line.size() > 3 ? line.substr(3) : line);
    if (!entry.empty() && (path.starts_with(entry) || entry.starts_with(path))) continue;
    out.push_back(line);
  }
  return out;
}

// Keeps the run dir out of the user's `git status`, as .gitignore would, without a change to
// any tracked file: a line in .git/info/exclude (the checkout's own, never committed).
void exclude(const fs::path& top, const std::string& entry) {
  if (entry.empty()) return;
  const auto dir = run_here(git_in(top, {"rev-parse", "--git-common-dir"}));
  if (!dir.ok()) return;
  fs::path file = fs::path(dir.value());
  if (file.is_relative()) file = top / file;
  file /= "info/exclude";
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::string line;
  while (std::getline(text, line))
    if (line == entry) return;
  std::error_code ignored;
  fs::create_directories(file.parent_path(), ignored);
  std::ofstream(file, std::ios::app) << "# rolling-wave's run dirs\n" << entry << "\n";
}

} // namespace

isolation_choice choose_isolation(const arguments& a, const fs::path& run_dir, bool demo) {
  isolation_choice c;
  if (a.isolation == "none" || (a.isolation.empty() && demo)) {
    c.why = a.isolation == "none" ? "none (--isolation none): every agent works in the work dir"
                                  : "none (the demo's agents write nothing)";
    return c;
  }
  const fs::path workdir = a.workdir.empty() ? fs::current_path() : fs::absolute(a.workdir);
  c.checkout = run_here(top_of(workdir));
  if (c.checkout.empty()) {
    if (a.isolation == "worktree") {
      throw usage_error(fmt::format("--isolation worktree: {} is not in a git checkout", workdir.string()));
    }
    c.why = "none (the work dir is not a git checkout): every agent works in the work dir";
    return c;
  }
  if (run_here(resolve_in(c.checkout, "HEAD")).empty()) {
    throw usage_error(fmt::format("{} has no commit yet: commit something first (the agents' worktrees start "
                                  "from HEAD), or run with --isolation none", c.checkout.string()));
  }
  const std::string entry = run_dir_entry(c.checkout, run_dir);
  const auto dirty = user_changes(run_here(changes_of(c.checkout)), entry);
  if (!dirty.empty()) {
    std::string shown;
    for (std::size_t i = 0; i < dirty.size() && i < 10; ++i) shown += "\n  " + cohort::terminal_safe(dirty[i]);
    if (dirty.size() > 10) shown += fmt::format("\n  ... and {} more", dirty.size() - 10);
    throw usage_error(fmt::format(
        "{} has uncommitted changes ({} path(s)); each agent gets a worktree from the last commit, so they would "
        "not see them:{}\ncommit or stash them (git stash -u) and run again, or run with --isolation none",
        c.checkout.string(), dirty.size(), shown));
  }
  if (!a.dry_run) exclude(c.checkout, entry);
  c.worktrees = true;
  c.why = fmt::format("worktrees (each agent on a branch of its own in {}, merged at the join)",
                      cohort::terminal_safe(c.checkout.string()));
  return c;
}

cohort::worktree_options worktree_options_for(const arguments& a, const isolation_choice& c,
                                              const fs::path& run_dir) {
  cohort::worktree_options o;
  o.repository = c.checkout;
  o.worktrees = run_dir / "worktrees";
  o.run_name = run_dir.filename().string();
  const fs::path workdir = a.workdir.empty() ? fs::current_path() : fs::absolute(a.workdir);
  const fs::path sub = fs::weakly_canonical(workdir).lexically_relative(fs::canonical(c.checkout));
  if (!sub.empty() && sub != "." && *sub.begin() != "..") o.subdir = sub;
  o.on_conflict = a.on_conflict;
  o.conflict_retries = a.conflict_retries;
  o.keep_branches = a.keep_branches;
  o.resume = a.resuming;
  if (!a.author.empty()) {
    const auto lt = a.author.find('<');
    o.author.name = a.author.substr(0, lt);
    while (!o.author.name.empty() && o.author.name.back() == ' ') o.author.name.pop_back();
    o.author.email = a.author.substr(lt + 1, a.author.size() - lt - 2);
  }
  return o;
}

bool report_work(const arguments& a, const isolation_choice& c, const cohort::worktree_launcher& w,
                 const std::vector<cohort::worktree_job>& unmerged_parents, bool all_done) {
  // With --json, stdout is JSON lines (the work went out as one): only --land, its words on stderr.
  std::FILE* out = a.json ? stderr : stdout;
  std::size_t merged = 0;
  for (const auto& j : w.jobs()) merged += j.state == cohort::worktree_job::merged;
  fmt::print(out, "\nwork: branch {} holds the work of {} job(s), merged at their joins; your checkout is as it was\n",
             w.run_branch(), merged);
  if (w.conflicts() > 0) fmt::print(out, "  {} conflict(s) met on the way (--on-conflict)\n", w.conflicts());
  for (const auto& j : w.jobs()) {
    if (j.state == cohort::worktree_job::failed)
      fmt::print(out, "  kept: {} (failed): worktree {}, branch {}\n", cohort::terminal_safe(j.task_id),
                 j.worktree.string(), j.branch);
    else if (j.state == cohort::worktree_job::conflict)
      fmt::print(out, "  kept: {} (did not merge: {}): branch {}\n", cohort::terminal_safe(j.task_id),
                 cohort::terminal_safe(fmt::format("{}", fmt::join(j.conflicts, ", "))), j.branch);
  }
  for (const auto& j : unmerged_parents)
    fmt::print(out, "  kept: parent {} did not merge into {} (conflicts in {}): branch {}\n",
               cohort::terminal_safe(j.task_id), w.run_branch(),
               cohort::terminal_safe(fmt::format("{}", fmt::join(j.conflicts, ", "))), j.branch);
  if (!a.land) {
    fmt::print(out, "  to take it: git merge --ff-only {}   (or run with --land)\n", w.run_branch());
    return true;
  }
  if (!all_done || !unmerged_parents.empty()) {
    fmt::print(stderr, "rolling-wave: --land: not landed, as not every task is done; {} holds what is\n",
               w.run_branch());
    return false;
  }
  const auto r = run_here(git_in(c.checkout, {"merge", "--ff-only", "--quiet", w.run_branch()}));
  if (!r.ok()) {
    fmt::print(stderr, "rolling-wave: --land: your branch cannot be fast-forwarded to {} (it moved, or the "
                       "checkout has changes): {}\n", w.run_branch(), cohort::terminal_safe(r.err));
    return false;
  }
  fmt::print(out, "  landed: your branch is now at {}\n", w.run_branch());
  return true;
}

boost::json::object work_json(const cohort::worktree_launcher& w, const std::vector<cohort::worktree_job>& unmerged_parents) {
  static constexpr const char* states[] = {"running", "merged", "checked", "conflict", "failed"};
  auto job = [](const cohort::worktree_job& j) {
    boost::json::array conflicts;
    for (const auto& c : j.conflicts) conflicts.emplace_back(c);
    return boost::json::object{{"task", j.task_id}, {"attempt", j.attempt}, {"run", j.run},
                               {"state", states[j.state]}, {"branch", j.branch}, {"commit", j.commit},
                               {"worktree", j.worktree.string()}, {"conflicts", std::move(conflicts)}};
  };
  boost::json::array jobs, parents;
  for (const auto& j : w.jobs()) jobs.push_back(job(j));
  for (const auto& j : unmerged_parents) parents.push_back(job(j));
  return {{"run_branch", w.run_branch()}, {"conflicts", w.conflicts()}, {"jobs", std::move(jobs)},
          {"unmerged_parents", std::move(parents)}};
}

int clean_command(const arguments& a) {
  if (!a.run_dir || a.run_dir->empty()) throw usage_error("clean needs --run-dir DIR (the run to clean up)");
  const fs::path run_dir = fs::absolute(*a.run_dir);
  const fs::path workdir = a.workdir.empty() ? fs::current_path() : fs::absolute(a.workdir);
  const fs::path top = run_here(top_of(workdir));
  if (top.empty()) throw usage_error(fmt::format("{} is not in a git checkout: run clean in the run's checkout", workdir.string()));
  const std::string run = cohort::ref_component(run_dir.filename().string());
  std::size_t worktrees = 0, branches = 0;
  const fs::path dir = run_dir / "worktrees";
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (!e.is_directory()) continue;  // .base: where the run began
      const auto r = run_here(git_in(top, {"worktree", "remove", "--force", "--force", e.path().string()}));
      if (!r.ok()) fs::remove_all(e.path(), ec);
      ++worktrees;
    }
    (void)run_here(git_in(top, {"worktree", "prune"}));
  }
  const auto refs = run_here(git_in(top, {"for-each-ref", "--format=%(refname)", "refs/heads/cohort-work/" + run + "/"}));
  std::vector<std::string> names = refs.lines();
  if (a.run_branch) names.push_back("refs/heads/cohort/" + run);
  for (const auto& ref : names) {
    if (ref.empty()) continue;
    if (run_here(git_in(top, {"update-ref", "-d", ref})).ok()) ++branches;
  }
  fmt::print("removed {} worktree(s) and {} branch(es) of run {}{}\n", worktrees, branches, run,
             a.run_branch ? "" : fmt::format(" (its work stays on cohort/{}; --run-branch removes it too)", run));
  return 0;
}

} // namespace rolling_wave
