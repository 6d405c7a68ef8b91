// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_VIEW_RENDER_HPP
#define COHORT_VIEW_RENDER_HPP

#include <cohort/analysis/plan_analysis.hpp>
#include <cohort/core/config.hpp>
#include <cohort/plan/plan.hpp>

#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace cohort {

// tag::outline[]
/// Text tables for a person: projections, parallel groups, parent layers, critical path, slack
/// per parent, budget split, ownership conflicts. Durations as "385 min", "12.5 s", "850 ms".
std::string render_text(const plan& p, const plan_analysis& r);
/// The same as JSON (durations in milliseconds, tasks by id).
boost::json::value render_json(const plan& p, const plan_analysis& r);
/// Graphviz DOT: a cluster per parent with a cluster per wave inside, dependency edges (an edge
/// to or from a parent with subtasks ends at its cluster), the critical path in red.
std::string render_dot(const plan& p, const plan_analysis& r);
/// Mermaid flowchart: the same structure as subgraphs, the critical path as class `critical`.
std::string render_mermaid(const plan& p, const plan_analysis& r);

/// "385 min", "6.5 min", "12.5 s", "850 ms".
std::string format_duration(std::chrono::milliseconds d);
// end::outline[]

} // namespace cohort

#endif // COHORT_VIEW_RENDER_HPP
