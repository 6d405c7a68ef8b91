// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RUN_RATE_GATE_HPP
#define COHORT_RUN_RATE_GATE_HPP

#include <cohort/core/config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <list>

namespace cohort {

/// One run's reaction to rate limits: a pause for everyone, then admission that grows back.
/**
 * Every launch passes the gate last, right before it starts (`try_admit`, else
 * `async_admit`), and holds its `admission` until the agent is gone. A rate limit or an
 * overload reported by any agent (`limited`) closes the gate for a pause: no launch of the run
 * starts into a limit another agent has just met. The first report of a pause also halves the
 * number of agents admitted at once (not below 1) and doubles the spacing between launches
 * (from 250 ms, at most 30 s): multiplicative decrease. Each launch admitted since the last
 * pause that ends without a limit (`passed`) admits one more agent at once and halves the
 * spacing back (additive increase), up to the run's own limit (`max_running`); below 10 ms the
 * spacing is gone. Launches admitted before a pause do not undo it. Waiters are admitted before
 * newcomers (`try_admit` fails while any wait).
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: unsafe: one run's strand (its executor) calls it.
 */
class rate_gate {
public:
  using clock_type = std::chrono::steady_clock;

  /// A launch admitted: gives its place back when destroyed.
  class admission {
  public:
    admission() = default;
    admission(admission&& o) noexcept : gate_(o.gate_), epoch_(o.epoch_) { o.gate_ = nullptr; }
    admission& operator=(admission&& o) noexcept;
    admission(const admission&) = delete;
    admission& operator=(const admission&) = delete;
    ~admission() { release(); }
    explicit operator bool() const noexcept { return gate_ != nullptr; }
    void release() noexcept;
    /// The pauses there had been when it was admitted: what `passed` is told.
    std::size_t epoch() const noexcept { return epoch_; }

  private:
    friend class rate_gate;
    admission(rate_gate* g, std::size_t epoch) noexcept : gate_(g), epoch_(epoch) {}
    rate_gate* gate_ = nullptr;
    std::size_t epoch_ = 0;
  };

  rate_gate(boost::asio::any_io_executor ex, std::size_t max_running);
  rate_gate(const rate_gate&) = delete;
  rate_gate& operator=(const rate_gate&) = delete;

  // tag::outline[]
  /// Admits a launch now, or gives an empty admission (paused, spaced out, or full).
  admission try_admit();
  /// Waits until a launch is admitted. Cancelling the awaiting coroutine ends the wait with
  /// `operation_aborted`.
  [[nodiscard]] boost::asio::awaitable<admission> async_admit();
  /// An agent met a rate limit or an overload: no launch for `pause` from now (a longer pause
  /// already under way stays); the first report of a pause cuts the admission (see above).
  void limited(std::chrono::milliseconds pause);
  /// A launch admitted at `epoch` (`admission::epoch`) ended without a limit: admission grows
  /// back by one step, unless a pause came after it was admitted.
  void passed(std::size_t epoch);

  std::size_t cap() const noexcept { return cap_; }            ///< agents admitted at once now
  std::size_t running() const noexcept { return running_; }    ///< admitted and not given back
  std::chrono::milliseconds spacing() const noexcept { return spacing_; }
  clock_type::time_point paused_until() const noexcept { return paused_until_; }
  std::size_t pauses() const noexcept { return pauses_; }      ///< pauses so far
  // end::outline[]

private:
  bool can_admit(clock_type::time_point now) const noexcept;
  admission admit(clock_type::time_point now);
  void wake() noexcept;

  boost::asio::any_io_executor ex_;
  std::size_t max_;
  std::size_t cap_;
  std::size_t running_ = 0;
  std::size_t pauses_ = 0;
  std::chrono::milliseconds spacing_{0};
  clock_type::time_point paused_until_{};
  clock_type::time_point next_at_{};
  std::list<boost::asio::steady_timer*> waiters_;  // each waiter's timer, cancelled to wake it
};

} // namespace cohort

#endif // COHORT_RUN_RATE_GATE_HPP
