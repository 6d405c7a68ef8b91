// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// Launch+reap throughput of run_process against the plain C floor, in the same run: N `true`
// children with K in flight, once from a small parent and once from a parent holding 512 MiB
// of touched heap. The floor is ../shared/bench/src/spawn_floor.c's loop: posix_spawnp, then
// waitpid(-1), refilling to K. Run a Release build:
//   cohort_bench_spawn            N=2000, K=8, 5 interleaved rounds, 512 MiB
//   cohort_bench_spawn --quick    N=100, 1 round, 64 MiB (the CTest smoke run; asserts no time)
#include <cohort/process/process.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

namespace {

struct settings {
  int n = 2000;
  int k = 8;
  int rounds = 5;
  std::size_t heap_mib = 512;
};

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// The floor: nothing but posix_spawnp and waitpid(-1), as spawn_floor.c does it.
double floor_rate(const settings& s) {
  char name[] = "true";
  char* argv[] = {name, nullptr};
  int started = 0, done = 0, inflight = 0;
  const auto t0 = clock_type::now();
  while (done < s.n) {
    for (; inflight < s.k && started < s.n; ++started, ++inflight) {
      pid_t pid;
      if (int rc = ::posix_spawnp(&pid, name, nullptr, nullptr, argv, environ))
        throw std::runtime_error(std::string("posix_spawnp: ") + std::strerror(rc));
    }
    int status;
    if (::waitpid(-1, &status, 0) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("waitpid");
    }
    --inflight;
    ++done;
  }
  return s.n / seconds_since(t0);
}

// One of K workers: launches `true` through run_process until `n` launches were taken.
asio::awaitable<void> worker(int& taken, int n, int& failed) {
  cohort::process_options o;
  o.argv = {"true"};
  while (taken < n) {
    ++taken;
    auto r = co_await cohort::run_process(o);
    if (!r.success()) ++failed;
  }
}

double cohort_rate(const settings& s) {
  asio::io_context ctx;
  int taken = 0, failed = 0;
  std::exception_ptr error;
  const auto t0 = clock_type::now();
  for (int i = 0; i < s.k; ++i) {
    asio::co_spawn(ctx, worker(taken, s.n, failed), [&](std::exception_ptr e) {
      if (e && !error) error = e;
    });
  }
  ctx.run();
  const double rate = s.n / seconds_since(t0);
  if (error) std::rethrow_exception(error);
  if (failed) throw std::runtime_error(fmt::format("{} launches of true failed", failed));
  return rate;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Interleaved rounds (floor, cohort, floor, cohort...), so that drift hits both alike.
void compare(const settings& s, const char* parent) {
  std::vector<double> floor, ours;
  for (int i = 0; i < s.rounds; ++i) {
    floor.push_back(floor_rate(s));
    ours.push_back(cohort_rate(s));
  }
  const double f = median(floor), c = median(ours);
  fmt::print("{:<22} n={} k={} rounds={}  floor {:>7.0f}/s  run_process {:>7.0f}/s  ratio {:.2f}\n",
             parent, s.n, s.k, s.rounds, f, c, c / f);
}

// Touches every page, so that the heap is resident (what makes fork-based launchers slow).
std::unique_ptr<char[]> hold_heap(std::size_t mib) {
  auto heap = std::make_unique<char[]>(mib << 20);
  for (std::size_t i = 0; i < (mib << 20); i += 4096) heap[i] = static_cast<char>(i);
  return heap;
}

} // namespace

int main(int argc, char** argv) {
  settings s;
  if (argc > 1 && std::strcmp(argv[1], "--quick") == 0) s = {100, 8, 1, 64};
  try {
    compare(s, "small parent");
    auto heap = hold_heap(s.heap_mib);
    compare(s, fmt::format("parent + {} MiB heap", s.heap_mib).c_str());
    volatile char sink = heap[s.heap_mib << 19];
    (void)sink;
  } catch (const std::exception& e) {
    fmt::print(stderr, "cohort_bench_spawn: {}\n", e.what());
    return 1;
  }
}
