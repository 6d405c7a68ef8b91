// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// Ownership at run time: after each agent exits, what changed in the git checkout it worked in,
// and whether some task that ran owns it.
#ifndef ROLLING_WAVE_OWNERSHIP_GUARD_HPP
#define ROLLING_WAVE_OWNERSHIP_GUARD_HPP

#include "cli.hpp"

#include <cohort/run/events.hpp>
#include <cohort/run/launcher.hpp>
#include <cohort/plan/plan.hpp>
#include <cohort/core/scope.hpp>
#include <cohort/core/semaphore.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rolling_wave {

/// Paths `git status --porcelain` reports in `dir` (run as a child process, argv only, never a
/// shell); empty when `dir` is not a git checkout or git is missing.
boost::asio::awaitable<std::optional<std::set<std::string>>> changed_paths(std::filesystem::path dir);

/// A launcher that passes every launch through a gate of `capacity` places: normally as wide as
/// the run's cap (it never holds anything back); `go_sequential` narrows it to one for the rest
/// of the run, once the agents running now are done. While a check is held (`hold`), no launch
/// passes: what an agent changed is judged before anything starts after it.
class gate_launcher final : public cohort::launcher {
public:
  gate_launcher(boost::asio::any_io_executor ex, cohort::launcher& inner, std::size_t capacity);
  boost::asio::awaitable<cohort::launch_result> launch(const cohort::launch_request& r) override;
  /// Takes every place but one for the rest of the run (given back by `release`).
  void go_sequential();
  void release();  ///< at the end of the run: gives the places back
  bool sequential() const noexcept { return sequential_; }
  /// Holds new launches back until every `hold` has its `let_go`.
  void hold() noexcept { ++holds_; }
  void let_go();

private:

  cohort::launcher& inner_;
  cohort::semaphore gate_;
  std::size_t holds_ = 0;
  boost::asio::steady_timer released_;  // never expires; cancelled when the last hold goes
  cohort::semaphore::permit held_;
  boost::asio::cancellation_signal stop_;
  bool sequential_ = false;
};

/// Flags the paths an agent changed that no task which ran (or runs) owns.
/**
 * Active only when the plan declares ownership (some task has `owns`) and the work dir is a git
 * checkout. Paths already changed before the run are the baseline and never flagged. After each
 * attempt ends it lists the changes (checks never overlap: one more follows if needed) and
 * applies the policy: warn, fail (the run is stopped) or sequential. With fail and sequential,
 * no agent starts while a check is pending, so the policy holds from the very next launch.
 */
class ownership_guard final : public cohort::observer {
public:
  using note_function = std::function<void(const std::string&)>;
  ownership_guard(const cohort::plan& p, std::filesystem::path workdir, on_violation policy,
                  note_function note);

  /// Takes the baseline; false when the guard has nothing to do.
  boost::asio::awaitable<bool> start();
  /// Where checks run, and what the policy may act on. Until then, nothing is checked.
  void attach(cohort::scope* s, std::function<void()> fail, gate_launcher* gate);
  void on_event(const cohort::event& e) override;
  const std::vector<std::string>& violations() const noexcept { return violations_; }

private:
  /// One check; `held`: the gate it holds, let go at its end.
  static boost::asio::awaitable<void> check(ownership_guard* self, gate_launcher* held);
  bool owned(const std::string& path) const;
  void violated(const std::string& path);

  const cohort::plan& plan_;
  std::filesystem::path workdir_;
  on_violation policy_;
  note_function note_;
  bool active_ = false;
  std::set<std::string> baseline_, flagged_;
  std::vector<bool> ran_;  // per task: launched at least once
  std::vector<std::string> violations_;
  cohort::scope* scope_ = nullptr;
  std::function<void()> fail_;
  gate_launcher* gate_ = nullptr;
  bool checking_ = false, again_ = false;
};

} // namespace rolling_wave

#endif // ROLLING_WAVE_OWNERSHIP_GUARD_HPP
