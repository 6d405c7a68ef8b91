// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/view/report.hpp>

#include "support/co_test.hpp"
#include "support/plans.hpp"

#include <cohort/testing/fake_launcher.hpp>

#include <boost/json.hpp>

using namespace std::chrono_literals;
using cohort::task_outcome;
using cohort::test::plan_builder;

namespace {

// Two parents; 2.2 fails for good, so 2.3 (after it) is skipped.
cohort::plan two_parent_plan() {
  plan_builder b;
  const auto p1 = b.parent("1");
  b.sub(p1, "1", {}, 20ms, 100);
  b.sub(p1, "2", {}, 20ms, 100);
  const auto p2 = b.parent("2");
  b.sub(p2, "1", {}, 10ms, 50);
  b.sub(p2, "2", {}, 10ms, 50);
  b.sub(p2, "3", {"2.2"}, 10ms, 50);
  return std::move(b.p);
}

std::vector<cohort::observer*> observe(cohort::run_recorder& r) { return {&r}; }

} // namespace

BOOST_AUTO_TEST_SUITE(report)

CO_TEST_CASE(the_recorder_rebuilds_the_executors_report_from_the_events) {
  const auto plan = two_parent_plan();
  cohort::fake_launcher agents;
  agents.set("2.2", cohort::fake_behavior::failing(-1));
  cohort::executor_options o;
  o.retry.retries = 1;
  o.retry.base_delay = 1ms;
  cohort::run_recorder recorder(plan);
  const auto report = co_await cohort::run_plan(plan, agents, o, observe(recorder));
  const auto& rebuilt = recorder.report();
  BOOST_TEST_REQUIRE(rebuilt.tasks.size() == report.tasks.size());
  for (std::size_t t = 0; t < report.tasks.size(); ++t) {
    BOOST_TEST((rebuilt.tasks[t].outcome == report.tasks[t].outcome), plan.tasks[t].id);
    BOOST_TEST(rebuilt.tasks[t].attempts == report.tasks[t].attempts);
    BOOST_TEST(rebuilt.tasks[t].tokens == report.tasks[t].tokens);
    BOOST_TEST(rebuilt.tasks[t].reason == report.tasks[t].reason);
  }
  BOOST_TEST(rebuilt.tokens_spent == report.tokens_spent);
  BOOST_TEST(rebuilt.peak_running == report.peak_running);
  BOOST_TEST((rebuilt.tasks[*plan.find("2.2")].outcome == task_outcome::failed));
  BOOST_TEST(rebuilt.tasks[*plan.find("2.2")].attempts == 2);
  BOOST_TEST((rebuilt.tasks[*plan.find("2.3")].outcome == task_outcome::skipped));
}

CO_TEST_CASE(text_and_json_give_every_task_and_the_speedup) {
  const auto plan = two_parent_plan();
  cohort::fake_launcher agents;
  agents.set("2.2", cohort::fake_behavior::failing(-1));
  cohort::run_recorder recorder(plan);
  const auto report = co_await cohort::run_plan(plan, agents, {}, observe(recorder));
  const std::string text = cohort::render_text(plan, report);
  for (const char* part : {"1.1", "2.2", "failed", "skipped", "dependency 2.2 failed", "speedup",
                           "3 succeeded, 1 failed, 1 skipped"}) {
    BOOST_TEST(text.find(part) != std::string::npos, part);
  }
  const auto json = cohort::render_json(plan, report).as_object();
  BOOST_TEST(json.at("tasks").as_array().size() == plan.size());
  const auto& summary = json.at("summary").as_object();
  BOOST_TEST(summary.at("failed").as_uint64() == 1u);
  BOOST_TEST(summary.at("skipped").as_uint64() == 1u);
  BOOST_TEST(summary.at("jobs_run").as_uint64() == 4u);
  const auto& skipped = json.at("tasks").as_array()[*plan.find("2.3")].as_object();
  BOOST_TEST(skipped.at("start_ms").is_null());
  BOOST_TEST(skipped.at("outcome").as_string() == "skipped");
}

// A resumed run launches a task again with the attempt after the dead run's: its start here is
// that launch, not the clock's origin (which read as the machine's uptime).
CO_TEST_CASE(a_task_first_launched_here_by_a_resume_starts_at_that_launch) {
  const auto plan = two_parent_plan();
  cohort::fake_launcher agents;
  cohort::executor_options o;
  o.earlier_launches.assign(plan.size(), 0);
  o.earlier_launches[*plan.find("1.1")] = 2;  // the dead run launched it twice
  cohort::run_recorder recorder(plan);
  (void)co_await cohort::run_plan(plan, agents, o, observe(recorder));
  const auto& r = recorder.report();
  const auto& resumed = r.tasks[*plan.find("1.1")];
  BOOST_TEST(resumed.attempts == 3);
  BOOST_TEST((resumed.started >= r.started && resumed.started <= resumed.finished));
  const auto s = cohort::summarize(plan, r);
  BOOST_TEST(s.jobs_run == 5u);
  BOOST_TEST(s.sequential <= 5 * s.actual);  // five jobs, none longer than the run
}

BOOST_AUTO_TEST_CASE(the_summary_adds_agent_time_and_divides_by_wall_time) {
  const auto plan = two_parent_plan();
  cohort::run_report r;
  r.tasks.resize(plan.size());
  const auto t0 = cohort::event::clock_type::time_point{} + 1h;
  r.started = t0;
  r.finished = t0 + 100ms;
  for (const char* id : {"1.1", "1.2", "2.1", "2.2"}) {  // four jobs of 100 ms each, at once
    auto& t = r.tasks[*plan.find(id)];
    t.outcome = task_outcome::succeeded;
    t.attempts = 1;
    t.started = t0;
    t.finished = t0 + 100ms;
  }
  r.tasks[*plan.find("2.3")].outcome = task_outcome::skipped;
  const auto s = cohort::summarize(plan, r);
  BOOST_TEST(s.actual.count() == 100);
  BOOST_TEST(s.sequential.count() == 400);
  BOOST_TEST(s.speedup == 4.0);
  BOOST_TEST(s.succeeded == 4u);
  BOOST_TEST(s.skipped == 1u);
  BOOST_TEST(s.launches == 4u);
}

BOOST_AUTO_TEST_CASE(tasks_done_before_the_run_are_counted_not_listed) {
  auto plan = two_parent_plan();
  plan.tasks[*plan.find("1")].status = cohort::task_status::done;
  cohort::run_recorder recorder(plan);
  BOOST_TEST((recorder.report().tasks[*plan.find("1.2")].outcome == task_outcome::already_done));
  const std::string text = cohort::render_text(plan, recorder.report());
  BOOST_TEST(text.find("1.2") == std::string::npos);
  BOOST_TEST(text.find("2 already done") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
