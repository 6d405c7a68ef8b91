// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/core/pacer.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <optional>

namespace cohort {
namespace asio = boost::asio;

namespace detail {

struct pacer_state : std::enable_shared_from_this<pacer_state> {
  using handler_type = asio::any_completion_handler<void(error_code)>;
  using clock_type = pacer::clock_type;
  // By priority, highest first; FIFO within one (a multimap inserts at the end of equal keys).
  using waiter_list = std::multimap<int, handler_type, std::greater<>>;

  pacer_state(pacer::executor_type ex, pacer::duration i)
      : executor(std::move(ex)), interval(i), timer(executor) {}

  // The head of `waiters` goes at `last + interval` (or at once when there was no `last`).
  // Invariant: the timer is armed for that moment whenever `waiters` is not empty.
  void enqueue(int priority, handler_type handler) {
    auto it = waiters.emplace(priority, std::move(handler));
    auto slot = it->second.get_cancellation_slot();
    if (slot.is_connected()) {
      slot.assign([this, it](asio::cancellation_type) { cancel_waiter(it); });
    }
    if (waiters.size() == 1) arm();
  }

  void cancel_waiter(waiter_list::iterator it) {
    handler_type handler = std::move(it->second);
    handler.get_cancellation_slot().clear();  // destroys the calling lambda: touch nothing after
    const bool was_head = it == waiters.begin();
    waiters.erase(it);
    complete(std::move(handler), asio::error::operation_aborted);
    if (was_head) arm();
  }

  clock_type::time_point next_turn() const {
    return last ? *last + interval : clock_type::time_point::min();
  }

  void arm() {
    if (waiters.empty()) {
      timer.cancel();
      return;
    }
    const auto now = clock_type::now();
    if (next_turn() <= now) return let_head_through(now);
    timer.expires_at(next_turn());
    timer.async_wait([weak = weak_from_this()](error_code ec) {
      if (auto self = weak.lock(); self && !ec) self->arm();
    });
  }

  void let_head_through(clock_type::time_point now) {
    handler_type handler = std::move(waiters.begin()->second);
    handler.get_cancellation_slot().clear();
    waiters.erase(waiters.begin());
    last = now;
    complete(std::move(handler), {});
    arm();
  }

  void complete(handler_type handler, error_code ec) {
    auto ex = asio::get_associated_executor(handler, executor);
    asio::post(executor, asio::bind_executor(ex, [h = std::move(handler), ec]() mutable {
                 std::move(h)(ec);
               }));
  }

  pacer::executor_type executor;
  pacer::duration interval;
  std::optional<clock_type::time_point> last;  // when the last caller went through
  waiter_list waiters;
  asio::steady_timer timer;
};

} // namespace detail

pacer::pacer(executor_type ex, duration interval) {
  if (interval < duration::zero()) throw system_error(errc::invalid_argument, "cohort::pacer");
  state_ = std::make_shared<detail::pacer_state>(std::move(ex), interval);
}

pacer::~pacer() {
  for (auto& [priority, handler] : state_->waiters) {
    handler.get_cancellation_slot().clear();
    state_->complete(std::move(handler), asio::error::operation_aborted);
  }
  state_->waiters.clear();
}

void pacer::initiate(int priority, handler_type handler) {
  state_->enqueue(priority, std::move(handler));
}

bool pacer::try_wait() {
  const auto now = clock_type::now();
  if (!state_->waiters.empty() || state_->next_turn() > now) return false;
  state_->last = now;
  return true;
}

pacer::duration pacer::interval() const noexcept { return state_->interval; }

void pacer::set_interval(duration interval) {
  if (interval < duration::zero()) {
    throw system_error(errc::invalid_argument, "cohort::pacer::set_interval");
  }
  state_->interval = interval;
  state_->arm();
}

std::size_t pacer::waiters() const noexcept { return state_->waiters.size(); }

pacer::executor_type pacer::get_executor() const noexcept { return state_->executor; }

} // namespace cohort
