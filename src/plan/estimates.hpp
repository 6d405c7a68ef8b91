// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_PLAN_ESTIMATES_HPP
#define COHORT_SRC_PLAN_ESTIMATES_HPP

// Private to the library: the estimate and ownership fields shared by the Task Master loader,
// its sidecar and cohort's own plan format. Not installed.

#include <cohort/plan/plan.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort::detail {

/// "1h30m", "25m", "90s", "250ms", "1.5h": a sequence of <number><unit>, unit in h, m, s, ms.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

/// True for the members `read_estimates` takes.
bool is_estimate_key(std::string_view key) noexcept;

/// Reads `duration` (text or ms), `duration_ms`, `tokens`, `owns`, `argv`, `env` and `slurm` from `o` into `t`,
/// each only when present; appends one sentence per malformed member to `problems`.
void read_estimates(const boost::json::object& o, task& t, std::vector<std::string>& problems);
/// One member of those `read_estimates` reads (any other key is ignored).
void read_estimate(std::string_view key, const boost::json::value& v, task& t,
                   std::vector<std::string>& problems);

} // namespace cohort::detail

#endif // COHORT_SRC_PLAN_ESTIMATES_HPP
