// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// libFuzzer target for the plan loaders: any bytes given as a Task Master file (both broken-edge
// policies) and as a cohort plan must give diagnostics, never a crash, a hang or a sanitizer
// report; a loaded plan must keep its invariants; and the JSON printer must give back the value
// it printed. Built with clang when COHORT_BUILD_FUZZERS is ON; see tests/fuzz/README.md.
#include <cohort/plan/plan_json.hpp>
#include <cohort/plan/taskmaster.hpp>

#include "common/json_text.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void check_invariants(const cohort::plan& p) {
  for (const auto& t : p.tasks) {
    for (auto d : t.dependencies)
      if (d >= p.size()) std::abort();
    if (t.parent && (*t.parent >= p.size() || !p.tasks[*t.parent].is_parent())) std::abort();
    if (p.find(t.id) != static_cast<cohort::task_index>(&t - p.tasks.data())) std::abort();
  }
}

// Equal, except that doubles may differ in their last bits: Boost.JSON 1.81 does not parse every
// long decimal to the nearest double (a 70-digit integer came back one ulp off), while our
// printer writes the shortest exact form (std::to_chars).
bool same(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_double() && b.is_double()) {
    const double x = a.get_double(), y = b.get_double();
    return x == y || std::fabs(x - y) <= 1e-14 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &l = a.get_array(), &r = b.get_array();
    if (l.size() != r.size()) return false;
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (!same(l[i], r[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const auto &l = a.get_object(), &r = b.get_object();
    if (l.size() != r.size()) return false;
    for (const auto& kv : l) {
      const auto* other = r.if_contains(kv.key());
      if (!other || !same(kv.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

void check_printer(std::string_view text) {
  cohort::detail::json_error err;
  const auto v = cohort::detail::parse_json(text, err);
  if (err.ec) return;
  const auto again = boost::json::parse(cohort::detail::format_json(v));
  if (!same(again, v)) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  cohort::taskmaster_options o;
  for (auto policy : {cohort::broken_edges::refuse, cohort::broken_edges::drop}) {
    o.on_broken = policy;
    check_invariants(cohort::parse_taskmaster(text, o).plan);
  }
  check_invariants(cohort::parse_plan(text).plan);
  check_printer(text);
  return 0;
}
