// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/worktree_launcher.hpp>

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <utility>

namespace cohort {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

void tell(const launch_request& r, const std::string& line) {
  if (r.on_output) r.on_output("cohort: " + line);
}

// A step with the job's work, told to the executor (a `task_merge` event).
void step(const launch_request& r, merge_state state, std::string branch, std::string commit,
          std::string message = {}) {
  if (!r.on_merge) return;
  event e;
  e.merge = state;
  e.branch = std::move(branch);
  e.commit = std::move(commit);
  e.message = std::move(message);
  r.on_merge(e);
}

std::string joined(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// Every parent, other than `parent`, that `parent` or one of its subtasks depends on.
std::vector<task_index> dependency_parents(const plan& p, task_index parent) {
  std::vector<task_index> out;
  auto add = [&](task_index dep) {
    const task_index top = p.tasks[dep].parent.value_or(dep);
    if (top != parent && std::find(out.begin(), out.end(), top) == out.end()) out.push_back(top);
  };
  for (task_index d : p.tasks[parent].dependencies) add(d);
  for (task_index s : p.tasks[parent].subtasks)
    for (task_index d : p.tasks[s].dependencies) add(d);
  std::sort(out.begin(), out.end());
  return out;
}

// "<id>: <title>" on one line: an id or a title from the file cannot add lines (and so no
// trailer) to a commit message.
std::string subject(std::string_view prefix, const task& t) {
  std::string line = fmt::format("{}{}: {}", prefix, t.id, t.title);
  std::replace_if(line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return line;
}

// The trailer value that names a task: injective, one line (ref_component).
std::string task_trailer(const task& t) { return ref_component(t.id); }

// A job's commit: its subject, then the trailer by which a resumed run knows it was merged.
std::string job_message(const task& t) {
  return fmt::format("{}\n\nCohort-Task: {}\n", subject("", t), task_trailer(t));
}

} // namespace

worktree_launcher::worktree_launcher(launcher& inner, worktree_options options)
    : inner_(inner), options_(std::move(options)), repo_(options_.repository, options_.author),
      run_branch_("cohort/" + ref_component(options_.run_name)) {}

semaphore& worktree_launcher::lock() { return *lock_; }

std::string worktree_launcher::parent_branch_name(const plan& p, task_index parent) const {
  return fmt::format("cohort-work/{}/p/{}", ref_component(options_.run_name), ref_component(p.tasks[parent].id));
}

asio::awaitable<void> worktree_launcher::start() {
  const auto ex = co_await asio::this_coro::executor;
  lock_.emplace(ex, 1);
  serial_.emplace(ex, 1);
  const std::string base = co_await repo_.resolve(options_.base);
  if (base.empty()) {
    throw system_error(errc::git_failed, "cohort: " + options_.base + " names no commit in " +
                                             options_.repository.string() + " (a repository without commits?)");
  }
  const bool exists = !(co_await repo_.resolve("refs/heads/" + run_branch_)).empty();
  if (exists && options_.resume) {
    job_suffix_ = fmt::format("-r{}", std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch()).count());
  } else if (exists) {
    throw system_error(errc::git_failed, fmt::format("cohort: the branch {} exists already (a run before with the "
                                                     "same name?): delete it or give the run another name",
                                                     run_branch_));
  } else {
    co_await repo_.create_branch(run_branch_, base);
  }
  fs::create_directories(options_.worktrees);
  // Where the run began, for a resumed run's look at what was merged (not the whole history).
  const fs::path base_file = options_.worktrees / ".base";
  if (std::ifstream in(base_file); !(in >> base_)) {
    base_ = base;
    std::ofstream(base_file) << base_ << '\n';
  }
  if (options_.resume) {
    // The dead run's worktrees of jobs in flight or idle go: what a job committed is in its
    // branch (kept), what it had not is an attempt that runs again. Failed jobs' stay.
    std::vector<fs::path> dead;
    for (const auto& e : fs::directory_iterator(options_.worktrees))
      if (e.path().filename().string().starts_with("slot-")) dead.push_back(e.path());
    for (const auto& d : dead) co_await repo_.remove_worktree(d);
  }
}

// With lock_ held: merges the branch of `parent` (after its own dependencies) into the run branch.
asio::awaitable<void> worktree_launcher::merge_parent(const plan& p, task_index parent) {
  if (!merged_parents_.insert(parent).second) co_return;
  for (task_index d : dependency_parents(p, parent)) co_await merge_parent(p, d);
  auto branch = parents_.find(parent);
  if (branch == parents_.end() && options_.resume) {  // the dead run's work on it, if any
    const std::string name = parent_branch_name(p, parent);
    if (!(co_await repo_.resolve("refs/heads/" + name)).empty()) branch = parents_.emplace(parent, name).first;
  }
  if (branch == parents_.end() || failed_gates_.contains(parent)) co_return;  // nothing, or a failed gate
  const task& t = p.tasks[parent];
  const std::string tip = co_await repo_.resolve("refs/heads/" + branch->second);
  const merge_outcome m =
      co_await repo_.merge(run_branch_, tip, subject("Merge ", t));
  if (m.kind == merge_outcome::conflict) {
    ++conflicts_;
    worktree_job j;
    j.state = worktree_job::conflict;
    j.task_id = t.id;
    j.branch = branch->second;
    j.commit = tip;
    j.conflicts = m.conflicts;
    parent_conflicts_.push_back(std::move(j));
    co_return;
  }
  if (!options_.keep_branches) co_await repo_.delete_branch(branch->second);
}

asio::awaitable<std::string> worktree_launcher::parent_branch(const plan& p, task_index parent) {
  auto guard = co_await lock().async_acquire(1, asio::use_awaitable);
  if (auto b = parents_.find(parent); b != parents_.end()) co_return b->second;
  for (task_index d : dependency_parents(p, parent)) co_await merge_parent(p, d);
  const std::string name = parent_branch_name(p, parent);
  // A resumed run goes on with the parent's branch of the run before, and what it merged.
  if (!options_.resume || (co_await repo_.resolve("refs/heads/" + name)).empty())
    co_await repo_.create_branch(name, co_await repo_.resolve("refs/heads/" + run_branch_));
  parents_.emplace(parent, name);
  co_return name;
}

asio::awaitable<launch_result> worktree_launcher::launch(const launch_request& r) {
  const plan& p = *r.source;
  const task_index parent = r.get().parent.value_or(r.task);
  const std::string target = co_await parent_branch(p, parent);
  if (options_.resume) {
    // Work the dead run finished: no agent runs for it, none used a token.
    launch_result done;
    done.status = launch_status::succeeded;
    done.tokens = 0;
    // Merged by the dead run after its journal's last record: done, not run (nor merged) again.
    const auto merged = co_await repo_.trailers(base_ + "..refs/heads/" + target, "Cohort-Task");
    if (std::find(merged.begin(), merged.end(), task_trailer(r.get())) != merged.end()) {
      tell(r, "its work was merged by the run before: not run again");
      co_return done;
    }
    if (r.get().subtasks.empty() && co_await merge_pending(r, target)) co_return done;
  }
  std::string note;
  for (int run = 0;; ++run) {
    std::optional<semaphore::permit> one_at_a_time;
    if (sequential_) one_at_a_time = co_await serial_->async_acquire(1, asio::use_awaitable);
    worktree_job j;
    j.task_id = r.get().id;
    j.attempt = r.attempt;
    j.run = run;
    const std::string leaf =
        (run == 0 ? std::to_string(r.attempt) : fmt::format("{}-{}", r.attempt, run)) + job_suffix_;
    j.branch = fmt::format("cohort-work/{}/j/{}/{}", ref_component(options_.run_name), ref_component(j.task_id), leaf);
    j.name = ref_component(j.task_id) + "-" + leaf;
    jobs_.push_back(std::move(j));
    const std::size_t job = jobs_.size() - 1;
    launch_result result = co_await run_job(r, job, target, note);
    const worktree_job done = jobs_[job];  // a copy: jobs_ grows while this waits
    if (done.state != worktree_job::conflict) co_return result;
    ++conflicts_;
    const bool again = options_.on_conflict != conflict_policy::fail && run < options_.conflict_retries;
    if (!again) {
      result.status = launch_status::failed;
      result.message = fmt::format("its work does not merge into {}: conflicting changes in {} (kept: branch {})",
                                   target, joined(done.conflicts), done.branch);
      co_return result;
    }
    if (options_.on_conflict == conflict_policy::sequential && !sequential_) {
      sequential_ = true;
      tell(r, "a conflict: from now on one agent at a time");
    }
    note = co_await conflict_note(done, target);
    step(r, merge_state::retrying, target, {},
         fmt::format("run {} of {} from the tip of {}", run + 1, options_.conflict_retries, target));
  }
}

// A job of the dead run that committed its work (the tip of its branch is cohort's commit of
// it) and died before merging it: merged now, instead of running the agent again. Whether one
// was is in git, written atomically with the commit: no record of the run can say otherwise.
asio::awaitable<bool> worktree_launcher::merge_pending(const launch_request& r, const std::string& target) {
  const task& t = r.get();
  const std::string prefix =
      fmt::format("cohort-work/{}/j/{}/", ref_component(options_.run_name), ref_component(t.id));
  auto guard = co_await lock().async_acquire(1, asio::use_awaitable);
  // The latest attempt first ("10" after "9": longer names are later ones).
  std::vector<std::string> found = co_await repo_.branches(prefix);
  std::sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a > b;
  });
  for (const std::string& branch : found) {
    const std::string tip = co_await repo_.resolve("refs/heads/" + branch);
    if (co_await repo_.message(tip) != job_message(t)) continue;  // not finished: no commit of cohort's
    const merge_outcome m = co_await repo_.merge(target, tip, subject("Merge ", t));
    if (m.kind == merge_outcome::conflict) {
      step(r, merge_state::conflict, branch, tip, joined(m.conflicts));
      continue;  // the agent runs again, from the current tip
    }
    step(r, merge_state::merged, target, m.commit, "committed by the run before, merged now");
    if (!options_.keep_branches) co_await repo_.delete_branch(branch);
    co_return true;
  }
  co_return false;
}

// What the next run of a job that did not merge is told: the paths, its change and the change
// merged meanwhile (it starts from the tip as it is now).
asio::awaitable<std::string> worktree_launcher::conflict_note(const worktree_job& done,
                                                              const std::string& target) const {
  const std::string tip = co_await repo_.resolve("refs/heads/" + target);
  const std::string mine = co_await repo_.diff(done.base, done.commit, done.conflicts, 16 * 1024);
  const std::string theirs = co_await repo_.diff(done.base, tip, done.conflicts, 16 * 1024);
  co_return fmt::format(
      "## Your previous attempt did not merge\n\n"
      "It conflicted with work merged meanwhile, in: {}. Start again from the current state "
      "(this worktree has it) and make your change so that it keeps theirs.\n\n"
      "Your previous change:\n\n```diff\n{}```\n\nThe change merged meanwhile:\n\n```diff\n{}```\n",
      joined(done.conflicts), mine, theirs);
}

// A worktree on a new branch for the job, from `target` as it is now: an idle one switched, or
// a new one.
asio::awaitable<void> worktree_launcher::take_worktree(std::size_t job, const std::string& target) {
  auto guard = co_await lock().async_acquire(1, asio::use_awaitable);
  jobs_[job].base = co_await repo_.resolve("refs/heads/" + target);
  co_await repo_.create_branch(jobs_[job].branch, jobs_[job].base);
  if (!idle_.empty()) {
    jobs_[job].worktree = idle_.back();
    idle_.pop_back();
    co_await repo_.switch_worktree(jobs_[job].worktree, jobs_[job].branch);
  } else {
    jobs_[job].worktree = options_.worktrees / fmt::format("slot-{}", ++worktrees_made_);
    co_await repo_.add_worktree(jobs_[job].worktree, jobs_[job].branch);
  }
}

// A failed job's worktree is kept for a look, under the job's own name.
asio::awaitable<void> worktree_launcher::keep_worktree(const launch_request& r, std::size_t job,
                                                      launch_result& result) {
  jobs_[job].state = worktree_job::failed;
  const fs::path kept = options_.worktrees / jobs_[job].name;
  auto guard = co_await lock().async_acquire(1, asio::use_awaitable);
  co_await repo_.move_worktree(jobs_[job].worktree, kept);
  jobs_[job].worktree = kept;
  result.message += fmt::format(" (its worktree is kept: {})", kept.string());
  step(r, merge_state::kept, jobs_[job].branch, {}, kept.string());
}

// The job's work is in its branch (or was a check): its worktree serves the next job.
asio::awaitable<void> worktree_launcher::release_worktree(std::size_t job) {
  co_await repo_.detach_worktree(jobs_[job].worktree);
  idle_.push_back(jobs_[job].worktree);
  jobs_[job].worktree.clear();
}

// One run of the agent in a worktree of its own; merges its work into `target` when it succeeds.
asio::awaitable<launch_result> worktree_launcher::run_job(const launch_request& r, std::size_t job,
                                                          const std::string& target, std::string note) {
  co_await take_worktree(job, target);
  launch_request in = r;
  in.workdir = options_.subdir.empty() ? jobs_[job].worktree : jobs_[job].worktree / options_.subdir;
  in.prompt_note = std::move(note);
  launch_result result = co_await inner_.launch(in);
  const task& t = r.get();
  const bool gate = !t.subtasks.empty();  // a parent's own command: a check of its merged work
  if (result.status != launch_status::succeeded) {
    if (gate) failed_gates_.insert(r.task);
    co_await keep_worktree(r, job, result);
    co_return result;
  }
  if (gate) {
    jobs_[job].state = worktree_job::checked;
    step(r, merge_state::checked, target, jobs_[job].base);
    co_await release_worktree(job);
    if (!options_.keep_branches) co_await repo_.delete_branch(jobs_[job].branch);
    co_return result;
  }
  // Always a commit, with the task in a trailer: a resumed run knows the work was merged.
  jobs_[job].commit = co_await repo_.commit_all(jobs_[job].worktree, job_message(t), true);
  step(r, merge_state::merging, jobs_[job].branch, jobs_[job].commit, "into " + target);
  auto guard = co_await lock().async_acquire(1, asio::use_awaitable);
  const merge_outcome m =
      co_await repo_.merge(target, jobs_[job].commit, subject("Merge ", t));
  co_await release_worktree(job);
  if (m.kind == merge_outcome::conflict) {
    jobs_[job].state = worktree_job::conflict;
    jobs_[job].conflicts = m.conflicts;
    step(r, merge_state::conflict, jobs_[job].branch, jobs_[job].commit, joined(m.conflicts));
    co_return result;
  }
  jobs_[job].state = worktree_job::merged;
  step(r, merge_state::merged, target, m.commit);
  if (!options_.keep_branches) co_await repo_.delete_branch(jobs_[job].branch);
  co_return result;
}

asio::awaitable<std::vector<worktree_job>> worktree_launcher::finish(const plan& p) {
  auto guard = co_await lock().async_acquire(1, asio::use_awaitable);
  for (task_index parent : p.parents) co_await merge_parent(p, parent);
  for (const auto& wt : idle_) co_await repo_.remove_worktree(wt);
  idle_.clear();
  co_return parent_conflicts_;
}

} // namespace cohort
