// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/view/event_log.hpp>

#include "support/plans.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

using namespace std::chrono_literals;

namespace {

// A log of `task_output` events whose messages start with their number (6 digits), read back.
struct numbered_log {
  std::size_t shown = 0, dropped = 0, counts = 0;  // lines, lines counted away, count lines
  bool whole = true;       // every line is one JSON object
  bool ordered = true;     // the numbers shown only grow
  bool count_last = true;  // no line shown after a count line
};

numbered_log read_numbered_log(const std::string& text) {
  numbered_log out;
  int last = -1;
  for (std::size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(std::string_view(text).substr(at, nl - at), ec);
    out.whole = out.whole && !ec;
    if (ec) continue;
    const auto& o = v.as_object();
    if (o.at("event").as_string() == "log_dropped") {
      out.dropped += o.at("lines").to_number<std::size_t>();
      ++out.counts;
      continue;
    }
    out.count_last = out.count_last && out.counts == 0;
    const int n = std::stoi(std::string(std::string_view(o.at("message").as_string()).substr(0, 6)));
    out.ordered = out.ordered && n > last;
    last = n;
    ++out.shown;
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(event_log)

BOOST_AUTO_TEST_CASE(an_event_carries_only_the_fields_of_its_kind) {
  cohort::test::plan_builder b;
  const auto p = b.parent("12");
  const auto s = b.sub(p, "3", {}, 1ms);
  const auto t0 = cohort::event::clock_type::now();
  cohort::event e;
  e.kind = cohort::event_kind::task_launched;
  e.at = t0 + 1500ms;
  e.task = s;
  e.attempt = 1;
  e.pid = 4242;
  e.tokens = 10000;
  const auto o = cohort::to_json(b.p, e, t0);
  BOOST_TEST(o.at("event").as_string() == "task_launched");
  BOOST_TEST(o.at("ms").as_int64() == 1500);
  BOOST_TEST(o.at("task").as_string() == "12.3");
  BOOST_TEST(o.at("pid").as_int64() == 4242);
  BOOST_TEST(o.at("tokens").as_uint64() == 10000u);
  BOOST_TEST(!o.contains("reason"));
  e.kind = cohort::event_kind::task_waiting;
  e.reason = cohort::wait_reason::budget;
  const auto w = cohort::to_json(b.p, e, t0);
  BOOST_TEST(w.at("reason").as_string() == "budget");
  BOOST_TEST(!w.contains("pid"));
}

BOOST_AUTO_TEST_CASE(the_log_writes_one_json_line_per_event_and_the_destructor_writes_them_all) {
  cohort::test::plan_builder b;
  const auto p = b.parent("1");
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  boost::asio::io_context ctx;
  {
    cohort::event_log log(ctx.get_executor(), b.p, fds[1]);
    cohort::event e;
    e.kind = cohort::event_kind::run_started;
    e.at = cohort::event::clock_type::now();
    log.on_event(e);
    e.kind = cohort::event_kind::task_output;
    e.task = p;
    e.message = "a \"quoted\"\nline";
    log.on_event(e);
  }
  ::close(fds[1]);
  std::string text(4096, '\0');
  const auto n = ::read(fds[0], text.data(), text.size());
  ::close(fds[0]);
  BOOST_REQUIRE(n > 0);
  text.resize(static_cast<std::size_t>(n));
  const auto nl = text.find('\n');
  BOOST_REQUIRE(nl != std::string::npos);
  BOOST_TEST(text.back() == '\n');
  BOOST_TEST(boost::json::parse(text.substr(0, nl)).at("event").as_string() == "run_started");
  const auto second = boost::json::parse(text.substr(nl + 1));
  BOOST_TEST(second.at("message").as_string() == "a \"quoted\"\nline");
}

BOOST_AUTO_TEST_CASE(a_turns_lines_go_out_in_one_write_at_its_end) {
  cohort::test::plan_builder b;
  const auto p = b.parent("1");
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  boost::asio::io_context ctx;
  cohort::event_log log(ctx.get_executor(), b.p, fds[1]);
  cohort::event e;
  e.kind = cohort::event_kind::task_ready;
  e.task = p;
  for (int i = 0; i < 3; ++i) log.on_event(e);
  char buf[4096];
  BOOST_TEST(::read(fds[0], buf, sizeof buf) < 0);  // nothing yet: the turn is not over
  BOOST_TEST(ctx.poll() == 1u);                     // its one write
  const auto n = ::read(fds[0], buf, sizeof buf);
  BOOST_REQUIRE(n > 0);
  BOOST_TEST(std::count(buf, buf + n, '\n') == 3);
  e.kind = cohort::event_kind::run_finished;
  e.task.reset();
  log.on_event(e);  // the run's end is not kept waiting
  BOOST_TEST(::read(fds[0], buf, sizeof buf) > 0);
  ::close(fds[0]);
  ::close(fds[1]);
}

BOOST_AUTO_TEST_CASE(a_log_nobody_reads_never_stops_the_run_and_says_what_it_dropped) {
  cohort::test::plan_builder b;
  const auto p = b.parent("1");
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  BOOST_TEST_REQUIRE(::fcntl(fds[1], F_SETPIPE_SZ, 4096) >= 4096);  // full after a page
  boost::asio::io_context ctx;
  std::optional<cohort::event_log> log(std::in_place, ctx.get_executor(), b.p, fds[1]);
  constexpr int lines = 10000;  // ~2.3 MiB of JSON
  auto fed = std::async(std::launch::async, [&] {
    cohort::event e;
    e.kind = cohort::event_kind::task_output;
    e.task = p;
    for (int i = 0; i < lines; ++i) {
      e.message = fmt::format("{:06} {}", i, std::string(200, 'x'));
      log->on_event(e);
      ctx.restart();
      ctx.poll();  // the turn's write and the retry timer, when due
    }
  });
  std::string text;
  const auto drain = [&] {
    char buf[65536];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  };
  const bool returned = fed.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  while (fed.wait_for(1ms) != std::future_status::ready) drain();  // frees a stuck feeder
  fed.get();
  BOOST_TEST(returned, "an event waited for the full pipe");
  // The timer writes what waits, then the count of what was not kept.
  ctx.restart();
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       text.find("log_dropped") == std::string::npos && std::chrono::steady_clock::now() < until; ctx.restart()) {
    ctx.run_for(5ms);
    drain();
  }
  log.reset();  // nothing left for it to wait for
  drain();
  ::close(fds[0]);
  ::close(fds[1]);

  const numbered_log got = read_numbered_log(text);
  BOOST_TEST(got.whole);
  BOOST_TEST(got.ordered);
  BOOST_TEST(got.counts == 1u);  // said once
  BOOST_TEST(got.count_last);    // after every line shown
  BOOST_TEST(got.dropped > 0u);
  BOOST_TEST(got.shown + got.dropped == static_cast<std::size_t>(lines));
}

BOOST_AUTO_TEST_CASE(two_logs_on_one_full_pipe_meet_between_lines) {
  // `2>&1`: the dashboard's lines and the JSON log share a pipe that fills up.
  cohort::test::plan_builder b;
  const auto p = b.parent("1");
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  BOOST_TEST_REQUIRE(::fcntl(fds[1], F_SETPIPE_SZ, 4096) >= 4096);
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  boost::asio::io_context ctx;
  std::optional<cohort::event_log> one(std::in_place, ctx.get_executor(), b.p, fds[1]);
  std::optional<cohort::event_log> two(std::in_place, ctx.get_executor(), b.p, fds[1]);
  cohort::event e;
  e.kind = cohort::event_kind::task_output;
  e.task = p;
  constexpr int lines = 400;  // ~100 KiB from each: far past the pipe, far below what is kept
  for (int i = 0; i < lines; ++i) {
    e.message = fmt::format("{:06} {}", i, std::string(100 + i % 150, 'a' + i % 26));  // lengths vary
    one->on_event(e);
    two->on_event(e);
  }
  std::string text;
  char buf[1000];  // a slow reader: a little at a time, so both find room in turn
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       std::count(text.begin(), text.end(), '\n') < 2 * lines && std::chrono::steady_clock::now() < until;
       ctx.restart()) {
    ctx.run_for(2ms);
    if (const auto n = ::read(fds[0], buf, sizeof buf); n > 0) text.append(buf, static_cast<std::size_t>(n));
  }
  one.reset();
  two.reset();
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  ::close(fds[1]);
  std::size_t whole = 0, broken = 0;
  for (std::size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) {
    boost::system::error_code ec;
    (void)boost::json::parse(std::string_view(text).substr(at, nl - at), ec);
    ++(ec ? broken : whole);
  }
  BOOST_TEST(broken == 0u);
  BOOST_TEST(whole == 2u * lines);
}

BOOST_AUTO_TEST_CASE(on_a_thread_pool_its_posted_writes_never_meet_the_runs_strand) {
  // The run's events on a strand of a four-thread pool; the log's writes and its retry timer
  // on the pool itself, so on other threads while the strand goes on.
  cohort::test::plan_builder b;
  const auto p = b.parent("1");
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  std::string text;
  std::thread reader([&] {
    char buf[65536];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
      if (n > 0) text.append(buf, static_cast<std::size_t>(n));
      else if (errno != EINTR) break;
    }
  });
  boost::asio::thread_pool pool(4);
  auto strand = boost::asio::make_strand(pool);
  std::optional<cohort::event_log> log(std::in_place, pool.get_executor(), b.p, fds[1]);
  constexpr int lines = 20000;
  std::promise<void> fed;
  for (int i = 0; i < lines; ++i) {
    boost::asio::post(strand, [&, i] {
      cohort::event e;
      e.kind = cohort::event_kind::task_output;
      e.task = p;
      e.message = fmt::format("{:06} {}", i, std::string(i % 300, 'z'));
      log->on_event(e);
      if (i + 1 == lines) fed.set_value();
    });
  }
  fed.get_future().wait();
  log.reset();  // from another thread than the strand's, after its last event: what is left
  ::close(fds[1]);
  reader.join();
  pool.join();
  ::close(fds[0]);
  const numbered_log got = read_numbered_log(text);
  BOOST_TEST(got.whole);
  BOOST_TEST(got.ordered);
  BOOST_TEST(got.shown + got.dropped == static_cast<std::size_t>(lines));  // a slow reader may cost lines, never their order
}

BOOST_AUTO_TEST_SUITE_END()
