// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/run/executor.hpp>

#include "support/co_test.hpp"
#include "support/plans.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <cohort/core/scope.hpp>
#include <cohort/testing/fake_launcher.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using cohort::event_kind;
using cohort::task_index;
using cohort::test::event_log;
using cohort::test::observe;
using cohort::test::plan_builder;

namespace {

// The position of the first event of kind `k` for `t` (events are totally ordered).
std::size_t position(const event_log& log, event_kind k, task_index t) {
  for (std::size_t i = 0; i < log.events.size(); ++i) {
    if (log.events[i].kind == k && log.events[i].task == t) return i;
  }
  BOOST_FAIL("no " << cohort::to_string(k) << " event for task " << t);
  return 0;
}

// The k-th event of kind `k` passed its pacer no earlier than k intervals after the run started
// (a lower bound: it holds without timing luck).
void check_staggered(const event_log& log, event_kind k, std::size_t count,
                     std::chrono::milliseconds interval) {
  const auto start = log.events.front().at;
  const auto events = log.of(k);
  BOOST_REQUIRE(events.size() == count);
  for (std::size_t i = 0; i < events.size(); ++i) {
    BOOST_TEST((events[i].at - start >= static_cast<int>(i) * interval));
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(executor)

CO_TEST_CASE(parents_whose_dependencies_are_done_run_at_the_same_time) {
  const auto plan = cohort::test::seed_plan();
  cohort::fake_launcher agents;
  event_log log;
  cohort::executor_options o;
  o.schedule.max_running = 8;
  auto report = co_await cohort::run_plan(plan, agents, o, observe(log));
  BOOST_TEST(report.all_done());
  const auto at = [&](const char* id) { return *plan.find(id); };
  // 12, 13 and 14 all start once 11 is finished, before any of them finishes.
  const auto p11_done = position(log, event_kind::parent_finished, at("11"));
  std::size_t first_done = log.events.size();
  for (const char* id : std::array{"12", "13", "14"}) {
    BOOST_TEST(position(log, event_kind::parent_started, at(id)) > p11_done);
    first_done = std::min(first_done, position(log, event_kind::parent_finished, at(id)));
  }
  for (const char* id : std::array{"12", "13", "14"}) {
    BOOST_TEST(position(log, event_kind::parent_started, at(id)) < first_done);
  }
  // 15 starts when all three are finished.
  for (const char* id : std::array{"12", "13", "14"}) {
    BOOST_TEST(position(log, event_kind::parent_finished, at(id)) <
               position(log, event_kind::parent_started, at("15")));
  }
  BOOST_TEST(agents.peak_running() > 4u);  // the three parents' subtasks overlapped
}

CO_TEST_CASE(a_parent_completes_only_after_its_last_subtask_and_waves_do_not_overlap) {
  const auto plan = cohort::test::seed_plan(6);
  cohort::fake_launcher agents;
  event_log log;
  cohort::executor_options o;
  o.schedule.max_running = 8;
  o.schedule.mode = cohort::wave_mode::waves;
  auto report = co_await cohort::run_plan(plan, agents, o, observe(log));
  BOOST_TEST(report.all_done());
  for (task_index p : plan.parents) {
    const auto& subs = plan.tasks[p].subtasks;
    const auto finished = position(log, event_kind::parent_finished, p);
    for (task_index s : subs) {
      BOOST_TEST(position(log, event_kind::task_succeeded, s) < finished);
    }
    // Wave 1 (x.4..x.6, which depend on x.1) launches only after all of wave 0 is over.
    std::size_t wave0_end = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      wave0_end = std::max(wave0_end, position(log, event_kind::task_succeeded, subs[i]));
    }
    for (std::size_t i = 3; i < subs.size(); ++i) {
      BOOST_TEST(position(log, event_kind::task_launched, subs[i]) > wave0_end);
    }
  }
}

CO_TEST_CASE(rolling_starts_a_subtask_as_soon_as_its_own_dependencies_are_done) {
  for (auto mode : std::array{cohort::wave_mode::rolling, cohort::wave_mode::waves}) {
    plan_builder b;
    const auto p = b.parent("1");
    const auto slow = b.sub(p, "1", {}, 500ms);
    b.sub(p, "2", {}, 1ms);
    const auto next = b.sub(p, "3", {"1.2"}, 1ms);
    cohort::fake_launcher agents;
    event_log log;
    cohort::executor_options o;
    o.schedule.mode = mode;
    auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
    BOOST_TEST(report.all_done());
    const bool before_slow_ends = position(log, event_kind::task_launched, next) <
                                  position(log, event_kind::task_succeeded, slow);
    BOOST_TEST(before_slow_ends == (mode == cohort::wave_mode::rolling));
  }
}

CO_TEST_CASE(the_global_cap_is_never_exceeded_and_is_reached) {
  const auto plan = cohort::test::seed_plan(6);
  cohort::fake_launcher agents;
  event_log log;
  cohort::executor_options o;
  o.schedule.max_running = 3;
  auto report = co_await cohort::run_plan(plan, agents, o, observe(log));
  BOOST_TEST(report.all_done());
  BOOST_TEST(log.peak_running() == 3u);
  BOOST_TEST(agents.peak_running() == 3u);
  BOOST_TEST(report.peak_running == 3u);
}

CO_TEST_CASE(the_per_parent_cap_holds_for_every_parent) {
  plan_builder b;
  for (const char* id : std::array{"1", "2"}) {
    const auto p = b.parent(id);
    for (const char* s : std::array{"1", "2", "3", "4"}) b.sub(p, s, {}, 5ms);
  }
  cohort::fake_launcher agents;
  event_log log;
  cohort::executor_options o;
  o.schedule.max_running = 8;
  o.schedule.max_per_parent = 2;
  auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST(report.all_done());
  std::map<task_index, int> running, peak;
  for (const auto& e : log.events) {
    if (e.kind != event_kind::task_launched && e.kind != event_kind::task_usage) continue;
    const auto p = *b.p.tasks[*e.task].parent;
    running[p] += e.kind == event_kind::task_launched ? 1 : -1;
    peak[p] = std::max(peak[p], running[p]);
  }
  BOOST_TEST(peak[b.at("1")] == 2);
  BOOST_TEST(peak[b.at("2")] == 2);
  BOOST_TEST(log.peak_running() == 4u);  // both parents at their cap together
}

CO_TEST_CASE(token_reservations_never_exceed_the_budget_and_a_spent_budget_starts_nothing) {
  plan_builder b;
  const auto p = b.parent("1");
  for (const char* s : std::array{"1", "2", "3", "4", "5"}) b.sub(p, s, {}, 5ms, 30);
  cohort::fake_launcher agents;
  event_log log;
  cohort::executor_options o;
  o.schedule.max_running = 8;
  o.schedule.token_budget = 100;
  auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST(log.peak_reserved() <= 100u);
  BOOST_TEST(report.count(cohort::task_outcome::succeeded) == 3u);  // 3 x 30 of 100
  BOOST_TEST(report.count(cohort::task_outcome::skipped) == 2u);
  BOOST_TEST(report.tokens_spent == 90u);
  BOOST_TEST(agents.launches() == 3u);
  for (const auto& e : log.of(event_kind::task_skipped)) {
    BOOST_TEST(e.message.find("budget") != std::string::npos);
  }
}

CO_TEST_CASE(launches_are_staggered_by_the_launch_interval) {
  plan_builder b;
  const auto p = b.parent("1");
  for (const char* s : std::array{"1", "2", "3", "4", "5"}) b.sub(p, s, {}, 1ms);
  cohort::fake_launcher agents;
  event_log log;
  cohort::executor_options o;
  o.schedule.max_running = 8;
  o.schedule.launch_interval = 15ms;
  auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST(report.all_done());
  check_staggered(log, event_kind::task_launched, 5, 15ms);
}

CO_TEST_CASE(parent_starts_are_staggered) {
  plan_builder b;
  for (const char* id : std::array{"1", "2", "3", "4"}) b.sub(b.parent(id), "1", {}, 1ms);
  cohort::fake_launcher agents;
  event_log log;
  cohort::executor_options o;
  o.schedule.parent_stagger = 15ms;
  auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST(report.all_done());
  check_staggered(log, event_kind::parent_started, 4, 15ms);
}

CO_TEST_CASE(parents_held_by_the_stagger_start_longest_path_first) {
  // All four are ready at once: the first to arrive goes at once, the others wait for the
  // stagger and start as the simulation starts them, the longest remaining path first (FIFO:
  // in arrival order). Checked on the parents that were all waiting, whatever a slow machine
  // does to arrivals: of two parents waiting together, the one the order prefers starts first.
  plan_builder b;
  b.sub(b.parent("1"), "1", {}, 1ms);
  b.sub(b.parent("2"), "1", {}, 1ms);
  b.sub(b.parent("3"), "1", {}, 30ms);
  b.sub(b.parent("4"), "1", {}, 10ms);
  for (auto order : std::array{cohort::ready_order::longest_path, cohort::ready_order::fifo}) {
    cohort::fake_launcher agents;
    event_log log;
    cohort::executor_options o;
    o.schedule.parent_stagger = 100ms;
    o.schedule.order = order;
    auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
    BOOST_TEST(report.all_done());
    std::map<task_index, std::size_t> waited, started;  // event positions
    for (std::size_t i = 0; i < log.events.size(); ++i) {
      const auto& e = log.events[i];
      if (e.kind == event_kind::task_waiting && e.reason == cohort::wait_reason::stagger) waited[*e.task] = i;
      if (e.kind == event_kind::parent_started) started[*e.task] = i;
    }
    BOOST_TEST(waited.size() >= 2u);  // 2, 3 and 4 unless the machine stalled for 100 ms
    const std::vector<std::string> preference =
        order == cohort::ready_order::fifo ? std::vector<std::string>{"1", "2", "3", "4"}
                                           : std::vector<std::string>{"3", "4", "1", "2"};
    for (std::size_t x = 0; x < preference.size(); ++x) {
      for (std::size_t y = x + 1; y < preference.size(); ++y) {
        const task_index a = b.at(preference[x]), c = b.at(preference[y]);
        if (!waited.count(a) || !waited.count(c)) continue;
        if (std::max(waited[a], waited[c]) > std::min(started[a], started[c])) continue;  // not together
        BOOST_TEST(started[a] < started[c], preference[x] << " should start before " << preference[y]);
      }
    }
  }
}

CO_TEST_CASE(the_longest_remaining_path_goes_first) {
  plan_builder b;
  b.sub(b.parent("0"), "1", {}, 20ms);  // holds the only slot while the others queue
  const auto wide = b.parent("2");      // before the chain in plan order: FIFO would pick it
  for (const char* s : std::array{"1", "2", "3"}) b.sub(wide, s, {}, 10ms);
  const auto chain = b.parent("1");
  b.sub(chain, "1", {}, 10ms);
  b.sub(chain, "2", {"1.1"}, 10ms);
  b.sub(chain, "3", {"1.2"}, 10ms);
  cohort::fake_launcher agents;
  event_log log;
  cohort::executor_options o;
  o.schedule.max_running = 1;
  o.schedule.mode = cohort::wave_mode::rolling;
  auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
  BOOST_TEST(report.all_done());
  const auto launched = log.of(event_kind::task_launched);
  BOOST_REQUIRE(launched.size() == 7u);
  BOOST_TEST(b.p.tasks[*launched[0].task].id == "0.1");
  BOOST_TEST(b.p.tasks[*launched[1].task].id == "1.1");  // the head of the 30 ms path
}

CO_TEST_CASE(cross_parent_subtask_dependencies_are_honoured) {
  plan_builder b;
  const auto first = b.sub(b.parent("1"), "1", {}, 50ms);
  const auto p2 = b.parent("2");
  b.sub(p2, "1", {}, 1ms);
  const auto waiting = b.sub(p2, "2", {"1.1"}, 1ms);
  for (auto mode : std::array{cohort::wave_mode::rolling, cohort::wave_mode::waves}) {
    cohort::fake_launcher agents;
    event_log log;
    cohort::executor_options o;
    o.schedule.mode = mode;
    auto report = co_await cohort::run_plan(b.p, agents, o, observe(log));
    BOOST_TEST(report.all_done());
    BOOST_TEST(position(log, event_kind::task_succeeded, first) <
               position(log, event_kind::task_launched, waiting));
  }
}

CO_TEST_CASE(done_tasks_and_resumed_tasks_are_not_run_again) {
  auto plan = cohort::test::seed_plan(2);
  plan.tasks[*plan.find("1")].status = cohort::task_status::done;  // with its subtasks
  plan.tasks[*plan.find("2.1")].status = cohort::task_status::done;
  cohort::fake_launcher agents;
  cohort::executor_options o;
  o.finished = {*plan.find("3.1"), *plan.find("3.2")};
  auto report = co_await cohort::run_plan(plan, agents, o);
  BOOST_TEST(report.all_done());
  BOOST_TEST(agents.launches() == 17u * 2 - 5);
  BOOST_TEST(report.count(cohort::task_outcome::already_done) == 6u);  // 1, 1.1, 1.2, 2.1, 3.x
}

CO_TEST_CASE(a_parent_with_its_own_command_runs_it_after_its_subtasks) {
  // Parent 1 has subtasks and an argv of its own (the harness contract: run after its
  // subtasks); 2 depends on the whole of 1, so on 1's own command too; 3's subtasks are all done.
  plan_builder b;
  const auto p1 = b.parent("1");
  const auto s1 = b.sub(p1, "1", {}, 20ms);
  const auto s2 = b.sub(p1, "2", {"1.1"}, 5ms);
  b.p.tasks[p1].argv = {"link"};
  b.p.tasks[p1].duration = 10ms;
  const auto p2 = b.parent("2", {"1"}, 1ms);
  const auto p3 = b.parent("3", {"2"});
  const auto s3 = b.sub(p3, "1", {}, 1ms);
  b.p.tasks[s3].status = cohort::task_status::done;
  b.p.tasks[p3].argv = {"link"};
  cohort::fake_launcher agents;
  event_log log;
  auto report = co_await cohort::run_plan(b.p, agents, {}, observe(log));
  BOOST_TEST(report.all_done());
  BOOST_TEST(agents.launches() == 5u);  // 1.1, 1.2, 1, 2, 3
  const auto own = position(log, event_kind::task_launched, p1);
  BOOST_TEST(position(log, event_kind::task_succeeded, s1) < own);
  BOOST_TEST(position(log, event_kind::task_succeeded, s2) < own);
  BOOST_TEST(position(log, event_kind::task_succeeded, p1) <
             position(log, event_kind::parent_finished, p1));
  BOOST_TEST(position(log, event_kind::parent_finished, p1) <
             position(log, event_kind::task_launched, p2));
  BOOST_TEST(position(log, event_kind::task_succeeded, p2) <
             position(log, event_kind::task_launched, p3));
  BOOST_TEST((report.tasks[s3].outcome == cohort::task_outcome::already_done));
  BOOST_TEST((report.tasks[p3].outcome == cohort::task_outcome::succeeded));

  // A failed subtask: the parent's command does not run, the parent fails naming it, and the
  // tasks after it are skipped.
  cohort::fake_launcher failing;
  failing.set("1.2", cohort::fake_behavior::failing(-1));
  report = co_await cohort::run_plan(b.p, failing, {});
  BOOST_TEST(failing.launches() == 2u);  // 1.1, 1.2
  BOOST_TEST((report.tasks[p1].outcome == cohort::task_outcome::failed));
  BOOST_TEST(report.tasks[p1].reason == "subtask 1.2 failed");
  BOOST_TEST((report.tasks[p2].outcome == cohort::task_outcome::skipped));
}

namespace {

// Counts calls that overlap another call: an observer is never called concurrently.
struct overlap_detector final : cohort::observer {
  std::atomic<bool> inside{false};
  std::atomic<int> overlaps{0};
  std::size_t events = 0;
  void on_event(const cohort::event&) override {
    if (inside.exchange(true)) ++overlaps;
    ++events;
    inside = false;
  }
};

} // namespace

// Two plans at once on a 4-thread io_context, with no strand of the caller's: each run keeps
// its own state on a strand of its own.
BOOST_AUTO_TEST_CASE(two_plans_at_once_on_four_threads_without_a_strand) {
  const auto plan = cohort::test::seed_plan(4, 1ms);
  const auto subtasks = static_cast<std::size_t>(std::count_if(
      plan.tasks.begin(), plan.tasks.end(), [](const cohort::task& t) { return t.parent.has_value(); }));
  for (int trial = 0; trial < 20; ++trial) {
    asio::io_context ctx(4);
    cohort::fake_launcher agents[2];
    overlap_detector seen[2];
    std::optional<cohort::run_report> reports[2];
    cohort::executor_options o;
    o.schedule.max_running = 8;
    for (int i = 0; i < 2; ++i) {
      asio::co_spawn(ctx, cohort::run_plan(plan, agents[i], o, {&seen[i]}),
                     [&reports, i](std::exception_ptr e, cohort::run_report r) {
                       if (!e) reports[i] = std::move(r);
                     });
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) threads.emplace_back([&ctx] { ctx.run_for(cohort::test::hang_limit); });
    for (auto& t : threads) t.join();
    for (int i = 0; i < 2; ++i) {
      BOOST_REQUIRE_MESSAGE(reports[i].has_value(), "trial " << trial << ": run " << i << " did not finish");
      BOOST_TEST(reports[i]->all_done());
      BOOST_TEST(seen[i].overlaps == 0);
      BOOST_TEST(agents[i].launches() == subtasks);  // every subtask, once
    }
    BOOST_TEST(seen[0].events == seen[1].events);
  }
}

// async_run_plan with each kind of completion token: a callback, use_future, deferred and
// as_tuple(use_awaitable). Each run is complete.
BOOST_AUTO_TEST_CASE(async_run_plan_takes_any_completion_token) {
  const auto plan = cohort::test::seed_plan(2, 1ms);
  cohort::executor_options o;
  o.schedule.max_running = 4;
  {  // a callback
    asio::io_context ctx;
    cohort::fake_launcher agents;
    std::optional<cohort::run_report> report;
    cohort::async_run_plan(ctx.get_executor(), plan, agents, o, {},
                           [&](cohort::error_code ec, cohort::run_report r) {
                             BOOST_TEST(!ec);
                             report = std::move(r);
                           });
    ctx.run();
    BOOST_REQUIRE(report.has_value());
    BOOST_TEST(report->all_done());
  }
  {  // use_future, on a thread pool
    asio::thread_pool pool(2);
    cohort::fake_launcher agents;
    auto report = cohort::async_run_plan(pool.get_executor(), plan, agents, o, {}, asio::use_future);
    BOOST_TEST(report.get().all_done());
    pool.join();
  }
  {  // deferred: nothing runs until it is launched
    asio::io_context ctx;
    cohort::fake_launcher agents;
    auto op = cohort::async_run_plan(ctx.get_executor(), plan, agents, o, {}, asio::deferred);
    ctx.poll();
    ctx.restart();  // poll() ran out of work, which stops the io_context
    BOOST_TEST(agents.launches() == 0u);
    bool done = false;
    std::move(op)([&](cohort::error_code ec, cohort::run_report r) { done = !ec && r.all_done(); });
    ctx.run();
    BOOST_TEST(done);
  }
  // as_tuple(use_awaitable), from a coroutine
  cohort::test::run_coroutine([&]() -> asio::awaitable<void> {
    cohort::fake_launcher agents;
    auto [ec, report] = co_await cohort::async_run_plan(co_await asio::this_coro::executor, plan, agents,
                                                        o, {}, asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(!ec);
    BOOST_TEST(report.all_done());
  });
}

// A cancelled async_run_plan completes with operation_aborted and the whole report.
BOOST_AUTO_TEST_CASE(a_cancelled_async_run_plan_delivers_its_report) {
  const auto plan = cohort::test::seed_plan(4, 24h);  // nothing finishes by itself
  asio::io_context ctx;
  cohort::fake_launcher agents;
  cohort::executor_options o;
  o.schedule.max_running = 4;
  asio::cancellation_signal stop;
  std::optional<std::pair<cohort::error_code, cohort::run_report>> outcome;
  cohort::async_run_plan(ctx.get_executor(), plan, agents, o, {},
                         asio::bind_cancellation_slot(stop.slot(), [&](cohort::error_code ec, cohort::run_report r) {
                           outcome.emplace(ec, std::move(r));
                         }));
  while (agents.running() < 2) ctx.run_one();  // 1.1 and 1.2 under way (the others wait for 1.1)
  stop.emit(asio::cancellation_type::terminal);
  ctx.run_for(cohort::test::hang_limit);
  BOOST_REQUIRE(outcome.has_value());
  const auto& [ec, report] = *outcome;
  BOOST_TEST((ec == asio::error::operation_aborted));
  BOOST_TEST(report.cancelled);
  BOOST_TEST(report.tasks.size() == plan.size());
  BOOST_TEST(report.count(cohort::task_outcome::cancelled) >= 2u);
  BOOST_TEST(report.count(cohort::task_outcome::pending) == 0u);  // every task has an outcome
  BOOST_TEST(agents.running() == 0u);
}

namespace {

// A fake launcher that also counts the agents of every launcher sharing `running` and `peak`.
struct counting_launcher final : cohort::launcher {
  counting_launcher(std::atomic<int>& r, std::atomic<int>& p) : running(r), peak(p) {}
  asio::awaitable<cohort::launch_result> launch(const cohort::launch_request& r) override {
    const int now = ++running;
    for (int p = peak; now > p && !peak.compare_exchange_weak(p, now);) {}
    auto result = co_await inner.launch(r);
    --running;
    co_return result;
  }
  cohort::fake_launcher inner;
  std::atomic<int>& running;
  std::atomic<int>& peak;
};

} // namespace

// Two runs at once on a thread pool under one shared cap of 3 (each run's own cap is 8): never
// more than 3 agents in all, and both runs complete.
BOOST_AUTO_TEST_CASE(two_runs_share_one_cap) {
  const auto plan = cohort::test::seed_plan(4, 2ms);
  asio::thread_pool pool(4);
  cohort::semaphore shared_cap(pool.get_executor(), 3);
  std::atomic<int> running{0}, peak{0};
  counting_launcher agents[2] = {{running, peak}, {running, peak}};
  cohort::executor_options o;
  o.schedule.max_running = 8;
  o.shared_slots = &shared_cap;
  std::future<cohort::run_report> reports[2];
  for (int i = 0; i < 2; ++i) {
    reports[i] = cohort::async_run_plan(pool.get_executor(), plan, agents[i], o, {}, asio::use_future);
  }
  for (auto& r : reports) BOOST_TEST(r.get().all_done());
  pool.join();
  BOOST_TEST(peak == 3);  // reached, never passed
  BOOST_TEST(shared_cap.stats().in_use == 0u);
}

// Two runs sharing one token budget spend no more than it holds between them.
CO_TEST_CASE(two_runs_share_one_token_budget) {
  auto ex = co_await asio::this_coro::executor;
  const auto plan = cohort::test::seed_plan(4, 1ms);  // no estimates: each reserves the default
  cohort::semaphore shared_budget(ex, 100'000);
  cohort::executor_options o;
  o.schedule.max_running = 4;
  o.shared_budget = &shared_budget;
  cohort::fake_launcher agents[2];
  std::optional<cohort::run_report> reports[2];
  (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    for (int i = 0; i < 2; ++i) {
      s.spawn([](const cohort::plan& p, cohort::fake_launcher& l, cohort::executor_options opt,
                 std::optional<cohort::run_report>& out) -> asio::awaitable<void> {
        out = co_await cohort::run_plan(p, l, std::move(opt));
      }(plan, agents[i], o, reports[i]));
    }
    co_return;
  });
  const auto spent = reports[0]->tokens_spent + reports[1]->tokens_spent;
  BOOST_TEST(spent > 0u);
  BOOST_TEST(spent <= 100'000u);
  BOOST_TEST(shared_budget.stats().consumed == spent);
  // Between them they could not run everything: the budget, not the plan, ended some tasks.
  BOOST_TEST(reports[0]->count(cohort::task_outcome::skipped) + reports[1]->count(cohort::task_outcome::skipped) > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
