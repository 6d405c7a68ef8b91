// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_VIEW_REPORT_HPP
#define COHORT_VIEW_REPORT_HPP

#include <cohort/core/config.hpp>
#include <cohort/run/executor.hpp>
#include <cohort/plan/plan.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cohort {

/// The totals of a finished run, computed from its `run_report` alone. Plain data.
/**
 * `sequential` is the time the same agents would have taken one after another: the sum, over
 * the jobs that ran, of first launch to outcome (retries and backoff included). `actual` is the
 * run's wall time. `speedup` is their ratio (0 when nothing ran).
 */
struct run_summary {
  // tag::outline[]
  std::chrono::milliseconds actual{0};
  std::chrono::milliseconds sequential{0};
  double speedup = 0;
  std::size_t jobs_run = 0;  ///< jobs with at least one launch
  std::size_t succeeded = 0, failed = 0, skipped = 0, cancelled = 0, already_done = 0;
  std::size_t launches = 0;  ///< attempts, retries included
  std::uint64_t tokens = 0;
  std::size_t peak_running = 0;
  bool interrupted = false;  ///< the run was cancelled
  std::size_t rate_limit_pauses = 0;
  double cost_usd = 0;            ///< reported cost
  std::size_t unknown_usage = 0;  ///< attempts that reported no usage
  std::string stopped;  ///< why the run stopped launching by itself (run_report::stopped)
  // end::outline[]
};

/// Builds a `run_report` from the events alone: the report of a run whose `run_plan` threw
/// (an interrupted run) and of a run seen from elsewhere (a journal replayed). For a run that
/// completes it equals the executor's report but for `started` of each task (taken at the launch
/// event) and `cancelled` (the owner knows why the run ended and sets it).
class run_recorder final : public observer {
public:
  // tag::outline[]
  explicit run_recorder(const plan& p);
  void on_event(const event& e) override;
  run_report& report() noexcept { return report_; }
  const run_report& report() const noexcept { return report_; }
  // end::outline[]

private:
  void outcome(const event& e, task_outcome o);

  const plan& plan_;
  run_report report_;
  std::vector<std::uint8_t> running_;  // per task: an agent of it is running
  std::size_t now_running_ = 0;
};

// tag::outline[]
/// Sums up `r`, a run of `p` (jobs only: a parent with subtasks is counted through them).
run_summary summarize(const plan& p, const run_report& r);

/// The end-of-run report for a person: a table with one row per task that has an outcome of its
/// own (parents first, their subtasks indented below), giving start and end (from the run's
/// start), attempts, tokens and outcome with the reason; then the totals and the speedup. Tasks
/// already done before the run are counted, not listed.
std::string render_text(const plan& p, const run_report& r);

/// The same as JSON: `{"summary": {...}, "tasks": [{"id", "title", "outcome", "attempts",
/// "tokens", "start_ms", "end_ms", "reason"}, ...]}` with times in milliseconds from the run's
/// start (`null` when the task never launched).
boost::json::value render_json(const plan& p, const run_report& r);
// end::outline[]

} // namespace cohort

#endif // COHORT_VIEW_REPORT_HPP
