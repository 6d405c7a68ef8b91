// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_RENDER_HPP
#define COHORT_RENDER_HPP

#include <cohort/analysis.hpp>
#include <cohort/config.hpp>
#include <cohort/ownership.hpp>
#include <cohort/plan.hpp>
#include <cohort/simulation.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cohort {

/// What `make_report` computes.
struct report_options {
  estimate_defaults defaults;
  /// Also simulate the scheduler with these options (its defaults are replaced by `defaults`).
  std::optional<schedule_options> simulate;
  std::uint64_t budget = 0;   ///< split this token budget over the parents; 0: no split
  std::uint64_t reserve = 0;  ///< kept out of the split
};

/// Every analysis of a plan, ready to render. Plain data.
struct plan_report {
  // tag::outline[]
  projections projected;
  schedule_analysis schedule;  ///< critical path and slack
  std::vector<parallel_group> groups;
  layering layers;
  std::vector<std::size_t> waves;  ///< per task
  std::vector<budget_share> budget;
  std::vector<ownership_conflict> conflicts;
  std::optional<schedule_options> simulated_with;
  std::optional<simulation_result> simulated;
  // end::outline[]
};

// tag::outline[]
/// Runs every analysis. Throws `errc::plan_invalid` on a cycle.
plan_report make_report(const plan& p, const report_options& options = {});

/// Text tables for a person: projections, parallel groups, parent layers, critical path, slack
/// per parent, budget split, ownership conflicts. Durations as "385 min", "12.5 s", "850 ms".
std::string render_text(const plan& p, const plan_report& r);
/// The same as JSON (durations in milliseconds, tasks by id).
boost::json::value render_json(const plan& p, const plan_report& r);
/// Graphviz DOT: a cluster per parent with a cluster per wave inside, dependency edges (an edge
/// to or from a parent with subtasks ends at its cluster), the critical path in red.
std::string render_dot(const plan& p, const plan_report& r);
/// Mermaid flowchart: the same structure as subgraphs, the critical path as class `critical`.
std::string render_mermaid(const plan& p, const plan_report& r);

/// "385 min", "6.5 min", "12.5 s", "850 ms".
std::string format_duration(milliseconds d);
// end::outline[]

} // namespace cohort

#endif // COHORT_RENDER_HPP
