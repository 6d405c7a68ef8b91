// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// Loads a Task Master tasks.json and prints what the plan layer knows about it: projections
// (sequential, waves only, hierarchical, critical path, and a simulated run), parallel groups,
// parent layers, the critical path, slack per parent, a token budget split and ownership
// conflicts.
//
//   cohort_example_plan_report [tasks.json] [-j K] [--budget N] [--reserve N] [--rolling]
//                              [--json | --dot | --mermaid]
//
// Without a file it reads examples/plans/seed.json (the research note's plan) from the current
// directory; CTest passes its full path.
#include <cohort/cohort.hpp>
#include <cohort/plan/taskmaster.hpp>

#include <boost/json/serialize.hpp>

#include <fmt/core.h>

#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

namespace {

struct arguments {
  std::string file = "examples/plans/seed.json";  // from the repository's root
  cohort::plan_analysis_options report;
  std::string format = "text";
};

arguments parse(int argc, char** argv) {
  arguments a;
  a.report.simulate = cohort::schedule_options{};
  a.report.simulate->mode = cohort::wave_mode::waves;
  a.report.budget = 200'000;  // the note's budget, with its 5K buffer
  a.report.reserve = 5'000;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "-j" && has_value) a.report.simulate->max_running = std::stoul(argv[++i]);
    else if (arg == "--budget" && has_value) a.report.budget = std::stoull(argv[++i]);
    else if (arg == "--reserve" && has_value) a.report.reserve = std::stoull(argv[++i]);
    else if (arg == "--rolling") a.report.simulate->mode = cohort::wave_mode::rolling;
    else if (arg == "--json" || arg == "--dot" || arg == "--mermaid") a.format = arg.substr(2);
    else a.file = arg;
  }
  return a;
}

} // namespace

int main(int argc, char** argv) try {
  const arguments a = parse(argc, argv);
  const cohort::plan p = cohort::load_taskmaster(a.file);
  const cohort::plan_analysis r = cohort::analyze(p, a.report);
  if (a.format == "json") fmt::print("{}\n", boost::json::serialize(cohort::render_json(p, r)));
  else if (a.format == "dot") fmt::print("{}", cohort::render_dot(p, r));
  else if (a.format == "mermaid") fmt::print("{}", cohort::render_mermaid(p, r));
  else fmt::print("{}: {} tasks, {} parents\n\n{}", a.file, p.size(), p.parents.size(), cohort::render_text(p, r));
  return EXIT_SUCCESS;
} catch (const std::exception& e) {
  fmt::print(stderr, "plan_analysis: {}\n", e.what());
  return EXIT_FAILURE;
}
