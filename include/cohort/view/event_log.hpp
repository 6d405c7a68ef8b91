// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_VIEW_EVENT_LOG_HPP
#define COHORT_VIEW_EVENT_LOG_HPP

#include <cohort/core/config.hpp>
#include <cohort/run/events.hpp>
#include <cohort/plan/plan.hpp>

#include <boost/json/object.hpp>

namespace cohort {

// tag::outline[]
/// `e` as one JSON object for programs: `{"event": "task_launched", "ms": 1520, "task": "12.3",
/// "attempt": 1, "pid": 4242, "tokens": 10000}` with `ms` counted from `start`. Only the fields
/// that apply to the kind are present: `task` (full id), `attempt`, `wave` (1-based), `reason`,
/// `tokens`, `delay_ms`, `pid`, `message`.
boost::json::object to_json(const plan& p, const event& e, event::clock_type::time_point start);
// end::outline[]

/// An observer that writes every event as one JSON line (`to_json`, times from `run_started`)
/// to a file descriptor, one `write` per event: `rolling-wave --json`.
class event_log final : public observer {
public:
  // tag::outline[]
  /// Logs the run of `p` (which must outlive the log) to `fd` (standard output by default).
  explicit event_log(const plan& p, int fd = 1) : plan_(p), fd_(fd) {}
  void on_event(const event& e) override;
  // end::outline[]

private:
  const plan& plan_;
  int fd_;
  event::clock_type::time_point start_{};
};

} // namespace cohort

#endif // COHORT_VIEW_EVENT_LOG_HPP
