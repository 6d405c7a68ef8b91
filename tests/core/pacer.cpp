// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/core/pacer.hpp>

#include "support/co_test.hpp"

#include <cohort/core/scope.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

struct pass {
  int id;
  clock_type::time_point at;
};

asio::awaitable<void> pass_through(cohort::pacer& p, int id, std::vector<pass>& log) {
  co_await p.async_wait(asio::use_awaitable);
  log.push_back({id, clock_type::now()});
}

// The k-th caller through is let go no earlier than k intervals after the first, who went no
// earlier than `start`; a coroutine resumes later still. So `at - start >= k * interval` holds
// without timing luck (gaps between resumptions alone would not: a resumption may lag).
void check_pass_spacing(const std::vector<pass>& log, clock_type::time_point start,
                   clock_type::duration interval) {
  for (std::size_t k = 0; k < log.size(); ++k) {
    BOOST_TEST((log[k].at - start >= static_cast<int>(k) * interval),
               "caller " << log[k].id << " went early");
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(pacer)

CO_TEST_CASE(callers_pass_in_order_one_interval_apart) {
  cohort::pacer p(co_await asio::this_coro::executor, 20ms);
  std::vector<pass> log;
  const auto start = clock_type::now();
  (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    for (int i = 0; i < 5; ++i) s.spawn(pass_through(p, i, log));
    co_return;
  });
  BOOST_REQUIRE(log.size() == 5u);
  for (int i = 0; i < 5; ++i) BOOST_TEST(log[i].id == i);
  check_pass_spacing(log, start, 20ms);
}

CO_TEST_CASE(higher_priorities_pass_first_and_equal_ones_in_arrival_order) {
  cohort::pacer p(co_await asio::this_coro::executor, 5ms);
  BOOST_TEST(p.try_wait());  // the turn is taken: everyone below waits
  std::vector<int> order;
  const std::vector<std::pair<int, int>> callers{{1, 1}, {2, 5}, {3, 3}, {4, 5}, {5, 1}};  // id, priority
  for (const auto& [id, priority] : callers) {
    p.async_wait(priority, [&order, id = id](cohort::error_code ec) {
      if (!ec) order.push_back(id);
    });
  }
  BOOST_TEST(p.waiters() == 5u);
  asio::steady_timer t(co_await asio::this_coro::executor);
  while (order.size() < 5) {  // each went one interval after the one before: poll until all did
    t.expires_after(5ms);
    co_await t.async_wait(asio::use_awaitable);
  }
  BOOST_TEST(order == (std::vector<int>{2, 4, 3, 1, 5}), boost::test_tools::per_element());
}

CO_TEST_CASE(the_first_caller_after_a_quiet_spell_goes_at_once) {
  cohort::pacer p(co_await asio::this_coro::executor, 10ms);
  co_await p.async_wait(asio::use_awaitable);
  asio::steady_timer quiet(co_await asio::this_coro::executor, 30ms);
  co_await quiet.async_wait(asio::use_awaitable);
  BOOST_TEST(p.waiters() == 0u);
  // It is let through during initiation (the handler is still posted, never run inline).
  bool passed = false;
  p.async_wait([&](cohort::error_code ec) { passed = !ec; });
  BOOST_TEST(p.waiters() == 0u);
  co_await asio::post(asio::use_awaitable);
  BOOST_TEST(passed);
}

CO_TEST_CASE(a_cancelled_caller_takes_no_turn) {
  auto ex = co_await asio::this_coro::executor;
  cohort::pacer p(ex, 20ms);
  std::vector<pass> log;
  const auto start = clock_type::now();
  asio::cancellation_signal cancel_second;
  cohort::error_code second_ec;
  (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    s.spawn(pass_through(p, 0, log));
    co_await asio::post(asio::use_awaitable);
    p.async_wait(asio::bind_cancellation_slot(cancel_second.slot(),
                                              [&](cohort::error_code ec) { second_ec = ec; }));
    s.spawn(pass_through(p, 2, log));
    co_await asio::post(asio::use_awaitable);
    co_await asio::post(asio::use_awaitable);
    BOOST_TEST(p.waiters() == 2u);
    cancel_second.emit(asio::cancellation_type::partial);
  });
  BOOST_TEST((second_ec == asio::error::operation_aborted));
  BOOST_REQUIRE(log.size() == 2u);
  BOOST_TEST(log[1].id == 2);
  check_pass_spacing(log, start, 20ms);
  BOOST_TEST((log[1].at - start < 2s));  // it did not wait for a second turn (very loose)
}

CO_TEST_CASE(a_changed_interval_applies_to_callers_already_waiting) {
  cohort::pacer p(co_await asio::this_coro::executor, 24h);
  std::vector<pass> log;
  const auto start = clock_type::now();
  (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) s.spawn(pass_through(p, i, log));
    for (int turn = 0; turn < 8; ++turn) co_await asio::post(asio::use_awaitable);
    BOOST_TEST(log.size() == 1u);  // the others would wait a day
    p.set_interval(5ms);
  });
  BOOST_TEST(log.size() == 3u);
  check_pass_spacing(log, start, 5ms);
  BOOST_CHECK_THROW(p.set_interval(-1ms), cohort::system_error);
}

CO_TEST_CASE(try_wait_takes_a_free_turn_and_never_waits) {
  cohort::pacer p(co_await asio::this_coro::executor, 24h);
  BOOST_TEST(p.try_wait());   // the first turn is free
  BOOST_TEST(!p.try_wait());  // the next one is a day away
  p.set_interval(0ms);
  BOOST_TEST(p.try_wait());
}

// One pacer shared by coroutines on a 4-thread pool (no strand): every caller goes through once,
// and the k-th to go (from 0) did so no earlier than k intervals after the start (a lower bound:
// it holds however late a handler runs).
BOOST_AUTO_TEST_CASE(one_pacer_shared_by_threads_lets_each_through_an_interval_apart) {
  constexpr int callers = 40;
  constexpr auto interval = std::chrono::milliseconds(2);
  asio::thread_pool pool(4);
  cohort::pacer stagger(pool.get_executor(), interval);
  std::mutex m;
  std::vector<std::chrono::steady_clock::time_point> passed;
  const auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < callers; ++c) {
    asio::co_spawn(pool, [&]() -> asio::awaitable<void> {
      co_await stagger.async_wait(asio::use_awaitable);
      std::lock_guard lock(m);
      passed.push_back(std::chrono::steady_clock::now());
    }, [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
  }
  pool.join();
  BOOST_REQUIRE(passed.size() == static_cast<std::size_t>(callers));
  std::sort(passed.begin(), passed.end());
  for (std::size_t k = 0; k < passed.size(); ++k) {
    BOOST_TEST((passed[k] - start >= static_cast<int>(k) * interval));
  }
  BOOST_TEST(stagger.waiters() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
