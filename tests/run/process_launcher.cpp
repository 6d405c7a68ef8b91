// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/run/process_launcher.hpp>

#include "support/co_test.hpp"
#include "support/log_values.hpp"
#include "support/plans.hpp"
#include "support/sim_agent.hpp"

#include "common/procfs.hpp"

#include <cohort/process/process.hpp>
#include <cohort/run/executor.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <csignal>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/resource.h>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using cohort::event_kind;
using cohort::task_outcome;
using cohort::test::event_log;
using cohort::test::observe;
using cohort::test::one_task;
using cohort::test::plan_builder;
using cohort::test::sim;

namespace {

// An agent that leaves a daemon behind: out of its process group and session (setsid), its
// environment kept, its pid written to `pid_file`; the agent exits once the daemon is on its own.
// The daemon writes its pid with the shell's own echo (one write of a few bytes, so a non-empty
// file is a whole pid) and forks nothing: a helper of its own, still exiting when the agent sees
// the file, would be one more leftover to end and to count.
std::vector<std::string> daemon_leaving_agent(const std::string& pid_file) {
  return {"sh", "-c",
          "setsid -f sh -c 'echo $$ > \"$0\" && exec sleep 300' '" + pid_file +
              "' < /dev/null > /dev/null 2>&1; while [ ! -s '" + pid_file + "' ]; do sleep 0.01; done"};
}

// A launcher's options with a run dir in `dir`; each attempt's ended leftovers go to `escaped`
// as "id#attempt:count".
cohort::process_launcher_options escapes_reported_to(const std::filesystem::path& dir,
                                                     std::vector<std::string>& escaped) {
  cohort::process_launcher_options lo;
  lo.run_dir = dir / "run";
  lo.grace = 2s;
  lo.on_escaped = [&escaped](std::string_view id, int attempt, std::size_t ended) {
    escaped.push_back(std::string(id) + "#" + std::to_string(attempt) + ":" + std::to_string(ended));
  };
  return lo;
}

// The daemon whose pid is in `pid_file` is gone (killed here if not, so no test leaves it).
void expect_daemon_ended(const std::string& pid_file) {
  const int daemon = std::stoi(cohort::test::read_text(pid_file));
  const auto left = cohort::detail::read_proc_stat(daemon);
  if (left && !left->zombie()) ::kill(daemon, SIGKILL);
  BOOST_TEST((!left || left->zombie()), "the daemon " << daemon << " is still running");
}

} // namespace

BOOST_AUTO_TEST_SUITE(process_launcher)

CO_TEST_CASE(a_daemon_the_agent_leaves_running_is_ended_after_it_and_reported) {
  cohort::test::temp_dir dir;
  const std::string pid_file = (dir.path() / "daemon.pid").string();
  plan_builder b;
  const auto t = one_task(b, daemon_leaving_agent(pid_file));
  std::vector<std::string> escaped;
  cohort::process_launcher agents(escapes_reported_to(dir.path(), escaped));
  auto report = co_await cohort::run_plan(b.p, agents, {});
  BOOST_TEST((report.tasks[t].outcome == task_outcome::succeeded), report.tasks[t].reason);
  BOOST_TEST(escaped == std::vector<std::string>{"1.1#1:1"}, boost::test_tools::per_element());
  expect_daemon_ended(pid_file);
}

// The second launch takes its fork count from the first agent's search (no /proc/stat read of
// its own): what its agent leaves behind is found all the same, and only that.
CO_TEST_CASE(a_daemon_left_by_a_later_agent_of_the_same_launcher_is_ended) {
  cohort::test::temp_dir dir;
  const std::string pid_file = (dir.path() / "daemon.pid").string();
  plan_builder b;
  const auto parent = b.parent("1");
  const auto first = b.sub(parent, "1", {}, 1ms);
  b.p.tasks[first].argv = {"true"};
  const auto second = b.sub(parent, "2", {"1.1"}, 1ms);
  b.p.tasks[second].argv = daemon_leaving_agent(pid_file);
  std::vector<std::string> escaped;
  cohort::process_launcher agents(escapes_reported_to(dir.path(), escaped));
  auto report = co_await cohort::run_plan(b.p, agents, {});
  BOOST_TEST((report.tasks[second].outcome == task_outcome::succeeded), report.tasks[second].reason);
  BOOST_TEST(escaped == std::vector<std::string>{"1.2#1:1"}, boost::test_tools::per_element());
  expect_daemon_ended(pid_file);
}

// A daemon that execs itself over and over reads as having no environment during each exec;
// the scan after the agent must not take it for a stranger when it lands in one. Like the daemon
// above, it publishes its pid without forking.
CO_TEST_CASE(a_daemon_caught_in_the_middle_of_an_exec_is_ended_all_the_same) {
  cohort::test::temp_dir dir;
  const std::string pid_file = (dir.path() / "daemon.pid").string();
  const std::string script = dir.write("reexec.sh", "[ -s \"$1\" ] || echo $$ > \"$1\"\n"
                                   "exec sh \"$0\" \"$1\"\n").string();
  plan_builder b;
  const auto t = one_task(b, {"sh", "-c",
                              "setsid -f sh '" + script + "' '" + pid_file +
                                  "' < /dev/null > /dev/null 2>&1; while [ ! -s '" + pid_file +
                                  "' ]; do sleep 0.01; done"});
  cohort::process_launcher_options lo;
  lo.run_dir = dir.path() / "run";
  lo.grace = 2s;
  std::size_t ended = 0;
  lo.on_escaped = [&ended](std::string_view, int, std::size_t n) { ended += n; };
  cohort::process_launcher agents(lo);
  auto report = co_await cohort::run_plan(b.p, agents, {});
  BOOST_TEST((report.tasks[t].outcome == task_outcome::succeeded), report.tasks[t].reason);
  BOOST_TEST(ended == 1U);
  expect_daemon_ended(pid_file);
}

CO_TEST_CASE(a_task_argv_runs_its_output_lands_in_the_run_dir_and_its_usage_is_counted) {
  cohort::test::temp_dir dir;
  plan_builder b;
  const auto t = one_task(b, sim({"--progress", "3", "--tokens", "100,20", "--usage-file"}));
  cohort::process_launcher_options lo;
  lo.run_dir = dir.path();
  cohort::process_launcher agents(lo);
  event_log log;
  auto report = co_await cohort::run_plan(b.p, agents, {}, observe(log));
  BOOST_TEST((report.tasks[t].outcome == task_outcome::succeeded), report.tasks[t].reason);
  BOOST_TEST(report.tasks[t].tokens == 120u);
  const auto out = cohort::test::read_text(dir.path() / "agents" / "1.1" / "1.out");
  BOOST_TEST(out.find("progress 3/3") != std::string::npos, out);
  BOOST_TEST(log.of(event_kind::task_output).size() >= 3u);
  const auto launched = log.of(event_kind::task_launched);
  BOOST_REQUIRE(launched.size() == 1u);
  BOOST_TEST(launched[0].pid > 0);
}

// The start time a launch reports (the journal records it, a resume names the agent by it) is
// read from the clock around the spawn, not from /proc: it must be the one /proc gives. A launch
// that straddles a clock tick reports none; rounds of 20 launches go on until one did not (a
// slow machine under a sanitizer can straddle 20 in a row), at most 10.
CO_TEST_CASE(a_launch_reports_the_start_time_proc_gives_its_agent) {
  cohort::test::temp_dir dir;
  plan_builder b;
  const auto parent = b.parent("1");
  for (int i = 0; i < 20; ++i) b.p.tasks[b.sub(parent, std::to_string(i + 1), {}, 1ms)].argv = {"true"};
  cohort::process_launcher_options lo;
  lo.run_dir = dir.path();
  cohort::process_launcher agents(lo);
  struct start_times final : cohort::observer {
    std::size_t launches = 0, known = 0, wrong = 0;
    void on_event(const cohort::event& e) override {
      if (e.kind != event_kind::task_launched) return;
      ++launches;
      if (e.start_time == 0) return;  // the launch straddled a clock tick: /proc is read
      ++known;
      // The agent is not reaped yet (at worst a zombie): /proc still has its start time.
      if (e.start_time != cohort::process_start_time(e.pid)) ++wrong;
    }
  } seen;
  std::vector<cohort::observer*> observers{&seen};
  std::size_t rounds = 0;
  for (; rounds < 10 && seen.known == 0; ++rounds) {
    const auto report = co_await cohort::run_plan(b.p, agents, {}, observers);
    BOOST_TEST(report.count(task_outcome::succeeded) == b.p.size());  // the parent and its 20
  }
  BOOST_TEST(seen.launches == 20 * rounds);
  BOOST_TEST(seen.wrong == 0u);
  BOOST_TEST(seen.known > 0u);  // at 100 ticks a second a fast launch straddles one about 1 time in 100
}

CO_TEST_CASE(the_agent_template_gets_the_prompt_in_a_file_or_on_stdin) {
  for (auto delivery : std::array{cohort::prompt_delivery::file, cohort::prompt_delivery::stdin}) {
    cohort::test::temp_dir dir;
    plan_builder b;
    const auto t = b.sub(b.parent("1"), "1", {}, 1ms);
    b.p.tasks[t].title = "Write the parser";
    cohort::process_launcher_options lo;
    lo.run_dir = dir.path();
    lo.prompt = delivery;
    lo.agent = delivery == cohort::prompt_delivery::stdin
                   ? sim({"--echo-stdin", "--print-env", "COHORT_TASK_ID"})
                   : sim({"--print-env", "COHORT_TASK_ID", "--print-env", "{prompt_file}"});
    cohort::process_launcher agents(lo);
    auto report = co_await cohort::run_plan(b.p, agents, {});
    BOOST_TEST((report.tasks[t].outcome == task_outcome::succeeded), report.tasks[t].reason);
    const auto out = cohort::test::read_text(dir.path() / "agents" / "1.1" / "1.out");
    BOOST_TEST(out.find("COHORT_TASK_ID=1.1") != std::string::npos, out);
    const auto prompt = cohort::test::read_text(dir.path() / "agents" / "1.1" / "prompt.md");
    BOOST_TEST(prompt.find("Write the parser") != std::string::npos);
    if (delivery == cohort::prompt_delivery::stdin) {
      BOOST_TEST(out.find("# Task 1.1: Write the parser") != std::string::npos, out);
    } else {  // the placeholder became the prompt file's path: one argument
      BOOST_TEST(out.find((dir.path() / "agents" / "1.1" / "prompt.md").string()) !=
                 std::string::npos, out);
    }
  }
}

CO_TEST_CASE(a_tasks_environment_goes_over_the_launchers_and_under_cohorts_own) {
  cohort::test::temp_dir dir;
  plan_builder b;
  const auto t = one_task(b, sim({"--print-env", "MODEL", "--print-env", "SHARED", "--print-env",
                                  "COHORT_TASK_ID"}));
  b.p.tasks[t].env = {{"MODEL", "opus"}, {"SHARED", "task"}, {"COHORT_TASK_ID", "forged"}};
  cohort::process_launcher_options lo;
  lo.run_dir = dir.path();
  lo.environment = {{"SHARED", "launcher"}};
  cohort::process_launcher agents(lo);
  auto report = co_await cohort::run_plan(b.p, agents, {});
  BOOST_TEST((report.tasks[t].outcome == task_outcome::succeeded), report.tasks[t].reason);
  const auto out = cohort::test::read_text(dir.path() / "agents" / "1.1" / "1.out");
  BOOST_TEST(out.find("MODEL=opus") != std::string::npos, out);
  BOOST_TEST(out.find("SHARED=task") != std::string::npos, out);
  BOOST_TEST(out.find("COHORT_TASK_ID=1.1") != std::string::npos, out);
}

CO_TEST_CASE(prompts_and_logs_are_private_and_a_planted_link_fails_the_attempt_not_its_target) {
  namespace fs = std::filesystem;
  for (const std::string planted : {"", "prompt.md", "1.out", "1.err"}) {
    cohort::test::temp_dir dir;
    const fs::path victim = dir.write("victim", "precious");
    const fs::path agent_dir = dir.path() / "run" / "agents" / "1.1";
    if (!planted.empty()) {
      fs::create_directories(agent_dir);
      fs::permissions(dir.path() / "run", fs::perms::owner_all);
      fs::create_symlink(victim, agent_dir / planted);
    }
    plan_builder b;
    const auto t = b.sub(b.parent("1"), "1", {}, 1ms);
    cohort::process_launcher_options lo;
    lo.run_dir = dir.path() / "run";
    lo.agent = sim({"--print-env", "{prompt_file}"});
    cohort::process_launcher agents(lo);
    cohort::executor_options o;
    o.retry.retries = 0;
    auto report = co_await cohort::run_plan(b.p, agents, o);
    BOOST_TEST_CONTEXT("planted: " << (planted.empty() ? "nothing" : planted)) {
      BOOST_TEST(cohort::test::read_text(victim) == "precious");
      if (planted.empty()) {
        BOOST_TEST((report.tasks[t].outcome == task_outcome::succeeded), report.tasks[t].reason);
        for (const char* name : {"prompt.md", "1.out", "1.err"}) {
          BOOST_TEST((fs::status(agent_dir / name).permissions() & fs::perms::all) ==
                     (fs::perms::owner_read | fs::perms::owner_write), name);
        }
        BOOST_TEST((fs::status(agent_dir).permissions() & fs::perms::all) == fs::perms::owner_all);
      } else {
        BOOST_TEST((report.tasks[t].outcome == task_outcome::failed));
      }
    }
  }
}

CO_TEST_CASE(running_out_of_descriptors_at_a_launch_waits_instead_of_failing) {
  // Room for about two running agents (each holds five descriptors with its output streamed):
  // the others' launches meet EMFILE until one ends, and must wait, not fail.
  ::rlimit before{};
  BOOST_REQUIRE(::getrlimit(RLIMIT_NOFILE, &before) == 0);
  std::size_t open_now = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) open_now += e.path().empty() ? 0 : 1;
  plan_builder b;
  const auto p = b.parent("1");
  for (int i = 1; i <= 12; ++i) {
    const auto t = b.sub(p, std::to_string(i), {}, 1ms);
    b.p.tasks[t].argv = sim({"--sleep", "50", "--progress", "2"});
  }
  cohort::process_launcher agents({});
  cohort::executor_options o;
  o.schedule.max_running = 12;
  {
    // Every path of the test once with descriptors to spare, a failed start included: UBSan's
    // vptr check opens a pipe the first time it meets a type, and would report a false error
    // when that happens with none left.
    plan_builder warm;
    const auto q = warm.parent("1");
    warm.p.tasks[warm.sub(q, "1", {}, 1ms)].argv = sim({"--progress", "1"});
    warm.p.tasks[warm.sub(q, "2", {}, 1ms)].argv = {"/nonexistent/agent"};
    (void)co_await cohort::run_plan(warm.p, agents, {});
  }
  ::rlimit low = before;
  low.rlim_cur = open_now + 12;
  BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  std::optional<cohort::run_report> report;
  std::exception_ptr error;
  try {
    report = co_await cohort::run_plan(b.p, agents, o);
  } catch (...) {
    error = std::current_exception();
  }
  ::setrlimit(RLIMIT_NOFILE, &before);
  BOOST_REQUIRE(!error);
  for (cohort::task_index t : b.p.tasks[p].subtasks) {
    BOOST_TEST((report->tasks[t].outcome == task_outcome::succeeded), report->tasks[t].reason);
  }
}

CO_TEST_CASE(exit_75_is_a_rate_limit_and_other_exits_are_failures) {
  plan_builder b;
  const auto p = b.parent("1");
  const auto limited = b.sub(p, "1", {}, 1ms);
  const auto failing = b.sub(p, "2", {}, 1ms);
  b.p.tasks[limited].argv = sim({"--rate-limit"});
  b.p.tasks[failing].argv = sim({"--exit", "3"});
  cohort::process_launcher agents({});
  event_log log;
  cohort::executor_options o;
  o.rate_limit_delay = 1ms;
  o.max_rate_limits = 2;
  auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST((report.tasks[limited].outcome == task_outcome::failed));
  BOOST_TEST(report.tasks[limited].attempts == 3);  // two re-queues, then it counts
  BOOST_TEST(report.tasks[limited].reason.find("rate limited") != std::string::npos);
  BOOST_TEST((report.tasks[failing].outcome == task_outcome::failed));
  BOOST_TEST(report.tasks[failing].reason.find("3") != std::string::npos,
             report.tasks[failing].reason);
}

CO_TEST_CASE(the_timeout_ends_an_agent_through_the_kill_ladder) {
  plan_builder b;
  const auto t = one_task(b, sim({"--ignore-sigterm", "--sleep", "600000"}));
  cohort::process_launcher_options lo;
  lo.grace = 100ms;
  cohort::process_launcher agents(lo);
  cohort::executor_options o;
  o.timeout = 200ms;
  auto report = co_await cohort::run_plan(b.p, agents, o);
  BOOST_TEST((report.tasks[t].outcome == task_outcome::failed));
}

CO_TEST_CASE(cancelling_the_run_leaves_no_agent_process_behind) {
  plan_builder b;
  const auto p = b.parent("1");
  for (const char* s : std::array{"1", "2", "3"}) {
    const auto t = b.sub(p, s, {}, 1ms);
    b.p.tasks[t].argv = sim({"--ignore-sigterm", "--grandchildren", "2", "--sleep", "600000"});
  }
  cohort::process_launcher_options lo;
  lo.grace = 100ms;
  cohort::process_launcher agents(lo);
  event_log log;
  asio::cancellation_signal stop;
  std::optional<std::exception_ptr> outcome;
  auto ex = co_await asio::this_coro::executor;
  asio::co_spawn(ex, cohort::run_plan(b.p, agents, {}, observe(log)),
                 asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e, auto) {
                   outcome = e;
                 }));
  while (log.of(event_kind::task_launched).size() < 3) {
    asio::steady_timer tick(ex, 10ms);
    co_await tick.async_wait(asio::use_awaitable);
  }
  asio::steady_timer settle(ex, 200ms);  // let the grandchildren start
  co_await settle.async_wait(asio::use_awaitable);
  stop.emit(asio::cancellation_type::terminal);
  while (!outcome) co_await asio::post(ex, asio::use_awaitable);
  for (const auto& e : log.of(event_kind::task_launched)) {
    BOOST_TEST(cohort::test::wait_group_gone(e.pid), "process group " << e.pid << " survived");
  }
  BOOST_TEST(log.of(event_kind::task_cancelled).size() >= 3u);
}

CO_TEST_CASE(a_task_without_argv_and_without_a_template_fails_clearly) {
  plan_builder b;
  const auto t = b.sub(b.parent("1"), "1", {}, 1ms);
  cohort::process_launcher agents({});
  auto report = co_await cohort::run_plan(b.p, agents, {});
  BOOST_TEST((report.tasks[t].outcome == task_outcome::failed));
  BOOST_TEST(report.tasks[t].reason.find("no argv") != std::string::npos, report.tasks[t].reason);
}

BOOST_AUTO_TEST_SUITE_END()
