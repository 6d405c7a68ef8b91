// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// cohort_test_journal_runner: the process the reliability tests kill with SIGKILL.
//
//   cohort_test_journal_runner run RUN_DIR PARENTS SUBTASKS
//       Runs a fixed plan (PARENTS parents in two interleaved chains, SUBTASKS subtasks each,
//       rolling, 4 at once) with the process launcher and a journal in RUN_DIR. When RUN_DIR
//       already has a journal it resumes: ends the dead run's agents, runs only what is not done.
//       Each agent is this program in `agent` mode. Exit 0 when every task is done.
//   cohort_test_journal_runner agent STAMP_DIR SLEEP_MS
//       An agent: appends its pid to STAMP_DIR/<COHORT_TASK_ID> (one line per execution), sleeps,
//       exits 0.
#include <cohort/run/executor.hpp>
#include <cohort/run/journal.hpp>
#include <cohort/run/process_launcher.hpp>
#include <cohort/run/resume.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

int agent(const fs::path& stamps, int sleep_ms) {
  const char* id = std::getenv("COHORT_TASK_ID");
  if (!id) return 2;
  const std::string line = std::to_string(::getpid()) + "\n";
  const int fd = ::open((stamps / id).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0 || ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 3;
  ::close(fd);
  std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
  return 0;
}

// Sleeps of 10..100 ms, fixed per task.
int duration_of(int parent, int sub) { return 10 + (parent * 37 + sub * 53) % 91; }

cohort::plan make_plan(const std::string& self, const fs::path& stamps, int parents, int subs) {
  cohort::plan p;
  for (int i = 1; i <= parents; ++i) {
    cohort::task t;
    t.id = std::to_string(i);
    const auto pi = p.add_parent(std::move(t));
    if (i > 2) p.add_dependency(pi, *p.find(std::to_string(i - 2)));
    for (int s = 1; s <= subs; ++s) {
      cohort::task st;
      st.id = std::to_string(s);
      st.argv = {self, "agent", stamps.string(), std::to_string(duration_of(i, s))};
      st.tokens = 100;
      (void)p.add_subtask(pi, std::move(st));
    }
  }
  return p;
}

int run(const std::string& self, const fs::path& run_dir, int parents, int subs) {
  const fs::path stamps = run_dir / "stamps";
  cohort::run_dir_lock lock(run_dir);
  fs::create_directories(stamps);
  const cohort::plan p = make_plan(self, stamps, parents, subs);
  cohort::executor_options o;
  o.schedule.max_running = 4;
  if (fs::exists(cohort::journal_file(run_dir))) {
    cohort::resume_options ro;
    ro.grace = std::chrono::milliseconds(200);
    const auto was = cohort::prepare_resume(lock, p, o, ro);
    std::printf("resumed run %d: %zu done, %zu leftover groups ended (%zu unrecorded)\n",
                was.journal.runs + 1, o.finished.size(), was.leftovers.ended,
                was.leftovers.unrecorded);
    std::fflush(stdout);
  }
  cohort::process_launcher_options lo;
  lo.run_dir = run_dir;
  lo.grace = std::chrono::milliseconds(200);
  lo.stream_output = false;
  lo.environment[cohort::run_dir_variable] = cohort::run_dir_marker(run_dir);
  cohort::process_launcher launcher(lo);
  cohort::journal j(std::move(lock), p, o, {.agent_files = true});
  std::vector<cohort::observer*> observers{&j};
  boost::asio::io_context ctx;
  std::optional<cohort::run_report> report;
  boost::asio::co_spawn(ctx, cohort::run_plan(p, launcher, o, observers),
                        [&](std::exception_ptr e, cohort::run_report r) {
                          if (e) std::rethrow_exception(e);
                          report = std::move(r);
                        });
  ctx.run();
  j.flush();
  return report && report->all_done() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "agent" && argc == 4) return agent(argv[2], std::atoi(argv[3]));
    if (mode == "run" && argc == 5) {
      return run(fs::read_symlink("/proc/self/exe").string(), argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
    }
    std::fprintf(stderr, "usage: %s run RUN_DIR PARENTS SUBTASKS | agent STAMP_DIR SLEEP_MS\n",
                 argv[0]);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cohort_test_journal_runner: %s\n", e.what());
    return 1;
  }
}
