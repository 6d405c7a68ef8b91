// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// The slow process tests (CTest label "slow"): many children, many launches, much output.
#include <cohort/process/process.hpp>

#include "support/co_test.hpp"
#include "support/files.hpp"
#include "support/sim_agent.hpp"

#include <cohort/core/scope.hpp>

#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <fstream>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using cohort::test::sim;

namespace {

constexpr auto stress_limit = std::chrono::minutes(4);

// Child `i` of `o`: even ones are read through pipes (a line callback), odd ones write their
// output file themselves, so that both output paths carry the same load. Counts it in `ok` if
// it exited 0 and its output ("progress 1/2", "progress 2/2") arrived whole.
asio::awaitable<void> run_checked(cohort::process_options o, int i, std::filesystem::path dir,
                                  int& ok) {
  const std::uint64_t expected = 2 * std::string("progress 1/2\n").size();
  int lines = 0;
  if (i % 2 == 0) o.on_line = [&lines](const cohort::output_line&) { ++lines; };
  else o.stdout_file = dir / (std::to_string(i) + ".out");
  auto r = co_await cohort::run_process(std::move(o));
  const bool whole = i % 2 == 0 ? lines == 2 : std::filesystem::file_size(r.stdout_file) == expected;
  if (r.success() && r.stdout_bytes == expected && whole) ++ok;
}

// Launches `n` children of `o`, at most `width` at a time.
asio::awaitable<void> launch_many(cohort::process_options o, int n, int width, int& ok) {
  cohort::test::temp_dir dir;
  for (int done = 0; done < n; done += width) {
    (void)co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
      for (int i = done; i < std::min(n, done + width); ++i) s.spawn(run_checked(o, i, dir.path(), ok));
      co_return;
    });
  }
}

// "VmRSS" or "VmHWM" of this process, in KiB.
std::int64_t status_kib(const std::string& key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(key + ":")) return std::stoll(line.substr(key.size() + 1));
  }
  return -1;
}

} // namespace

BOOST_AUTO_TEST_SUITE(process_stress)

BOOST_AUTO_TEST_CASE(two_hundred_children_run_at_once) {
  int ok = 0;
  cohort::test::run_coroutine([&]() -> asio::awaitable<void> {
    cohort::process_options o;
    o.argv = sim({"--sleep", "1000", "--progress", "2"});  // long enough to overlap them all
    co_await launch_many(o, 200, 200, ok);
  }, stress_limit);
  BOOST_TEST(ok == 200);
}

BOOST_AUTO_TEST_CASE(open_descriptors_are_the_same_after_a_thousand_launches) {
  int ok = 0;
  int before = -1;
  cohort::test::run_coroutine([&]() -> asio::awaitable<void> {
    cohort::process_options o;
    o.argv = sim({"--progress", "2"});
    co_await launch_many(o, 8, 8, ok);  // the reactor makes its own descriptors on first use
    before = cohort::test::open_fd_count();
    co_await launch_many(o, 1000, 8, ok);
    BOOST_TEST(cohort::test::open_fd_count() == before);
  }, stress_limit);
  BOOST_TEST(ok == 1008);
}

BOOST_AUTO_TEST_CASE(two_hundred_mib_of_output_do_not_grow_the_parent) {
  constexpr std::int64_t flood = 200ll << 20, long_line = 20ll << 20;
  cohort::process_result r;
  std::int64_t lines = 0;
  std::int64_t rss_before = 0;
  cohort::test::run_coroutine([&]() -> asio::awaitable<void> {
    cohort::process_options o;
    o.argv = sim({"--flood-stdout", std::to_string(flood), "--flood-stderr", "1000000",
                  "--long-line", std::to_string(long_line)});
    o.on_line = [&lines](const cohort::output_line&) { ++lines; };  // split, not kept
    rss_before = status_kib("VmRSS");
    { std::ofstream("/proc/self/clear_refs") << "5"; }  // resets VmHWM to the current RSS
    r = co_await cohort::run_process(o);
  }, stress_limit);
  const std::int64_t peak_growth_kib = status_kib("VmHWM") - rss_before;
  BOOST_TEST_MESSAGE("peak RSS growth while reading 220 MiB: " << peak_growth_kib << " KiB");
  BOOST_TEST(r.stdout_bytes == static_cast<std::uint64_t>(flood + long_line + 1));
  BOOST_TEST(r.stderr_bytes == 1000000u);
  BOOST_TEST(lines == flood / 100 + 1 + 1000000 / 100);
  BOOST_TEST(peak_growth_kib < 8 * 1024);  // a few MiB at most, whatever the child prints
}

BOOST_AUTO_TEST_SUITE_END()
