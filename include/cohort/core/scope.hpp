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
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <exception>
#include <list>
#include <string>
#include <utility>
#include <vector>

namespace cohort {

/// What a scope does when a child fails.
enum class scope_policy {
  fail_fast,  ///< the first failure cancels the body and the siblings; all are thrown at the end
  isolate,    ///< a child's failure stops nothing; every outcome is collected
};

/// A snapshot of a scope's children (the body is not counted).
struct scope_stats {
  std::size_t running = 0;    ///< spawned and not finished
  std::size_t succeeded = 0;  ///< returned normally
  std::size_t failed = 0;     ///< threw (anything but a cancellation the scope asked for)
  std::size_t cancelled = 0;  ///< ended by the scope's cancellation
};

/// What `with_scope` returns once every child has finished.
struct scope_result {
  scope_stats stats;
  std::vector<std::exception_ptr> failures;  ///< in the order the children failed
};

/// Thrown by `with_scope` (and `scope::join`) when the scope ended with failures: all of them.
/**
 * The code is `errc::children_failed`; `what()` names the count and the first failure, and
 * `failures()` holds every exception in the order they happened (a body's own error among them).
 * Follow-on errors are not in it: a body's `scope_closed` or cancellation after a child failed.
 */
class scope_error : public system_error {
public:
  explicit scope_error(std::vector<std::exception_ptr> failures);

  /// Every failure, first one first; never empty.
  const std::vector<std::exception_ptr>& failures() const noexcept { return failures_; }
  /// "2 failures in the scope; the first: <its what()>".
  const char* what() const noexcept override { return text_.c_str(); }

private:
  std::vector<std::exception_ptr> failures_;
  std::string text_;
};

/// A structured-concurrency scope (a nursery): the children it spawns never outlive it.
/**
 * A scope is only ever reached through `with_scope`, which opens it, runs a body that spawns
 * children, and completes only when the body and every child have finished: succeeded, failed
 * or been cancelled. The scope owns no thread.
 *
 * These rules of Trio's nursery hold:
 * - No child outlives its scope: `with_scope` completes only once every child has finished.
 * - `spawn` only schedules (Trio's `start_soon`): the child starts in a later turn of the
 *   executor, so nesting costs heap, not stack.
 * - The body is a task of the scope: a failure under `fail_fast` cancels it as well as the
 *   children, and so does `cancel()`.
 * - Cancelling the awaiting coroutine cancels the body and every child, and waits for them.
 * - Every failure is kept and thrown together as one `scope_error`; a body's follow-on error
 *   (`scope_closed`, a cancellation) never replaces a child's.
 * - Once cancelled, the scope takes no new children (`errc::scope_closed`).
 *
 * Cancellation is level-triggered, as in Asio's coroutines: once the scope cancels a child,
 * every later `co_await` in that child throws `operation_aborted`. Cleanup that must wait
 * (reaping a process) shields itself with `this_coro::throw_if_cancelled(false)` and
 * `this_coro::reset_cancellation_state()`.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: unsafe, by design: the body and every child run on
 * the scope's strand (`get_executor()`): the caller's own strand when `with_scope` is awaited on
 * a `boost::asio::strand<any_io_executor>` or `strand<io_context::executor_type>`, a new strand
 * made from the caller's executor otherwise (over the io_context's own executor when it is one:
 * cheaper to copy). So a scope works on a multi-threaded `io_context` or a `thread_pool` with no strand
 * of the user's, and its children never run concurrently with each other. `spawn` from outside
 * the strand throws `errc::wrong_executor`; a `scope&` used after its scope ended,
 * `errc::scope_ended`, in every build (a checked error, not an assertion). `with_scope` stays awaitable-only, as
 * Boost.Cobalt's scopes are: a scope is the lifetime of a coroutine frame.
 */
class scope {
public:
  using executor_type = boost::asio::any_io_executor;

  scope(const scope&) = delete;
  scope& operator=(const scope&) = delete;

  // tag::outline[]
  /// Schedules `child` on the scope's strand; it starts after the caller's next suspension.
  /**
   * @throws system_error with `errc::scope_closed` when the scope has been cancelled (a
   * fail-fast failure, an outside cancellation, `cancel()`); `errc::scope_ended` once the scope
   * has ended; `errc::wrong_executor` when not called on the scope's strand.
   */
  void spawn(boost::asio::awaitable<void> child);

  /// Closes the scope and cancels the body and every child (`cancellation_type::terminal`).
  /// The scope is closed at once; the children are cancelled from the next handler on the
  /// strand (the caller may be one of them). Call it on the scope's strand.
  void cancel() noexcept;

  /// Waits until no child is running. In `fail_fast` it throws `scope_error` if any failed.
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
  /// The scope's strand, on which the body and every child run.
  executor_type get_executor() const noexcept { return executor_; }
  // end::outline[]

private:
  template <class Body>
  friend boost::asio::awaitable<scope_result> with_scope(scope_policy, Body);

  using child_list = std::list<detail::scope_child>;

  scope(executor_type strand, scope_policy policy);
  ~scope();

  void check_usable() const;
  // Called where no child runs (a completion handler, close()): emits at once.
  void cancel_now() noexcept;
  void request_cancel() noexcept;
  void emit_cancellations() noexcept;
  void start_body(boost::asio::awaitable<void> body);
  void start(child_list::iterator child, boost::asio::awaitable<void> task);
  void on_done(child_list::iterator child, std::exception_ptr e) noexcept;
  bool follows_on(const detail::scope_child& body, const std::exception_ptr& e) const noexcept;
  // Waits for the body and every child; cancels them if the caller is cancelled. Must be
  // awaited with throw_if_cancelled off; puts the caller's flag back before returning.
  boost::asio::awaitable<scope_result> close(bool throw_if_cancelled);
  boost::asio::awaitable<void> wait_idle();
  void reap() noexcept;
  child_list::iterator new_child();

  static constexpr unsigned live = 0x5c09e11eu;
  unsigned alive_ = live;  // cleared by the destructor: a dangling scope& is caught while the
                           // memory is still ours (and by ASan after)
  executor_type executor_;
  scope_policy policy_;
  bool closed_ = false;
  bool ended_ = false;
  scope_stats stats_;
  std::vector<std::exception_ptr> failures_;
  // running_ children (and the body) live in children_; finished ones move to finished_ (splice:
  // the node and its signal keep their address), outside the completion handler that co_spawn
  // is still running when on_done is called; a later spawn takes one back for its child, and
  // reap() destroys those left.
  child_list children_;
  child_list finished_;
  bool body_running_ = false;
  bool emit_pending_ = false;  // cancel() posted the handler that emits the cancellations
  // Never expires; cancel() on it wakes whoever waits for the scope to become idle.
  boost::asio::steady_timer idle_;
};

namespace detail {

/// True when `ex` is a strand a scope can use as its own (then it is reused, not wrapped).
bool is_scope_strand(const boost::asio::any_io_executor& ex) noexcept;
/// A new strand over `ex`.
boost::asio::any_io_executor make_scope_strand(const boost::asio::any_io_executor& ex);

} // namespace detail

/// Opens a scope, runs `body(scope&)` in it, and completes when the body and every child have
/// finished.
/**
 * `body` is a callable taking `scope&` and returning `boost::asio::awaitable<void>`; it is kept
 * alive until the scope ends, so a lambda's captures are safe to use in it.
 *
 * - `fail_fast`: the first failing child cancels the body and its siblings; once all are
 *   joined, `scope_error` is thrown with every failure.
 * - `isolate`: a child's failure stops nothing; the result lists every failure.
 *
 * If the body throws, the children are cancelled and joined, then `scope_error` is thrown with
 * the body's exception among the failures. If the awaiting coroutine is cancelled, the body
 * and every child are cancelled and joined, then `operation_aborted` is thrown (or
 * `scope_error`, if something failed). In every case nothing of the scope runs when this
 * completes.
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
  auto ex = co_await boost::asio::this_coro::executor;
  if (!detail::is_scope_strand(ex)) {
    // Move onto a strand of our own; co_spawn forwards the caller's cancellation to it.
    co_return co_await boost::asio::co_spawn(detail::make_scope_strand(ex),
                                             with_scope(policy, std::move(body)),
                                             boost::asio::use_awaitable);
  }
  scope s(std::move(ex), policy);
  s.start_body(body(s));
  // Shield the join: once the coroutine is cancelled, awaiting anything throws at once (even
  // awaiting close() itself), which would destroy the scope under running children.
  const bool throw_if_cancelled = co_await boost::asio::this_coro::throw_if_cancelled();
  co_await boost::asio::this_coro::throw_if_cancelled(false);
  co_return co_await s.close(throw_if_cancelled);
}

/// `with_scope(scope_policy::fail_fast, body)`.
template <class Body>
[[nodiscard]] boost::asio::awaitable<scope_result> with_scope(Body body) {
  return with_scope(scope_policy::fail_fast, std::move(body));
}

} // namespace cohort

#endif // COHORT_CORE_SCOPE_HPP
