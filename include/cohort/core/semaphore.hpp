// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_SEMAPHORE_HPP
#define COHORT_CORE_SEMAPHORE_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/error.hpp>
#include <cohort/core/detail/waiter_queue.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace cohort {

/// A snapshot of a semaphore.
struct semaphore_stats {
  std::size_t capacity = 0;   ///< units the semaphore can grant (shrinks as permits are consumed)
  std::size_t in_use = 0;     ///< units held by permits (may exceed capacity after a resize)
  std::size_t available = 0;  ///< capacity - in_use, or 0
  std::size_t waiters = 0;    ///< acquisitions waiting
  std::size_t consumed = 0;   ///< units given up for good through permit::consume()
};

/// A weighted, first-come first-served asynchronous semaphore.
/**
 * Callers acquire `n` units and receive a move-only `permit` that gives them back when it is
 * destroyed. Waiters are served strictly in order — by priority, then by arrival — and only the
 * head of the queue is ever a candidate: a large request at the head blocks smaller ones behind
 * it, so a large request is never starved by a stream of small ones (no barging).
 *
 * It doubles as a token budget: a permit reserves an estimate, `permit::resize` settles it to the
 * amount really used, and `permit::consume` spends the units for good, so they leave the capacity.
 *
 * The semaphore must outlive its outstanding operations and permits (as any Asio I/O object).
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: safe. Every member function and every `permit` may
 * be used from any thread, so one semaphore can cap several runs on different strands or
 * threads. Its state is guarded by a mutex held only for the bookkeeping (never while a
 * handler runs); handlers run on their associated executor, never inside a call.
 * A waiter's cancellation must be emitted from that waiter's own executor, as for every Asio
 * operation.
 */
class semaphore {
public:
  class permit;
  using executor_type = boost::asio::any_io_executor;

  // tag::outline[]
  semaphore(executor_type ex, std::size_t capacity);
  /// Pending acquisitions complete with `operation_aborted`.
  ~semaphore();
  semaphore(const semaphore&) = delete;
  semaphore& operator=(const semaphore&) = delete;

  /// Takes `n` units if they are free now and nobody waits; never waits.
  std::optional<permit> try_acquire(std::size_t n = 1);

  /// Waits for `n` units, behind every waiter of equal or higher priority. (1) priority 0; (2) given.
  /**
   * The handler is called exactly once, never from inside this call.
   *
   * @par Completion signature
   * `void(error_code, permit)`
   *
   * @par Errors
   * `errc::exceeds_capacity` when `n > capacity()`: at once, or as soon as consumed permits make
   * the capacity smaller than `n`. `boost::asio::error::operation_aborted` when cancelled or when
   * the semaphore is destroyed.
   *
   * @par Per-operation cancellation
   * `terminal`, `partial` and `total`: a cancelled wait leaves the semaphore as it was, and the
   * waiters behind it move up.
   */
  template <class CompletionToken>
  auto async_acquire(std::size_t n, CompletionToken&& token);                // (1)
  template <class CompletionToken>
  auto async_acquire(std::size_t n, int priority, CompletionToken&& token);  // (2)

  std::size_t capacity() const noexcept;
  std::size_t available() const noexcept;
  semaphore_stats stats() const noexcept;
  executor_type get_executor() const noexcept { return executor_; }
  // end::outline[]

private:
  using handler_type = boost::asio::any_completion_handler<void(error_code, permit)>;
  // Each waiter carries the units it waits for.
  using waiter_queue = detail::waiter_queue<void(error_code, permit), std::size_t>;

  void initiate(std::size_t n, int priority, handler_type handler);
  void cancel_waiter(const waiter_queue::pointer& w);
  void complete(handler_type handler, error_code ec, std::size_t n);
  void release(std::size_t n) noexcept;
  bool grow(std::size_t n, bool overdraw) noexcept;
  void consume(std::size_t n) noexcept;
  void pump() noexcept;  // with mutex_ held
  std::size_t available_locked() const noexcept { return capacity_ > in_use_ ? capacity_ - in_use_ : 0; }

  executor_type executor_;
  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::size_t in_use_ = 0;   // may exceed capacity_ only after a permit grew by overdraw
  std::size_t consumed_ = 0;
  // Ordered by priority (higher first), then by arrival. Invariant: the head is the only waiter
  // that may be granted; it is granted as soon as it fits (pump() runs after every change).
  waiter_queue waiters_;
};

/// Units held from a semaphore; gives them back when destroyed. Move-only. Empty when
/// default-constructed or moved from.
class semaphore::permit {
public:
  permit() noexcept = default;
  permit(permit&& other) noexcept;
  permit& operator=(permit&& other) noexcept;
  ~permit();

  // tag::outline[]
  std::size_t size() const noexcept { return size_; }
  explicit operator bool() const noexcept { return owner_ != nullptr; }

  /// Gives every unit back now; the permit becomes empty.
  void release() noexcept;
  /// Shrinks (gives the difference back) or grows to `n`. Growing never waits: the units are
  /// taken even if that overdraws the semaphore, which then grants nothing until it recovers.
  /// This is how an estimate is settled to what was really used.
  void resize(std::size_t n) noexcept;
  /// Like `resize`, but growing only succeeds if the units are free now and nobody waits.
  bool try_resize(std::size_t n) noexcept;
  /// The units are spent for good: they leave the semaphore's capacity. The permit becomes empty.
  void consume() noexcept;
  // end::outline[]

private:
  friend class semaphore;
  permit(semaphore& owner, std::size_t n) noexcept : owner_(&owner), size_(n) {}

  semaphore* owner_ = nullptr;
  std::size_t size_ = 0;
};

} // namespace cohort

#include <cohort/core/impl/semaphore.hpp>

#endif // COHORT_CORE_SEMAPHORE_HPP
