// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/run/resume.hpp>

#include "support/co_test.hpp"
#include "support/log_values.hpp"
#include "support/files.hpp"
#include "support/plans.hpp"
#include "support/processes.hpp"

#include <cohort/testing/fake_launcher.hpp>
#include <cohort/run/journal.hpp>
#include <cohort/process/process.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <functional>
#include <optional>
#include <set>

#include <csignal>
#include <ctime>

#include <sys/wait.h>
#include <unistd.h>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;
using cohort::event_kind;
using cohort::journal_task_state;
using cohort::test::temp_dir;

namespace {

cohort::event recorded_event(event_kind k, cohort::task_index t, std::uint64_t tokens = 0) {
  cohort::event e;
  e.kind = k;
  e.at = cohort::event::clock_type::now();
  e.task = t;
  e.attempt = 1;
  e.tokens = tokens;
  return e;
}

// Cancels the run it observes (as a crash would stop it) once `after` tasks succeeded: what
// it leaves done and not done does not depend on the machine's speed.
struct stop_after final : cohort::observer {
  stop_after(asio::any_io_executor ex, int after) : stop(std::move(ex), asio::steady_timer::time_point::max()), left(after) {}
  void on_event(const cohort::event& e) override {
    if (e.kind == event_kind::task_succeeded && --left == 0) stop.cancel();
  }
  asio::steady_timer stop;
  int left;
};

// Runs `p` until it ends or `stopper` stops it.
asio::awaitable<void> run_until(const cohort::plan& p, cohort::launcher& l, cohort::executor_options o,
                                std::vector<cohort::observer*> observers, stop_after& stopper) {
  observers.push_back(&stopper);
  (void)co_await (cohort::run_plan(p, l, std::move(o), std::move(observers)) ||
                  stopper.stop.async_wait(asio::as_tuple(asio::use_awaitable)));
}

std::set<std::string> ids_in(const cohort::journal_state& s, journal_task_state state) {
  std::set<std::string> out;
  for (const auto& [id, t] : s.tasks) {
    if (t.state == state) out.insert(id);
  }
  return out;
}

// A journal agent record for the live process `pid`.
cohort::journal_agent agent_record(int pid, const std::string& task) {
  cohort::journal_agent a;
  a.task = task;
  a.attempt = 1;
  a.pid = pid;
  a.start_time = cohort::process_start_time(pid);
  return a;
}

} // namespace

BOOST_AUTO_TEST_SUITE(resume)

CO_TEST_CASE(a_stopped_run_resumes_with_only_what_was_not_done_and_its_spend) {
  temp_dir dir;
  const auto plan = cohort::test::seed_plan(2, 10ms);
  cohort::fake_launcher first_agents;
  cohort::executor_options o;
  o.schedule.max_running = 2;
  {
    cohort::journal j(cohort::run_dir_lock(dir.path()), plan, o);
    std::vector<cohort::observer*> observers{&j};
    stop_after two_done(co_await asio::this_coro::executor, 2);
    co_await run_until(plan, first_agents, o, observers, two_done);
  }
  const auto before = cohort::read_journal(dir.path());
  const auto done = ids_in(before, journal_task_state::succeeded);
  BOOST_REQUIRE(!done.empty());
  BOOST_REQUIRE(done.size() < plan.size());

  cohort::run_dir_lock lock(dir.path());
  cohort::executor_options again = o;
  const auto was = cohort::prepare_resume(lock, plan, again);
  BOOST_TEST(was.changes.empty());
  BOOST_TEST(again.tokens_spent == before.tokens_spent);
  BOOST_TEST(again.finished.size() == done.size());
  cohort::journal j(std::move(lock), plan, again);
  cohort::test::event_log log;
  std::vector<cohort::observer*> observers{&log, &j};
  cohort::fake_launcher agents;
  const auto report = co_await cohort::run_plan(plan, agents, again, observers);
  BOOST_TEST(report.all_done());
  std::uint64_t used = 0;
  for (const auto& e : log.of(event_kind::task_launched)) {
    BOOST_TEST(!done.contains(plan.tasks[*e.task].id), plan.tasks[*e.task].id << " ran twice");
  }
  for (const auto& e : log.of(event_kind::task_usage)) used += e.tokens;
  BOOST_TEST(report.tokens_spent == before.tokens_spent + used);
  j.flush();
  const auto after = cohort::read_journal(dir.path());
  BOOST_TEST(after.runs == 2);
  BOOST_TEST(after.finished);
  BOOST_TEST(ids_in(after, journal_task_state::succeeded).size() == plan.size());
  BOOST_TEST(after.tokens_spent == report.tokens_spent);
}

BOOST_AUTO_TEST_CASE(a_task_running_at_the_crash_runs_again_and_its_reservation_counts) {
  temp_dir dir;
  const auto plan = cohort::test::seed_plan(2);
  {
    cohort::journal j(cohort::run_dir_lock(dir.path()), plan, {});
    j.on_event(recorded_event(event_kind::task_launched, 2, 400));
    j.on_event(recorded_event(event_kind::task_usage, 2, 300));
    j.on_event(recorded_event(event_kind::task_succeeded, 2, 300));
    j.on_event(recorded_event(event_kind::task_launched, 1, 700));  // then the process dies
  }
  const auto s = cohort::read_journal(dir.path());
  BOOST_TEST(!s.finished);
  BOOST_TEST(s.tasks.at(plan.tasks[1].id).state == journal_task_state::running);
  cohort::executor_options o;
  cohort::restore(s, plan, o);
  BOOST_TEST(o.finished == std::vector<cohort::task_index>{2});
  BOOST_TEST(o.tokens_spent == 1000u);
}

BOOST_AUTO_TEST_CASE(a_changed_plan_is_refused_with_the_changes_listed_unless_accepted) {
  temp_dir dir;
  { cohort::journal j(cohort::run_dir_lock(dir.path()), cohort::test::seed_plan(3), {}); }
  cohort::test::plan_builder b;
  b.p = cohort::test::seed_plan(2);
  b.p.tasks[b.at("2.1")].title = "changed";
  b.parent("18", {"17"});
  cohort::run_dir_lock lock(dir.path());
  cohort::executor_options o;
  BOOST_CHECK_EXCEPTION((void)cohort::prepare_resume(lock, b.p, o), cohort::plan_changed_error,
                        [](const cohort::plan_changed_error& x) {
                          const auto& c = x.changes();
                          const std::string what = x.what();
                          return c.added == std::vector<std::string>{"18"} &&
                                 c.changed == std::vector<std::string>{"2.1"} &&
                                 c.removed.size() == 17 && what.find("added: 18") != what.npos &&
                                 what.find("changed: 2.1") != what.npos;
                        });
  cohort::resume_options accept;
  accept.accept_changed_plan = true;
  BOOST_TEST(cohort::prepare_resume(lock, b.p, o, accept).changes.added.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_journal_killed_before_its_header_was_complete_resumes_as_empty) {
  temp_dir dir;
  (void)dir.write("journal.jsonl", R"({"journal":1,"run":1,"ti)");  // torn: no newline
  cohort::run_dir_lock lock(dir.path());
  cohort::executor_options o;
  const auto r = cohort::prepare_resume(lock, cohort::test::seed_plan(2), o);
  BOOST_TEST(r.journal.runs == 0);
  BOOST_TEST(r.changes.empty());
  BOOST_TEST(o.finished.empty());
}

BOOST_AUTO_TEST_CASE(a_leftover_group_ignoring_sigterm_is_killed_and_a_reused_pid_is_spared) {
  // A shell that ignores SIGTERM with two children that inherit that (like a stubborn agent).
  const int agent = cohort::test::spawn_group(
      {"/bin/sh", "-c", "trap '' TERM; sleep 60 & sleep 60 & wait"});
  const int stranger = cohort::test::spawn_group({"/bin/sleep", "60"});
  BOOST_REQUIRE(agent > 0 && stranger > 0);
  BOOST_REQUIRE(cohort::test::wait_members(agent, 3));
  cohort::journal_state s;
  s.agents.push_back(agent_record(agent, "1.1"));
  s.agents.push_back(agent_record(stranger, "1.2"));
  s.agents.back().start_time += 1;  // the pid was reused by another process
  const auto r = cohort::end_leftovers(s, 100ms);
  BOOST_TEST(r.checked == 2u);
  BOOST_TEST(r.ended == 1u);
  BOOST_TEST(r.killed == 1u);
  BOOST_TEST(r.reused == 1u);
  BOOST_TEST(r.survivors == 0u);
  BOOST_TEST(cohort::test::live_members(agent).empty());
  BOOST_TEST(cohort::test::running(stranger));
  cohort::test::kill_and_reap(agent);
  cohort::test::kill_and_reap(stranger);
}

// The asynchronous form waits on timers: the event loop goes on meanwhile (a ticking timer
// counts its turns during the grace period), and the result is the same.
BOOST_AUTO_TEST_CASE(async_end_leftovers_leaves_the_event_loop_free) {
  const int agent = cohort::test::spawn_group({"/bin/sh", "-c", "trap '' TERM; sleep 60 & wait"});
  BOOST_REQUIRE(agent > 0);
  BOOST_REQUIRE(cohort::test::wait_members(agent, 2));
  cohort::journal_state s;
  s.agents.push_back(agent_record(agent, "1.1"));
  asio::io_context ctx;
  std::optional<cohort::ended_leftovers> result;
  int ticks = 0;
  asio::steady_timer tick(ctx);
  std::function<void()> next = [&] {
    tick.expires_after(5ms);
    tick.async_wait([&](cohort::error_code ec) {
      if (ec || result) return;
      ++ticks;
      next();
    });
  };
  next();
  cohort::async_end_leftovers(ctx.get_executor(), s, 200ms,
                              [&](cohort::error_code, cohort::ended_leftovers r) { result = r; });
  ctx.run_for(cohort::test::hang_limit);
  BOOST_REQUIRE(result.has_value());
  BOOST_TEST(result->ended == 1u);
  BOOST_TEST(result->killed == 1u);  // it ignored SIGTERM for the whole grace
  BOOST_TEST(ticks > 0);              // the loop ran while the grace passed
  BOOST_TEST(cohort::test::live_members(agent).empty());
  cohort::test::kill_and_reap(agent);
}

BOOST_AUTO_TEST_CASE(an_orphaned_group_is_recognised_by_the_agents_environment) {
  const std::map<std::string, std::string> env{{"COHORT_TASK_ID", "3.1"}, {"COHORT_ATTEMPT", "1"}};
  const int agent = cohort::test::spawn_group({"/bin/sh", "-c", "sleep 60 & sleep 60 & wait"}, env);
  BOOST_REQUIRE(agent > 0);
  BOOST_REQUIRE(cohort::test::wait_members(agent, 3));
  cohort::journal_state s;
  s.agents.push_back(agent_record(agent, "3.2"));  // another task's agent: not these processes
  ::kill(agent, SIGKILL);                          // the leader dies, its grandchildren live on
  ::waitpid(agent, nullptr, 0);
  BOOST_REQUIRE(cohort::test::wait_members(agent, 2));
  BOOST_TEST(cohort::end_leftovers(s, 100ms).ended == 0u);
  BOOST_TEST(cohort::test::live_members(agent).size() == 2u);
  s.agents.back().task = "3.1";
  const auto r = cohort::end_leftovers(s, 100ms);
  BOOST_TEST(r.ended == 1u);
  BOOST_TEST(r.survivors == 0u);
  BOOST_TEST(cohort::test::live_members(agent).empty());
  ::kill(-agent, SIGKILL);
}

BOOST_AUTO_TEST_CASE(an_agent_whose_launch_was_never_recorded_is_found_by_the_run_dir_mark) {
  temp_dir dir;
  const std::map<std::string, std::string> mine{
      {cohort::run_dir_variable, cohort::run_dir_marker(dir.path() / "run")}};
  const std::map<std::string, std::string> other{
      {cohort::run_dir_variable, cohort::run_dir_marker(dir.path() / "other")}};
  const int agent = cohort::test::spawn_group({"/bin/sh", "-c", "sleep 60 & sleep 60 & wait"}, mine);
  const int stranger = cohort::test::spawn_group({"/bin/sleep", "60"}, other);
  BOOST_REQUIRE(agent > 0 && stranger > 0);
  BOOST_REQUIRE(cohort::test::wait_members(agent, 3));
  cohort::journal_state s;  // the journal saw no launch at all
  s.run_dir = dir.path() / "run";
  const auto r = cohort::end_leftovers(s, 100ms);
  BOOST_TEST(r.ended == 1u);
  BOOST_TEST(r.unrecorded == 1u);
  BOOST_TEST(r.survivors == 0u);
  BOOST_TEST(cohort::test::live_members(agent).empty());
  BOOST_TEST(cohort::test::running(stranger));  // another run dir's agent
  cohort::test::kill_and_reap(agent);
  cohort::test::kill_and_reap(stranger);
}

// The dead run was starting an agent when it died, and the child has not exec'd yet: /proc shows
// it with the dead runner's environment, not the run dir's mark. The resume waits for its exec,
// then ends the agent it became (without the wait, its task would run twice).
BOOST_AUTO_TEST_CASE(an_agent_caught_between_its_fork_and_its_exec_is_found_once_it_execs) {
  temp_dir dir;
  const std::string mark = std::string(cohort::run_dir_variable) + '=' + cohort::run_dir_marker(dir.path() / "run");
  // This program forks, as the dead runner's posix_spawn had; the child execs 300 ms later, with
  // only async-signal-safe calls on the way (everything it uses is made before the fork).
  std::array<char*, 3> argv{const_cast<char*>("/bin/sleep"), const_cast<char*>("60"), nullptr};
  std::array<char*, 2> envp{const_cast<char*>(mark.c_str()), nullptr};
  const timespec late{0, 300'000'000};
  const pid_t child = ::fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    ::setsid();
    ::nanosleep(&late, nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  cohort::journal_state s;  // the journal saw no launch
  s.run_dir = dir.path() / "run";
  const auto r = cohort::end_leftovers(s, 100ms);
  BOOST_TEST(r.ended == 1u);
  BOOST_TEST(r.unrecorded == 1u);
  if (r.ended == 0) cohort::test::kill_and_reap(child);  // missed: it runs on (no pid reuse yet)
  BOOST_TEST(!cohort::test::running(child));
  ::waitpid(child, nullptr, WNOHANG);  // ended_leftovers reaps a child of its caller: a no-op then
}

BOOST_AUTO_TEST_CASE(ended_agents_and_agents_without_a_pid_are_not_touched) {
  const int agent = cohort::test::spawn_group({"/bin/sleep", "60"});
  BOOST_REQUIRE(agent > 0);
  cohort::journal_state s;
  s.agents.push_back(agent_record(agent, "1.1"));
  s.agents.back().ended = true;
  s.agents.push_back(agent_record(0, "1.2"));
  const auto r = cohort::end_leftovers(s, 100ms);
  BOOST_TEST(r.checked == 0u);
  BOOST_TEST(cohort::test::running(agent));
  cohort::test::kill_and_reap(agent);
}

BOOST_AUTO_TEST_SUITE_END()
