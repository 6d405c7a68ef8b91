// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// The kill ladder: deadline, cancellation, leftover background jobs, scopes.
#include <cohort/process/process.hpp>

#include "support/co_test.hpp"
#include "support/sim_agent.hpp"

#include <cohort/core/scope.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using cohort::test::sim;

namespace {

// What the tests learn from a child's "ready PID" and "grandchild PID" lines.
struct observed {
  int pgid = -1;
  std::vector<int> grandchildren;
  asio::cancellation_signal* cancel_on_ready = nullptr;  // emitted when "ready" is seen
  asio::steady_timer* ready_event = nullptr;             // cancelled when "ready" is seen
};

void watch(cohort::process_options& o, observed& seen) {
  o.on_line = [&seen](const cohort::output_line& l) {
    if (l.text.starts_with("grandchild ")) seen.grandchildren.push_back(std::stoi(std::string(l.text.substr(11))));
    if (!l.text.starts_with("ready ")) return;
    seen.pgid = std::stoi(std::string(l.text.substr(6)));
    if (seen.cancel_on_ready) seen.cancel_on_ready->emit(asio::cancellation_type::terminal);
    if (seen.ready_event) seen.ready_event->cancel();
  };
}

// A stubborn agent: ignores SIGTERM, has three grandchildren that ignore it too, sleeps long.
cohort::process_options stubborn(observed& seen) {
  cohort::process_options o;
  o.argv = sim({"--grandchildren", "3", "--ignore-sigterm", "--ready", "--sleep", "600000"});
  o.grace = 200ms;
  watch(o, seen);
  return o;
}

void expect_all_gone(const observed& seen) {
  BOOST_REQUIRE(seen.pgid > 0);
  BOOST_TEST(seen.grandchildren.size() == 3u);
  BOOST_TEST(cohort::test::wait_group_gone(seen.pgid));  // kill(-pgid, 0) == ESRCH
  for (int pid : seen.grandchildren) BOOST_TEST(!cohort::test::running(pid));
}

asio::awaitable<void> run_until_cancelled(cohort::process_options o, cohort::process_result& out,
                                          bool& next_await_threw) {
  try {
    (void)co_await cohort::run_process(std::move(o));
    BOOST_FAIL("a cancelled run must throw");
  } catch (const cohort::process_cancelled& e) {
    out = e.result();
  }
  try {  // the caller is still cancelled: its next suspension throws (level-triggered)
    co_await asio::post(asio::use_awaitable);
  } catch (const cohort::system_error& e) {
    next_await_threw = e.code() == asio::error::operation_aborted;
  }
}

asio::awaitable<void> fail_when_ready(asio::steady_timer& ready) {
  (void)co_await ready.async_wait(asio::as_tuple(asio::use_awaitable));
  throw std::runtime_error("sibling failed");
}

asio::awaitable<void> run_agent(cohort::process_options o) {
  (void)co_await cohort::run_process(std::move(o));
}

} // namespace

BOOST_AUTO_TEST_SUITE(process)

CO_TEST_CASE(deadline_ends_the_child_with_sigterm) {
  cohort::process_options o;
  o.argv = sim({"--sleep", "600000"});
  o.deadline = 100ms;
  auto r = co_await cohort::run_process(o);
  BOOST_TEST((r.ended_by == cohort::end_reason::deadline));
  BOOST_TEST(r.signal.value_or(-1) == SIGTERM);
  BOOST_TEST((r.elapsed() >= 100ms));
  BOOST_TEST(cohort::describe(r).find("deadline") != std::string::npos);
}

CO_TEST_CASE(deadline_escalates_to_sigkill_after_the_grace_when_sigterm_is_ignored) {
  // The deadline must come after the child has ignored SIGTERM ("ready"), and a slow machine (a
  // sanitizer build starting the child) may take longer than any fixed figure: a run whose deadline
  // came first proves nothing, so it is run again with a deadline four times as long.
  cohort::process_options o;
  o.argv = sim({"--ignore-sigterm", "--ready", "--sleep", "600000"});
  o.grace = 200ms;
  bool ready = false;
  o.on_line = [&ready](const cohort::output_line& l) { ready = ready || l.text.starts_with("ready"); };
  cohort::process_result r;
  for (auto deadline = 300ms; !ready && deadline <= 20s; deadline *= 4) {
    o.deadline = deadline;
    r = co_await cohort::run_process(o);
  }
  BOOST_REQUIRE(ready);
  BOOST_TEST((r.ended_by == cohort::end_reason::deadline));
  BOOST_TEST(r.signal.value_or(-1) == SIGKILL);
  BOOST_TEST((r.elapsed() >= o.deadline + o.grace));  // deadline + grace: a lower bound only
  BOOST_TEST(cohort::test::group_gone(r.pgid));  // reaped by cohort: not even a zombie
}

BOOST_AUTO_TEST_CASE(cancellation_ends_the_group_with_grandchildren_that_ignore_sigterm) {
  observed seen;
  cohort::process_result r;
  bool next_await_threw = false;
  asio::cancellation_signal cancel;
  seen.cancel_on_ready = &cancel;
  cohort::test::run_coroutine([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    auto token = asio::bind_cancellation_slot(cancel.slot(), asio::as_tuple(asio::use_awaitable));
    auto [e] = co_await asio::co_spawn(ex, run_until_cancelled(stubborn(seen), r, next_await_threw), token);
    if (e) std::rethrow_exception(e);
  });
  BOOST_TEST((r.ended_by == cohort::end_reason::cancellation));
  BOOST_TEST(r.signal.value_or(-1) == SIGKILL);
  BOOST_TEST(r.pgid == seen.pgid);
  BOOST_TEST(next_await_threw);
  expect_all_gone(seen);
}

BOOST_AUTO_TEST_CASE(fail_fast_sibling_failure_leaves_no_process) {
  observed seen;
  std::string failure;
  cohort::test::run_coroutine([&]() -> asio::awaitable<void> {
    asio::steady_timer ready(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
    seen.ready_event = &ready;
    try {
      (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
        s.spawn(run_agent(stubborn(seen)));
        s.spawn(fail_when_ready(ready));
        co_return;
      });
    } catch (const cohort::scope_error& e) {
      failure = e.what();
    }
  });
  BOOST_TEST(failure == "1 failure in the scope; the first: sibling failed");
  expect_all_gone(seen);
}

BOOST_AUTO_TEST_CASE(background_jobs_left_at_exit_are_ended) {
  observed seen;
  cohort::process_result r;
  cohort::test::run_coroutine([&]() -> asio::awaitable<void> {
    cohort::process_options o;
    o.argv = sim({"--grandchildren", "3", "--ready"});  // the leader exits at once
    o.grace = 200ms;
    watch(o, seen);
    r = co_await cohort::run_process(o);
  });
  BOOST_TEST(r.exit_code.value_or(-1) == 0);
  BOOST_TEST((r.ended_by == cohort::end_reason::none));
  expect_all_gone(seen);
}

BOOST_AUTO_TEST_SUITE_END()
