// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// The runtime under load and faults: 1,000 cancelled stubborn agents, 10,000 launches in one
// run, 1 GiB of output, an unwritable or full run dir. The simulated agent comes after `--`.
#include <cohort/run/journal.hpp>

#include "support/co_test.hpp"
#include "support/processes.hpp"
#include "support/sim_agent.hpp"

#include <cohort/run/executor.hpp>
#include <cohort/testing/fake_launcher.hpp>
#include <cohort/process/process.hpp>
#include <cohort/run/process_launcher.hpp>
#include <cohort/run/journal_state.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstring>
#include <functional>
#include <map>

#include <sys/mount.h>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using cohort::test::sim;

namespace {

// "VmRSS" of this process, in KiB.
std::int64_t rss_kib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("VmRSS:")) return std::stoll(line.substr(6));
  }
  return -1;
}

// Runs `n` independent coroutines made by `make(i)` on one io_context; rethrows the first error.
// The limit is a hang guard just inside the test cases' own (600 s), not a speed check.
template <class Make>
void run_all(int n, Make make, std::chrono::seconds limit = 590s) {
  asio::io_context ctx;
  std::exception_ptr error;
  int left = n;
  for (int i = 0; i < n; ++i) {
    asio::co_spawn(ctx, make(i), [&](std::exception_ptr e) {
      if (e && !error) error = e;
      --left;
    });
  }
  ctx.run_for(limit);
  BOOST_REQUIRE_MESSAGE(left == 0, left << " coroutines did not finish in time");
  if (error) std::rethrow_exception(error);
}

// --- cancelled stubborn agents -----------------------------------------------------------------

// Starts an agent that ignores SIGTERM and has forked 2 grandchildren that ignore it too, cancels
// it once it says it is ready, and counts what is left of its group.
asio::awaitable<void> cancel_stubborn(std::vector<std::string> argv, int& cancelled,
                                      int& survivors) {
  const auto ex = co_await asio::this_coro::executor;
  asio::cancellation_signal stop;
  cohort::process_options o;
  o.argv = std::move(argv);
  o.grace = 20ms;
  o.on_line = [&stop, ex](const cohort::output_line& line) {
    if (line.text.starts_with("ready")) {
      asio::post(ex, [&stop] { stop.emit(asio::cancellation_type::terminal); });
    }
  };
  auto [e, r] = co_await asio::co_spawn(ex, cohort::run_process(std::move(o)),
                                        asio::bind_cancellation_slot(
                                            stop.slot(), asio::as_tuple(asio::use_awaitable)));
  int pgid = r.pgid;
  try {
    if (e) std::rethrow_exception(e);
  } catch (const cohort::process_cancelled& x) {
    pgid = x.result().pgid;
    ++cancelled;
  }
  BOOST_REQUIRE(pgid > 0);
  if (!cohort::test::wait_members(pgid, 0, 2000ms)) {
    survivors += static_cast<int>(cohort::test::live_members(pgid).size());
    ::kill(-pgid, SIGKILL);
  }
}

// (The argv is built outside the co_await: a braced list inside one does not compile, P1.)
asio::awaitable<void> cancel_many(std::vector<std::string> argv, int n, int& cancelled,
                                  int& survivors) {
  for (int i = 0; i < n; ++i) co_await cancel_stubborn(argv, cancelled, survivors);
}

// --- 10,000 launches ---------------------------------------------------------------------------

// Samples open fds and RSS when chosen parents finish (nothing runs then: parents form a chain).
struct resource_probe final : cohort::observer {
  const cohort::plan* plan = nullptr;
  std::map<std::string, std::pair<int, std::int64_t>> at;  // parent id -> (fds, RSS KiB)
  void on_event(const cohort::event& e) override {
    if (e.kind != cohort::event_kind::parent_finished) return;
    at[plan->tasks[*e.task].id] = {cohort::test::open_fd_count(), rss_kib()};
  }
};

cohort::plan chain_of_parents(int parents, int subtasks, const std::vector<std::string>& argv) {
  cohort::plan p;
  for (int i = 1; i <= parents; ++i) {
    cohort::task t;
    t.id = std::to_string(i);
    const auto pi = p.add_parent(std::move(t));
    if (i > 1) p.add_dependency(pi, *p.find(std::to_string(i - 1)));
    for (int s = 1; s <= subtasks; ++s) {
      cohort::task st;
      st.id = std::to_string(s);
      st.argv = argv;
      (void)p.add_subtask(pi, std::move(st));
    }
  }
  return p;
}

asio::awaitable<void> run_with(const cohort::plan& p, cohort::launcher& l,
                               std::vector<cohort::observer*> observers, bool& all_done) {
  cohort::executor_options o;
  o.schedule.max_running = 8;
  const auto report = co_await cohort::run_plan(p, l, o, std::move(observers));
  all_done = report.all_done();
}

// --- 1 GiB of output ---------------------------------------------------------------------------

asio::awaitable<void> flood(fs::path out, std::int64_t& peak_rss, cohort::process_result& r) {
  cohort::process_options o;
  o.argv = sim({"--flood-stdout", std::to_string(1LL << 30)});
  o.stdout_file = std::move(out);
  std::uint64_t lines = 0;
  o.on_line = [&lines, &peak_rss](const cohort::output_line&) {
    if (++lines % 100000 == 0) peak_rss = std::max(peak_rss, rss_kib());
  };
  r = co_await cohort::run_process(std::move(o));
  peak_rss = std::max(peak_rss, rss_kib());
}

// --- faults ------------------------------------------------------------------------------------

// A small tmpfs mounted for a test (the tests run as root), unmounted at the end.
class tmpfs {
public:
  tmpfs(const fs::path& where, const std::string& options) : where_(where) {
    fs::create_directories(where_);
    mounted_ = ::mount("tmpfs", where_.c_str(), "tmpfs", 0, options.c_str()) == 0;
    BOOST_REQUIRE_MESSAGE(mounted_, "mount -t tmpfs failed (" << std::strerror(errno)
                                        << "): the fault tests need root");
  }
  ~tmpfs() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  tmpfs(const tmpfs&) = delete;
  tmpfs& operator=(const tmpfs&) = delete;

private:
  fs::path where_;
  bool mounted_ = false;
};

// Fills the file system of `dir` up to the last byte.
void fill(const fs::path& dir) {
  std::ofstream f(dir / "filler", std::ios::binary);
  const std::string block(4096, 'f');
  while (f.write(block.data(), static_cast<std::streamsize>(block.size()))) f.flush();
}

// Runs `p` to its end and keeps the report.
asio::awaitable<void> run_into(cohort::run_report& report, const cohort::plan& p, cohort::launcher& l) {
  report = co_await cohort::run_plan(p, l, {});
}

// Starts a run as a driver would: lock, journal (durable header), then the executor.
asio::awaitable<void> start_run(fs::path run_dir, const cohort::plan& p, cohort::launcher& l) {
  cohort::executor_options o;
  cohort::journal j(cohort::run_dir_lock(std::move(run_dir)), p, o);
  std::vector<cohort::observer*> observers{&j};
  (void)co_await cohort::run_plan(p, l, o, observers);
}

bool failed_with(const std::function<void()>& f, boost::system::errc::errc_t code,
                 std::string& message) {
  try {
    f();
  } catch (const cohort::system_error& x) {
    message = x.what();
    return x.code() == code;
  }
  return false;
}

} // namespace

BOOST_AUTO_TEST_SUITE(reliability)

BOOST_AUTO_TEST_CASE(a_thousand_cancelled_agents_with_stubborn_grandchildren_leave_no_survivor,
                     *boost::unit_test::timeout(600)) {
  int cancelled = 0, survivors = 0;
  const auto stubborn = sim({"--ignore-sigterm", "--grandchildren", "2", "--ready", "--sleep", "60000"});
  run_all(8, [&](int) { return cancel_many(stubborn, 125, cancelled, survivors); });
  BOOST_TEST(cancelled == 1000);
  BOOST_TEST(survivors == 0);
  BOOST_TEST_MESSAGE("cancellations: " << cancelled << " agents (3 processes each), "
                                       << survivors << " survivors");
}

// 10,000 launches; a tenth of them in a sanitized build, where every agent (built with the
// sanitizer too) starts many times slower (2,500 took 127 s) and the count would only measure that.
#if defined(__SANITIZE_ADDRESS__)
constexpr int launches_per_parent = 100;
#else
constexpr int launches_per_parent = 1000;
#endif

BOOST_AUTO_TEST_CASE(ten_thousand_launches_grow_neither_fds_nor_rss,
                     *boost::unit_test::timeout(600)) {
  cohort::test::temp_dir dir;
  tmpfs fast(dir.path(), "size=256m,mode=0700");  // in memory; a run dir is private
  const auto plan = chain_of_parents(10, launches_per_parent, sim({}));
  cohort::process_launcher_options lo;
  lo.run_dir = dir.path();
  cohort::process_launcher launcher(lo);
  resource_probe probe;
  probe.plan = &plan;
  bool all_done = false;
  {
    cohort::journal j(cohort::run_dir_lock(dir.path()), plan, {}, {.agent_files = true});
    run_all(1, [&](int) { return run_with(plan, launcher, {&probe, &j}, all_done); });
  }
  BOOST_TEST(all_done);
  BOOST_REQUIRE(probe.at.size() == 10u);
  const auto [fds1, rss1] = probe.at.at("1");  // after the first parent's launches: warmed up
  const auto [fds10, rss10] = probe.at.at("10");
  BOOST_TEST(fds10 == fds1);
  BOOST_TEST(rss10 - rss1 < 2048, "RSS grew by " << rss10 - rss1 << " KiB");
  BOOST_TEST_MESSAGE(10 * launches_per_parent << " launches: fds " << fds1 << " -> " << fds10
                     << ", RSS " << rss1 << " -> " << rss10 << " KiB (after "
                     << launches_per_parent << " -> after " << 10 * launches_per_parent << ")");
}

BOOST_AUTO_TEST_CASE(a_gib_of_output_keeps_rss_bounded_and_the_log_complete,
                     *boost::unit_test::timeout(600)) {
  cohort::test::temp_dir dir;
  const auto before = rss_kib();
  std::int64_t peak = before;
  cohort::process_result r;
  run_all(1, [&](int) { return flood(dir / "agent.out", peak, r); });
  BOOST_TEST(r.success());
  BOOST_TEST(r.stdout_bytes == (1ULL << 30));
  BOOST_TEST(fs::file_size(dir / "agent.out") == (1ULL << 30));
  BOOST_TEST(peak - before < 8 * 1024, "RSS grew by " << peak - before << " KiB");
  BOOST_TEST_MESSAGE("1 GiB of stdout: RSS " << before << " -> peak " << peak << " KiB");
}

BOOST_AUTO_TEST_CASE(a_read_only_run_dir_is_a_clear_error_before_any_agent_starts) {
  cohort::test::temp_dir dir;
  tmpfs ro(dir.path(), "size=64k,ro");
  const auto plan = chain_of_parents(1, 2, sim({}));
  cohort::fake_launcher agents;
  std::string message;
  BOOST_TEST(failed_with([&] {
    cohort::test::run_coroutine([&]() { return start_run(dir / "run", plan, agents); });
  }, boost::system::errc::read_only_file_system, message));
  BOOST_TEST(message.find((dir / "run").string()) != std::string::npos, message);
  BOOST_TEST(agents.launches() == 0u);
}

BOOST_AUTO_TEST_CASE(a_full_disk_is_a_clear_error_before_any_agent_starts) {
  cohort::test::temp_dir dir;
  tmpfs small(dir.path(), "size=64k");
  const auto plan = chain_of_parents(1, 2, sim({}));
  cohort::fake_launcher agents;
  cohort::run_dir_lock lock(dir / "run");  // the lock file fits; then the disk fills up
  fill(dir.path());
  std::string message;
  BOOST_TEST(failed_with([&] { cohort::journal j(std::move(lock), plan, {}); },
                         boost::system::errc::no_space_on_device, message));
  BOOST_TEST(message.find("journal") != std::string::npos, message);
  BOOST_TEST(agents.launches() == 0u);
  fs::remove(dir / "filler");  // with room again, the run starts (the torn header was cut)
  cohort::test::run_coroutine([&]() { return start_run(dir / "run", plan, agents); });
  BOOST_TEST(agents.launches() == 2u);
  BOOST_TEST(cohort::read_journal(dir / "run").finished);
}

BOOST_AUTO_TEST_CASE(output_lost_to_a_full_disk_fails_the_attempt_and_says_so) {
  cohort::test::temp_dir dir;
  tmpfs small(dir.path(), "size=256k,mode=0700");
  const auto plan = chain_of_parents(1, 1, sim({"--flood-stdout", std::to_string(4 << 20)}));
  cohort::process_launcher_options lo;
  lo.run_dir = dir.path() / "run";
  cohort::process_launcher agents(lo);
  cohort::run_report report;
  cohort::test::run_coroutine([&]() { return run_into(report, plan, agents); });
  const auto& job = report.tasks.back();
  BOOST_TEST((job.outcome == cohort::task_outcome::failed));  // the agent itself exited 0
  BOOST_TEST(job.reason.find("cannot write the agent's output") != std::string::npos, job.reason);
}

BOOST_AUTO_TEST_SUITE_END()
