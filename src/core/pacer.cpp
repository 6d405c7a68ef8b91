// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/core/pacer.hpp>

#include <cohort/core/detail/waiter_queue.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <mutex>
#include <optional>

namespace cohort {
namespace asio = boost::asio;

namespace detail {

struct pacer_state : std::enable_shared_from_this<pacer_state> {
  using handler_type = asio::any_completion_handler<void(error_code)>;
  using clock_type = pacer::clock_type;
  struct no_data {};
  using waiter_queue = detail::waiter_queue<void(error_code), no_data>;

  pacer_state(pacer::executor_type ex, pacer::duration i)
      : executor(std::move(ex)), interval(i), timer(executor) {}

  // The head of `waiters` goes at `last + interval` (or at once when there was no `last`).
  // Invariant: the timer is armed for that moment whenever `waiters` is not empty.
  void enqueue(int priority, handler_type handler) {
    auto w = waiter_queue::make({}, std::move(handler), [weak = weak_from_this()](const waiter_queue::pointer& cancelled) {
      if (auto self = weak.lock()) self->cancel_waiter(cancelled);
    });
    std::lock_guard lock(mutex);
    waiters.push(priority, w);
    if (waiters.size() == 1) arm();
  }

  // Runs on the waiter's executor (where its cancellation is emitted).
  void cancel_waiter(const waiter_queue::pointer& w) {
    std::lock_guard lock(mutex);
    if (waiters.cancel(w, executor)) arm();
  }

  clock_type::time_point next_turn() const {
    return last ? *last + interval : clock_type::time_point::min();
  }

  // With `mutex` held.
  void arm() {
    if (waiters.empty()) {
      timer.cancel();
      return;
    }
    const auto now = clock_type::now();
    if (next_turn() <= now) return let_head_through(now);
    timer.expires_at(next_turn());
    timer.async_wait([weak = weak_from_this()](error_code ec) {
      if (auto self = weak.lock(); self && !ec) {
        std::lock_guard lock(self->mutex);
        self->arm();
      }
    });
  }

  void let_head_through(clock_type::time_point now) {
    handler_type handler = waiters.pop_front();
    last = now;
    complete(std::move(handler), {});
    arm();
  }

  void complete(handler_type handler, error_code ec) {
    waiter_queue::complete(executor, std::move(handler), [ec](handler_type h) { std::move(h)(ec); });
  }

  const pacer::executor_type executor;
  std::mutex mutex;  // guards everything below; never held while a handler runs
  pacer::duration interval;
  std::optional<clock_type::time_point> last;  // when the last caller went through
  waiter_queue waiters;
  asio::steady_timer timer;
};

} // namespace detail

pacer::pacer(executor_type ex, duration interval) {
  if (interval < duration::zero()) throw system_error(errc::invalid_argument, "cohort::pacer");
  state_ = std::make_shared<detail::pacer_state>(std::move(ex), interval);
}

pacer::~pacer() {
  std::lock_guard lock(state_->mutex);
  state_->waiters.abort_all(state_->executor);
  state_->timer.cancel();
}

void pacer::initiate(int priority, handler_type handler) {
  state_->enqueue(priority, std::move(handler));
}

bool pacer::try_wait() {
  std::lock_guard lock(state_->mutex);
  const auto now = clock_type::now();
  if (!state_->waiters.empty() || state_->next_turn() > now) return false;
  state_->last = now;
  return true;
}

pacer::duration pacer::interval() const noexcept {
  std::lock_guard lock(state_->mutex);
  return state_->interval;
}

void pacer::set_interval(duration interval) {
  if (interval < duration::zero()) {
    throw system_error(errc::invalid_argument, "cohort::pacer::set_interval");
  }
  std::lock_guard lock(state_->mutex);
  state_->interval = interval;
  state_->arm();
}

std::size_t pacer::waiters() const noexcept {
  std::lock_guard lock(state_->mutex);
  return state_->waiters.size();
}

pacer::executor_type pacer::get_executor() const noexcept { return state_->executor; }

} // namespace cohort
