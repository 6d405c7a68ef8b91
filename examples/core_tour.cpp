// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// A tour of cohort's core: one parent task as a scope, whose subtasks run in two waves. Every
// "agent" (a timer standing in for a process here) holds a slot of the global cap, reserves its
// estimated tokens on the token budget, and passes the pacer before it starts. When it ends it
// settles its reservation to what it "used". The program prints each step as it happens.
#include <cohort/cohort.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/core.h>

#include <chrono>
#include <exception>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

struct agent_spec {
  std::string id;
  std::chrono::milliseconds duration;
  std::size_t estimate;  // tokens reserved before the start
  std::size_t used;      // tokens the agent "reports" at the end
};

struct limits {
  cohort::semaphore& slots;   // the global cap on running agents (-j)
  cohort::semaphore& budget;  // the token budget
  cohort::pacer& stagger;     // the minimum interval between two launches
};

const auto start_time = std::chrono::steady_clock::now();

void say(const std::string& what) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start_time);
  fmt::print("{:>6} ms  {}\n", ms.count(), what);
}

asio::awaitable<void> run_agent(const agent_spec& a, limits lim) {
  auto slot = co_await lim.slots.async_acquire(1, asio::use_awaitable);
  auto tokens = co_await lim.budget.async_acquire(a.estimate, asio::use_awaitable);
  co_await lim.stagger.async_wait(asio::use_awaitable);
  say(fmt::format("start   {:<5} (reserved {} tokens, {} slot(s) busy)", a.id, a.estimate,
                  lim.slots.stats().in_use));
  asio::steady_timer work(co_await asio::this_coro::executor, a.duration);
  co_await work.async_wait(asio::use_awaitable);
  tokens.resize(a.used);
  tokens.consume();  // spent for good
  say(fmt::format("done    {:<5} (used {} tokens, {} left in the budget)", a.id, a.used,
                  lim.budget.capacity()));
}

asio::awaitable<void> run_parent(limits lim) {
  const std::vector<std::vector<agent_spec>> waves = {
      {{"1.1", 120ms, 3000, 2100}, {"1.2", 80ms, 2000, 2600}, {"1.3", 60ms, 1500, 900},
       {"1.4", 100ms, 2500, 1800}},
      {{"1.5", 90ms, 4000, 3500}, {"1.6", 50ms, 1000, 700}},
  };
  auto result = co_await cohort::with_scope(
      cohort::scope_policy::fail_fast, [&](cohort::scope& parent) -> asio::awaitable<void> {
        for (std::size_t w = 0; w < waves.size(); ++w) {
          say(fmt::format("wave {} of parent 1: {} subtasks", w + 1, waves[w].size()));
          for (const auto& a : waves[w]) parent.spawn(run_agent(a, lim));
          co_await parent.join();  // the barrier: wave k+1 starts when wave k is over
        }
      });
  say(fmt::format("parent 1 complete: {} subtasks succeeded, {} failed",
                  result.stats.succeeded, result.stats.failed));
}

} // namespace

int main() {
  asio::io_context ctx;  // the application's own loop: cohort owns no thread
  cohort::semaphore slots(ctx.get_executor(), 3);
  cohort::semaphore budget(ctx.get_executor(), 20000);
  cohort::pacer stagger(ctx.get_executor(), 25ms);
  fmt::print("cohort core tour: cap 3 agents, budget 20000 tokens, 25 ms between launches\n");
  std::exception_ptr failure;
  asio::co_spawn(ctx, run_parent({slots, budget, stagger}),
                 [&](std::exception_ptr e) { failure = e; });
  ctx.run();
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      fmt::print(stderr, "error: {}\n", e.what());
      return 1;
    }
  }
  const auto s = budget.stats();
  fmt::print("tokens spent {} of 20000; slots in use at the end: {}\n", s.consumed,
             slots.stats().in_use);
  return s.consumed > 0 && slots.stats().in_use == 0 ? 0 : 1;
}
