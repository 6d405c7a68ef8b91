// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// cohort-dagrun: runs a Task Master tasks.json whose tasks carry their own `argv`, as real
// processes, at most K at once — cohort as a general DAG process runner. This is the program the
// benchmark harness (../shared/bench, PROJECT_CMD) runs beside make, ninja, xargs, GNU parallel
// and asyncio; see tests/bench/README.md.
//
//   cohort-dagrun --tasks FILE [-j K] [--mode rolling|waves] [--order longest-path|fifo]
//                 [--tag TAG] [--run-dir DIR] [--retries N] [--predict] [--launch-overhead MS]
//
// --predict prints, on stderr, the makespan the analysis' simulation predicts for the same
// options beside the measured one (the run itself, from the first launch to the last exit);
// --launch-overhead tells the simulation what starting and reaping one process costs.
//
// Exit status: 0 every task succeeded, 1 some task failed or was skipped, 2 bad input,
// 130 interrupted.
#include <cohort/run/executor.hpp>
#include <cohort/run/process_launcher.hpp>
#include <cohort/analysis/simulation.hpp>
#include <cohort/plan/taskmaster.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <fmt/core.h>

#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace asio = boost::asio;

namespace {

struct arguments {
  std::string tasks;
  std::string tag;
  std::string run_dir;
  bool predict = false;
  cohort::executor_options options;
};

[[noreturn]] void usage_error(std::string_view what) {
  fmt::print(stderr, "cohort-dagrun: {}\n", what);
  fmt::print(stderr,
             "usage: cohort-dagrun --tasks FILE [-j K] [--mode rolling|waves] "
             "[--order longest-path|fifo] [--tag TAG] [--run-dir DIR] [--retries N] [--predict] "
             "[--launch-overhead MS]\n");
  std::exit(2);
}

std::size_t number(const char* text, std::string_view flag) {
  char* end = nullptr;
  const unsigned long v = std::strtoul(text, &end, 10);
  if (end == text || *end != '\0') usage_error(fmt::format("{} needs a number, not '{}'", flag, text));
  return v;
}

arguments parse(int argc, char** argv) {
  arguments a;
  a.options.schedule.max_running = 8;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage_error(fmt::format("{} needs a value", flag));
      return argv[++i];
    };
    if (flag == "--tasks") a.tasks = value();
    else if (flag == "-j" || flag == "--max-procs") a.options.schedule.max_running = number(value(), flag);
    else if (flag == "--tag") a.tag = value();
    else if (flag == "--run-dir") a.run_dir = value();
    else if (flag == "--predict") a.predict = true;
    else if (flag == "--launch-overhead") {
      a.options.schedule.launch_overhead = std::chrono::milliseconds(number(value(), flag));
    }
    else if (flag == "--retries") a.options.retry.retries = static_cast<int>(number(value(), flag));
    else if (flag == "--mode") {
      const std::string_view m = value();
      if (m != "rolling" && m != "waves") usage_error("--mode is rolling or waves");
      a.options.schedule.mode = m == "waves" ? cohort::wave_mode::waves : cohort::wave_mode::rolling;
    } else if (flag == "--order") {
      const std::string_view o = value();
      if (o != "longest-path" && o != "fifo") usage_error("--order is longest-path or fifo");
      a.options.schedule.order = o == "fifo" ? cohort::ready_order::fifo : cohort::ready_order::longest_path;
    } else if (flag == "-h" || flag == "--help") {
      usage_error("runs the argv of every task of a Task Master tasks.json");
    } else {
      usage_error(fmt::format("unknown argument '{}'", flag));
    }
  }
  if (a.tasks.empty()) usage_error("--tasks FILE is required");
  if (a.options.schedule.max_running == 0) usage_error("-j must be at least 1");
  return a;
}

} // namespace

int main(int argc, char** argv) {
  arguments args = parse(argc, argv);
  cohort::plan plan;
  try {
    cohort::taskmaster_options tm;
    tm.tag = args.tag;
    tm.keep_texts = false;  // it runs the tasks' own argv: no prompt, nothing written back
    plan = cohort::load_taskmaster(args.tasks, tm);
  } catch (const std::exception& e) {
    fmt::print(stderr, "cohort-dagrun: {}\n", e.what());
    return 2;
  }
  cohort::process_launcher_options lo;
  lo.run_dir = args.run_dir;
  lo.stream_output = false;
  cohort::process_launcher agents(lo);

  asio::io_context ctx;
  asio::cancellation_signal stop;
  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  bool interrupted = false;
  signals.async_wait([&](cohort::error_code ec, int) {
    if (ec) return;
    interrupted = true;
    stop.emit(asio::cancellation_type::terminal);
  });
  std::optional<cohort::run_report> report;
  std::exception_ptr failure;
  asio::co_spawn(ctx, cohort::run_plan(plan, agents, args.options),
                 asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e, cohort::run_report r) {
                   failure = e;
                   if (!e) report = std::move(r);
                   signals.cancel();
                 }));
  ctx.run();
  if (interrupted) return 130;
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      fmt::print(stderr, "cohort-dagrun: {}\n", e.what());
      return 2;
    }
  }
  for (std::size_t i = 0; i < report->tasks.size(); ++i) {
    const auto& t = report->tasks[i];
    if (t.outcome == cohort::task_outcome::failed || t.outcome == cohort::task_outcome::skipped) {
      fmt::print(stderr, "cohort-dagrun: task {} {}: {}\n", plan.tasks[i].id,
                 cohort::to_string(t.outcome), t.reason);
    }
  }
  if (args.predict) {
    const auto predicted = cohort::simulate(plan, args.options.schedule).makespan;
    const auto measured = std::chrono::duration_cast<std::chrono::milliseconds>(
        report->finished - report->started);
    fmt::print(stderr, "cohort-dagrun: predicted {} ms, measured {} ms, measured/predicted {:.3f}\n",
               predicted.count(), measured.count(),
               static_cast<double>(measured.count()) / std::max<long>(1, predicted.count()));
  }
  return report->all_done() ? 0 : 1;
}
