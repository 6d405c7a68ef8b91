// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/core/semaphore.hpp>

#include "support/co_test.hpp"

#include <cohort/core/scope.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <string>
#include <vector>

namespace asio = boost::asio;

namespace {

// Lets every handler that is ready run (several turns of a single-threaded executor).
asio::awaitable<void> settle(int turns = 8) {
  for (int i = 0; i < turns; ++i) co_await asio::post(asio::use_awaitable);
}

// Acquires `n` units, logs `name`, and gives the units back.
asio::awaitable<void> acquire_and_log(cohort::semaphore& sem, std::size_t n, int priority, std::string name,
                                      std::vector<std::string>& log) {
  auto p = co_await sem.async_acquire(n, priority, asio::use_awaitable);
  log.push_back(name);
}

} // namespace

BOOST_AUTO_TEST_SUITE(semaphore)

CO_TEST_CASE(waiters_are_served_in_arrival_order_without_barging) {
  cohort::semaphore sem(co_await asio::this_coro::executor, 10);
  auto a = sem.try_acquire(8);
  BOOST_REQUIRE(a.has_value());
  std::vector<std::string> log;
  (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    s.spawn(acquire_and_log(sem, 5, 0, "B", log));
    s.spawn(acquire_and_log(sem, 1, 0, "C", log));  // fits now, but must not pass B
    s.spawn(acquire_and_log(sem, 3, 0, "D", log));
    co_await settle();
    BOOST_TEST(log.empty());
    BOOST_TEST(sem.stats().waiters == 3u);
    BOOST_TEST(!sem.try_acquire(1).has_value());  // try_acquire does not barge either
    a->release();
  });
  BOOST_TEST(log == (std::vector<std::string>{"B", "C", "D"}));
  BOOST_TEST(sem.stats().in_use == 0u);
}

CO_TEST_CASE(a_big_request_is_not_starved_by_a_stream_of_small_ones) {
  cohort::semaphore sem(co_await asio::this_coro::executor, 4);
  std::vector<std::string> log;
  (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    auto first = sem.try_acquire(1);
    s.spawn(acquire_and_log(sem, 4, 0, "big", log));
    for (int i = 0; i < 5; ++i) s.spawn(acquire_and_log(sem, 1, 0, "small", log));
    co_await settle();
    first->release();
  });
  BOOST_REQUIRE(log.size() == 6u);
  BOOST_TEST(log.front() == "big");
}

CO_TEST_CASE(higher_priority_waiters_go_first_and_fifo_within_a_priority) {
  cohort::semaphore sem(co_await asio::this_coro::executor, 1);
  auto held = sem.try_acquire(1);
  std::vector<std::string> log;
  (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    s.spawn(acquire_and_log(sem, 1, 0, "low1", log));
    s.spawn(acquire_and_log(sem, 1, 5, "high1", log));
    s.spawn(acquire_and_log(sem, 1, 0, "low2", log));
    s.spawn(acquire_and_log(sem, 1, 5, "high2", log));
    co_await settle();
    held->release();
  });
  BOOST_TEST(log == (std::vector<std::string>{"high1", "high2", "low1", "low2"}));
}

CO_TEST_CASE(a_request_beyond_capacity_fails_at_once) {
  cohort::semaphore sem(co_await asio::this_coro::executor, 3);
  auto [ec, p] = co_await sem.async_acquire(4, asio::as_tuple(asio::use_awaitable));
  BOOST_TEST((ec == cohort::errc::exceeds_capacity));
  BOOST_TEST(!p);
  BOOST_TEST(sem.stats().waiters == 0u);
}

CO_TEST_CASE(a_cancelled_waiter_leaves_counts_unchanged_and_unblocks_the_queue) {
  cohort::semaphore sem(co_await asio::this_coro::executor, 10);
  auto held = sem.try_acquire(8);
  std::vector<std::string> log;
  asio::cancellation_signal cancel_big;
  cohort::error_code big_ec;
  sem.async_acquire(9, asio::bind_cancellation_slot(
                          cancel_big.slot(), [&](cohort::error_code ec, cohort::semaphore::permit) {
                            big_ec = ec;
                          }));
  (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    s.spawn(acquire_and_log(sem, 2, 0, "small", log));  // behind the big head
    co_await settle();
    BOOST_TEST(log.empty());
    BOOST_TEST(sem.stats().waiters == 2u);
    cancel_big.emit(asio::cancellation_type::total);
    co_await settle();
    BOOST_TEST(log == (std::vector<std::string>{"small"}));
  });
  BOOST_TEST((big_ec == asio::error::operation_aborted));
  auto stats = sem.stats();
  BOOST_TEST(stats.in_use == 8u);
  BOOST_TEST(stats.waiters == 0u);
  BOOST_TEST(stats.capacity == 10u);
}

CO_TEST_CASE(permits_resize_down_and_up_and_release_on_destruction) {
  cohort::semaphore sem(co_await asio::this_coro::executor, 10);
  {
    auto p = co_await sem.async_acquire(6, asio::use_awaitable);
    BOOST_TEST(p.size() == 6u);
    p.resize(2);  // the estimate was too high
    BOOST_TEST(sem.stats().in_use == 2u);
    BOOST_TEST(p.try_resize(9));
    BOOST_TEST(!p.try_resize(11));  // more than is free
    BOOST_TEST(sem.stats().in_use == 9u);
    p.resize(13);  // settling to what was really used may overdraw
    BOOST_TEST(sem.stats().in_use == 13u);
    BOOST_TEST(sem.stats().available == 0u);
    auto moved = std::move(p);
    BOOST_TEST(!p);
    BOOST_TEST(moved.size() == 13u);
  }
  BOOST_TEST(sem.stats().in_use == 0u);
}

CO_TEST_CASE(consumed_units_leave_the_capacity_and_doomed_waiters_fail) {
  cohort::semaphore sem(co_await asio::this_coro::executor, 100);
  auto spent = co_await sem.async_acquire(30, asio::use_awaitable);
  auto reserved = co_await sem.async_acquire(50, asio::use_awaitable);
  cohort::error_code waiter_ec;
  (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    s.spawn([](cohort::semaphore& shared, cohort::error_code& out) -> asio::awaitable<void> {
      auto [ec, p] = co_await shared.async_acquire(60, asio::as_tuple(asio::use_awaitable));
      out = ec;
    }(sem, waiter_ec));
    co_await settle();
    spent.resize(40);
    spent.consume();  // 40 spent: 60 left, of which 50 are reserved
    BOOST_TEST(sem.capacity() == 60u);
    reserved.consume();  // 10 left: the waiter for 60 can never be served
  });
  BOOST_TEST((waiter_ec == cohort::errc::exceeds_capacity));
  BOOST_TEST(sem.stats().consumed == 90u);
  BOOST_TEST(sem.stats().capacity == 10u);
}

// One semaphore shared by coroutines on a 4-thread pool (no strand): the units held never
// exceed the capacity, and every acquisition is granted once.
BOOST_AUTO_TEST_CASE(one_semaphore_shared_by_threads_never_grants_beyond_capacity) {
  constexpr int workers = 64, rounds = 50;
  asio::thread_pool pool(4);
  cohort::semaphore sem(pool.get_executor(), 3);
  std::atomic<int> holding{0}, peak{0}, granted{0};
  for (int w = 0; w < workers; ++w) {
    asio::co_spawn(pool, [&]() -> asio::awaitable<void> {
      for (int r = 0; r < rounds; ++r) {
        auto permit = co_await sem.async_acquire(1 + r % 2, asio::use_awaitable);
        const int now = holding += static_cast<int>(permit.size());
        for (int p = peak; now > p && !peak.compare_exchange_weak(p, now);) {}
        ++granted;
        co_await asio::post(asio::use_awaitable);
        holding -= static_cast<int>(permit.size());
      }
    }, [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
  }
  pool.join();
  BOOST_TEST(granted == workers * rounds);
  BOOST_TEST(peak <= 3);
  BOOST_TEST(sem.stats().in_use == 0u);
  BOOST_TEST(sem.stats().waiters == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
