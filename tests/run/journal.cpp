// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/run/journal.hpp>

#include <cohort/run/journal_state.hpp>
#include <cohort/run/plan_identity.hpp>

#include "support/co_test.hpp"
#include "support/log_values.hpp"
#include "support/files.hpp"
#include "support/plans.hpp"

#include <cohort/testing/fake_launcher.hpp>
#include <cohort/process/process.hpp>

#include <cohort/core/scope.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value_to.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include <unistd.h>

namespace json = boost::json;
using cohort::event_kind;
using cohort::journal_task_state;
using cohort::test::read_text;
using cohort::test::temp_dir;

namespace {

std::vector<json::object> records(const std::filesystem::path& run_dir) {
  std::istringstream in(read_text(cohort::journal_file(run_dir)));
  std::vector<json::object> out;
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line).as_object());
  return out;
}

cohort::event task_event(event_kind k, cohort::task_index t, int attempt = 1) {
  cohort::event e;
  e.kind = k;
  e.at = cohort::event::clock_type::now();
  e.task = t;
  e.attempt = attempt;
  return e;
}

void append(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary | std::ios::app) << text;
}

} // namespace

BOOST_AUTO_TEST_SUITE(journal)

CO_TEST_CASE(every_event_but_output_is_one_line_naming_tasks_by_id) {
  temp_dir dir;
  const auto plan = cohort::test::seed_plan(2, std::chrono::milliseconds(1));
  cohort::fake_launcher agents;
  cohort::test::event_log log;
  cohort::executor_options o;
  {
    cohort::journal j(cohort::run_dir_lock(dir.path()), plan, o);
    std::vector<cohort::observer*> observers{&log, &j};
    (void)co_await cohort::run_plan(plan, agents, o, observers);
  }
  const auto lines = records(dir.path());
  BOOST_REQUIRE(!lines.empty());
  BOOST_TEST(lines[0].at("journal").as_int64() == 1);
  BOOST_TEST(lines[0].at("plan").at("hash").as_string() ==
             fmt::format("{:016x}", cohort::identify(plan).hash));
  std::vector<cohort::event> expected;
  for (const auto& e : log.events) {
    if (e.kind != event_kind::task_output) expected.push_back(e);
  }
  BOOST_REQUIRE(lines.size() == expected.size() + 1);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto& e = expected[i - 1];
    BOOST_TEST(lines[i].at("e").as_string() == cohort::to_string(e.kind));
    BOOST_TEST(lines[i].contains("task") == e.task.has_value());
    if (e.task) BOOST_TEST(lines[i].at("task").as_string() == plan.tasks[*e.task].id);
  }
}

namespace {

// The journal's task_ready lines in the file now.
std::size_t ready_lines(const std::filesystem::path& run_dir) {
  const auto lines = records(run_dir);
  return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [](const json::object& o) {
    return o.contains("e") && o.at("e").as_string() == "task_ready";
  }));
}

// Counts, at each launch, the journal's lines that were already in the file.
class reading_launcher final : public cohort::launcher {
public:
  explicit reading_launcher(std::filesystem::path run_dir) : run_dir_(std::move(run_dir)) {}
  boost::asio::awaitable<cohort::launch_result> launch(const cohort::launch_request&) override {
    in_file.push_back(ready_lines(run_dir_));
    cohort::launch_result r;
    r.status = cohort::launch_status::succeeded;
    r.tokens = 0;
    co_return r;
  }
  std::vector<std::size_t> in_file;  // task_ready lines durable at each launch

private:
  std::filesystem::path run_dir_;
};

} // namespace

// Group commit: the launches the event loop decided in one turn wait for one fsync, so the
// first of them already finds every ready line of that turn in the file (a commit per launch
// would have written only its own and those before it).
CO_TEST_CASE(the_launches_of_one_turn_share_one_commit_and_none_starts_before_its_lines_are_in) {
  temp_dir dir;
  cohort::test::plan_builder b;
  const auto p = b.parent("1");
  for (int s = 1; s <= 4; ++s) b.sub(p, std::to_string(s), {}, std::chrono::milliseconds(1));
  reading_launcher agents(dir.path());
  cohort::executor_options o;
  o.schedule.max_running = 4;
  {
    cohort::journal_options jo;
    jo.group_commit = cohort::journal_options::grouping::always;  // whatever the disk under the test
    cohort::journal j(cohort::run_dir_lock(dir.path()), b.p, o, jo);
    std::vector<cohort::observer*> observers{&j};
    const auto report = co_await cohort::run_plan(b.p, agents, o, observers);
    BOOST_TEST(report.all_done());
  }
  BOOST_TEST(agents.in_file == (std::vector<std::size_t>{4, 4, 4, 4}), boost::test_tools::per_element());
  // A commit of its own for each: the first launch finds only its own ready line.
  reading_launcher alone(dir.path() / "alone");
  {
    cohort::journal_options jo;
    jo.group_commit = cohort::journal_options::grouping::never;
    cohort::journal j(cohort::run_dir_lock(dir.path() / "alone"), b.p, o, jo);
    std::vector<cohort::observer*> observers{&j};
    (void)co_await cohort::run_plan(b.p, alone, o, observers);
  }
  BOOST_REQUIRE(alone.in_file.size() == 4u);
  BOOST_TEST(alone.in_file[0] < 4u);
}

namespace {

// A launch decided after `hops` turns of the loop: its task's ready line, then the wait for the
// journal; then what the file holds.
boost::asio::awaitable<void> launch_after(int hops, cohort::task_index t, cohort::journal& j,
                                          const std::filesystem::path& run_dir,
                                          std::vector<std::size_t>& in_file) {
  const auto ex = co_await boost::asio::this_coro::executor;
  for (int h = 0; h < hops; ++h) co_await boost::asio::post(ex, boost::asio::use_awaitable);
  cohort::event e;
  e.kind = cohort::event_kind::task_ready;
  e.at = cohort::event::clock_type::now();
  e.task = t;
  j.on_event(e);
  co_await j.until_recorded();
  in_file.push_back(ready_lines(run_dir));
}

} // namespace

// Group commit across turns: a launch decided a turn after the last one that joined, while the
// commit still waits, joins it too (the commit goes back in the queue while a pass brings it
// launches), so the first launch already finds the lines of all three in the file. A commit that
// ran one turn after its first launch would have held only that launch's line.
CO_TEST_CASE(launches_decided_in_successive_turns_share_the_waiting_commit) {
  temp_dir dir;
  cohort::test::plan_builder b;
  const auto p = b.parent("1");
  std::vector<cohort::task_index> subs;
  for (int s = 1; s <= 3; ++s) subs.push_back(b.sub(p, std::to_string(s), {}, std::chrono::milliseconds(1)));
  cohort::journal_options jo;
  jo.group_commit = cohort::journal_options::grouping::always;
  cohort::journal j(cohort::run_dir_lock(dir.path()), b.p, cohort::executor_options{}, jo);
  std::vector<std::size_t> in_file;
  (void)co_await cohort::with_scope(cohort::scope_policy::isolate, [&](cohort::scope& s) -> boost::asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) s.spawn(launch_after(i, subs[static_cast<std::size_t>(i)], j, dir.path(), in_file));
    co_return;
  });
  BOOST_TEST(in_file == (std::vector<std::size_t>{3, 3, 3}), boost::test_tools::per_element());
}

CO_TEST_CASE(a_finished_run_reads_back_with_every_task_succeeded_and_its_spend) {
  temp_dir dir;
  const auto plan = cohort::test::seed_plan(2, std::chrono::milliseconds(1));
  cohort::fake_launcher agents;
  cohort::executor_options o;
  cohort::journal j(cohort::run_dir_lock(dir.path()), plan, o);
  std::vector<cohort::observer*> observers{&j};
  const auto report = co_await cohort::run_plan(plan, agents, o, observers);
  j.flush();
  const auto s = cohort::read_journal(dir.path());
  BOOST_TEST(s.runs == 1);
  BOOST_TEST(s.finished);
  BOOST_TEST(!s.torn_tail);
  BOOST_TEST(s.tasks.size() == plan.tasks.size());
  for (const auto& [id, t] : s.tasks) {
    BOOST_TEST_CONTEXT(id) BOOST_TEST(t.state == journal_task_state::succeeded);
  }
  BOOST_TEST(s.tokens_spent == report.tokens_spent);
  BOOST_TEST(s.identity.hash == cohort::identify(plan).hash);
}

BOOST_AUTO_TEST_CASE(the_header_is_durable_before_any_event) {
  temp_dir dir;
  const auto plan = cohort::test::seed_plan(2);
  cohort::executor_options o;
  o.tokens_spent = 1234;
  cohort::journal j(cohort::run_dir_lock(dir.path()), plan, o);
  const auto lines = records(dir.path());  // read while the journal is open
  BOOST_REQUIRE(lines.size() == 1);
  BOOST_TEST(boost::json::value_to<std::uint64_t>(lines[0].at("options").at("tokens_spent")) == 1234u);
  BOOST_TEST(lines[0].at("pid").as_int64() == ::getpid());
  BOOST_TEST(cohort::read_journal(dir.path()).identity.tasks == cohort::identify(plan).tasks);
}

BOOST_AUTO_TEST_CASE(decisive_events_are_written_at_once_the_rest_before_the_next_launch) {
  temp_dir dir;
  const auto plan = cohort::test::seed_plan(2);
  cohort::journal j(cohort::run_dir_lock(dir.path()), plan, {});
  j.on_event(task_event(event_kind::task_ready, 1));
  BOOST_TEST(records(dir.path()).size() == 1u);  // buffered
  j.before_launch();
  BOOST_TEST(records(dir.path()).size() == 2u);
  j.on_event(task_event(event_kind::task_succeeded, 1));
  BOOST_TEST(records(dir.path()).size() == 3u);  // written without waiting
}

// An isolating launcher's steps are written at once (a resume must know what was merged) and
// read back as the task's last merge state, branch and commit.
BOOST_AUTO_TEST_CASE(a_merge_step_is_written_at_once_and_read_back) {
  temp_dir dir;
  const auto plan = cohort::test::seed_plan(2);
  cohort::journal j(cohort::run_dir_lock(dir.path()), plan, {});
  auto e = task_event(event_kind::task_merge, 1);
  e.attempt = 1;
  e.merge = cohort::merge_state::merging;
  e.branch = "cohort-work/r/j/x/1";
  e.commit = std::string(40, 'a');
  j.on_event(e);
  BOOST_TEST(records(dir.path()).size() == 2u);  // written without waiting
  e.merge = cohort::merge_state::merged;
  e.branch = "cohort-work/r/p/x";
  e.commit = std::string(40, 'b');
  j.on_event(e);
  const auto s = cohort::read_journal(dir.path());
  const auto& t = s.tasks.at(plan.tasks[1].id);
  BOOST_TEST(t.merge == "merged");
  BOOST_TEST(t.branch == "cohort-work/r/p/x");
  BOOST_TEST(t.commit == std::string(40, 'b'));
}

BOOST_AUTO_TEST_CASE(a_launch_records_pid_group_start_time_and_output_files) {
  temp_dir dir;
  const auto plan = cohort::test::seed_plan(2);
  cohort::journal j(cohort::run_dir_lock(dir.path()), plan, {}, {.agent_files = true});
  auto e = task_event(event_kind::task_launched, 1, 2);
  e.pid = ::getpid();  // any live process will do
  e.tokens = 500;
  j.on_event(e);
  const auto s = cohort::read_journal(dir.path());
  BOOST_REQUIRE(s.agents.size() == 1u);
  const auto& a = s.agents[0];
  BOOST_TEST(a.task == plan.tasks[1].id);
  BOOST_TEST(a.attempt == 2);
  BOOST_TEST(a.pid == ::getpid());
  BOOST_TEST(a.start_time == cohort::process_start_time(::getpid()));
  BOOST_TEST(a.start_time != 0u);
  BOOST_TEST(a.stdout_file == dir.path() / "agents" / plan.tasks[1].id / "2.out");
  BOOST_TEST(!a.ended);
  BOOST_TEST(s.tasks.at(plan.tasks[1].id).state == journal_task_state::running);
  BOOST_TEST(s.tokens_spent == 500u);  // no usage reported: the reservation counts as spent
}

BOOST_AUTO_TEST_CASE(a_torn_last_line_is_ignored_and_cut_before_the_next_run_appends) {
  temp_dir dir;
  const auto plan = cohort::test::seed_plan(2);
  { cohort::journal j(cohort::run_dir_lock(dir.path()), plan, {}); }
  append(cohort::journal_file(dir.path()), R"({"e":"task_succeeded","ms":3,"ta)");
  auto s = cohort::read_journal(dir.path());
  BOOST_TEST(s.torn_tail);
  BOOST_TEST(s.lines == 1u);
  { cohort::journal j(cohort::run_dir_lock(dir.path()), plan, {}); }
  s = cohort::read_journal(dir.path());
  BOOST_TEST(!s.torn_tail);
  BOOST_TEST(s.runs == 2);
  BOOST_TEST(read_text(cohort::journal_file(dir.path())).find("\"ta\n") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_corrupt_line_before_the_last_is_journal_corrupt_naming_its_number) {
  temp_dir dir;
  const auto plan = cohort::test::seed_plan(2);
  { cohort::journal j(cohort::run_dir_lock(dir.path()), plan, {}); }
  append(cohort::journal_file(dir.path()), "{\"e\":\"run_started\",\"ms\":0}\nnot json\n{\"e\":\"x\"}\n");
  cohort::error_code ec;
  (void)cohort::read_journal(dir.path(), ec);
  BOOST_TEST(ec == cohort::make_error_code(cohort::errc::journal_corrupt));
  BOOST_CHECK_EXCEPTION((void)cohort::read_journal(dir.path()), cohort::system_error,
                        [](const cohort::system_error& x) {
                          return std::string(x.what()).find("line 3") != std::string::npos;
                        });
}

BOOST_AUTO_TEST_CASE(a_missing_journal_is_no_such_file) {
  temp_dir dir;
  cohort::error_code ec;
  (void)cohort::read_journal(dir.path(), ec);
  BOOST_TEST(ec == boost::system::errc::no_such_file_or_directory);
}

BOOST_AUTO_TEST_CASE(a_removed_run_dir_stops_every_launch_with_a_clear_error) {
  temp_dir dir;
  const auto run_dir = dir.path() / "run";
  const auto plan = cohort::test::seed_plan(1);
  cohort::journal j(cohort::run_dir_lock(run_dir), plan, {});
  BOOST_CHECK_NO_THROW(j.before_launch());
  std::filesystem::remove_all(run_dir);
  for (int launch = 0; launch < 2; ++launch) {
    BOOST_CHECK_EXCEPTION(j.before_launch(), cohort::system_error, [](const cohort::system_error& x) {
      return std::string(x.what()).find("was deleted") != std::string::npos;
    });
  }
}

BOOST_AUTO_TEST_CASE(a_planted_link_in_place_of_the_journal_is_refused_and_its_target_kept) {
  temp_dir dir;
  const auto victim = dir.write("victim", "precious");
  const auto run_dir = dir.path() / "run";
  cohort::run_dir_lock lock(run_dir);
  std::filesystem::create_symlink(victim, cohort::journal_file(run_dir));
  const auto plan = cohort::test::seed_plan(1);
  BOOST_CHECK_EXCEPTION(cohort::journal(std::move(lock), plan, {}), cohort::system_error,
                        [](const cohort::system_error& x) {
                          return std::string(x.what()).find("symbolic link") != std::string::npos;
                        });
  BOOST_TEST(read_text(victim) == "precious");
}

BOOST_AUTO_TEST_SUITE_END()
