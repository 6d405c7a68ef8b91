// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_DETAIL_WAITER_QUEUE_HPP
#define COHORT_CORE_DETAIL_WAITER_QUEUE_HPP

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <utility>

namespace cohort::detail {

// The waiters of a semaphore or a pacer: by priority, highest first, FIFO within one (a multimap
// inserts at the end of equal keys), O(log n) each. A waiter is shared with its cancellation
// handler, which may run after the waiter left the queue (granted on another thread): `queued`
// tells. Not locked itself: the owner calls every member with its own mutex held, except
// `make` (the handler is still the caller's alone) and the posted completion.
template <class Signature, class Data>
class waiter_queue {
public:
  using handler_type = boost::asio::any_completion_handler<Signature>;
  struct waiter;
  using pointer = std::shared_ptr<waiter>;
  using list_type = std::multimap<int, pointer, std::greater<>>;

  struct waiter {
    Data data;
    handler_type handler;
    typename list_type::iterator position{};
    bool queued = false;  // in the queue; false once through, failed or cancelled
  };

  // A waiter whose cancellation calls `on_cancel(pointer)` (on the waiter's executor, where
  // the cancellation is emitted). The slot is assigned before the waiter is queued: once it is,
  // another thread may take its handler.
  template <class OnCancel>
  static pointer make(Data data, handler_type handler, OnCancel on_cancel) {
    auto w = std::make_shared<waiter>(waiter{std::move(data), std::move(handler)});
    auto slot = w->handler.get_cancellation_slot();
    if (slot.is_connected()) {
      slot.assign([w, on_cancel = std::move(on_cancel)](boost::asio::cancellation_type) { on_cancel(w); });
    }
    return w;
  }

  void push(int priority, const pointer& w) {
    w->position = list_.emplace(priority, w);
    w->queued = true;
  }

  bool empty() const noexcept { return list_.empty(); }
  std::size_t size() const noexcept { return list_.size(); }
  waiter& front() noexcept { return *list_.begin()->second; }

  // The head leaves the queue; its handler is returned.
  handler_type pop_front() {
    waiter& head = front();
    head.queued = false;
    handler_type h = std::move(head.handler);
    list_.erase(list_.begin());
    return h;
  }

  // Takes a cancelled waiter out and completes it with `operation_aborted` (posted, as
  // `complete`). Returns whether it was the head: the ones behind it may now go. Nothing when
  // it already left (its completion is on its way). (The handler is moved into a new object:
  // Boost 1.81's any_completion_handler move assignment crashes.)
  bool cancel(const pointer& w, const boost::asio::any_io_executor& ex) {
    if (!w->queued) return false;
    w->queued = false;
    const bool was_head = w->position == list_.begin();
    list_.erase(w->position);
    complete(ex, handler_type(std::move(w->handler)), &abort);
    return was_head;
  }

  // Every waiter leaves, completed with `operation_aborted` (the owner is going away).
  void abort_all(const boost::asio::any_io_executor& ex) { complete_all(ex, &abort); }

  // Every waiter leaves, each completed by `call`.
  template <class Call>
  void complete_all(const boost::asio::any_io_executor& ex, Call call) {
    for (auto& entry : list_) {
      entry.second->queued = false;
      entry.second->handler.get_cancellation_slot().clear();
      complete(ex, std::move(entry.second->handler), call);
    }
    list_.clear();
  }

  // Calls `call(handler)` from a handler posted to `ex` and run on the handler's associated
  // executor: never inside the caller's call (a mutex is held), and the cancellation slot is
  // cleared there, where it is emitted. A handler destroyed unrun (its executor shut down) never
  // runs `call`.
  template <class Call>
  static void complete(const boost::asio::any_io_executor& ex, handler_type handler, Call call) {
    auto target = boost::asio::get_associated_executor(handler, ex);
    boost::asio::post(ex, boost::asio::bind_executor(
                              target, [h = std::move(handler), call = std::move(call)]() mutable {
                                h.get_cancellation_slot().clear();
                                call(std::move(h));
                              }));
  }

private:
  // The handler called with `operation_aborted` and empty values (`permit()`, `event{}`).
  static void abort(handler_type h) { aborted<Signature>::call(std::move(h)); }

  template <class S>
  struct aborted;
  template <class... Values>
  struct aborted<void(boost::system::error_code, Values...)> {
    static void call(handler_type h) { std::move(h)(boost::asio::error::operation_aborted, Values{}...); }
  };

  list_type list_;
};

} // namespace cohort::detail

#endif // COHORT_CORE_DETAIL_WAITER_QUEUE_HPP
