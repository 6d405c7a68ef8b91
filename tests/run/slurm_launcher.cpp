// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// The Slurm launcher against a fake Slurm (tests/slurm/fake: the same commands, arguments and
// output as Slurm 22.05, no cluster), so that it runs everywhere, sanitizers and a 4-thread
// executor included. The real cluster is the `slurm` label's (examples/rolling_wave/tests).
// Test that the header is self-contained.
#include <cohort/run/slurm_launcher.hpp>

#include "support/co_test.hpp"
#include "support/files.hpp"
#include "support/plans.hpp"
#include "support/sim_agent.hpp"

#include <cohort/run/executor.hpp>
#include <cohort/run/run_dir.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <sstream>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using cohort::event_kind;
using cohort::test::event_log;
using cohort::test::observe;
using cohort::test::one_task;
using cohort::test::plan_builder;
using cohort::test::sim;

namespace {

// A file's text, empty when there is none (a job's pid before it runs).
std::string text_if_any(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::vector<std::string> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// A fake cluster: its state folder (the FAKE_SLURM_DIR the fake commands read) and a launcher
// options set that uses it. One at a time: the variable is the process's.
struct fake_cluster {
  cohort::test::temp_dir dir;
  fs::path state = dir.path() / "slurm";
  fs::path run_dir = dir.path() / "run";

  fake_cluster() {
    fs::create_directories(state / "jobs");
    ::setenv("FAKE_SLURM_DIR", state.c_str(), 1);
    ::setenv("FAKE_SLURM_PENDING", "0.05", 1);
  }
  ~fake_cluster() {
    // No job outlives its test.
    for (const auto& j : fs::directory_iterator(state / "jobs")) {
      const std::string pid = text_if_any(j.path() / "pid");
      if (!pid.empty()) ::kill(-std::stoi(pid), SIGKILL);  // the job's process group
    }
    ::unsetenv("FAKE_SLURM_DIR");
  }

  cohort::slurm_launcher_options options() const {
    cohort::slurm_launcher_options o;
    o.run_dir = run_dir;
    o.commands = COHORT_FAKE_SLURM_DIR;
    o.poll_interval = 20ms;
    o.grace = 500ms;
    return o;
  }
  std::vector<std::string> calls(std::string_view command) const {
    std::vector<std::string> out;
    for (auto& l : lines_of(state / "calls"))
      if (l.starts_with(command)) out.push_back(l);
    return out;
  }
  std::string job_state(const std::string& id) const {
    std::string s = cohort::test::read_text(state / "jobs" / id / "state");
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }
};

cohort::launch_request request_for(const cohort::plan& p, cohort::task_index t) {
  cohort::launch_request r;
  r.source = &p;
  r.task = t;
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(slurm_launcher)

// A plan of six jobs: each one sbatch, its states told in order with its job id, one scontrol at
// its end, and the queue read with one squeue per poll for every job (by the run's name, never
// a process per job).
CO_TEST_CASE(a_plan_runs_as_one_job_per_attempt_watched_by_one_squeue_per_poll) {
  fake_cluster c;
  plan_builder b;
  for (const char* p : {"1", "2"}) {
    const auto parent = b.parent(p);
    for (const char* s : {"1", "2", "3"}) b.p.tasks[b.sub(parent, s, {}, 1ms)].argv = sim({"--sleep", "100"});
  }
  cohort::slurm_launcher agents(co_await asio::this_coro::executor, c.options());
  event_log log;
  cohort::executor_options o;
  o.schedule.max_running = 6;
  const auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST(report.all_done());
  BOOST_TEST(c.calls("sbatch").size() == 6u);
  BOOST_TEST(c.calls("scontrol").size() == 6u);  // one per job, at its end
  for (const auto& q : c.calls("squeue")) {
    BOOST_TEST(q.find("--name=cohort-" + agents.run_mark()) != std::string::npos, q);
    BOOST_TEST(q.find(" -j") == std::string::npos, q);
  }
  // Per task: PENDING, RUNNING (unless the job ended between two polls), then its launch, all
  // with one job id. A pending job's reason may change (a poll that saw it pending says why):
  // one state told twice counts once.
  std::map<std::string, std::vector<std::string>> seen;
  for (const auto& e : log.events) {
    if (e.kind == event_kind::task_queued) {
      auto& states = seen[b.p.tasks[*e.task].id];
      const std::string state = e.job_state + " " + e.job;
      if (states.empty() || states.back() != state) states.push_back(state);
    }
    if (e.kind == event_kind::task_launched) {
      BOOST_TEST(!e.job.empty());
      seen[b.p.tasks[*e.task].id].push_back("launched " + e.job);
    }
  }
  BOOST_TEST(seen.size() == 6u);
  std::set<std::string> ids;
  for (const auto& [task, states] : seen) {
    BOOST_REQUIRE_GE(states.size(), 2u);
    BOOST_REQUIRE_LE(states.size(), 3u);
    const std::string job = states[0].substr(states[0].find(' ') + 1);
    BOOST_TEST(states.front() == "PENDING " + job);
    if (states.size() == 3) BOOST_TEST(states[1] == "RUNNING " + job);
    BOOST_TEST(states.back() == "launched " + job);
    BOOST_TEST(report.tasks[b.p.find(task).value()].placement->job == job);
    ids.insert(job);
  }
  BOOST_TEST(ids.size() == 6u);
}

// The job runs the task's argv exactly, in the launcher's working directory, with cohort's
// variables; its output lands in the run dir; the comment names the run, the attempt, the task.
CO_TEST_CASE(the_job_runs_the_exact_argv_and_is_named_for_its_run_and_attempt) {
  fake_cluster c;
  plan_builder b;
  const auto t = one_task(b, {"sh", "-c", "printf '[%s]\\n' \"$@\" \"$COHORT_TASK_ID\" \"$COHORT_ATTEMPT\"", "sh",
                              "a b", "$(echo x)", "", "*", "-x"});
  b.p.tasks[t].slurm.edit()["partition"] = "gpu";
  b.p.tasks[t].slurm.edit()["cpus"] = "4";
  auto o = c.options();
  o.job.partition = "debug";  // the task's wins
  o.job.memory = "2G";
  cohort::slurm_launcher agents(co_await asio::this_coro::executor, o);
  auto r = request_for(b.p, t);
  r.attempt = 2;
  const auto result = co_await agents.launch(r);
  BOOST_TEST((result.status == cohort::launch_status::succeeded), result.message);
  const auto files = cohort::agent_files_of(c.run_dir, "1.1", 2);
  BOOST_TEST(cohort::test::read_text(files.stdout_file) == "[a b]\n[$(echo x)]\n[]\n[*]\n[-x]\n[1.1]\n[2]\n");
  const auto sbatch = c.calls("sbatch");
  BOOST_REQUIRE_EQUAL(sbatch.size(), 1u);
  BOOST_TEST(sbatch[0].find("--comment=cohort " + agents.run_mark() + " 2 1.1") != std::string::npos, sbatch[0]);
  BOOST_TEST(sbatch[0].find("--partition=gpu") != std::string::npos);
  BOOST_TEST(sbatch[0].find("--partition=debug") == std::string::npos);
  BOOST_TEST(sbatch[0].find("--cpus-per-task=4") != std::string::npos);
  BOOST_TEST(sbatch[0].find("--mem=2G") != std::string::npos);
}

// Cancelled while the job runs: TERM to its processes (scancel --full), the grace, then
// scancel; the launch ends only once the job has left the queue.
CO_TEST_CASE(a_cancelled_launch_ends_its_job_and_waits_until_it_left_the_queue) {
  fake_cluster c;
  plan_builder b;
  // The agent says when it ignores TERM (RUNNING may come first): cancelled before that, TERM
  // would end it and the test would see no KILL.
  const fs::path ignoring = c.dir.path() / "ignoring-term";
  const auto t = one_task(b, {"sh", "-c", "trap '' TERM; : > \"$0\"; sleep 30 & wait; sleep 30", ignoring.string()});
  cohort::slurm_launcher agents(co_await asio::this_coro::executor, c.options());
  auto r = request_for(b.p, t);
  asio::cancellation_signal stop;
  bool running = false;
  r.on_started = [&](const cohort::started_agent& agent) {
    BOOST_TEST(agent.pid == 0);  // not a local process
    running = true;
  };
  auto ex = co_await asio::this_coro::executor;
  std::promise<std::exception_ptr> ended;
  asio::co_spawn(ex, agents.launch(r), asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e, cohort::launch_result) {
    ended.set_value(e);
  }));
  asio::steady_timer wait(ex);
  while (!running || !fs::exists(ignoring)) {
    wait.expires_after(10ms);
    co_await wait.async_wait(asio::use_awaitable);
  }
  stop.emit(asio::cancellation_type::terminal);
  auto done = ended.get_future();
  while (done.wait_for(0s) != std::future_status::ready) {
    wait.expires_after(10ms);
    co_await wait.async_wait(asio::use_awaitable);
  }
  const std::exception_ptr e = done.get();
  BOOST_REQUIRE(e);
  try {
    std::rethrow_exception(e);
  } catch (const cohort::system_error& x) {
    BOOST_TEST(x.code() == asio::error::operation_aborted);
  }
  const auto scancel = c.calls("scancel");
  BOOST_REQUIRE_GE(scancel.size(), 3u);  // TERM (ignored by the agent), then the kill
  BOOST_TEST(scancel[0] == "scancel --full -s TERM 1");
  BOOST_TEST(scancel[1] == "scancel --full -s KILL 1");
  BOOST_TEST(scancel[2] == "scancel 1");
  BOOST_TEST(c.job_state("1") == "CANCELLED");  // final before the launch ended
}

// The request's timeout ends the job the same way, and the attempt fails as timed out.
CO_TEST_CASE(a_job_past_its_timeout_is_ended_and_fails_as_timed_out) {
  fake_cluster c;
  plan_builder b;
  const auto t = one_task(b, {"sleep", "30"});
  cohort::slurm_launcher agents(co_await asio::this_coro::executor, c.options());
  auto r = request_for(b.p, t);
  r.timeout = 300ms;
  const auto result = co_await agents.launch(r);
  BOOST_TEST((result.status == cohort::launch_status::failed));
  BOOST_TEST(result.timed_out);
  BOOST_TEST(result.signal == 15);
  BOOST_TEST(c.calls("scancel").front() == "scancel --full -s TERM 1");
}

// The timeout counts from the job's start, not from its time in the queue.
CO_TEST_CASE(the_timeout_counts_from_running_not_from_the_queue) {
  fake_cluster c;
  ::setenv("FAKE_SLURM_PENDING", "2", 1);  // two seconds in the queue, then a job that ends at once
  plan_builder b;
  const auto t = one_task(b, {"true"});
  cohort::slurm_launcher agents(co_await asio::this_coro::executor, c.options());
  auto r = request_for(b.p, t);
  r.timeout = 1s;  // half the time in the queue; the rest is the margin for a slow machine's polls
  const auto result = co_await agents.launch(r);
  BOOST_TEST((result.status == cohort::launch_status::succeeded), result.message);
  BOOST_TEST(!result.timed_out);
}

// Only COMPLETED is done: a job cancelled in the queue (by someone else) says exit 0:0, and is
// a failure that says what became of it.
CO_TEST_CASE(a_job_cancelled_in_the_queue_is_no_success) {
  fake_cluster c;
  ::setenv("FAKE_SLURM_PENDING", "30", 1);
  plan_builder b;
  const auto t = one_task(b, {"true"});
  cohort::slurm_launcher agents(co_await asio::this_coro::executor, c.options());
  auto r = request_for(b.p, t);
  bool started = false;
  r.on_queued = [&](const cohort::event& step) {
    BOOST_TEST(step.job == "1");
    if (step.job_state == "PENDING") {
      const std::string cancel = std::string(COHORT_FAKE_SLURM_DIR) + "/scancel " + step.job;
      BOOST_TEST(std::system(cancel.c_str()) == 0);  // an administrator's scancel
    }
  };
  r.on_started = [&](const cohort::started_agent&) { started = true; };
  const auto result = co_await agents.launch(r);
  BOOST_TEST((result.status == cohort::launch_status::failed));
  BOOST_TEST(result.message == "exit 0 (CANCELLED)");
  BOOST_TEST(!started);  // it never ran: no launch to tell
}

// A failing job's exit code comes from scontrol; a job that cannot start (no such program on
// the node) says so with the job's own last words.
CO_TEST_CASE(failures_carry_the_exit_code_and_the_jobs_last_words) {
  fake_cluster c;
  plan_builder b;
  const auto p = b.parent("1");
  const auto failing = b.sub(p, "1", {}, 1ms);
  b.p.tasks[failing].argv = sim({"--exit", "3"});
  const auto missing = b.sub(p, "2", {}, 1ms);
  b.p.tasks[missing].argv = {"sh", "-c", "echo 'exec: /no/such/program: not found' >&2; exit 127"};
  cohort::slurm_launcher agents(co_await asio::this_coro::executor, c.options());
  const auto f = co_await agents.launch(request_for(b.p, failing));
  BOOST_TEST((f.status == cohort::launch_status::failed));
  BOOST_TEST(f.exit_code == 3);
  const auto m = co_await agents.launch(request_for(b.p, missing));
  BOOST_TEST(m.exit_code == 127);
  BOOST_TEST(m.message == "exit 127: exec: /no/such/program: not found");
}

// A controller that turns submissions away for a moment is asked again; a partition that does
// not exist is a clear failure at once.
CO_TEST_CASE(a_busy_controller_is_asked_again_a_bad_partition_fails_at_once) {
  fake_cluster c;
  std::ofstream(c.state / "transient") << "2\n";
  plan_builder b;
  const auto t = one_task(b, {"true"});
  cohort::slurm_launcher agents(co_await asio::this_coro::executor, c.options());
  const auto ok = co_await agents.launch(request_for(b.p, t));
  BOOST_TEST((ok.status == cohort::launch_status::succeeded), ok.message);
  BOOST_TEST(c.calls("sbatch").size() == 3u);
  b.p.tasks[t].slurm.edit()["partition"] = "nosuch";
  const auto bad = co_await agents.launch(request_for(b.p, t));
  BOOST_TEST((bad.status == cohort::launch_status::failed));
  BOOST_TEST(bad.message == "the job was not submitted: sbatch: error: invalid partition specified: nosuch");
  BOOST_TEST(c.calls("sbatch").size() == 4u);
}

// A job the controller forgets before its end was seen: a failure that says so, not a hang.
CO_TEST_CASE(a_job_the_controller_forgets_fails_and_says_so) {
  fake_cluster c;
  plan_builder b;
  const auto t = one_task(b, {"sleep", "30"});
  std::ofstream(c.state / "forgotten") << "1\n";
  cohort::slurm_launcher agents(co_await asio::this_coro::executor, c.options());
  const auto r = co_await agents.launch(request_for(b.p, t));
  BOOST_TEST((r.status == cohort::launch_status::failed));
  BOOST_TEST(r.message == "job 1 left the cluster's records before its end was seen");
}

// Resume: the dead run's job is found by its comment and adopted; the task's launch waits for
// it (no second job) and takes its result; a job no task claims is listed for cancelling.
CO_TEST_CASE(an_adopted_job_is_waited_for_instead_of_a_second_one) {
  fake_cluster c;
  plan_builder b;
  const auto t = one_task(b, {"true"});
  cohort::slurm_launcher agents(co_await asio::this_coro::executor, c.options());
  // The dead run's jobs: task 1.1's attempt 1 (running), and one of a task this run will not launch.
  // Each writes a file of its own: a job's output file is truncated when the job starts.
  const auto out = c.dir.path() / "dead-1.1.out";
  for (const char* task : {"1.1", "9.9"}) {
    const std::string command = std::string(COHORT_FAKE_SLURM_DIR) + "/sbatch --job-name=cohort-" +
                                agents.run_mark() + " '--comment=cohort " + agents.run_mark() + " 1 " + task +
                                "' --output=" + (c.dir.path() / ("dead-" + std::string(task) + ".out")).string() +
                                " /dev/stdin sh -c 'sleep 0.3; echo dead run' > /dev/null";
    BOOST_REQUIRE(std::system(("printf '#!/bin/sh\\nexec \"$@\"\\n' | " + command).c_str()) == 0);
  }
  std::vector<cohort::slurm_job> jobs = co_await agents.find_jobs();
  BOOST_REQUIRE_EQUAL(jobs.size(), 2u);
  BOOST_TEST(jobs[0].task_id == "1.1");
  BOOST_TEST(jobs[0].attempt == 1);
  agents.adopt(std::move(jobs));
  const auto r = co_await agents.launch(request_for(b.p, t));
  BOOST_TEST((r.status == cohort::launch_status::succeeded), r.message);
  BOOST_TEST(c.calls("sbatch").size() == 2u);  // the dead run's two, none of this run's
  BOOST_TEST(cohort::test::read_text(out).find("dead run") != std::string::npos);
  const auto left = agents.unclaimed();
  BOOST_REQUIRE_EQUAL(left.size(), 1u);
  BOOST_TEST(left[0].task_id == "9.9");
  co_await agents.cancel(left);
  BOOST_TEST(c.job_state(left[0].id) != "RUNNING");
  BOOST_TEST(c.job_state(left[0].id) != "PENDING");
}

// Two runs share one launcher on a 4-thread pool: every job done, each run's events on its own
// strand (ThreadSanitizer watches the launcher's state and the callbacks).
BOOST_AUTO_TEST_CASE(one_launcher_serves_two_runs_on_a_thread_pool) {
  fake_cluster c;
  plan_builder b;
  for (const char* p : {"1", "2"}) {
    const auto parent = b.parent(p);
    for (const char* s : {"1", "2", "3"}) b.p.tasks[b.sub(parent, s, {}, 1ms)].argv = sim({"--sleep", "50"});
  }
  asio::thread_pool pool(4);
  cohort::slurm_launcher agents(pool.get_executor(), c.options());
  cohort::executor_options o;
  o.schedule.max_running = 4;
  event_log logs[2];
  std::future<cohort::run_report> reports[2];
  for (int i = 0; i < 2; ++i) {
    reports[i] = cohort::async_run_plan(pool.get_executor(), b.p, agents, o, observe(logs[i]), asio::use_future);
  }
  for (auto& r : reports) BOOST_TEST(r.get().all_done());
  pool.join();
  BOOST_TEST(c.calls("sbatch").size() == 12u);
  for (const auto& log : logs) {
    std::set<cohort::task_index> queued;
    for (const auto& e : log.of(event_kind::task_queued)) queued.insert(*e.task);
    BOOST_TEST(queued.size() == 6u);  // each run's own tasks, told to its own observer
  }
}

BOOST_AUTO_TEST_SUITE_END()
