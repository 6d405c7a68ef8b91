// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_PACER_HPP
#define COHORT_CORE_PACER_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include <chrono>
#include <cstddef>
#include <memory>

namespace cohort {

namespace detail {
struct pacer_state;
}

/// Lets at most one caller through per interval: the staggered launch.
/**
 * Callers are let through by priority (higher first; the default is 0), and in the order they
 * arrived within one priority. The first caller after a quiet spell goes
 * at once; each next one goes `interval()` after the one before it. A cancelled caller leaves the
 * queue and takes no turn. Changing the interval applies to every caller still waiting.
 *
 * Acquire the semaphore permit first and pass the pacer second: the other order lets a burst of
 * launches through at the moment permits come free.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: safe. Every member function may be used from any
 * thread, so one pacer can stagger several runs on different strands or threads. Its state is
 * guarded by a mutex held only for the bookkeeping (never while a handler runs); handlers run
 * on their associated executor, never inside a call. A waiter's cancellation must be emitted
 * from that waiter's own executor, as for every Asio operation.
 */
class pacer {
public:
  using executor_type = boost::asio::any_io_executor;
  using clock_type = std::chrono::steady_clock;
  using duration = clock_type::duration;

  // tag::outline[]
  pacer(executor_type ex, duration interval);
  /// Waiting callers complete with `operation_aborted`.
  ~pacer();
  pacer(const pacer&) = delete;
  pacer& operator=(const pacer&) = delete;

  /// Waits for this caller's turn.
  /**
   * The handler is called exactly once, never from inside this call.
   *
   * @par Completion signature
   * `void(error_code)`
   *
   * @par Errors
   * `boost::asio::error::operation_aborted` when cancelled or when the pacer is destroyed.
   *
   * @par Per-operation cancellation
   * `terminal`, `partial` and `total`: a cancelled caller takes no turn.
   */
  template <class CompletionToken>
  auto async_wait(CompletionToken&& token);
  /// Waits for this caller's turn, behind every waiter of equal or higher `priority`.
  template <class CompletionToken>
  auto async_wait(int priority, CompletionToken&& token);

  /// Takes the turn if it is free now and nobody waits; never waits.
  bool try_wait();

  duration interval() const noexcept;
  /// Applies at once, also to the callers already waiting. A negative interval is an error.
  void set_interval(duration interval);
  std::size_t waiters() const noexcept;
  executor_type get_executor() const noexcept;
  // end::outline[]

private:
  using handler_type = boost::asio::any_completion_handler<void(error_code)>;
  void initiate(int priority, handler_type handler);

  // Shared with the timer's completion handler, which may run after the pacer is gone.
  std::shared_ptr<detail::pacer_state> state_;
};

template <class CompletionToken>
auto pacer::async_wait(CompletionToken&& token) {
  return async_wait(0, std::forward<CompletionToken>(token));
}

template <class CompletionToken>
auto pacer::async_wait(int priority, CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(error_code)>(
      [this, priority](auto handler) { initiate(priority, handler_type(std::move(handler))); },
      token);
}

} // namespace cohort

#endif // COHORT_CORE_PACER_HPP
