// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/rate_gate.hpp>

#include <cohort/core/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace cohort {
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {
constexpr milliseconds first_spacing{250};
constexpr milliseconds max_spacing{30000};
constexpr milliseconds least_spacing{10};
} // namespace

rate_gate::admission& rate_gate::admission::operator=(admission&& o) noexcept {
  if (this != &o) {
    release();
    gate_ = o.gate_;
    o.gate_ = nullptr;
  }
  return *this;
}

void rate_gate::admission::release() noexcept {
  if (!gate_) return;
  --gate_->running_;
  gate_->wake();
  gate_ = nullptr;
}

rate_gate::rate_gate(asio::any_io_executor ex, std::size_t max_running)
    : ex_(std::move(ex)), max_(std::max<std::size_t>(1, max_running)), cap_(max_) {}

bool rate_gate::can_admit(clock_type::time_point now) const noexcept {
  return now >= paused_until_ && now >= next_at_ && running_ < cap_;
}

rate_gate::admission rate_gate::admit(clock_type::time_point now) {
  ++running_;
  next_at_ = now + spacing_;
  return admission(this, pauses_);
}

rate_gate::admission rate_gate::try_admit() {
  const auto now = clock_type::now();
  return waiters_.empty() && can_admit(now) ? admit(now) : admission();
}

namespace {
// A waiter's place in the list: left when the wait ends, however it ends (a coroutine frame
// destroyed without resuming too), so that `wake` never reaches a timer that is gone.
struct waiting {
  std::list<asio::steady_timer*>& list;
  std::list<asio::steady_timer*>::iterator at;
  waiting(std::list<asio::steady_timer*>& l, asio::steady_timer* t) : list(l), at(l.insert(l.end(), t)) {}
  ~waiting() { list.erase(at); }
  waiting(const waiting&) = delete;
  waiting& operator=(const waiting&) = delete;
};
} // namespace

asio::awaitable<rate_gate::admission> rate_gate::async_admit() {
  asio::steady_timer timer(ex_);
  for (;;) {
    const auto now = clock_type::now();
    if (can_admit(now)) co_return admit(now);
    // Held by time (a pause, the spacing): until then; by the cap alone: until woken.
    const auto until = std::max(paused_until_, next_at_);
    timer.expires_at(until > now ? until : clock_type::time_point::max());
    {
      const waiting me(waiters_, &timer);
      (void)co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    const asio::cancellation_state cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none) {
      throw system_error(asio::error::operation_aborted, "cohort: waiting for the rate limit to clear");
    }
  }
}

void rate_gate::limited(milliseconds pause) {
  const auto now = clock_type::now();
  const bool new_pause = now >= paused_until_;
  paused_until_ = std::max(paused_until_, now + pause);
  if (new_pause) {
    ++pauses_;
    cap_ = std::max<std::size_t>(1, cap_ / 2);
    spacing_ = std::min(max_spacing, std::max(first_spacing, spacing_ * 2));
  }
  wake();  // the waiters' timers move to the new end of the pause
}

void rate_gate::passed(std::size_t epoch) {
  if (epoch != pauses_) return;  // admitted before the last pause: it says nothing of it
  if (cap_ < max_) ++cap_;
  spacing_ /= 2;
  if (spacing_ < least_spacing) spacing_ = milliseconds::zero();
  wake();
}

void rate_gate::wake() noexcept {
  for (auto* t : waiters_) t->cancel();
}

} // namespace cohort
