// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// kill -9 at random points, resume each time: nothing is lost, nothing done runs twice, no agent
// of a killed run is left. The runner (tests/support/journal_runner.cpp) comes after `--`.
#include <cohort/run/resume.hpp>
#include <cohort/process/process.hpp>

#include "support/files.hpp"
#include "support/processes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using cohort::journal_task_state;

namespace {

constexpr int parents = 20, subtasks = 25;  // 500 agents of 10..100 ms, 4 at once: about 7 s
// Fifty kills; fifteen in a sanitized build, where every process (the runner and its agents,
// built with the sanitizer too) starts many times slower: fifty took 222 s of the 240 allowed, and
// the sanitizer checks the resumed runs, which fifteen kills exercise as well as fifty.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr int kills = 15;
constexpr unsigned hang_limit_s = 900;  // a hang guard, not a speed check
#else
constexpr int kills = 50;
constexpr unsigned hang_limit_s = 240;
#endif

std::string runner_path() {
  const auto& suite = boost::unit_test::framework::master_test_suite();
  BOOST_REQUIRE_MESSAGE(suite.argc > 1, "pass the path of cohort_test_journal_runner after --");
  return suite.argv[suite.argc - 1];
}

// How many times each task's agent started (lines of its stamp file).
std::map<std::string, int> stamps(const fs::path& dir) {
  std::map<std::string, int> out;
  if (!fs::exists(dir)) return out;  // the first runner was killed before it made the dir
  for (const auto& f : fs::directory_iterator(dir)) {
    const auto text = cohort::test::read_text(f.path());
    out[f.path().filename().string()] = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }
  return out;
}

// The parent of `pid` (0 when it is gone).
int parent_of(int pid) {
  const auto s = cohort::detail::read_proc_stat(pid);
  return s && !s->zombie() ? s->ppid : 0;
}

bool descends_from(int pid, int ancestor) {
  for (int p = parent_of(pid); p > 1; p = parent_of(p)) {
    if (p == ancestor) return true;
  }
  return false;
}

// Live agents of this test (their command line names the stamp dir) that do not descend from
// `runner`: left over from a killed run. (Descendants, not children: a sanitizer's helper task
// is a child of the agent.)
std::vector<int> orphans(const fs::path& stamp_dir, int runner) {
  std::vector<int> out;
  // Any of them may exit while it is read: procfs.hpp reads that as "nothing", never an error.
  for (const auto& p : cohort::detail::scan_processes()) {
    const std::string line = cohort::detail::read_proc_file(p.pid, "cmdline");
    if (line.find(stamp_dir.string()) == std::string::npos) continue;
    if (parent_of(p.pid) != 0 && !descends_from(p.pid, runner)) out.push_back(p.pid);
  }
  return out;
}

// What a survivor is, for the log: pid, state, group and start time, its line of ancestors (to
// pid 1 or a process gone) and its command line.
std::string describe(int pid) {
  std::ostringstream out;
  out << "pid " << pid;
  if (const auto s = cohort::detail::read_proc_stat(pid)) {
    out << " state " << s->state << " pgid " << s->pgid << " start " << s->start_time;
  }
  out << " ancestors";
  for (int p = parent_of(pid); p > 0; p = p > 1 ? parent_of(p) : 0) out << ' ' << p;
  std::string cmd = cohort::detail::read_proc_file(pid, "cmdline");
  std::replace(cmd.begin(), cmd.end(), '\0', ' ');
  out << " cmdline: " << cmd;
  return out.str();
}

// Counts the survivors, and says what each was.
int survivors(const fs::path& stamp_dir, int runner, std::string_view when) {
  const auto found = orphans(stamp_dir, runner);
  for (int pid : found) BOOST_TEST_MESSAGE("kill -9: a survivor " << when << ": " << describe(pid));
  return static_cast<int>(found.size());
}

int start_runner(const fs::path& run_dir, const fs::path& log) {
  return cohort::test::spawn_group({runner_path(), "run", run_dir.string(), std::to_string(parents),
                                    std::to_string(subtasks)},
                                   {}, log.string());
}

} // namespace

BOOST_AUTO_TEST_SUITE(reliability_kill)

BOOST_AUTO_TEST_CASE(kill_9_at_random_points_loses_nothing_and_runs_nothing_done_twice,
                     *boost::unit_test::timeout(hang_limit_s)) {
  cohort::test::temp_dir dir;
  const fs::path run_dir = dir.path() / "run", stamp_dir = run_dir / "stamps";
  const fs::path log = dir.path() / "runner.log";
  std::mt19937 rng(20260406);
  std::uniform_int_distribution<int> delay_ms(5, 250);
  std::map<std::string, int> done_at;  // a task recorded done -> its executions then
  int landed = 0, left_over = 0, orphan_checks = 0, expected_runs = 1;
  for (int k = 0; k < kills; ++k) {
    const int runner = start_runner(run_dir, log);
    BOOST_REQUIRE(runner > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    int status = 0;
    if (::waitpid(runner, &status, WNOHANG) == runner) {
      // The plan ran out before the kills did (a fast machine): the run must have ended well;
      // the checks below hold for the kills that landed.
      BOOST_REQUIRE_MESSAGE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                            "the runner failed before kill " << k << "\n" << cohort::test::read_text(log));
      break;
    }
    // Past its header, a runner has ended every agent of the runs before: any agent process
    // that is not its child is a survivor.
    cohort::error_code ec;
    if (cohort::read_journal(run_dir, ec).runs == expected_runs) {
      ++orphan_checks;
      const std::string when = fmt::format("past the header of run {} (runner {})", expected_runs, runner);
      left_over += survivors(stamp_dir, runner, when);
    }
    ::kill(runner, SIGKILL);
    ::waitpid(runner, &status, 0);
    ++landed;
    // Never corrupt, wherever the kill hit; missing only when it hit before the first header.
    const auto s = cohort::read_journal(run_dir, ec);
    const bool none_yet = ec == boost::system::errc::no_such_file_or_directory && expected_runs == 1;
    BOOST_REQUIRE_MESSAGE(!ec || none_yet, ec.message());
    expected_runs = s.runs + 1;
    const auto counts = stamps(stamp_dir);
    for (const auto& [id, t] : s.tasks) {
      if (t.state == journal_task_state::succeeded && !done_at.contains(id)) {
        done_at[id] = counts.contains(id) ? counts.at(id) : 0;
      }
    }
  }
  // The last run, to the end.
  const int last = start_runner(run_dir, log);
  int status = 0;
  ::waitpid(last, &status, 0);
  BOOST_TEST(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0, "runner log:\n" << cohort::test::read_text(log));
  left_over += survivors(stamp_dir, 0, "after the last run");  // after the end: none at all

  const auto s = cohort::read_journal(run_dir);
  const auto counts = stamps(stamp_dir);
  int executions = 0, reruns = 0;
  for (const auto& [id, t] : s.tasks) {
    BOOST_TEST_CONTEXT(id) {
      BOOST_TEST((t.state == journal_task_state::succeeded));
      if (id.find('.') == std::string::npos) continue;  // a parent: no agent of its own
      BOOST_TEST(counts.contains(id), "no agent of " << id << " ever ran");
      const int n = counts.contains(id) ? counts.at(id) : 0;
      executions += n;
      reruns += std::max(0, n - 1);
      if (done_at.contains(id)) BOOST_TEST(n == done_at.at(id), id << " ran again after done");
    }
  }
  BOOST_TEST(left_over == 0);
  BOOST_TEST(landed >= kills / 2, landed << " kills landed before the plan ran out: make it longer");
  for (const auto& a : s.agents) {
    BOOST_TEST(!(cohort::process_start_time(a.pid) == a.start_time && cohort::test::running(a.pid)));
  }
  // What the runners' resumes ended: "N leftover groups ended (M unrecorded)" per resume.
  std::istringstream lines(cohort::test::read_text(log));
  int ended = 0, unrecorded = 0;
  for (std::string line; std::getline(lines, line);) {
    int e = 0, u = 0;
    const auto at = line.find("done, ");
    if (at != std::string::npos &&
        std::sscanf(line.c_str() + at, "done, %d leftover groups ended (%d unrecorded)", &e, &u) == 2) {
      ended += e;
      unrecorded += u;
    }
  }
  BOOST_TEST_MESSAGE("kill -9: resumes ended " << ended << " leftover groups (" << unrecorded
                     << " found only by the run-dir mark)");
  BOOST_TEST_MESSAGE("kill -9: " << landed << " kills, " << s.runs << " runs, " << executions
                     << " agent executions for " << counts.size() << " tasks (" << reruns
                     << " re-runs of interrupted tasks), " << orphan_checks
                     << " leftover checks, " << left_over << " survivors");
}

BOOST_AUTO_TEST_SUITE_END()
