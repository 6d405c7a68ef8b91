// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// Core primitive benchmarks. Prints ns per operation; run a Release build:
//   cohort_bench_core            full counts
//   cohort_bench_core --quick    small counts (the CTest smoke run)
#include <cohort/cohort.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/core.h>

#include <chrono>
#include <cstring>
#include <exception>
#include <functional>

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

namespace {

// Runs `body` on a fresh io_context; returns the wall time in ns.
double time_ns(const std::function<asio::awaitable<void>()>& body) {
  asio::io_context ctx;
  std::exception_ptr failure;
  const auto t0 = clock_type::now();
  asio::co_spawn(ctx, body(), [&](std::exception_ptr e) { failure = e; });
  ctx.run();
  const auto t1 = clock_type::now();
  if (failure) std::rethrow_exception(failure);
  return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

void report(const char* what, std::size_t ops, double ns) {
  fmt::print("{:<52} {:>10} ops {:>10.1f} ns/op {:>12.0f} ops/s\n", what, ops, ns / ops,
             ops / (ns * 1e-9));
}

asio::awaitable<void> noop() { co_return; }

void spawn_join(std::size_t n) {
  const double ns = time_ns([n]() -> asio::awaitable<void> {
    (void)co_await cohort::with_scope([n](cohort::scope& s) -> asio::awaitable<void> {
      for (std::size_t i = 0; i < n; ++i) s.spawn(noop());
      co_return;
    });
  });
  report("scope: spawn + join of no-op children", n, ns);
}

void uncontended(std::size_t n) {
  const double ns = time_ns([n]() -> asio::awaitable<void> {
    cohort::semaphore sem(co_await asio::this_coro::executor, 1);
    for (std::size_t i = 0; i < n; ++i) {
      auto p = co_await sem.async_acquire(1, asio::use_awaitable);
    }
  });
  report("semaphore: async_acquire+release, uncontended", n, ns);
}

void try_acquire(std::size_t n) {
  const double ns = time_ns([n]() -> asio::awaitable<void> {
    cohort::semaphore sem(co_await asio::this_coro::executor, 1);
    for (std::size_t i = 0; i < n; ++i) {
      auto p = sem.try_acquire(1);
    }
    co_return;
  });
  report("semaphore: try_acquire+release", n, ns);
}

// `waiters` coroutines each acquire and release `rounds` times on a capacity-1 semaphore, so
// every acquisition waits behind the others: pairs/s with that many waiters queued.
void contended(std::size_t waiters, std::size_t rounds) {
  const double ns = time_ns([=]() -> asio::awaitable<void> {
    cohort::semaphore sem(co_await asio::this_coro::executor, 1);
    (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
      for (std::size_t w = 0; w < waiters; ++w) {
        s.spawn([](cohort::semaphore& shared, std::size_t turns) -> asio::awaitable<void> {
          for (std::size_t r = 0; r < turns; ++r) {
            auto p = co_await shared.async_acquire(1, asio::use_awaitable);
            co_await asio::post(asio::use_awaitable);  // hold it across a turn
          }
        }(sem, rounds));
      }
      co_return;
    });
  });
  report(fmt::format("semaphore: acquire+release, {} waiters", waiters).c_str(), waiters * rounds,
         ns);
}

} // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const std::size_t scale = quick ? 100 : 1;
  spawn_join(1'000'000 / scale);
  uncontended(1'000'000 / scale);
  try_acquire(10'000'000 / scale);
  contended(1'000, 1'000 / scale);
  return 0;
}
