// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// The executor's own overhead: N fake zero-time tasks through run_plan (no processes). Prints
// µs per task and bytes per task (peak RSS growth / N). Run a Release build:
//   cohort_bench_executor [--quick] [--tasks N] [--subtasks-per-parent M] [-j K] [--mode waves|rolling]
//                         [--shape chain|cross]
// chain: the parents in a chain, their subtasks independent. cross: the parents independent,
// subtask j of each parent after subtask j of the one before (most tasks wait at the start).
#include <cohort/run/executor.hpp>
#include <cohort/testing/fake_launcher.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <fmt/core.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

namespace asio = boost::asio;

namespace {

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

struct settings {
  std::size_t tasks = 100'000;
  std::size_t per_parent = 100;
  std::size_t max_agents = 8;
  cohort::wave_mode mode = cohort::wave_mode::rolling;
  bool cross = false;
};

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::size_t { return i + 1 < argc ? std::strtoul(argv[++i], nullptr, 10) : 0; };
    if (a == "--quick") s.tasks = 2'000;
    else if (a == "--tasks") s.tasks = next();
    else if (a == "--subtasks-per-parent") s.per_parent = next();
    else if (a == "-j") s.max_agents = next();
    else if (a == "--shape" && i + 1 < argc) s.cross = std::strcmp(argv[++i], "cross") == 0;
    else if (a == "--mode" && i + 1 < argc) {
      s.mode = std::strcmp(argv[++i], "waves") == 0 ? cohort::wave_mode::waves
                                                     : cohort::wave_mode::rolling;
    }
  }
  return s;
}

// `per_parent` subtasks under each parent, in the shape `s` asks for.
cohort::plan make_plan(const settings& s) {
  cohort::plan p;
  const std::size_t parents = (s.tasks + s.per_parent - 1) / s.per_parent;
  for (std::size_t i = 0; i < parents; ++i) {
    cohort::task parent;
    parent.id = std::to_string(i + 1);
    const auto pi = p.add_parent(std::move(parent));
    if (i > 0 && !s.cross) p.add_dependency(pi, p.parents[i - 1]);
    for (std::size_t j = 0; j < s.per_parent && i * s.per_parent + j < s.tasks; ++j) {
      cohort::task sub;
      sub.id = std::to_string(j + 1);
      sub.duration = std::chrono::milliseconds(0);
      const auto si = p.add_subtask(pi, std::move(sub));
      if (i > 0 && s.cross && j < p.tasks[p.parents[i - 1]].subtasks.size()) {
        p.add_dependency(si, p.tasks[p.parents[i - 1]].subtasks[j]);
      }
    }
  }
  return p;
}

} // namespace

int main(int argc, char** argv) {
  const settings s = parse(argc, argv);
  const cohort::plan plan = make_plan(s);
  const long rss_before = peak_rss_kib();
  asio::io_context ctx;
  cohort::fake_launcher agents;
  cohort::executor_options o;
  o.schedule.max_running = s.max_agents;
  o.schedule.mode = s.mode;
  std::exception_ptr failure;
  std::size_t succeeded = 0;
  const auto t0 = std::chrono::steady_clock::now();
  asio::co_spawn(ctx, cohort::run_plan(plan, agents, o),
                 [&](std::exception_ptr e, cohort::run_report r) {
                   failure = e;
                   succeeded = r.count(cohort::task_outcome::succeeded);
                 });
  ctx.run();
  const auto t1 = std::chrono::steady_clock::now();
  if (failure) std::rethrow_exception(failure);
  const double us = std::chrono::duration<double, std::micro>(t1 - t0).count();
  const long rss_growth = peak_rss_kib() - rss_before;
  fmt::print("executor: {} fake zero-time tasks ({} per parent, {}, -j {}, {}): {:.2f} us/task, "
             "{:.0f} bytes/task peak RSS growth, {} succeeded\n",
             s.tasks, s.per_parent, s.cross ? "cross" : "chain", s.max_agents,
             s.mode == cohort::wave_mode::waves ? "waves" : "rolling", us / s.tasks,
             rss_growth * 1024.0 / s.tasks, succeeded);
  return succeeded == plan.size() ? 0 : 1;
}
