// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/run/event_channel.hpp>

#include "support/co_test.hpp"
#include "support/plans.hpp"

#include <cohort/run/executor.hpp>
#include <cohort/testing/fake_launcher.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <optional>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using cohort::event;
using cohort::event_kind;

namespace {

event make_event(event_kind k, std::string message = {}) {
  event e;
  e.kind = k;
  e.message = std::move(message);
  return e;
}

// Runs `ctx` until nothing is ready any more (zero-length timers included).
void run_ready_handlers(asio::io_context& ctx) {
  while (ctx.poll() > 0) {
  }
  ctx.restart();
}

// One parent with `n` independent zero-length subtasks.
cohort::plan wide_plan(int n) {
  cohort::test::plan_builder b;
  const auto p = b.parent("1");
  for (int i = 1; i <= n; ++i) b.sub(p, std::to_string(i), {}, 0ms);
  return b.p;
}

// Records, at each launch, how many events were waiting in the channel.
struct depth_at_launch final : cohort::observer {
  const cohort::event_channel* channel = nullptr;
  std::vector<std::size_t> depths;
  void on_event(const event& e) override {
    if (e.kind == event_kind::task_launched) depths.push_back(channel->size());
  }
};

asio::awaitable<void> read_one(cohort::event_channel& ch, std::vector<std::string>& got) {
  auto [ec, e] = co_await ch.async_next_event(asio::as_tuple(asio::use_awaitable));
  BOOST_TEST(!ec);
  got.push_back(e.message);
}

} // namespace

BOOST_AUTO_TEST_SUITE(event_channel)

BOOST_AUTO_TEST_CASE(every_token_reads_the_events_in_order_then_eof) {
  asio::io_context ctx;
  cohort::event_channel ch(ctx.get_executor());
  for (const char* m : {"a", "b", "c", "d"}) ch.on_event(make_event(event_kind::task_output, m));
  ch.on_event(make_event(event_kind::run_finished));
  std::vector<std::string> got;
  // A callback.
  ch.async_next_event([&](cohort::error_code ec, event e) {
    BOOST_TEST(!ec);
    got.push_back(e.message);
  });
  // deferred: nothing is taken until it is launched.
  auto op = ch.async_next_event(asio::deferred);
  run_ready_handlers(ctx);
  BOOST_TEST(ch.size() == 4u);
  std::move(op)([&](cohort::error_code ec, event e) {
    BOOST_TEST(!ec);
    got.push_back(e.message);
  });
  run_ready_handlers(ctx);
  // as_tuple(use_awaitable), from a coroutine.
  asio::co_spawn(ctx, read_one(ch, got), asio::detached);
  run_ready_handlers(ctx);
  // use_future, from another thread's executor.
  asio::thread_pool pool(1);
  cohort::event_channel remote(pool.get_executor());
  remote.on_event(make_event(event_kind::task_output, "d"));
  got.push_back(remote.async_next_event(asio::use_future).get().message);
  pool.join();
  BOOST_TEST(got == (std::vector<std::string>{"a", "b", "c", "d"}), boost::test_tools::per_element());
  // What is left of `ch`: "d", run_finished, then eof for every later read.
  std::vector<std::pair<cohort::error_code, event_kind>> tail;
  for (int i = 0; i < 4; ++i)
    ch.async_next_event([&](cohort::error_code ec, event e) { tail.emplace_back(ec, e.kind); });
  run_ready_handlers(ctx);
  BOOST_REQUIRE(tail.size() == 4u);
  BOOST_TEST(!tail[0].first);
  BOOST_TEST((tail[1].second == event_kind::run_finished));
  BOOST_TEST((tail[2].first == asio::error::eof));
  BOOST_TEST((tail[3].first == asio::error::eof));
}

BOOST_AUTO_TEST_CASE(a_cancelled_read_takes_no_event) {
  asio::io_context ctx;
  cohort::event_channel ch(ctx.get_executor());
  asio::cancellation_signal stop;
  std::optional<cohort::error_code> cancelled;
  ch.async_next_event(asio::bind_cancellation_slot(
      stop.slot(), [&](cohort::error_code ec, event) { cancelled = ec; }));
  run_ready_handlers(ctx);
  BOOST_TEST(!cancelled.has_value());  // nothing to read: it waits
  stop.emit(asio::cancellation_type::terminal);
  run_ready_handlers(ctx);
  BOOST_TEST((cancelled == asio::error::operation_aborted));
  ch.on_event(make_event(event_kind::task_output, "kept"));
  BOOST_TEST(ch.size() == 1u);  // the event waits for the next reader
  std::string next;
  ch.async_next_event([&](cohort::error_code, event e) { next = e.message; });
  run_ready_handlers(ctx);
  BOOST_TEST(next == "kept");
}

// A reader that stops reading stops the run's launches; reading again lets it finish, with
// every event delivered in the order a synchronous observer saw them.
BOOST_AUTO_TEST_CASE(a_reader_that_lags_holds_the_launches_back) {
  const auto plan = wide_plan(30);
  asio::io_context ctx;
  cohort::event_channel ch(ctx.get_executor(), 5);
  cohort::test::event_log log;
  depth_at_launch depth;
  depth.channel = &ch;
  cohort::fake_launcher agents;
  cohort::executor_options o;
  o.schedule.max_running = 30;
  std::optional<cohort::run_report> report;
  cohort::async_run_plan(ctx.get_executor(), plan, agents, o, {&ch, &log, &depth},
                         [&](cohort::error_code ec, cohort::run_report r) {
                           BOOST_TEST(!ec);
                           report = std::move(r);
                         });
  run_ready_handlers(ctx);
  // Unread, the channel fills up and the run stalls: each launch adds an event at least, so no
  // more than `capacity` launches fit before it lags.
  BOOST_TEST(!report.has_value());
  BOOST_TEST(agents.launches() <= ch.capacity());
  BOOST_TEST(ch.lagging());
  std::vector<event_kind> read;
  bool eof = false;
  while (!eof) {
    ch.async_next_event([&](cohort::error_code ec, event e) {
      if (ec == asio::error::eof) eof = true;
      else read.push_back(e.kind);
    });
    run_ready_handlers(ctx);
  }
  BOOST_REQUIRE(report.has_value());
  BOOST_TEST(report->all_done());
  BOOST_TEST(agents.launches() == 30u);
  BOOST_REQUIRE(read.size() == log.events.size());
  for (std::size_t i = 0; i < read.size(); ++i) BOOST_TEST((read[i] == log.events[i].kind));
  // Every launch started with the reader at most `capacity` events behind (its own
  // task_launched is the one more).
  BOOST_REQUIRE(depth.depths.size() == 30u);
  for (std::size_t d : depth.depths) BOOST_TEST(d <= ch.capacity() + 1);
}

BOOST_AUTO_TEST_SUITE_END()
