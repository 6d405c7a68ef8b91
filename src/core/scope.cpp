// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/core/scope.hpp>

#include "core/exception_text.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cohort {
namespace asio = boost::asio;

using detail::is_cancellation;

scope::scope(executor_type ex, scope_policy policy)
    : executor_(std::move(ex)), policy_(policy), idle_(executor_, asio::steady_timer::time_point::max()) {}

// A scope is only destroyed with children still running when its executor is torn down with the
// with_scope coroutine suspended (the io_context is destroyed or stopped for good). Their
// completion handlers are then destroyed without running, so nothing refers back to us.
scope::~scope() = default;

void scope::spawn(asio::awaitable<void> child) {
  if (closed_) throw system_error(errc::scope_closed, "cohort::scope::spawn");
  reap();
  auto it = children_.emplace(children_.end());
  ++stats_.running;
  asio::co_spawn(executor_, std::move(child),
                 asio::bind_cancellation_slot(it->signal.slot(), [this, it](std::exception_ptr e) {
                   on_child_done(it, std::move(e));
                 }));
}

void scope::cancel() noexcept {
  closed_ = true;
  for (auto& child : children_) {
    if (child.cancel_requested) continue;
    child.cancel_requested = true;
    child.signal.emit(asio::cancellation_type::terminal);
  }
}

void scope::on_child_done(std::list<detail::scope_child>::iterator child,
                          std::exception_ptr e) noexcept {
  --stats_.running;
  const bool cancelled_by_us = child->cancel_requested;
  finished_.splice(finished_.end(), children_, child);
  if (!e) {
    ++stats_.succeeded;
  } else if (cancelled_by_us && is_cancellation(e)) {
    ++stats_.cancelled;
  } else {
    ++stats_.failed;
    failures_.push_back(std::move(e));
    if (policy_ == scope_policy::fail_fast) cancel();
  }
  if (stats_.running == 0) idle_.cancel();
}

void scope::reap() noexcept { finished_.clear(); }

asio::awaitable<void> scope::wait_idle() {
  while (stats_.running > 0) co_await idle_.async_wait(asio::as_tuple(asio::use_awaitable));
  reap();
}

asio::awaitable<void> scope::join() {
  co_await wait_idle();
  if (policy_ == scope_policy::fail_fast && !failures_.empty()) {
    std::rethrow_exception(failures_.front());
  }
}

asio::awaitable<scope_result> scope::close(std::exception_ptr body_error,
                                           bool throw_if_cancelled) {
  // Shielded (with_scope turned throw_if_cancelled off): a cancelled coroutine would otherwise
  // throw at every co_await below and leave children running that refer to this scope. The flag
  // belongs to the whole coroutine chain, so it is put back before returning.
  if (body_error) cancel();
  bool aborted = false;
  for (;;) {
    asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) {
      aborted = true;
      cancel();
      co_await asio::this_coro::reset_cancellation_state();
    }
    if (stats_.running == 0) break;
    co_await idle_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  closed_ = true;
  reap();
  co_await asio::this_coro::throw_if_cancelled(throw_if_cancelled);
  if (body_error) std::rethrow_exception(body_error);
  if (aborted) throw system_error(asio::error::operation_aborted, "cohort::with_scope");
  if (policy_ == scope_policy::fail_fast && !failures_.empty()) {
    std::rethrow_exception(failures_.front());
  }
  co_return scope_result{stats_, failures_};
}

} // namespace cohort
