// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// Orchestration written by hand, no plan file: cohort's primitives used directly as coroutines.
// A "review" of four modules: first an agent per module writes a draft (at most two at once,
// launches 30 ms apart), then - once every draft is in - one agent per module reviews it, in a
// second wave; a fail-fast scope stops everything if an agent fails. Each agent is a real
// process (cohort-sim-agent), started with run_process: argv only, own process group, output
// streamed line by line.
//
//   cohort_example_custom path/to/cohort-sim-agent
#include <cohort/core/pacer.hpp>
#include <cohort/process/process.hpp>
#include <cohort/core/scope.hpp>
#include <cohort/core/semaphore.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/core.h>

#include <chrono>
#include <exception>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

struct crew {
  std::string agent;        // the program every step runs
  cohort::semaphore& slots; // at most two agents at once
  cohort::pacer& stagger;   // launches 30 ms apart
  int lines = 0;            // output lines seen
  int runs = 0;
};

// One agent: a slot, a turn of the pacer, then the process. Throws when it fails (fail-fast).
asio::awaitable<void> step(crew& c, std::string what, std::string module) {
  auto slot = co_await c.slots.async_acquire(1, asio::use_awaitable);
  co_await c.stagger.async_wait(asio::use_awaitable);
  cohort::process_options o;
  o.argv = {c.agent, "--sleep", "80", "--progress", "2"};
  o.environment["MODULE"] = module;
  o.on_line = [&c](const cohort::output_line&) { ++c.lines; };
  const auto start = std::chrono::steady_clock::now();
  const cohort::process_result r = co_await cohort::run_process(std::move(o));
  ++c.runs;
  fmt::print("  {} {:<8} {} in {} ms\n", what, module, cohort::describe(r),
             std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
  if (!r.success()) throw std::runtime_error(what + " " + module + " failed: " + cohort::describe(r));
}

asio::awaitable<void> review(crew& c) {
  const std::vector<std::string> modules{"parser", "lexer", "codegen", "runtime"};
  co_await cohort::with_scope(cohort::scope_policy::fail_fast, [&](cohort::scope& s) -> asio::awaitable<void> {
    fmt::print("wave 1: drafts\n");
    for (const auto& m : modules) s.spawn(step(c, "draft ", m));
    co_await s.join();  // the barrier between the waves
    fmt::print("wave 2: reviews\n");
    for (const auto& m : modules) s.spawn(step(c, "review", m));
  });
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: cohort_example_custom path/to/cohort-sim-agent\n");
    return 2;
  }
  asio::io_context ctx;
  cohort::semaphore slots(ctx.get_executor(), 2);
  cohort::pacer stagger(ctx.get_executor(), 30ms);
  crew c{argv[1], slots, stagger};
  std::exception_ptr failure;
  asio::co_spawn(ctx, review(c), [&](std::exception_ptr e) { failure = e; });
  ctx.run();
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      fmt::print(stderr, "review failed: {}\n", e.what());
    }
    return 1;
  }
  fmt::print("8 agents ran ({} counted), 2 at most at once, {} output lines\n", c.runs, c.lines);
  return c.runs == 8 && c.lines == 16 ? 0 : 1;
}
