// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_VIEW_TRACE_HPP
#define COHORT_VIEW_TRACE_HPP

#include <cohort/core/config.hpp>
#include <cohort/run/events.hpp>
#include <cohort/plan/plan.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

/// An observer that records a run as Chrome trace-event JSON (Perfetto and chrome://tracing
/// open it).
/**
 * Layout: process 1 "agents" has one track per agent slot (a launch takes the lowest free
 * slot; its slice runs from the launch to the end of the attempt, named after the task, with the
 * attempt, tokens and outcome as arguments). Process 2 "parents" has one track per parent lane:
 * each parent is a slice from its start to its end, its waves are slices nested inside it.
 * Retries, failures and skips are instant events on the task's track. Times are microseconds
 * from `run_started`.
 *
 * Nothing is written while the run goes on: `json()` gives the trace at any time, and when a
 * file was given the whole trace is written there on `run_finished` (a cancelled run included).
 */
class trace_writer final : public observer {
public:
  // tag::outline[]
  /// Records the run of `p` (which must outlive the writer); writes `file` at the end if given.
  explicit trace_writer(const plan& p, std::filesystem::path file = {});

  void on_event(const event& e) override;
  /// The trace so far: `{"traceEvents": [...], "displayTimeUnit": "ms"}`.
  boost::json::value json() const;
  /// Writes `json()` to `file` (through a temporary file renamed over it). Throws on I/O errors.
  void write(const std::filesystem::path& file) const;
  /// The error of the automatic write on `run_finished`, if it failed (on_event never throws).
  const std::optional<std::string>& write_error() const noexcept { return write_error_; }
  // end::outline[]

private:
  struct open_slice {
    std::size_t track = 0;
    event::clock_type::time_point since{};
    int attempt = 0;
    std::uint64_t reserved = 0;
    std::optional<event::clock_type::time_point> ended;  // the attempt is over, outcome unknown
    std::uint64_t tokens = 0;
  };
  std::size_t take(std::vector<bool>& tracks);
  void agent_started(const event& e);
  void agent_ended(const event& e);
  void parent_started(const event& e);
  void parent_ended(const event& e);
  void wave(const event& e, bool started);
  void flush_agent(task_index t, std::string_view outcome, event::clock_type::time_point at);
  void instant(const event& e, std::string_view name);
  void merge(const event& e);
  void close_all(event::clock_type::time_point at);
  double micros(event::clock_type::time_point t) const;
  void slice(int pid, std::size_t tid, const std::string& name, event::clock_type::time_point from,
             event::clock_type::time_point to, boost::json::object args);

  const plan& plan_;
  std::filesystem::path file_;
  event::clock_type::time_point start_{};
  boost::json::array events_;
  std::vector<bool> agent_tracks_, parent_tracks_;  // true: taken
  std::vector<std::optional<open_slice>> agents_;   // per task: its running attempt
  std::vector<std::optional<open_slice>> parents_;  // per parent: its lane
  std::vector<std::optional<event::clock_type::time_point>> waves_;  // per parent: open wave
  std::vector<std::optional<event::clock_type::time_point>> merges_;  // per task: merge under way
  std::optional<std::string> write_error_;
};

} // namespace cohort

#endif // COHORT_VIEW_TRACE_HPP
