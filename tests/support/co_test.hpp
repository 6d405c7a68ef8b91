// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_TESTS_SUPPORT_CO_TEST_HPP
#define COHORT_TESTS_SUPPORT_CO_TEST_HPP

// CO_TEST_CASE(name, decorators...) { ... co_await ...; }
//
// Declares a Boost.Test case whose body is a coroutine. The body runs on a fresh io_context
// (single-threaded, like cohort's users), and must finish within the hang limit: a hang is a
// failure with a message, never a stuck CI. An exception escaping the body fails the test.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <optional>

namespace cohort::test {

/// How long a coroutine test may run before it counts as hung (a hang guard, not a speed check:
/// five times as long in a sanitized build, where everything, the agents too, runs many times
/// slower).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr std::chrono::seconds hang_limit{100};
#else
inline constexpr std::chrono::seconds hang_limit{20};
#endif

/// Runs `body` to completion on a fresh io_context; rethrows what it threw.
inline void run_coroutine(std::function<boost::asio::awaitable<void>()> body,
                          std::chrono::steady_clock::duration limit = hang_limit) {
  boost::asio::io_context ctx;
  std::optional<std::exception_ptr> outcome;
  boost::asio::co_spawn(ctx, body(), [&](std::exception_ptr e) { outcome = e; });
  ctx.run_for(limit);
  BOOST_REQUIRE_MESSAGE(outcome.has_value(), "the coroutine test did not finish (hang limit)");
  if (*outcome) std::rethrow_exception(*outcome);
}

} // namespace cohort::test

#define CO_TEST_CASE(name, ...)                                     \
  static ::boost::asio::awaitable<void> name##_body();              \
  BOOST_AUTO_TEST_CASE(name __VA_OPT__(, ) __VA_ARGS__) {           \
    ::cohort::test::run_coroutine(&name##_body);                    \
  }                                                                 \
  static ::boost::asio::awaitable<void> name##_body()

#endif // COHORT_TESTS_SUPPORT_CO_TEST_HPP
