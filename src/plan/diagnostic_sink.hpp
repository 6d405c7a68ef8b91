// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_PLAN_DIAGNOSTIC_SINK_HPP
#define COHORT_SRC_PLAN_DIAGNOSTIC_SINK_HPP

// The loaders' diagnostics sink (private to the library).

#include <cohort/plan/validation.hpp>

#include "common/json_text.hpp"

#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

namespace cohort::detail {

// Appends diagnostics that share a file and a tag.
struct diagnostic_sink {
  std::vector<diagnostic>& out;
  diagnostic context;

  void add(severity s, std::string task, std::string reference, std::string message) {
    diagnostic d = context;
    d.severity = s;
    d.task = std::move(task);
    d.reference = std::move(reference);
    d.message = std::move(message);
    out.push_back(std::move(d));
  }
  void error(std::string task, std::string ref, std::string msg) {
    add(severity::error, std::move(task), std::move(ref), std::move(msg));
  }
  void warning(std::string task, std::string ref, std::string msg) {
    add(severity::warning, std::move(task), std::move(ref), std::move(msg));
  }
  void syntax_error(const json_error& e, std::string what) {
    diagnostic d = context;
    d.line = e.line;
    d.column = e.column;
    d.message = fmt::format("{}: {}", what, e.what);
    out.push_back(std::move(d));
  }
};

} // namespace cohort::detail

#endif // COHORT_SRC_PLAN_DIAGNOSTIC_SINK_HPP
