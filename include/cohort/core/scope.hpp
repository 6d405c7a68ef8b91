// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_SCOPE_HPP
#define COHORT_CORE_SCOPE_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/detail/scope_child.hpp>
#include <cohort/core/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <cstddef>
#include <exception>
#include <list>
#include <utility>
#include <vector>

namespace cohort {

/// What a scope does when a child fails.
enum class scope_policy {
  fail_fast,  ///< the first failure cancels the siblings; it is rethrown once all are joined
  isolate,    ///< a failure stops nothing; every outcome is collected
};

/// A snapshot of a scope's children.
struct scope_stats {
  std::size_t running = 0;    ///< started and not finished
  std::size_t succeeded = 0;  ///< returned normally
  std::size_t failed = 0;     ///< threw (anything but a cancellation the scope asked for)
  std::size_t cancelled = 0;  ///< ended by the scope's cancellation
};

/// What `with_scope` returns once every child has finished.
struct scope_result {
  scope_stats stats;
  std::vector<std::exception_ptr> failures;  ///< in the order the children failed
};

/// A structured-concurrency scope (a nursery): the children it spawns never outlive it.
/**
 * A scope is only ever reached through `with_scope`, which opens it, runs a body that spawns
 * children, and completes only when every child has finished: succeeded, failed or been
 * cancelled. Children run on the scope's executor, which is the executor of the coroutine that
 * called `with_scope`; the scope owns no thread.
 *
 * Cancellation is level-triggered, as in Asio's coroutines: once the scope cancels a child,
 * every later `co_await` in that child throws `operation_aborted`. Cleanup that must wait
 * (reaping a process) shields itself with `this_coro::throw_if_cancelled(false)` and
 * `this_coro::reset_cancellation_state()`.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: unsafe; use a scope from its executor only.
 */
class scope {
public:
  using executor_type = boost::asio::any_io_executor;

  scope(const scope&) = delete;
  scope& operator=(const scope&) = delete;

  // tag::outline[]
  /// Starts `child` on the scope's executor. Its outcome is recorded when it finishes.
  /**
   * @throws system_error with `errc::scope_closed` when the scope has been cancelled (a
   * fail-fast failure, an outside cancellation, `cancel()`) or has finished.
   */
  void spawn(boost::asio::awaitable<void> child);

  /// Cancels every running child (`cancellation_type::terminal`) and closes the scope.
  void cancel() noexcept;

  /// Waits until no child is running. In `fail_fast` it rethrows the first failure, if any.
  /**
   * Lets a body run its children in batches (waves): spawn, join, spawn, join. Cancelling the
   * caller makes `join` throw `operation_aborted`; `with_scope` then cancels and joins the rest.
   * A child must not join its own scope (it would wait for itself).
   */
  [[nodiscard]] boost::asio::awaitable<void> join();

  bool is_closed() const noexcept { return closed_; }
  scope_policy policy() const noexcept { return policy_; }
  scope_stats stats() const noexcept { return stats_; }
  /// Every failure so far, first one first.
  const std::vector<std::exception_ptr>& failures() const noexcept { return failures_; }
  executor_type get_executor() const noexcept { return executor_; }
  // end::outline[]

private:
  template <class Body>
  friend boost::asio::awaitable<scope_result> with_scope(scope_policy, Body);

  scope(executor_type ex, scope_policy policy);
  ~scope();

  // Cancels (if the body failed or the caller was cancelled), joins every child, then restores
  // the caller's throw_if_cancelled flag and reports. Must be awaited with that flag off.
  boost::asio::awaitable<scope_result> close(std::exception_ptr body_error,
                                             bool throw_if_cancelled);
  boost::asio::awaitable<void> wait_idle();
  void on_child_done(std::list<detail::scope_child>::iterator child, std::exception_ptr e) noexcept;
  void reap() noexcept;

  executor_type executor_;
  scope_policy policy_;
  bool closed_ = false;
  scope_stats stats_;
  std::vector<std::exception_ptr> failures_;
  // running_ children live in children_; finished ones move to finished_ (splice: the node and
  // its signal keep their address) and are destroyed later by reap(), outside the completion
  // handler that co_spawn is still running when on_child_done is called.
  std::list<detail::scope_child> children_;
  std::list<detail::scope_child> finished_;
  // Never expires; cancel() on it wakes whoever waits for stats_.running to reach 0.
  boost::asio::steady_timer idle_;
};

/// Opens a scope, runs `body(scope&)` in it, and completes when every child has finished.
/**
 * `body` is a callable taking `scope&` and returning `boost::asio::awaitable<void>`.
 *
 * - `fail_fast`: the first failing child cancels its siblings; once all are joined, the first
 *   exception is rethrown (the others are in `scope::failures()` while the body runs).
 * - `isolate`: a failure stops nothing; the result lists every failure.
 *
 * If the body throws, the children are cancelled and joined, then the body's exception is
 * rethrown. If the awaiting coroutine is cancelled, every child is cancelled and joined, then
 * `operation_aborted` is thrown. In every case no child is running when this completes.
 *
 * @par Example
 * @code
 * co_await cohort::with_scope(cohort::scope_policy::fail_fast,
 *     [&](cohort::scope& s) -> asio::awaitable<void> {
 *       s.spawn(fetch("a"));
 *       s.spawn(fetch("b"));
 *       co_return;
 *     });
 * @endcode
 */
template <class Body>
[[nodiscard]] boost::asio::awaitable<scope_result> with_scope(scope_policy policy, Body body) {
  scope s(co_await boost::asio::this_coro::executor, policy);
  std::exception_ptr body_error;
  try {
    co_await body(s);
  } catch (...) {
    body_error = std::current_exception();
  }
  // Shield the join: once the coroutine is cancelled, awaiting anything throws at once (even
  // awaiting close() itself), which would destroy the scope under running children.
  const bool throw_if_cancelled = co_await boost::asio::this_coro::throw_if_cancelled();
  co_await boost::asio::this_coro::throw_if_cancelled(false);
  co_return co_await s.close(std::move(body_error), throw_if_cancelled);
}

/// `with_scope(scope_policy::fail_fast, body)`.
template <class Body>
[[nodiscard]] boost::asio::awaitable<scope_result> with_scope(Body body) {
  return with_scope(scope_policy::fail_fast, std::move(body));
}

} // namespace cohort

#endif // COHORT_CORE_SCOPE_HPP
