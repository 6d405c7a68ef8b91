// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Retries, rate limits, failure isolation, fail-fast and cancellation of the executor.
#include <cohort/run/executor.hpp>

#include "support/co_test.hpp"
#include "support/plans.hpp"

#include <cohort/core/error.hpp>
#include <cohort/testing/fake_launcher.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <map>
#include <optional>
#include <set>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using cohort::event_kind;
using cohort::task_outcome;
using cohort::test::event_log;
using cohort::test::observe;
using cohort::test::plan_builder;

namespace {

// A launcher whose agents cannot start.
struct broken_launcher final : cohort::launcher {
  int calls = 0;
  asio::awaitable<cohort::launch_result> launch(const cohort::launch_request&) override {
    ++calls;
    throw cohort::system_error(boost::system::errc::make_error_code(
        boost::system::errc::no_such_file_or_directory), "agent: no such file");
    co_return cohort::launch_result{};
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(executor_failures)

CO_TEST_CASE(a_failing_attempt_is_retried_with_exponential_backoff_and_jitter) {
  plan_builder b;
  const auto t = b.sub(b.parent("1"), "1", {}, 1ms);
  cohort::fake_launcher agents;
  agents.set("1.1", cohort::fake_behavior::failing(2));
  event_log log;
  cohort::executor_options o;
  o.retry = {.retries = 3, .base_delay = 10ms, .max_delay = 1s, .jitter = 0.2};
  auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST((report.tasks[t].outcome == task_outcome::succeeded));
  BOOST_TEST(report.tasks[t].attempts == 3);
  const auto retries = log.of(event_kind::task_retry);
  BOOST_REQUIRE(retries.size() == 2u);
  BOOST_TEST((retries[0].delay >= 8ms && retries[0].delay <= 12ms));
  BOOST_TEST((retries[1].delay >= 16ms && retries[1].delay <= 24ms));  // doubled
}

CO_TEST_CASE(a_rate_limited_launch_is_requeued_without_using_a_retry) {
  plan_builder b;
  const auto t = b.sub(b.parent("1"), "1", {}, 1ms);
  cohort::fake_launcher agents;
  agents.set("1.1", cohort::fake_behavior::rate_limited(2));
  event_log log;
  cohort::executor_options o;  // no retries at all
  o.rate_limit_delay = 5ms;
  auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST((report.tasks[t].outcome == task_outcome::succeeded));
  BOOST_TEST(agents.launches() == 3u);
  BOOST_TEST(log.of(event_kind::task_retry).empty());
  std::size_t waits = 0;
  for (const auto& e : log.of(event_kind::task_waiting)) {
    waits += e.reason == cohort::wait_reason::rate_limit;
  }
  BOOST_TEST(waits == 2u);
}

// A rate limit met by one agent pauses the whole run: no other launch starts before the pause
// is over (the events' own clock says so), the cap is cut, the run finishes when the limit
// clears, and the report counts the pause.
CO_TEST_CASE(a_rate_limit_pauses_every_launch_of_the_run) {
  plan_builder b;
  const auto p = b.parent("1");
  const auto limited = b.sub(p, "1", {}, 1ms);
  for (const char* id : {"2", "3", "4", "5", "6"}) b.sub(p, id, {}, 30ms);
  cohort::fake_launcher agents;
  auto once = cohort::fake_behavior::rate_limited(1);
  once.retry_after = 150ms;  // the agent was told to wait longer than the run's own delay
  agents.set("1.1", once);
  event_log log;
  cohort::executor_options o;
  o.schedule.max_running = 2;
  o.schedule.mode = cohort::wave_mode::rolling;
  o.rate_limit_delay = 20ms;
  auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST(report.all_done());
  BOOST_TEST(report.rate_limit_pauses == 1u);
  // The limit is told by 1.1's first usage event; every launch after it starts once the pause is over.
  std::optional<cohort::event::clock_type::time_point> limit;
  for (const auto& e : log.events) {
    if (e.kind == event_kind::task_usage && e.task == limited && !limit) limit = e.at;
    if (e.kind == event_kind::task_launched && limit) BOOST_TEST((e.at - *limit >= 150ms));
  }
  BOOST_TEST(limit.has_value());
}

// A task without an estimate reserves what its parent's finished tasks used on average, then
// what the run's did, before the default: one fixed guess does not starve a small budget.
CO_TEST_CASE(estimates_learn_from_finished_tasks) {
  plan_builder b;
  const auto p1 = b.parent("1");
  const auto first = b.sub(p1, "1", {}, 1ms);
  const auto second = b.sub(p1, "2", {"1.1"}, 1ms);
  const auto p2 = b.parent("2", {"1"});
  const auto other = b.sub(p2, "1", {}, 1ms);
  for (auto t : {first, second, other}) b.p.tasks[t].tokens.reset();
  cohort::fake_launcher agents;
  cohort::fake_behavior used;
  used.tokens = 300;
  for (const char* id : {"1.1", "1.2", "2.1"}) agents.set(id, used);
  cohort::fake_behavior little;
  little.tokens = 100;
  agents.set("1.2", little);
  event_log log;
  cohort::executor_options o;
  o.schedule.token_budget = 1'000'000;
  o.schedule.defaults.tokens = 20'000;
  auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST(report.all_done());
  std::map<cohort::task_index, std::uint64_t> reserved;
  for (const auto& e : log.of(event_kind::task_launched)) reserved[*e.task] = e.tokens;
  BOOST_TEST(reserved[first] == 20'000u);  // nothing learned yet: the default
  BOOST_TEST(reserved[second] == 300u);    // its parent's mean
  BOOST_TEST(reserved[other] == 200u);     // a parent with nothing finished: the run's mean
}

// A budget in money stops new launches once the reported cost reaches it.
CO_TEST_CASE(a_budget_in_dollars_stops_new_launches_once_spent) {
  plan_builder b;
  const auto p = b.parent("1");
  std::vector<cohort::task_index> tasks;
  for (const char* id : {"1", "2", "3", "4"}) tasks.push_back(b.sub(p, id, {}, 1ms));
  cohort::fake_launcher agents;
  cohort::fake_behavior costly;
  costly.cost_usd = 0.4;
  for (const char* id : {"1.1", "1.2", "1.3", "1.4"}) agents.set(id, costly);
  cohort::executor_options o;
  o.schedule.max_running = 1;  // one after another: the cost is known before each launch
  o.cost_budget = 1.0;
  auto report = co_await cohort::run_plan(b.p, agents, o, {});
  BOOST_TEST(agents.launches() == 3u);  // $0.40, $0.80, then $1.20 >= $1.00
  BOOST_TEST(report.cost_usd == 1.2, boost::test_tools::tolerance(1e-9));
  BOOST_TEST((report.tasks[tasks[3]].outcome == task_outcome::skipped));
  BOOST_TEST(report.tasks[tasks[3]].reason == "the budget of $1 is spent ($1.2000)");
}

// Task Master's statuses as it defines them: cancelled counts as finished (not run, its
// dependents run); review, deferred and blocked are not runnable (not run, nor their subtasks
// or dependents); pending and in-progress run.
CO_TEST_CASE(only_runnable_statuses_run_and_cancelled_counts_as_finished) {
  plan_builder b;
  const auto p1 = b.parent("1");
  const auto cancelled = b.sub(p1, "1", {}, 1ms);
  const auto review = b.sub(p1, "2", {}, 1ms);
  const auto after_cancelled = b.sub(p1, "3", {"1.1"}, 1ms);
  const auto after_review = b.sub(p1, "4", {"1.2"}, 1ms);
  const auto in_progress = b.sub(p1, "5", {}, 1ms);
  const auto p2 = b.parent("2");
  const auto in_deferred = b.sub(p2, "1", {}, 1ms);
  const auto p3 = b.parent("3");
  const auto blocked = b.sub(p3, "1", {}, 1ms);
  b.p.tasks[cancelled].status = cohort::task_status::cancelled;
  b.p.tasks[review].status = cohort::task_status::review;
  b.p.tasks[in_progress].status = cohort::task_status::in_progress;
  b.p.tasks[p2].status = cohort::task_status::deferred;
  b.p.tasks[blocked].status = cohort::task_status::blocked;
  cohort::fake_launcher agents;
  event_log log;
  auto report = co_await cohort::run_plan(b.p, agents, {}, observe(log));
  std::set<std::string> launched;
  for (const auto& e : log.of(event_kind::task_launched)) launched.insert(b.p.tasks[*e.task].id);
  BOOST_TEST(launched == (std::set<std::string>{"1.3", "1.5"}), boost::test_tools::per_element());
  BOOST_TEST((report.tasks[cancelled].outcome == task_outcome::already_done));
  BOOST_TEST((report.tasks[after_cancelled].outcome == task_outcome::succeeded));
  for (auto t : {review, in_deferred, blocked}) {
    BOOST_TEST((report.tasks[t].outcome == task_outcome::skipped));
    BOOST_TEST(report.tasks[t].reason.find("not runnable") != std::string::npos, report.tasks[t].reason);
  }
  BOOST_TEST((report.tasks[after_review].outcome == task_outcome::skipped));
  BOOST_TEST(report.tasks[after_review].reason == "dependency 1.2 skipped");
}

// An authentication error (no attempt can get past it): nothing more is launched, never a
// relaunch, and the run ends saying why.
CO_TEST_CASE(an_authentication_error_stops_the_run_at_once) {
  plan_builder b;
  const auto p = b.parent("1");
  const auto bad = b.sub(p, "1", {}, 1ms);
  for (const char* id : {"2", "3", "4"}) b.sub(p, id, {"1.1"}, 1ms);
  const auto p2 = b.parent("2", {"1"});
  b.sub(p2, "1", {}, 1ms);
  cohort::fake_launcher agents;
  agents.set("1.1", cohort::fake_behavior::authentication_error());
  cohort::executor_options o;
  o.retry.retries = 3;
  auto report = co_await cohort::run_plan(b.p, agents, o, {});
  BOOST_TEST(agents.launches() == 1u);
  BOOST_TEST((report.tasks[bad].outcome == task_outcome::failed));
  BOOST_TEST(report.tasks[bad].reason == "Invalid API key (fake)");
  BOOST_TEST(report.stopped == "Invalid API key (fake)");
  BOOST_TEST(!report.all_done());
}

CO_TEST_CASE(a_task_failing_for_good_skips_its_dependents_and_stops_nothing_else) {
  plan_builder b;
  const auto p1 = b.parent("1");
  const auto bad = b.sub(p1, "1", {}, 1ms);
  const auto sibling = b.sub(p1, "2", {}, 20ms);
  const auto after_bad = b.sub(p1, "3", {"1.1"}, 1ms);
  const auto p2 = b.parent("2", {"1"});
  b.sub(p2, "1", {}, 1ms);
  const auto p3 = b.parent("3");
  b.sub(p3, "1", {}, 30ms);
  cohort::fake_launcher agents;
  agents.set("1.1", cohort::fake_behavior::failing(-1));
  event_log log;
  cohort::executor_options o;
  o.retry.retries = 1;
  o.retry.base_delay = 1ms;
  auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST((report.tasks[bad].outcome == task_outcome::failed));
  BOOST_TEST(report.tasks[bad].attempts == 2);
  BOOST_TEST((report.tasks[sibling].outcome == task_outcome::succeeded));
  BOOST_TEST((report.tasks[after_bad].outcome == task_outcome::skipped));
  BOOST_TEST(report.tasks[after_bad].reason.find("1.1 failed") != std::string::npos);
  BOOST_TEST((report.tasks[p1].outcome == task_outcome::failed));
  BOOST_TEST((report.tasks[p2].outcome == task_outcome::skipped));
  BOOST_TEST(report.tasks[p2].reason.find("dependency 1 failed") != std::string::npos);
  BOOST_TEST((report.tasks[p3].outcome == task_outcome::succeeded));
  BOOST_TEST(!report.all_done());
}

CO_TEST_CASE(in_the_seed_the_failure_of_13_skips_15_16_17_while_12_and_14_finish) {
  const auto plan = cohort::test::seed_plan();
  cohort::fake_launcher agents;
  agents.set("13.1", cohort::fake_behavior::failing(-1));
  cohort::executor_options o;
  o.schedule.max_running = 8;
  auto report = co_await cohort::run_plan(plan, agents, o);
  const auto outcome = [&](const char* id) { return report.tasks[*plan.find(id)].outcome; };
  BOOST_TEST((outcome("12") == task_outcome::succeeded));
  BOOST_TEST((outcome("14") == task_outcome::succeeded));
  BOOST_TEST((outcome("13") == task_outcome::failed));
  for (const char* id : std::array{"15", "16", "17"}) {
    BOOST_TEST((outcome(id) == task_outcome::skipped), id);
    for (auto s : plan.tasks[*plan.find(id)].subtasks) {
      BOOST_TEST((report.tasks[s].outcome == task_outcome::skipped));
    }
  }
  BOOST_TEST(report.tasks[*plan.find("15")].reason.find("dependency 13 failed") !=
             std::string::npos);
  BOOST_TEST(report.tasks[*plan.find("16")].reason.find("dependency 15 skipped") !=
             std::string::npos);
}

CO_TEST_CASE(fail_fast_cancels_everything_running) {
  plan_builder b;
  const auto p1 = b.parent("1");
  const auto bad = b.sub(p1, "1", {}, 10ms);
  const auto long1 = b.sub(p1, "2", {}, 1h);
  const auto long2 = b.sub(b.parent("2"), "1", {}, 1h);
  const auto later = b.sub(b.parent("3", {"2"}), "1", {}, 1ms);
  cohort::fake_launcher agents;
  agents.set("1.1", cohort::fake_behavior::failing(-1));
  event_log log;
  cohort::executor_options o;
  o.fail_fast = true;
  auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST((report.tasks[bad].outcome == task_outcome::failed));
  BOOST_TEST((report.tasks[long1].outcome == task_outcome::cancelled));
  BOOST_TEST((report.tasks[long2].outcome == task_outcome::cancelled));
  BOOST_TEST((report.tasks[later].outcome == task_outcome::cancelled));
  BOOST_TEST(agents.running() == 0u);
  BOOST_TEST(!report.cancelled);
  BOOST_TEST((log.events.back().kind == event_kind::run_finished));
}

CO_TEST_CASE(cancelling_the_run_ends_every_agent_and_reports_a_consistent_state) {
  const auto plan = cohort::test::seed_plan(4, 1h);
  cohort::fake_launcher agents;
  event_log log;
  asio::cancellation_signal stop;
  std::optional<std::exception_ptr> outcome;
  auto ex = co_await asio::this_coro::executor;
  asio::co_spawn(ex, cohort::run_plan(plan, agents, {}, observe(log)),
                 asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e, auto) {
                   outcome = e;
                 }));
  while (agents.running() == 0 && !outcome) {  // cancelled with agents running, however slow
    asio::steady_timer t(ex, 5ms);
    co_await t.async_wait(asio::use_awaitable);
  }
  BOOST_REQUIRE(agents.running() > 0u);
  stop.emit(asio::cancellation_type::terminal);
  while (!outcome) co_await asio::post(ex, asio::use_awaitable);
  BOOST_REQUIRE(*outcome);
  BOOST_CHECK_THROW(std::rethrow_exception(*outcome), cohort::system_error);
  BOOST_TEST(agents.running() == 0u);
  BOOST_TEST((log.events.back().kind == event_kind::run_finished));
  // Every task has exactly one outcome event.
  std::vector<int> outcomes(plan.tasks.size(), 0);
  for (const auto& e : log.events) {
    switch (e.kind) {
      case event_kind::task_succeeded:
      case event_kind::task_failed:
      case event_kind::task_skipped:
      case event_kind::task_cancelled: ++outcomes[*e.task]; break;
      default: break;
    }
  }
  for (std::size_t i = 0; i < outcomes.size(); ++i) BOOST_TEST(outcomes[i] == 1);
}

CO_TEST_CASE(an_agent_that_cannot_start_is_a_failed_attempt_not_a_crash) {
  plan_builder b;
  const auto t = b.sub(b.parent("1"), "1", {}, 1ms);
  const auto other = b.sub(b.parent("2"), "1", {}, 1ms);
  broken_launcher agents;
  cohort::executor_options o;
  o.retry.retries = 2;
  o.retry.base_delay = 1ms;
  auto report = co_await cohort::run_plan(b.p, agents, o);
  BOOST_TEST((report.tasks[t].outcome == task_outcome::failed));
  BOOST_TEST(report.tasks[t].reason.find("no such file") != std::string::npos);
  BOOST_TEST(report.tasks[t].attempts == 3);
  BOOST_TEST((report.tasks[other].outcome == task_outcome::failed));
  BOOST_TEST(agents.calls == 6);
}

CO_TEST_CASE(a_resumed_run_starts_with_the_tokens_already_spent) {
  plan_builder b;
  const auto p = b.parent("1");
  for (const char* s : std::array{"1", "2", "3"}) b.sub(p, s, {}, 1ms, 40);
  cohort::fake_launcher agents;
  cohort::executor_options o;
  o.schedule.token_budget = 100;
  o.tokens_spent = 30;  // 70 left: one task of 40 fits, then 30 are left
  auto report = co_await cohort::run_plan(b.p, agents, o);
  BOOST_TEST(report.count(task_outcome::succeeded) == 1u);
  BOOST_TEST(report.count(task_outcome::skipped) == 2u);
  BOOST_TEST(report.tokens_spent == 70u);
}

CO_TEST_CASE(attempt_numbers_go_on_from_earlier_runs) {
  plan_builder b;
  const auto t = b.sub(b.parent("1"), "1", {}, 1ms);
  cohort::fake_launcher agents;
  event_log log;
  cohort::executor_options o;
  o.earlier_launches.assign(b.p.size(), 0);
  o.earlier_launches[t] = 2;  // a dead run launched it twice
  auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST((report.tasks[t].outcome == task_outcome::succeeded));
  BOOST_TEST(report.tasks[t].attempts == 3);
  const auto launched = log.of(event_kind::task_launched);
  BOOST_REQUIRE(launched.size() == 1u);
  BOOST_TEST(launched[0].attempt == 3);
}

CO_TEST_CASE(zero_agents_is_refused) {
  cohort::plan empty;
  cohort::fake_launcher agents;
  cohort::executor_options o;
  o.schedule.max_running = 0;
  BOOST_CHECK_THROW((void)co_await cohort::run_plan(empty, agents, o), cohort::system_error);
}

CO_TEST_CASE(a_plan_with_a_cycle_is_refused_with_the_cycle_named) {
  plan_builder b;
  const auto p = b.parent("1");
  const auto a = b.sub(p, "1", {}, 1ms);
  const auto c = b.sub(p, "2", {"1.1"}, 1ms);
  b.p.add_dependency(a, c);
  cohort::fake_launcher agents;
  std::string what;
  try {
    (void)co_await cohort::run_plan(b.p, agents, {});
  } catch (const cohort::system_error& e) {
    BOOST_TEST((e.code() == cohort::errc::plan_invalid));
    what = e.what();
  }
  BOOST_TEST(what.find("1.1 -> 1.2 -> 1.1") != std::string::npos, what);
  BOOST_TEST(agents.launches() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
