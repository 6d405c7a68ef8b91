// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// Plan loading benchmark: the 1.5 MB Task Master sample (9 tags, 182 tasks, 914 subtasks),
// parsed, resolved and validated; prints ms per load and the process's peak RSS. Goal: < 50 ms.
//   cohort_bench_plan_load [SAMPLES_DIR]            20 loads per measurement
//   cohort_bench_plan_load --quick [SAMPLES_DIR]    3 loads (the CTest smoke run)
#include <cohort/plan/plan_json.hpp>
#include <cohort/plan/taskmaster.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <vector>

#include <sys/resource.h>

namespace {

using clock_type = std::chrono::steady_clock;

double peak_rss_mib() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux: KiB
}

// Runs `body` `n` times; prints the median and the fastest run in ms.
void measure(const char* what, int n, const std::function<std::size_t()>& body) {
  std::vector<double> ms;
  std::size_t items = 0;
  for (int i = 0; i < n; ++i) {
    const auto t0 = clock_type::now();
    items = body();
    ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  fmt::print("{:<58} {:>6} tasks {:>8.2f} ms median {:>8.2f} ms min  peak RSS {:.1f} MiB\n", what,
             items, ms[ms.size() / 2], ms.front(), peak_rss_mib());
}

// The tags of the sample, in file order.
const char* const sample_tags[] = {"master", "test-tag", "cc-kiro-hooks", "tm-core-phase-1",
                                   "tm-start", "autonomous-tdd-git-workflow",
                                   "tdd-workflow-phase-0", "tdd-phase-1-core-rails", "loop"};

} // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int n = quick ? 3 : 20;
  const std::filesystem::path dir = argc > (quick ? 2 : 1) ? argv[quick ? 2 : 1] : COHORT_SAMPLES_DIR;
  const auto file = dir / "eyaltoledano__claude-task-master.json";
  fmt::print("{} ({} bytes), {} runs each; peak RSS at start {:.1f} MiB\n", file.string(),
             std::filesystem::file_size(file), n, peak_rss_mib());

  measure("read_taskmaster: master tag (read, parse, resolve, check)", n,
          [&] { return cohort::read_taskmaster(file).plan.size(); });
  measure("read_taskmaster: each of the 9 tags, one after another", n, [&] {
    std::size_t total = 0;
    cohort::taskmaster_options o;
    for (const char* tag : sample_tags) {
      o.tag = tag;
      total += cohort::read_taskmaster(file, o).plan.size();
    }
    return total;
  });
  const auto plan = cohort::read_taskmaster(file).plan;
  const std::string text = cohort::format_plan(plan);
  measure("format_plan: master as cohort JSON", n, [&] {
    (void)cohort::format_plan(plan);
    return plan.size();
  });
  measure("parse_plan: master from cohort JSON", n, [&] { return cohort::parse_plan(text).plan.size(); });
  return 0;
}
