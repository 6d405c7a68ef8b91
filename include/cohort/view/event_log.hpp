// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_VIEW_EVENT_LOG_HPP
#define COHORT_VIEW_EVENT_LOG_HPP

#include <cohort/core/config.hpp>
#include <cohort/run/events.hpp>
#include <cohort/plan/plan.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/object.hpp>

#include <memory>

namespace cohort {
namespace detail {
class output_queue;
} // namespace detail

// tag::outline[]
/// `e` as one JSON object for programs: `{"event": "task_launched", "ms": 1520, "task": "12.3",
/// "attempt": 1, "pid": 4242, "tokens": 10000}` with `ms` counted from `start`. Only the fields
/// that apply to the kind are present: `task` (full id), `attempt`, `wave` (1-based), `reason`,
/// `tokens`, `delay_ms`, `pid`, `message`.
boost::json::object to_json(const plan& p, const event& e, event::clock_type::time_point start);
// end::outline[]

/// An observer that writes every event as one JSON line (`to_json`, times from `run_started`)
/// to a file descriptor: `rolling-wave --json`.
/**
 * The lines of one turn of the event loop go out in one `write` at its end (posted to `ex`),
 * and at once at the run's end. An output that takes no more (a pipe whose reader stopped
 * reading) is never waited for on the event loop: the lines wait, written as it takes them (a
 * timer on `ex` tries again); past 1 MiB waiting, lines are counted instead of kept, and once
 * the rest is out one line says how many: `{"event":"log_dropped","lines":N}`. A reader that
 * is gone still gets the write (SIGPIPE, EPIPE). The destructor writes what is left, waiting
 * for the output if it must.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: called on the run's strand, as every observer is.
 */
class event_log final : public observer {
public:
  // tag::outline[]
  /// Logs the run of `p` (which must outlive the log) to `fd` (standard output by default); its
  /// writes are posted to `ex`.
  event_log(boost::asio::any_io_executor ex, const plan& p, int fd = 1);
  ~event_log() override;
  event_log(const event_log&) = delete;
  event_log& operator=(const event_log&) = delete;
  void on_event(const event& e) override;
  // end::outline[]

private:
  const plan& plan_;
  event::clock_type::time_point start_{};
  std::shared_ptr<detail::output_queue> out_;  // shared with its posted write: it may outlive `this`
};

} // namespace cohort

#endif // COHORT_VIEW_EVENT_LOG_HPP
