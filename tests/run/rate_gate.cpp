// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/run/rate_gate.hpp>

#include "support/co_test.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using clock_type = cohort::rate_gate::clock_type;

BOOST_AUTO_TEST_SUITE(rate_gate)

// Nothing is admitted during a pause; the first launch after it is admitted no earlier than
// its end (a property of the clock, not of timing luck).
CO_TEST_CASE(a_limit_pauses_every_launch_until_its_end) {
  cohort::rate_gate gate(co_await asio::this_coro::executor, 4);
  auto first = gate.try_admit();
  BOOST_TEST(static_cast<bool>(first));
  gate.limited(500ms);  // long enough that the check below comes before its end on any machine
  const auto until = gate.paused_until();
  BOOST_TEST(!gate.try_admit());
  auto next = co_await gate.async_admit();
  BOOST_TEST(static_cast<bool>(next));
  BOOST_TEST((clock_type::now() >= until));
  BOOST_TEST(gate.pauses() == 1u);
}

// The first report of a pause halves the cap and spaces launches out; a second agent reporting
// the same pause changes neither; launches that pass grow the cap back one by one.
BOOST_AUTO_TEST_CASE(multiplicative_decrease_additive_increase) {
  asio::io_context ctx;
  cohort::rate_gate gate(ctx.get_executor(), 8);
  BOOST_TEST(gate.cap() == 8u);
  gate.limited(1h);  // long enough to be under way still, however slow the machine
  BOOST_TEST(gate.cap() == 4u);
  BOOST_TEST(gate.spacing().count() == 250);
  gate.limited(1ms);  // the same pause, told by another agent
  BOOST_TEST(gate.cap() == 4u);
  BOOST_TEST(gate.pauses() == 1u);
  gate.passed(0);  // a launch admitted before the pause: it does not undo it
  BOOST_TEST(gate.cap() == 4u);
  gate.passed(1);
  BOOST_TEST(gate.cap() == 5u);
  BOOST_TEST(gate.spacing().count() == 125);
  for (int i = 0; i < 10; ++i) gate.passed(1);
  BOOST_TEST(gate.cap() == 8u);  // never above the run's own limit
  BOOST_TEST(gate.spacing().count() == 0);
}

// With the cap reached, a waiter is admitted when an admission is given back.
CO_TEST_CASE(a_waiter_is_admitted_when_a_place_is_given_back) {
  const auto ex = co_await asio::this_coro::executor;
  cohort::rate_gate gate(ex, 1);
  auto held = gate.try_admit();
  BOOST_REQUIRE(static_cast<bool>(held));
  BOOST_TEST(!gate.try_admit());
  bool admitted = false;
  asio::co_spawn(
      ex,
      [](cohort::rate_gate& g, bool& done) -> asio::awaitable<void> {
        auto a = co_await g.async_admit();
        done = static_cast<bool>(a);
      }(gate, admitted),
      asio::detached);
  for (int i = 0; i < 5; ++i) co_await asio::post(ex, asio::use_awaitable);
  BOOST_TEST(!admitted);  // still full
  held.release();
  BOOST_TEST(!gate.try_admit());  // the place is the waiter's, not a newcomer's
  for (int i = 0; i < 5 && !admitted; ++i) co_await asio::post(ex, asio::use_awaitable);
  BOOST_TEST(admitted);
  BOOST_TEST(gate.running() == 0u);  // the waiter's admission ended with its coroutine
}

// Cancelling a waiter ends its wait with operation_aborted; the gate is left as it was.
CO_TEST_CASE(a_cancelled_wait_ends_with_operation_aborted) {
  const auto ex = co_await asio::this_coro::executor;
  cohort::rate_gate gate(ex, 2);
  gate.limited(10s);
  asio::cancellation_signal stop;
  std::optional<std::exception_ptr> ended;
  asio::co_spawn(ex, gate.async_admit(),
                 asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e, cohort::rate_gate::admission) {
                   ended = e;
                 }));
  co_await asio::post(ex, asio::use_awaitable);
  stop.emit(asio::cancellation_type::terminal);
  for (int i = 0; i < 5 && !ended; ++i) co_await asio::post(ex, asio::use_awaitable);
  BOOST_REQUIRE(ended.has_value());
  BOOST_REQUIRE(*ended != nullptr);
  try {
    std::rethrow_exception(*ended);
  } catch (const boost::system::system_error& e) {
    BOOST_TEST((e.code() == asio::error::operation_aborted));
  }
  BOOST_TEST(gate.running() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
