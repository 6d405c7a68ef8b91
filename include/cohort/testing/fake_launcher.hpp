// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_TESTING_FAKE_LAUNCHER_HPP
#define COHORT_TESTING_FAKE_LAUNCHER_HPP

#include <cohort/run/launcher.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace cohort {

/// How a fake agent behaves for one task.
struct fake_behavior {
  std::optional<std::chrono::milliseconds> duration;  ///< default: the task's estimate, else 0
  std::optional<std::uint64_t> tokens;                ///< default: the task's estimate
  int failures = 0;      ///< the first `failures` attempts fail (-1: every attempt fails)
  int rate_limits = 0;   ///< the first `rate_limits` attempts report a rate limit
  bool fatal = false;    ///< every attempt reports an error no attempt can get past (a bad key)
  std::optional<double> cost_usd;  ///< the cost each attempt reports; default: none
  std::chrono::milliseconds retry_after{0};  ///< a rate-limited attempt's reported wait

  /// The first `n` attempts fail (-1: all of them).
  static fake_behavior failing(int n) {
    fake_behavior b;
    b.failures = n;
    return b;
  }
  /// The first `n` attempts report a rate limit.
  static fake_behavior rate_limited(int n) {
    fake_behavior b;
    b.rate_limits = n;
    return b;
  }
  /// Every attempt reports an authentication error.
  static fake_behavior authentication_error() {
    fake_behavior b;
    b.fatal = true;
    return b;
  }
};

/// A launcher whose agents are timers: for tests, simulations and benchmarks of the executor.
/**
 * Each attempt waits its duration (times the time scale) on the caller's executor, then
 * completes as its behaviour says. It counts what it ran, so tests can check the limits.
 */
class fake_launcher final : public launcher {
public:
  explicit fake_launcher(double time_scale = 1.0) : time_scale_(time_scale) {}

  // tag::outline[]
  /// Sets the behaviour of the task with this full id (others use the defaults).
  void set(std::string task_id, fake_behavior b) { behaviors_[std::move(task_id)] = b; }
  [[nodiscard]] boost::asio::awaitable<launch_result> launch(const launch_request& r) override;

  std::size_t launches() const noexcept { return launches_; }
  std::size_t running() const noexcept { return running_; }
  std::size_t peak_running() const noexcept { return peak_running_; }
  // end::outline[]

private:
  fake_behavior behavior_for(const task& t) const;

  double time_scale_;
  std::unordered_map<std::string, fake_behavior> behaviors_;
  std::size_t launches_ = 0;
  std::size_t running_ = 0;
  std::size_t peak_running_ = 0;
};

} // namespace cohort

#endif // COHORT_TESTING_FAKE_LAUNCHER_HPP
