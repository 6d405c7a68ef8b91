// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/core/scope.hpp>

#include "support/co_test.hpp"

#include <cohort/core/semaphore.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <optional>
#include <stdexcept>
#include <thread>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using cohort::scope_policy;

namespace {

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

// Sleeps `d`, then appends `id` to `log`.
asio::awaitable<void> sleep_then_log(std::chrono::milliseconds d, int id, std::vector<int>& log) {
  co_await sleep_for(d);
  log.push_back(id);
}

// Waits `yields` turns of the executor, then throws.
asio::awaitable<void> fail_after(int yields, std::string what) {
  for (int i = 0; i < yields; ++i) co_await asio::post(asio::use_awaitable);
  throw std::runtime_error(what);
}

// The what() of every failure a scope_error carries, in order.
std::vector<std::string> messages(const cohort::scope_error& e) {
  std::vector<std::string> out;
  for (const auto& failure : e.failures()) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& x) {
      out.emplace_back(x.what());
    }
  }
  return out;
}

// Waits until cancelled; records that it saw the cancellation.
asio::awaitable<void> wait_forever(int& aborted) {
  try {
    co_await sleep_for(24h);
  } catch (const cohort::system_error& e) {
    if (e.code() == asio::error::operation_aborted) ++aborted;
    throw;
  }
}

// Like fail_after, but deaf to cancellation: it fails even after a sibling failed first.
asio::awaitable<void> fail_shielded(int yields, std::string what) {
  co_await asio::this_coro::throw_if_cancelled(false);
  for (int i = 0; i < yields; ++i) co_await asio::post(asio::use_awaitable);
  throw std::runtime_error(what);
}

// Acquires one unit; records whether the wait was aborted.
asio::awaitable<void> acquire_one(cohort::semaphore& sem, bool& aborted) {
  try {
    [[maybe_unused]] auto p = co_await sem.async_acquire(1, asio::use_awaitable);
  } catch (const cohort::system_error& e) {
    aborted = e.code() == asio::error::operation_aborted;
    throw;
  }
}

// Waits until cancelled, then cleans up for a few turns (shielded, like reaping a process).
asio::awaitable<void> slow_cleanup(bool& done) {
  try {
    co_await sleep_for(24h);
  } catch (const cohort::system_error&) {
  }
  co_await asio::this_coro::throw_if_cancelled(false);
  for (int i = 0; i < 5; ++i) co_await asio::post(asio::use_awaitable);
  done = true;
}

// Note on style: a coroutine lambda must not capture (its captures die with the temporary
// closure while the coroutine runs on); the lambdas spawned below take parameters instead.

} // namespace

BOOST_AUTO_TEST_SUITE(scope)

CO_TEST_CASE(scope_completes_only_after_its_slowest_child) {
  std::vector<int> log;
  auto result = co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    s.spawn(sleep_then_log(300ms, 3, log));
    s.spawn(sleep_then_log(100ms, 1, log));
    s.spawn(sleep_then_log(200ms, 2, log));
    co_return;
  });
  BOOST_TEST(log == (std::vector<int>{1, 2, 3}));
  BOOST_TEST(result.stats.succeeded == 3u);
  BOOST_TEST(result.stats.running == 0u);
}

CO_TEST_CASE(fail_fast_cancels_siblings_and_throws_a_scope_error) {
  int aborted = 0;
  std::vector<std::string> failures;
  std::string what;
  try {
    (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
      s.spawn(wait_forever(aborted));
      s.spawn(fail_after(1, "first"));
      s.spawn(wait_forever(aborted));
      co_return;
    });
  } catch (const cohort::scope_error& e) {
    BOOST_TEST((e.code() == cohort::errc::children_failed));
    failures = messages(e);
    what = e.what();
  }
  BOOST_TEST(failures == (std::vector<std::string>{"first"}));
  BOOST_TEST(what == "1 failure in the scope; the first: first");
  BOOST_TEST(aborted == 2);
}

CO_TEST_CASE(three_failures_one_at_once_two_during_cancellation_make_one_scope_error) {
  scope_policy policy{};
  std::vector<std::string> failures;
  try {
    (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
      s.spawn(fail_after(1, "a"));
      s.spawn(fail_shielded(3, "b"));  // cancelled by "a", fails all the same
      s.spawn(fail_shielded(5, "c"));
      policy = s.policy();
      co_await s.join();  // cancelled by "a": the scope_error below is not doubled by it
    });
    BOOST_FAIL("the failures should have been thrown");
  } catch (const cohort::scope_error& e) {
    failures = messages(e);
    BOOST_TEST(std::string(e.what()) == "3 failures in the scope; the first: a");
  }
  BOOST_TEST((policy == scope_policy::fail_fast));
  BOOST_TEST(failures == (std::vector<std::string>{"a", "b", "c"}));
}

CO_TEST_CASE(fail_fast_cancels_a_sleeping_body) {
  bool body_cancelled = false;
  std::vector<std::string> failures;
  try {
    (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
      s.spawn(fail_after(1, "child"));
      try {
        co_await sleep_for(24h);  // the hang limit fails the test unless this is cancelled
      } catch (const cohort::system_error& e) {
        body_cancelled = e.code() == asio::error::operation_aborted;
        throw;
      }
    });
  } catch (const cohort::scope_error& e) {
    failures = messages(e);
  }
  BOOST_TEST(body_cancelled);
  BOOST_TEST(failures == (std::vector<std::string>{"child"}));  // not the body's cancellation
}

CO_TEST_CASE(a_body_spawning_after_a_failure_does_not_hide_it) {
  std::vector<std::string> failures;
  try {
    (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
      co_await asio::this_coro::throw_if_cancelled(false);  // a body deaf to cancellation
      s.spawn(fail_after(0, "agent 0 failed"));
      while (!s.is_closed()) co_await asio::post(asio::use_awaitable);
      s.spawn(sleep_for(1ms));  // throws scope_closed: a follow-on error
    });
  } catch (const cohort::scope_error& e) {
    failures = messages(e);
  }
  BOOST_TEST(failures == (std::vector<std::string>{"agent 0 failed"}));
}

CO_TEST_CASE(isolate_lets_siblings_finish_and_collects_failures) {
  std::vector<int> log;
  auto result = co_await cohort::with_scope(scope_policy::isolate,
                                            [&](cohort::scope& s) -> asio::awaitable<void> {
    s.spawn(fail_after(0, "boom"));
    s.spawn(sleep_then_log(200ms, 1, log));
    s.spawn(fail_after(2, "bang"));
    s.spawn(sleep_then_log(100ms, 2, log));
    co_return;
  });
  BOOST_TEST(log == (std::vector<int>{2, 1}));
  BOOST_TEST(result.stats.succeeded == 2u);
  BOOST_TEST(result.stats.failed == 2u);
  BOOST_REQUIRE(result.failures.size() == 2u);
  try {
    std::rethrow_exception(result.failures[0]);
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()) == "boom");
  }
}

CO_TEST_CASE(outside_cancellation_reaches_children_on_a_timer_and_a_semaphore) {
  auto ex = co_await asio::this_coro::executor;
  cohort::semaphore sem(ex, 1);
  auto held = sem.try_acquire(1);  // so the child below blocks on the semaphore
  int aborted = 0;
  bool sem_child_aborted = false;
  asio::cancellation_signal outside;
  auto body = [&]() -> asio::awaitable<void> {
    (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
      s.spawn(wait_forever(aborted));
      s.spawn(acquire_one(sem, sem_child_aborted));
      co_return;
    });
  };
  std::optional<std::exception_ptr> outcome;
  asio::co_spawn(ex, body(),
                 asio::bind_cancellation_slot(outside.slot(),
                                              [&](std::exception_ptr e) { outcome = e; }));
  co_await sleep_for(10ms);
  BOOST_TEST(!outcome.has_value());
  outside.emit(asio::cancellation_type::terminal);
  while (!outcome) co_await asio::post(ex, asio::use_awaitable);
  BOOST_TEST(aborted == 1);
  BOOST_TEST(sem_child_aborted);
  BOOST_TEST(sem.stats().waiters == 0u);
  BOOST_TEST(sem.stats().in_use == 1u);  // only the permit held above
  BOOST_REQUIRE(*outcome);
  try {
    std::rethrow_exception(*outcome);
  } catch (const cohort::system_error& e) {
    BOOST_TEST((e.code() == asio::error::operation_aborted));
  }
}

CO_TEST_CASE(cancelling_a_body_that_waits_in_join_still_joins_every_child) {
  auto ex = co_await asio::this_coro::executor;
  bool child_cleaned_up = false;
  bool cleaned_up_before_with_scope_returned = false;
  asio::cancellation_signal outside;
  auto body = [&]() -> asio::awaitable<void> {
    try {
      (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
        s.spawn(slow_cleanup(child_cleaned_up));
        co_await s.join();  // cancelled here
      });
    } catch (const cohort::system_error&) {
      cleaned_up_before_with_scope_returned = child_cleaned_up;
      throw;
    }
  };
  std::optional<std::exception_ptr> outcome;
  asio::co_spawn(ex, body(),
                 asio::bind_cancellation_slot(outside.slot(),
                                              [&](std::exception_ptr e) { outcome = e; }));
  co_await sleep_for(5ms);
  outside.emit(asio::cancellation_type::terminal);
  while (!outcome) co_await asio::post(ex, asio::use_awaitable);
  BOOST_TEST(child_cleaned_up);
  BOOST_TEST(cleaned_up_before_with_scope_returned);
}

CO_TEST_CASE(nested_scopes_join_inner_before_outer) {
  std::vector<int> log;
  auto result = co_await cohort::with_scope([&](cohort::scope& outer) -> asio::awaitable<void> {
    outer.spawn([](std::vector<int>& out) -> asio::awaitable<void> {
      (void)co_await cohort::with_scope([&](cohort::scope& inner) -> asio::awaitable<void> {
        inner.spawn(sleep_then_log(200ms, 1, out));
        inner.spawn(sleep_then_log(100ms, 2, out));
        co_return;
      });
      out.push_back(3);  // after both inner children
    }(log));
    outer.spawn(sleep_then_log(400ms, 4, log));
    co_return;
  });
  BOOST_TEST(log == (std::vector<int>{2, 1, 3, 4}));
  BOOST_TEST(result.stats.succeeded == 2u);
}

CO_TEST_CASE(a_failure_in_a_nested_scope_cancels_the_outer_siblings) {
  int aborted = 0;
  bool threw = false;
  try {
    (void)co_await cohort::with_scope([&](cohort::scope& outer) -> asio::awaitable<void> {
      outer.spawn(wait_forever(aborted));
      outer.spawn([](int& count) -> asio::awaitable<void> {
        (void)co_await cohort::with_scope([&](cohort::scope& inner) -> asio::awaitable<void> {
          inner.spawn(wait_forever(count));
          inner.spawn(fail_after(1, "deep"));
          co_return;
        });
      }(aborted));
      co_return;
    });
  } catch (const cohort::scope_error& outer_error) {
    // The outer scope's failure is the inner scope's error, which carries "deep".
    BOOST_REQUIRE(outer_error.failures().size() == 1u);
    try {
      std::rethrow_exception(outer_error.failures().front());
    } catch (const cohort::scope_error& inner_error) {
      threw = messages(inner_error) == std::vector<std::string>{"deep"};
    }
  }
  BOOST_TEST(threw);
  BOOST_TEST(aborted == 2);
}

CO_TEST_CASE(spawning_into_a_cancelled_scope_is_an_error) {
  bool refused = false;
  (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    s.cancel();
    BOOST_TEST(s.is_closed());
    try {
      s.spawn(sleep_for(1ms));
    } catch (const cohort::system_error& e) {
      refused = e.code() == cohort::errc::scope_closed;
    }
    co_return;
  });
  BOOST_TEST(refused);
}

CO_TEST_CASE(a_throwing_body_cancels_children_and_its_error_is_kept) {
  int aborted = 0;
  std::string what;
  try {
    (void)co_await cohort::with_scope(scope_policy::isolate,
                                      [&](cohort::scope& s) -> asio::awaitable<void> {
      s.spawn(wait_forever(aborted));
      co_await asio::post(asio::use_awaitable);
      throw std::logic_error("body");
    });
  } catch (const cohort::scope_error& e) {
    BOOST_REQUIRE(e.failures().size() == 1u);
    try {
      std::rethrow_exception(e.failures().front());
    } catch (const std::logic_error& body_error) {
      what = body_error.what();
    }
  }
  BOOST_TEST(what == "body");
  BOOST_TEST(aborted == 1);
}

CO_TEST_CASE(join_lets_a_body_run_children_in_waves) {
  std::vector<int> log;
  (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    s.spawn(sleep_then_log(200ms, 1, log));
    s.spawn(sleep_then_log(100ms, 2, log));
    co_await s.join();
    log.push_back(0);  // the barrier between the waves
    s.spawn(sleep_then_log(10ms, 3, log));
  });
  BOOST_TEST(log == (std::vector<int>{2, 1, 0, 3}));
}

CO_TEST_CASE(children_may_spawn_siblings_into_their_scope) {
  std::vector<int> log;
  auto result = co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    s.spawn([](cohort::scope& parent, std::vector<int>& out) -> asio::awaitable<void> {
      co_await sleep_for(5ms);
      parent.spawn(sleep_then_log(5ms, 2, out));
      out.push_back(1);
    }(s, log));
    co_return;
  });
  BOOST_TEST(log == (std::vector<int>{1, 2}));
  BOOST_TEST(result.stats.succeeded == 2u);
}

// Opens `depth` scopes, each one the child of the one before.
asio::awaitable<void> nest(std::size_t depth, std::size_t& deepest) {
  deepest = std::max(deepest, depth);
  if (depth == 0) co_return;
  (void)co_await cohort::with_scope([depth, &deepest](cohort::scope& s) -> asio::awaitable<void> {
    s.spawn(nest(depth - 1, deepest));
    co_return;
  });
}

// Sanitized builds take most of a minute here (ThreadSanitizer tracks every frame): a longer
// hang limit than other tests.
BOOST_AUTO_TEST_CASE(a_hundred_thousand_nested_scopes_cost_heap_not_stack) {
  std::size_t deepest = 0;
  cohort::test::run_coroutine([&]() -> asio::awaitable<void> { co_await nest(100'000, deepest); },
                              std::chrono::minutes(3));
  BOOST_TEST(deepest == 100'000u);
}

CO_TEST_CASE(spawn_from_another_thread_is_an_error) {
  std::optional<cohort::error_code> refused;
  (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    std::thread([&] {  // a plain thread, not the scope's strand
      try {
        s.spawn(sleep_for(1ms));
      } catch (const cohort::system_error& e) {
        refused = e.code();
      }
    }).join();
    co_return;
  });
  BOOST_TEST((refused == cohort::error_code(cohort::errc::wrong_executor)));
}

// Three steps of `count += 1`, each followed by a turn of the executor; counts the steps that
// found another one of the same scope running.
asio::awaitable<void> count_steps(int& count, std::atomic<bool>& inside, std::atomic<int>& overlaps) {
  for (int k = 0; k < 3; ++k) {
    if (inside.exchange(true)) ++overlaps;
    ++count;
    inside = false;
    co_await asio::post(asio::use_awaitable);
  }
}

// One scope of `children` counting children.
asio::awaitable<void> counting_scope(int children, int& count, std::atomic<int>& overlaps) {
  std::atomic<bool> inside{false};
  (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    for (int c = 0; c < children; ++c) s.spawn(count_steps(count, inside, overlaps));
    co_return;
  });
}

// Scopes opened on a 4-thread pool, with no strand of the caller's: each scope's children run
// one at a time (they share a plain counter), and every scope joins all of its own.
BOOST_AUTO_TEST_CASE(scopes_on_a_thread_pool_run_their_children_one_at_a_time) {
  constexpr int scopes = 16, children = 200;
  asio::thread_pool pool(4);
  std::atomic<int> finished{0}, overlaps{0};
  std::vector<int> counts(scopes, 0);  // each written by its own scope's children only
  for (int i = 0; i < scopes; ++i) {
    asio::co_spawn(pool, counting_scope(children, counts[i], overlaps), [&](std::exception_ptr e) {
      if (!e) ++finished;
    });
  }
  pool.join();
  BOOST_TEST(finished == scopes);
  BOOST_TEST(overlaps == 0);
  BOOST_TEST(counts == std::vector<int>(scopes, 3 * children));
}

BOOST_AUTO_TEST_SUITE_END()
