// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/core/scope.hpp>

#include "core/exception_text.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <string>

namespace cohort {
namespace asio = boost::asio;

using detail::is_cancellation;

namespace {

// A scope's strand: over the io_context's own executor when the caller's is one (a copy then
// fits any_io_executor's small buffer: no allocation per handler), else over whatever it is.
using context_strand = asio::strand<asio::io_context::executor_type>;
using scope_strand = asio::strand<asio::any_io_executor>;

bool in_scope_strand(const asio::any_io_executor& ex) noexcept {
  if (const auto* s = ex.target<context_strand>()) return s->running_in_this_thread();
  if (const auto* s = ex.target<scope_strand>()) return s->running_in_this_thread();
  return false;
}

std::string scope_error_text(const std::vector<std::exception_ptr>& failures) {
  std::string text = failures.size() == 1 ? std::string("1 failure")
                                          : std::to_string(failures.size()).append(" failures");
  text.append(" in the scope; the first: ");
  if (!failures.empty()) text.append(detail::describe(failures.front()));
  return text;
}

bool is_code(const std::exception_ptr& e, error_code code) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const system_error& se) {
    return se.code() == code;
  } catch (...) {
    return false;
  }
}

} // namespace

scope_error::scope_error(std::vector<std::exception_ptr> failures)
    : system_error(errc::children_failed, scope_error_text(failures)),
      failures_(std::move(failures)), text_(scope_error_text(failures_)) {}

namespace detail {

bool is_scope_strand(const asio::any_io_executor& ex) noexcept {
  return ex.target<context_strand>() != nullptr || ex.target<scope_strand>() != nullptr;
}

asio::any_io_executor make_scope_strand(const asio::any_io_executor& ex) {
  if (const auto* context = ex.target<asio::io_context::executor_type>()) return asio::make_strand(*context);
  return asio::make_strand(ex);
}

} // namespace detail

scope::scope(executor_type strand, scope_policy policy)
    : executor_(std::move(strand)), policy_(policy),
      idle_(executor_, asio::steady_timer::time_point::max()) {}

// A scope is only destroyed with children still running when its executor is torn down with the
// with_scope coroutine suspended (the io_context is destroyed or stopped for good). Their
// completion handlers are then destroyed without running, so nothing refers back to us.
scope::~scope() { alive_ = 0; }

void scope::check_usable() const {
  if (alive_ != live || ended_) throw system_error(errc::scope_ended, "cohort::scope::spawn");
  if (!in_scope_strand(executor_)) {
    throw system_error(errc::wrong_executor, "cohort::scope::spawn");
  }
}

void scope::spawn(asio::awaitable<void> child) {
  check_usable();
  if (closed_) throw system_error(errc::scope_closed, "cohort::scope::spawn");
  auto it = new_child();
  ++stats_.running;
  // Only schedules: the child starts from a fresh handler, so a chain of nested scopes grows the
  // heap, not the caller's stack.
  asio::post(executor_, [this, it, task = std::move(child)]() mutable {
    if (it->cancel_requested) {  // cancelled before it ever ran
      on_done(it, std::make_exception_ptr(
                      system_error(asio::error::operation_aborted, "cohort::scope::spawn")));
      return;
    }
    start(it, std::move(task));
  });
}

void scope::start_body(asio::awaitable<void> body) {
  auto it = children_.emplace(children_.end());
  it->is_body = true;
  body_running_ = true;
  start(it, std::move(body));
}

void scope::start(child_list::iterator child, asio::awaitable<void> task) {
  child->started = true;
  asio::co_spawn(executor_, std::move(task),
                 asio::bind_cancellation_slot(child->signal.slot(), [this, child](std::exception_ptr e) {
                   on_done(child, std::move(e));
                 }));
}

void scope::cancel() noexcept {
  COHORT_ASSERT(in_scope_strand(executor_));
  // The caller is the body or a child itself: a coroutine cancelled while it runs, which then
  // finishes without suspending, makes co_spawn's last co_await throw (Boost 1.81). So the
  // cancellations are emitted from a handler of their own; the scope is closed at once.
  request_cancel();
  if (emit_pending_) return;
  emit_pending_ = true;
  asio::post(executor_, [this] {
    emit_pending_ = false;
    emit_cancellations();
    idle_.cancel();  // close() may be waiting for this handler
  });
}

void scope::cancel_now() noexcept {
  request_cancel();
  emit_cancellations();
}

void scope::request_cancel() noexcept {
  closed_ = true;
  for (auto& child : children_) child.cancel_requested = true;
}

void scope::emit_cancellations() noexcept {
  for (auto& child : children_) {
    if (child.cancel_requested && child.started && !child.cancel_emitted) {
      child.cancel_emitted = true;
      child.signal.emit(asio::cancellation_type::terminal);
    }
  }
}

// A body's error that only follows from the scope's own state: its cancellation, a spawn into
// the closed scope, or a join reporting the children's failures again.
bool scope::follows_on(const detail::scope_child& body, const std::exception_ptr& e) const noexcept {
  if (body.cancel_requested && is_cancellation(e)) return true;
  if (failures_.empty()) return false;
  try {
    std::rethrow_exception(e);
  } catch (const scope_error&) {
    return true;
  } catch (...) {
  }
  return body.cancel_requested || is_code(e, errc::scope_closed);
}

void scope::on_done(child_list::iterator child, std::exception_ptr e) noexcept {
  const bool is_body = child->is_body;
  const bool cancelled_by_us = child->cancel_requested;
  if (is_body) {
    body_running_ = false;
    if (e && !follows_on(*child, e)) {
      failures_.push_back(std::move(e));
      cancel_now();  // a body that failed cancels its children, whatever the policy
    }
  } else {
    --stats_.running;
    if (!e) {
      ++stats_.succeeded;
    } else if (cancelled_by_us && is_cancellation(e)) {
      ++stats_.cancelled;
    } else {
      ++stats_.failed;
      failures_.push_back(std::move(e));
      if (policy_ == scope_policy::fail_fast) cancel_now();
    }
  }
  finished_.splice(finished_.end(), children_, child);
  if (stats_.running == 0 || !body_running_) idle_.cancel();
}

void scope::reap() noexcept { finished_.clear(); }

// A finished child's node when there is one: its signal keeps the memory of the cancellation
// handlers its co_spawn installed, which the next co_spawn through it reuses (two allocations a
// child otherwise). Its co_spawn has long returned: the node went to `finished_` from its
// completion handler, and this child's co_spawn runs from a handler posted after this call.
scope::child_list::iterator scope::new_child() {
  if (finished_.empty()) return children_.emplace(children_.end());
  children_.splice(children_.end(), finished_, finished_.begin());
  auto it = std::prev(children_.end());
  it->cancel_requested = it->is_body = it->started = it->cancel_emitted = false;
  return it;
}

asio::awaitable<void> scope::wait_idle() {
  while (stats_.running > 0) co_await idle_.async_wait(asio::as_tuple(asio::use_awaitable));
  reap();
}

asio::awaitable<void> scope::join() {
  check_usable();
  co_await wait_idle();
  if (policy_ == scope_policy::fail_fast && !failures_.empty()) throw scope_error(failures_);
}

asio::awaitable<scope_result> scope::close(bool throw_if_cancelled) {
  // Shielded (with_scope turned throw_if_cancelled off): a cancelled coroutine would otherwise
  // throw at every co_await below and leave children running that refer to this scope. The flag
  // belongs to the whole coroutine chain, so it is put back before returning.
  bool aborted = false;
  for (;;) {
    asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    if (!aborted && state.cancelled() != asio::cancellation_type::none) {
      aborted = true;  // the caller stays cancelled (level-triggered, as Asio's coroutines)
      cancel_now();
    }
    if (stats_.running == 0 && !body_running_ && !emit_pending_) break;
    co_await idle_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  closed_ = true;
  ended_ = true;
  reap();
  co_await asio::this_coro::throw_if_cancelled(throw_if_cancelled);
  const bool thrown = !failures_.empty() && (aborted || policy_ == scope_policy::fail_fast ||
                                             stats_.failed < failures_.size());
  if (thrown) throw scope_error(failures_);
  if (aborted) throw system_error(asio::error::operation_aborted, "cohort::with_scope");
  co_return scope_result{stats_, failures_};
}

} // namespace cohort
