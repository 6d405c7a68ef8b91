// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/testing/fake_launcher.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace cohort {
namespace asio = boost::asio;

namespace {

// Keeps the running count right however the attempt ends (cancellation included).
struct running_guard {
  std::size_t& running;
  explicit running_guard(std::size_t& r, std::size_t& peak) : running(r) {
    peak = std::max(peak, ++running);
  }
  ~running_guard() { --running; }
  running_guard(const running_guard&) = delete;
  running_guard& operator=(const running_guard&) = delete;
};

} // namespace

fake_behavior fake_launcher::behavior_for(const task& t) const {
  fake_behavior b;
  if (auto it = behaviors_.find(t.id); it != behaviors_.end()) b = it->second;
  if (!b.duration) b.duration = t.duration.value_or(std::chrono::milliseconds(0));
  if (!b.tokens) b.tokens = t.tokens;
  return b;
}

asio::awaitable<launch_result> fake_launcher::launch(const launch_request& r) {
  const fake_behavior b = behavior_for(r.get());
  ++launches_;
  running_guard guard(running_, peak_running_);
  if (r.on_started) r.on_started({});
  const auto d = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      *b.duration * time_scale_);
  if (d > d.zero()) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
  } else {
    co_await asio::post(asio::use_awaitable);  // an agent never completes inline
  }
  launch_result result;
  result.tokens = b.tokens;
  result.cost_usd = b.cost_usd;
  if (b.fatal) {
    result.status = launch_status::fatal;
    result.exit_code = 1;
    result.message = "Invalid API key (fake)";
  } else if (r.attempt <= b.rate_limits) {
    result.status = launch_status::rate_limited;
    result.message = "rate limited (fake)";
    result.retry_after = b.retry_after;
  } else if (b.failures < 0 || r.attempt - b.rate_limits <= b.failures) {
    result.status = launch_status::failed;
    result.exit_code = 1;
    result.message = "exit 1 (fake failure)";
  } else {
    result.status = launch_status::succeeded;
  }
  if (r.on_output) r.on_output(result.message.empty() ? "ok" : result.message);
  co_return result;
}

} // namespace cohort
