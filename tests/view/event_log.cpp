// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/view/event_log.hpp>

#include "support/plans.hpp"

#include <boost/json.hpp>

#include <string>

#include <unistd.h>

using namespace std::chrono_literals;

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

BOOST_AUTO_TEST_CASE(the_log_writes_one_json_line_per_event) {
  cohort::test::plan_builder b;
  const auto p = b.parent("1");
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  {
    cohort::event_log log(b.p, fds[1]);
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

BOOST_AUTO_TEST_SUITE_END()
