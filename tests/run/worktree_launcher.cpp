// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/run/worktree_launcher.hpp>

#include "support/co_test.hpp"
#include "support/files.hpp"
#include "support/git_repo.hpp"
#include "support/plans.hpp"

#include <cohort/run/executor.hpp>
#include <cohort/run/process_launcher.hpp>

#include <algorithm>
#include <fstream>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using cohort::task_outcome;
using cohort::test::git;
using cohort::test::plan_builder;
using cohort::test::show;

namespace {

// A subtask of `parent` whose agent is `sh -c script` (run in its worktree).
cohort::task_index scripted(plan_builder& b, cohort::task_index parent, const std::string& local,
                            const std::string& script, const std::vector<std::string>& deps = {}) {
  const auto t = b.sub(parent, local, deps, 1ms);
  b.p.tasks[t].argv = {"sh", "-c", script};
  b.p.tasks[t].title = "task " + local;
  return t;
}

// The repository, the run dir and the launchers of one test.
struct fixture {
  cohort::test::temp_dir dir;
  fs::path repo = dir / "repo";
  cohort::process_launcher agents;
  cohort::worktree_options options;

  explicit fixture(cohort::process_launcher_options lo = {}) : agents(with_run_dir(lo, dir.path())) {
    cohort::test::make_repo(repo, {{"shared.txt", "base\n"}, {"gone.txt", "g\n"}});
    options.repository = repo;
    options.worktrees = dir / "run" / "worktrees";
    options.run_name = "t1";
  }
  static cohort::process_launcher_options with_run_dir(cohort::process_launcher_options lo, const fs::path& d) {
    lo.run_dir = d / "run";
    return lo;
  }
  std::string at_run_branch(const std::string& path) const { return show(repo, "cohort/t1", path); }
};

boost::asio::awaitable<cohort::run_report> run_isolated(fixture& f, const cohort::plan& p,
                                                        cohort::executor_options o) {
  cohort::worktree_launcher isolated(f.agents, f.options);
  co_await isolated.start();
  auto report = co_await cohort::run_plan(p, isolated, o);
  const auto kept = co_await isolated.finish(p);
  BOOST_TEST(kept.empty());
  co_return report;
}

} // namespace

BOOST_AUTO_TEST_SUITE(worktree_launcher)

// Waves: 1.1 and 1.2 run at once, each in its own worktree (neither sees the other's file,
// whatever the timing), 1.3 (wave 2) sees both; parent 2 depends on 1 and sees its work; an
// agent that commits by itself, deletes and adds files. The run branch holds it all; the
// user's checkout is untouched.
CO_TEST_CASE(each_agent_works_alone_and_the_next_wave_and_dependents_see_the_work) {
  fixture f;
  plan_builder b;
  const auto p1 = b.parent("1");
  scripted(b, p1, "1", "echo one > one.txt; sleep 0.2; test ! -e two.txt");
  scripted(b, p1, "2", "echo two > two.txt; sleep 0.2; test ! -e one.txt");
  scripted(b, p1, "3", "test -e one.txt && test -e two.txt && cat one.txt two.txt > both.txt", {"1.1", "1.2"});
  const auto p2 = b.parent("2", {"1"});
  scripted(b, p2, "1",
           "test -e both.txt && rm gone.txt && echo self > self.txt && "
           "git -c core.hooksPath=/dev/null -c user.name=agent -c user.email=a@x add self.txt && "
           "git -c core.hooksPath=/dev/null -c user.name=agent -c user.email=a@x commit -q -m self && "
           "echo loose > loose.txt");
  cohort::executor_options o;
  o.schedule.max_running = 4;
  o.schedule.mode = cohort::wave_mode::waves;
  const std::string head = git(f.repo, {"rev-parse", "HEAD"});
  const auto report = co_await run_isolated(f, b.p, o);
  for (const auto& t : report.tasks) BOOST_TEST((t.outcome == task_outcome::succeeded), t.reason);
  BOOST_TEST(f.at_run_branch("both.txt") == "one\ntwo");
  BOOST_TEST(f.at_run_branch("self.txt") == "self");
  BOOST_TEST(f.at_run_branch("loose.txt") == "loose");
  BOOST_TEST(git(f.repo, {"ls-tree", "--name-only", "cohort/t1"}) ==
             "both.txt\nloose.txt\none.txt\nself.txt\nshared.txt\ntwo.txt");
  BOOST_TEST(git(f.repo, {"rev-parse", "HEAD"}) == head);
  BOOST_TEST(git(f.repo, {"status", "--porcelain"}).empty());
  // Merged jobs leave nothing behind: no worktree, no job or parent branch.
  BOOST_TEST(git(f.repo, {"for-each-ref", "--format=%(refname:short)"}) == "cohort/t1\nmain");
  BOOST_TEST(git(f.repo, {"worktree", "list", "--porcelain"}).find("worktrees") == std::string::npos);
}

CO_TEST_CASE(eight_agents_at_once_on_one_repository_all_merge) {
  fixture f;
  plan_builder b;
  const auto p1 = b.parent("1");
  for (int i = 1; i <= 8; ++i)
    scripted(b, p1, std::to_string(i), "echo $COHORT_TASK_ID > \"f$COHORT_TASK_ID.txt\"");
  cohort::executor_options o;
  o.schedule.max_running = 8;
  const auto report = co_await run_isolated(f, b.p, o);
  BOOST_TEST(report.all_done());
  for (int i = 1; i <= 8; ++i) BOOST_TEST(f.at_run_branch("f1." + std::to_string(i) + ".txt") == "1." + std::to_string(i));
}

// A failed agent: nothing of it is merged; its worktree and branch are kept for a look.
CO_TEST_CASE(a_failed_agent_merges_nothing_and_its_worktree_is_kept) {
  fixture f;
  plan_builder b;
  const auto p1 = b.parent("1");
  const auto t = scripted(b, p1, "1", "echo half > half.txt; exit 3");
  cohort::executor_options o;
  o.retry.retries = 0;
  const auto report = co_await run_isolated(f, b.p, o);
  BOOST_TEST((report.tasks[t].outcome == task_outcome::failed));
  BOOST_TEST(report.tasks[t].reason.find("its worktree is kept") != std::string::npos, report.tasks[t].reason);
  BOOST_TEST(git(f.repo, {"ls-tree", "--name-only", "cohort/t1"}) == "gone.txt\nshared.txt");
  BOOST_TEST(cohort::test::read_text(f.options.worktrees / "1.1-1" / "half.txt") == "half\n");
}

// Two agents change the same line at once (each waits until both run, so both start from the
// same commit): the second to finish does not merge. Each policy, by its outcome.
CO_TEST_CASE(the_same_lines_changed_at_once_follow_each_conflict_policy) {
  for (auto policy : {cohort::conflict_policy::retry, cohort::conflict_policy::fail,
                      cohort::conflict_policy::sequential}) {
    BOOST_TEST_CONTEXT("policy " << static_cast<int>(policy)) {
      cohort::test::temp_dir meet;
      cohort::process_launcher_options lo;
      // Told of the conflict, the agent writes both lines; else its own.
      lo.agent = {"sh", "-c",
                  "touch \"$0/started-$COHORT_TASK_ID\"; "
                  "until [ $(ls \"$0\" | grep -c started) -ge 2 ]; do sleep 0.01; done; "
                  "if grep -q 'did not merge' \"$1\"; then printf 'base\\n1.1\\n1.2\\n' > shared.txt; "
                  "else echo \"$COHORT_TASK_ID\" > shared.txt; fi",
                  meet.path().string(), "{prompt_file}"};
      fixture f(lo);
      f.options.on_conflict = policy;
      plan_builder b;
      const auto p1 = b.parent("1");
      const auto a = b.sub(p1, "1", {}, 1ms);
      const auto c = b.sub(p1, "2", {}, 1ms);
      cohort::executor_options o;
      o.schedule.max_running = 2;
      o.retry.retries = 0;
      cohort::test::event_log log;
      cohort::worktree_launcher isolated(f.agents, f.options);
      co_await isolated.start();
      const auto report = co_await cohort::run_plan(b.p, isolated, o, cohort::test::observe(log));
      (void)co_await isolated.finish(b.p);
      BOOST_TEST(isolated.conflicts() == 1u);
      const auto& first = report.tasks[a];
      const auto& second = report.tasks[c];
      if (policy == cohort::conflict_policy::fail) {
        // One merged, the other failed naming the path; its branch keeps its work.
        BOOST_TEST(((first.outcome == task_outcome::failed) != (second.outcome == task_outcome::failed)));
        const auto& lost = first.outcome == task_outcome::failed ? first : second;
        BOOST_TEST(lost.reason.find("conflicting changes in shared.txt (kept: branch cohort-work/t1/j/") !=
                   std::string::npos, lost.reason);
        const std::string won = first.outcome == task_outcome::failed ? "1.2" : "1.1";
        BOOST_TEST(f.at_run_branch("shared.txt") == won);
      } else {
        BOOST_TEST(report.all_done());
        BOOST_TEST(f.at_run_branch("shared.txt") == "base\n1.1\n1.2");
        // The run again was told what conflicted, with both sides' changes.
        int told = 0;
        for (const char* id : {"1.1", "1.2"}) {
          const std::string prompt = cohort::test::read_text(f.dir / "run" / "agents" / id / "prompt.md");
          if (prompt.find("did not merge") == std::string::npos) continue;
          ++told;
          BOOST_TEST(prompt.find("in: shared.txt") != std::string::npos, prompt);
          BOOST_TEST(prompt.find("+1.") != std::string::npos, prompt);
        }
        BOOST_TEST(told == 1);
        bool sequential = false;
        for (const auto& e : log.of(cohort::event_kind::task_output))
          sequential = sequential || e.message.find("one agent at a time") != std::string::npos;
        BOOST_TEST(sequential == (policy == cohort::conflict_policy::sequential));
      }
    }
  }
}

// The journal lost the record of tasks whose work was merged (a kill -9 right after the
// merge): the resumed run finds the work on the branch and runs nothing again.
CO_TEST_CASE(a_resumed_run_does_not_run_or_merge_again_what_the_run_before_merged) {
  fixture f;
  const fs::path runs = f.dir / "runs.txt";
  plan_builder b;
  const auto p1 = b.parent("1");
  for (const char* s : {"1", "2"})
    scripted(b, p1, s, "echo $COHORT_TASK_ID >> " + runs.string() + "; echo $COHORT_TASK_ID > \"own-$COHORT_TASK_ID\"");
  const auto first = co_await run_isolated(f, b.p, {});
  BOOST_TEST(first.all_done());
  // As a resume of the same run would (its journal saying nothing of 1.1 and 1.2).
  f.options.resume = true;
  cohort::worktree_launcher again(f.agents, f.options);
  co_await again.start();
  cohort::test::event_log log;
  const auto second = co_await cohort::run_plan(b.p, again, {}, cohort::test::observe(log));
  (void)co_await again.finish(b.p);
  BOOST_TEST(second.all_done());
  BOOST_TEST(cohort::test::read_text(runs) == "1.1\n1.2\n");  // each agent ran once, in the first run
  int told = 0;
  for (const auto& e : log.of(cohort::event_kind::task_output))
    told += e.message.find("merged by the run before") != std::string::npos;
  BOOST_TEST(told == 2);
  // One commit of each task's work on the run branch: nothing merged twice.
  BOOST_TEST(git(f.repo, {"rev-list", "--count", "cohort/t1", "--grep=^1\\.[12]: task"}) == "2");
}

// A job that committed its work when the run died, before the merge (its branch's tip is
// cohort's commit of it): the resumed run merges that commit and does not run the agent again.
// A job whose branch holds only the agent's own commits (it died working) runs again.
CO_TEST_CASE(a_resumed_run_merges_work_committed_before_the_crash_and_reruns_unfinished_jobs) {
  fixture f;
  const fs::path runs = f.dir / "runs.txt";
  plan_builder b;
  const auto p1 = b.parent("1");
  const auto done = scripted(b, p1, "1", "echo 1.1 >> " + runs.string() + "; echo again > a.txt");
  const auto unfinished = scripted(b, p1, "2", "echo 1.2 >> " + runs.string() + "; echo whole > b.txt");
  {  // the dead run: its run branch, and the jobs' branches as the crash left them
    cohort::worktree_launcher dead(f.agents, f.options);
    co_await dead.start();
  }
  const cohort::repository repo(f.repo);
  const std::string tip = git(f.repo, {"rev-parse", "cohort/t1"});
  for (const char* id : {"1.1", "1.2"}) {
    const std::string branch = std::string("cohort-work/t1/j/") + id + "/1";
    const fs::path wt = f.dir / "run" / "worktrees" / (std::string("slot-") + id);
    git(f.repo, {"worktree", "add", "-q", "-b", branch, wt.string(), tip});
    const bool committed = std::string(id) == "1.1";
    std::ofstream(wt / (committed ? "a.txt" : "b.txt")) << (committed ? "pending\n" : "half\n");
    // cohort's own commit of 1.1's work; for 1.2, an agent's commit of half its work
    const std::string message = committed ? "1.1: task 1\n\nCohort-Task: 1.1\n" : "wip\n";
    (void)co_await repo.commit_all(wt, message, true);
  }
  f.options.resume = true;
  cohort::worktree_launcher again(f.agents, f.options);
  co_await again.start();
  cohort::test::event_log log;
  const auto report = co_await cohort::run_plan(b.p, again, {}, cohort::test::observe(log));
  (void)co_await again.finish(b.p);
  BOOST_TEST(report.all_done());
  BOOST_TEST(cohort::test::read_text(runs) == "1.2\n");  // 1.1's agent did not run again
  BOOST_TEST(f.at_run_branch("a.txt") == "pending");    // its work as committed before the crash
  BOOST_TEST(f.at_run_branch("b.txt") == "whole");      // 1.2's, from its run again
  BOOST_TEST((report.tasks[done].placement->merge == cohort::merge_state::merged));
  BOOST_TEST((report.tasks[unfinished].placement->merge == cohort::merge_state::merged));
  BOOST_TEST(git(f.repo, {"branch", "--list", "cohort-work/t1/j/1.1/*"}).empty());  // merged: gone
}

// Every step with a job's work is an event (branch, commit), in the run's report too, and the
// journal keeps it.
CO_TEST_CASE(each_step_with_a_jobs_work_is_an_event_with_its_branch_and_commit) {
  fixture f;
  plan_builder b;
  const auto p1 = b.parent("1");
  const auto good = scripted(b, p1, "1", "echo a > a.txt");
  const auto bad = scripted(b, p1, "2", "echo half > half.txt; exit 3");
  cohort::test::event_log log;
  cohort::worktree_launcher isolated(f.agents, f.options);
  co_await isolated.start();
  const auto report = co_await cohort::run_plan(b.p, isolated, {}, cohort::test::observe(log));
  (void)co_await isolated.finish(b.p);
  std::vector<std::string> steps;
  for (const auto& e : log.of(cohort::event_kind::task_merge)) {
    steps.push_back(b.p.tasks[*e.task].id + " " + std::string(to_string(e.merge)) + " " + e.branch);
    BOOST_TEST(e.attempt == 1);
    if (e.merge == cohort::merge_state::merging || e.merge == cohort::merge_state::merged) {
      BOOST_TEST(e.commit.size() == 40U);
      (void)git(f.repo, {"merge-base", "--is-ancestor", e.commit, "cohort/t1"});  // fails the test if not
    }
    if (e.merge == cohort::merge_state::kept) BOOST_TEST(e.message.find("worktrees/1.2-1") != std::string::npos);
  }
  std::sort(steps.begin(), steps.end());
  BOOST_TEST(steps == (std::vector<std::string>{"1.1 merged cohort-work/t1/p/1", "1.1 merging cohort-work/t1/j/1.1/1",
                                                "1.2 kept cohort-work/t1/j/1.2/1"}),
             boost::test_tools::per_element());
  BOOST_TEST((report.tasks[good].placement->merge == cohort::merge_state::merged));
  BOOST_TEST(report.tasks[good].placement->branch == "cohort-work/t1/p/1");
  BOOST_TEST((report.tasks[bad].placement->merge == cohort::merge_state::kept));
  BOOST_TEST(report.tasks[bad].placement->branch == "cohort-work/t1/j/1.2/1");
}

// An id (or title) from the file cannot forge the trailer by which a resumed run skips merged
// work: task 1.1's id carries a line claiming 1.2, which failed; the resumed run still runs 1.2.
CO_TEST_CASE(an_id_cannot_make_a_resumed_run_skip_another_task) {
  fixture f;
  plan_builder b;
  const auto p1 = b.parent("1");
  const auto liar = scripted(b, p1, "1\nCohort-Task: 1.2", "echo a > a.txt");
  b.p.tasks[liar].title = "innocent\n\nCohort-Task: 1.2";
  const auto t = scripted(b, p1, "2", "test -e " + (f.dir / "go").string() + " && echo b > b.txt");
  cohort::executor_options o;
  o.retry.retries = 0;
  const auto first = co_await run_isolated(f, b.p, o);
  BOOST_TEST((first.tasks[t].outcome == task_outcome::failed));
  f.dir.write("go", "");
  f.options.resume = true;
  cohort::worktree_launcher again(f.agents, f.options);
  co_await again.start();
  const auto second = co_await cohort::run_plan(b.p, again, o);
  (void)co_await again.finish(b.p);
  BOOST_TEST((second.tasks[t].outcome == task_outcome::succeeded), second.tasks[t].reason);
  BOOST_TEST(f.at_run_branch("b.txt") == "b");  // it ran: not skipped as "merged before"
}

// A parent's own command (a gate) runs on its subtasks' merged work; what it leaves is not
// merged; when it fails, the parent fails, its dependents are skipped and its branch is kept.
CO_TEST_CASE(a_gate_checks_the_merged_work_and_a_failing_one_keeps_the_parent_out) {
  fixture f;
  plan_builder b;
  const auto p1 = b.parent("1");
  scripted(b, p1, "1", "echo a > a.txt");
  scripted(b, p1, "2", "echo b > b.txt");
  b.p.tasks[p1].argv = {"sh", "-c", "test -e a.txt && test -e b.txt && echo out > build-output"};
  const auto p2 = b.parent("2");
  scripted(b, p2, "1", "echo c > c.txt");
  b.p.tasks[p2].argv = {"false"};
  const auto p3 = b.parent("3", {"2"});
  scripted(b, p3, "1", "echo d > d.txt");
  cohort::executor_options o;
  o.schedule.max_running = 3;
  o.retry.retries = 0;
  cohort::worktree_launcher isolated(f.agents, f.options);
  co_await isolated.start();
  const auto report = co_await cohort::run_plan(b.p, isolated, o);
  (void)co_await isolated.finish(b.p);
  BOOST_TEST((report.tasks[p1].outcome == task_outcome::succeeded), report.tasks[p1].reason);
  BOOST_TEST((report.tasks[p2].outcome == task_outcome::failed));
  BOOST_TEST((report.tasks[p3].outcome == task_outcome::skipped));
  BOOST_TEST(git(f.repo, {"ls-tree", "--name-only", "cohort/t1"}) == "a.txt\nb.txt\ngone.txt\nshared.txt");
  BOOST_TEST(show(f.repo, "cohort-work/t1/p/2", "c.txt") == "c");  // kept, not merged
}

BOOST_AUTO_TEST_SUITE_END()
