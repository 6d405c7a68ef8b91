// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_TESTS_SUPPORT_PLANS_HPP
#define COHORT_TESTS_SUPPORT_PLANS_HPP

// Plans built in code, and an observer that records a run's events for checking.

#include <cohort/run/events.hpp>
#include <cohort/plan/plan.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cohort::test {

using std::chrono::milliseconds;

/// Builds a plan; dependencies are full ids of tasks added before.
struct plan_builder {
  plan p;

  task_index parent(const std::string& id, const std::vector<std::string>& deps = {},
                    std::optional<milliseconds> duration = std::nullopt) {
    task t;
    t.id = id;
    t.title = "task " + id;
    t.duration = duration;
    const task_index i = p.add_parent(std::move(t));
    depend(i, deps);
    return i;
  }

  task_index sub(task_index parent, const std::string& local, const std::vector<std::string>& deps,
                 milliseconds duration, std::optional<std::uint64_t> tokens = std::nullopt) {
    task t;
    t.id = local;
    t.title = "subtask " + local;
    t.duration = duration;
    t.tokens = tokens;
    const task_index i = p.add_subtask(parent, std::move(t));
    depend(i, deps);
    return i;
  }

  void depend(task_index i, const std::vector<std::string>& deps) {
    for (const auto& d : deps) {
      auto j = p.find(d);
      BOOST_REQUIRE_MESSAGE(j.has_value(), "unknown dependency " << d);
      p.add_dependency(i, *j);
    }
  }

  task_index at(const std::string& id) const { return *p.find(id); }
};

/// The seed's shape: 1 -> ... -> 11 -> {12, 13, 14} -> 15 -> 16 -> 17, each parent with
/// `subtasks` subtasks in two waves (x.1..x.k/2 first, the rest depending on x.1).
inline plan seed_plan(int subtasks = 4, milliseconds duration = milliseconds(10)) {
  plan_builder b;
  auto add = [&](int n, const std::vector<std::string>& deps) {
    const auto p = b.parent(std::to_string(n), deps);
    for (int s = 1; s <= subtasks; ++s) {
      std::vector<std::string> sd;
      if (s > subtasks / 2) sd.push_back(std::to_string(n) + ".1");
      b.sub(p, std::to_string(s), sd, duration);
    }
  };
  add(1, {});
  for (int n = 2; n <= 11; ++n) add(n, {std::to_string(n - 1)});
  for (int n = 12; n <= 14; ++n) add(n, {"11"});
  add(15, {"12", "13", "14"});
  add(16, {"15"});
  add(17, {"16"});
  return std::move(b.p);
}

/// Records every event of a run.
struct event_log final : observer {
  std::vector<event> events;
  int launches_recorded_before = 0;  // before_launch calls

  void on_event(const event& e) override { events.push_back(e); }
  void before_launch() override { ++launches_recorded_before; }

  std::vector<event> of(event_kind k) const {
    std::vector<event> out;
    for (const auto& e : events) {
      if (e.kind == k) out.push_back(e);
    }
    return out;
  }
  std::optional<event> first(event_kind k, task_index t) const {
    for (const auto& e : events) {
      if (e.kind == k && e.task == t) return e;
    }
    return std::nullopt;
  }
  std::optional<event> last(event_kind k, task_index t) const {
    std::optional<event> out;
    for (const auto& e : events) {
      if (e.kind == k && e.task == t) out = e;
    }
    return out;
  }
  /// The largest number of agents running at once: launched opens, usage closes an attempt.
  std::size_t peak_running() const {
    std::size_t now = 0, peak = 0;
    for (const auto& e : events) {
      if (e.kind == event_kind::task_launched) peak = std::max(peak, ++now);
      if (e.kind == event_kind::task_usage) --now;
    }
    return peak;
  }
  /// The largest sum of token reservations held at once.
  std::uint64_t peak_reserved() const {
    std::map<task_index, std::uint64_t> held;
    std::uint64_t now = 0, peak = 0;
    for (const auto& e : events) {
      if (e.kind == event_kind::task_launched) {
        held[*e.task] = e.tokens;
        peak = std::max(peak, now += e.tokens);
      }
      if (e.kind == event_kind::task_usage) now -= held[*e.task];
    }
    return peak;
  }
};

/// A parent "1" with one subtask "1.1" whose own argv is `argv` (a launcher's test plan).
inline task_index one_task(plan_builder& b, std::vector<std::string> argv) {
  const auto t = b.sub(b.parent("1"), "1", {}, std::chrono::milliseconds(1));
  b.p.tasks[t].argv = std::move(argv);
  return t;
}

/// The observer list of a run that `log` records. (A braced list inside a co_await expression
/// does not compile with g++ 12: see notes P1.)
inline std::vector<observer*> observe(event_log& log) { return {&log}; }

} // namespace cohort::test

#endif // COHORT_TESTS_SUPPORT_PLANS_HPP
