// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_EVENT_CHANNEL_HPP
#define COHORT_RUN_EVENT_CHANNEL_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/detail/waiter_queue.hpp>
#include <cohort/core/error.hpp>
#include <cohort/run/events.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include <cstddef>
#include <deque>
#include <mutex>

namespace cohort {

/// A run's events for a reader that pulls them, with any completion token: an alternative to
/// a synchronous observer, with back-pressure.
/**
 * Pass it to `run_plan` as one of the observers, and read with `async_next_event` from any
 * coroutine, callback or future, on any executor:
 *
 * @code
 * cohort::event_channel events(ex);
 * auto run = cohort::async_run_plan(ex, plan, agents, options, {&events}, asio::use_future);
 * for (;;) {
 *   auto [ec, e] = co_await events.async_next_event(asio::as_tuple(asio::use_awaitable));
 *   if (ec) break;  // asio::error::eof: the run finished and every event was read
 *   show(e);
 * }
 * @endcode
 *
 * Every event is kept, in order, until it is read; nothing is dropped. While more than
 * `capacity` events wait, the run starts no new task (observer::lagging): a slow reader slows
 * the run down rather than growing the buffer without end. Agents already running still report
 * (their output lines are queued), so `capacity` bounds what the run starts, not the buffer.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: safe. The run and the readers may be on different
 * executors and threads; the state is guarded by a mutex held only for the bookkeeping, and a
 * handler runs on its associated executor, never inside a call. Several readers waiting at once
 * are served in the order they asked.
 */
class event_channel final : public observer {
public:
  using executor_type = boost::asio::any_io_executor;

  // tag::outline[]
  explicit event_channel(executor_type ex, std::size_t capacity = 1024);
  /// Waiting readers complete with `operation_aborted`; a run waiting for them resumes.
  ~event_channel() override;
  event_channel(const event_channel&) = delete;
  event_channel& operator=(const event_channel&) = delete;

  /// Completes with the next event of the run, the oldest not yet read.
  /**
   * @par Completion signature
   * `void(error_code, event)`
   *
   * @par Errors
   * `boost::asio::error::eof` once `run_finished` has been read (the run will say no more).
   * `boost::asio::error::operation_aborted` when cancelled or when the channel is destroyed.
   *
   * @par Per-operation cancellation
   * `terminal`, `partial` and `total`: a cancelled read takes no event.
   */
  template <class CompletionToken>
  auto async_next_event(CompletionToken&& token);

  std::size_t size() const;  ///< events waiting to be read
  std::size_t capacity() const noexcept { return capacity_; }
  executor_type get_executor() const noexcept { return executor_; }
  // end::outline[]

  void on_event(const event& e) override;
  bool lagging() const noexcept override;
  boost::asio::awaitable<void> until_caught_up() override;

private:
  struct no_data {};
  using reader_queue = detail::waiter_queue<void(error_code, event), no_data>;
  using run_queue = detail::waiter_queue<void(error_code), no_data>;

  void initiate_read(reader_queue::handler_type handler);
  void initiate_wait(run_queue::handler_type handler);
  void deliver(reader_queue::handler_type handler);  // with mutex_ held
  void release_runs();                                // with mutex_ held

  executor_type executor_;
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<event> events_;
  bool finished_ = false;  // run_finished was queued: after it, readers get eof
  reader_queue readers_;
  run_queue runs_;  // runs waiting for the readers to catch up
};

template <class CompletionToken>
auto event_channel::async_next_event(CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(error_code, event)>(
      [this](auto handler) { initiate_read(reader_queue::handler_type(std::move(handler))); }, token);
}

} // namespace cohort

#endif // COHORT_RUN_EVENT_CHANNEL_HPP
