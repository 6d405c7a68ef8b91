// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/plan/taskmaster_writeback.hpp>

#include "support/files.hpp"

#include <cohort/plan/taskmaster.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace json = boost::json;
using cohort::status_change;
using cohort::task_status;
using cohort::test::read_text;
using cohort::test::temp_dir;

constexpr std::string_view two_tags = R"({
  "master": {
    "tasks": [
      {
        "id": 1,
        "title": "Caf\u00e9 \"quoted\" \\ tab\t",
        "status": "pending",
        "estimatedHours": 2.5,
        "weight": 2.0,
        "big": 18446744073709551615,
        "huge": 62E26662,
        "zero": 0e400,
        "dependencies": [],
        "subtasks": [
          {"id": 1, "status": "done", "dependencies": []},
          {"id": "1.2", "zeta": null, "status": "pending", "alpha": [1, {"b": true}], "dependencies": [1]}
        ]
      },
      {"id": 31, "subtasks": [{"id": 31.1, "status": "pending"}]},
      {"id": "rust-core", "status": "review", "subtasks": [{"id": "cli", "status": "blocked"}]}
    ],
    "metadata": {"created": "x"}
  },
  "other": {"tasks": [{"id": 1, "status": "pending"}]}
}
)";

json::value& status_of(json::value& root, std::string_view tag, std::size_t t, int s = -1) {
  auto& task = root.at(tag).at("tasks").at(t);
  return s < 0 ? task.at("status") : task.at("subtasks").at(static_cast<std::size_t>(s)).at("status");
}

} // namespace

BOOST_AUTO_TEST_SUITE(taskmaster_writeback)

BOOST_AUTO_TEST_CASE(changes_only_the_named_statuses_in_one_tag) {
  temp_dir dir;
  const auto file = dir.write("tasks.json", two_tags);
  const std::vector<status_change> changes{{"1.2", task_status::done},
                                           {"31.1", task_status::in_progress},
                                           {"rust-core.cli", task_status::pending}};
  BOOST_TEST(cohort::set_taskmaster_status(file, "master", changes) == 3u);
  // Every byte but the three values is kept: spacing, key order, "2.0", "62E26662", escapes.
  std::string expected(two_tags);
  const auto replace = [&](std::string_view from, std::string_view to) {
    const auto at = expected.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    expected.replace(at, from.size(), to);
  };
  replace(R"("zeta": null, "status": "pending")", R"("zeta": null, "status": "done")");
  replace(R"({"id": 31.1, "status": "pending"})", R"({"id": 31.1, "status": "in-progress"})");
  replace(R"({"id": "cli", "status": "blocked"})", R"({"id": "cli", "status": "pending"})");
  BOOST_TEST(read_text(file) == expected);
  BOOST_TEST(!std::filesystem::exists(file.string() + ".lock"));
  BOOST_TEST(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);  // no temp left
}

BOOST_AUTO_TEST_CASE(an_unchanged_status_does_not_write_the_file) {
  temp_dir dir;
  const auto file = dir.write("tasks.json", two_tags);
  const auto before = std::filesystem::last_write_time(file);
  BOOST_TEST(cohort::set_taskmaster_status(file, "master", {{"1.1", task_status::done}}) == 0u);
  BOOST_TEST(read_text(file) == two_tags);
  BOOST_TEST((std::filesystem::last_write_time(file) == before));
}

BOOST_AUTO_TEST_CASE(a_symlinked_file_is_written_through_to_its_target) {
  temp_dir dir;
  const auto target = dir.write("real/tasks.json", two_tags);
  const auto link = dir.path() / "tasks.json";
  std::filesystem::create_symlink(target, link);
  BOOST_TEST(cohort::set_taskmaster_status(link, "master", {{"1", task_status::done}}) == 1u);
  BOOST_TEST(std::filesystem::is_symlink(link));
  BOOST_TEST(std::filesystem::canonical(link) == std::filesystem::canonical(target));
  auto root = json::parse(read_text(target));
  BOOST_TEST(status_of(root, "master", 0).as_string() == "done");
  for (const auto& e : std::filesystem::directory_iterator(target.parent_path())) {
    BOOST_TEST(e.path().filename() == "tasks.json");  // no temporary file left beside it
  }
}

BOOST_AUTO_TEST_CASE(ids_the_loader_gives_find_their_objects) {
  temp_dir dir;
  const auto file = dir.write("tasks.json", two_tags);
  const auto plan = cohort::load_taskmaster(file);
  std::vector<status_change> all;
  for (const auto& t : plan.tasks) all.push_back({t.id, task_status::cancelled});
  BOOST_TEST(cohort::set_taskmaster_status(file, "master", all) == plan.size());
  for (const auto& t : cohort::load_taskmaster(file).tasks)
    BOOST_TEST((t.status == task_status::cancelled), t.id);
  const auto other = json::parse(read_text(file)).at("other");
  BOOST_TEST(other == json::parse(two_tags).at("other"));
}

BOOST_AUTO_TEST_CASE(a_legacy_file_is_written_in_its_own_layout) {
  temp_dir dir;
  const auto file = dir.write("tasks.json", R"({"tasks": [{"id": 1, "status": "pending"}], "meta": 1})");
  BOOST_TEST(cohort::set_taskmaster_status(file, "master", {{"1", task_status::done}}) == 1u);
  BOOST_TEST(json::parse(read_text(file)) ==
             json::parse(R"({"tasks": [{"id": 1, "status": "done"}], "meta": 1})"));
  BOOST_TEST(read_text(file).back() == '}');  // no newline added where there was none
}

BOOST_AUTO_TEST_CASE(an_unknown_tag_or_id_changes_nothing) {
  temp_dir dir;
  const auto file = dir.write("tasks.json", two_tags);
  cohort::error_code ec;
  cohort::set_taskmaster_status(file, "master", {{"1", task_status::done}, {"9", task_status::done}},
                                {}, ec);
  BOOST_TEST((ec == cohort::errc::invalid_argument));
  cohort::set_taskmaster_status(file, "nope", {{"1", task_status::done}}, {}, ec);
  BOOST_TEST((ec == cohort::errc::invalid_argument));
  BOOST_TEST(read_text(file) == two_tags);
  BOOST_CHECK_EXCEPTION(cohort::set_taskmaster_status(file, "master", {{"1.9", task_status::done}}),
                        cohort::system_error, [](const cohort::system_error& e) {
                          return std::string(e.what()).find("no task 1.9") != std::string::npos;
                        });
}

BOOST_AUTO_TEST_CASE(a_syntax_error_is_reported_with_line_and_column) {
  temp_dir dir;
  const auto file = dir.write("tasks.json", "{\"master\": {\"tasks\": [\n  {\"id\": 1,, }]}}");
  cohort::error_code ec;
  cohort::set_taskmaster_status(file, "master", {{"1", task_status::done}}, {}, ec);
  BOOST_TEST((ec == cohort::errc::plan_invalid));
  BOOST_CHECK_EXCEPTION(cohort::set_taskmaster_status(file, "master", {{"1", task_status::done}}),
                        cohort::system_error, [](const cohort::system_error& e) {
                          return std::string(e.what()).find("tasks.json:2:12:") != std::string::npos;
                        });
}

BOOST_AUTO_TEST_CASE(a_held_lock_is_waited_for_and_a_stale_one_taken_over) {
  temp_dir dir;
  const auto file = dir.write("tasks.json", two_tags);
  const std::filesystem::path lock = file.string() + ".lock";
  std::filesystem::create_directory(lock);  // a live Task Master holds it
  cohort::writeback_options o;
  o.lock_retries = 1;
  cohort::error_code ec;
  cohort::set_taskmaster_status(file, "master", {{"1", task_status::done}}, o, ec);
  BOOST_TEST((ec == boost::system::errc::device_or_resource_busy));
  BOOST_TEST(read_text(file) == two_tags);
  BOOST_TEST(std::filesystem::exists(lock));  // not ours to remove
  // Task Master's legacy lock is a file; one older than `lock_stale` is abandoned.
  std::filesystem::remove(lock);
  dir.write("tasks.json.lock", R"({"pid": 1, "timestamp": 0})");
  std::filesystem::last_write_time(lock, std::filesystem::file_time_type::clock::now() -
                                             std::chrono::seconds(60));
  BOOST_TEST(cohort::set_taskmaster_status(file, "master", {{"1", task_status::done}}, o, ec) == 1u);
  BOOST_TEST(!ec);
  BOOST_TEST(!std::filesystem::exists(lock));
}

BOOST_AUTO_TEST_CASE(a_fresh_lock_left_by_a_killed_cohort_is_taken_over_at_once) {
  temp_dir dir;
  const auto file = dir.write("tasks.json", two_tags);
  const std::filesystem::path lock = file.string() + ".lock";
  // The lock of a writer killed with -9: its owner mark names a process that is gone.
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  BOOST_REQUIRE(dead > 0);
  ::waitpid(dead, nullptr, 0);
  dir.write("tasks.json.lock/cohort-owner", std::to_string(dead) + " 12345\n");
  cohort::writeback_options o;
  o.lock_retries = 0;  // no waiting: the take-over must not need it
  cohort::error_code ec;
  BOOST_TEST(cohort::set_taskmaster_status(file, "master", {{"1", task_status::done}}, o, ec) == 1u);
  BOOST_TEST(!ec, ec.message());
  BOOST_TEST(!std::filesystem::exists(lock));
  // A live owner (this process, with its own start time) is waited for, and its lock kept.
  const std::string self = std::to_string(::getpid());
  std::string stat = read_text("/proc/self/stat");
  stat = stat.substr(stat.rfind(')') + 2);
  std::istringstream fields(stat);
  std::string field, start;
  for (int i = 3; i <= 22 && fields >> field; ++i) start = field;  // field 22: start time
  dir.write("tasks.json.lock/cohort-owner", self + " " + start + "\n");
  cohort::set_taskmaster_status(file, "master", {{"1", task_status::pending}}, o, ec);
  BOOST_TEST((ec == boost::system::errc::device_or_resource_busy));
  BOOST_TEST(std::filesystem::exists(lock));
}

BOOST_AUTO_TEST_CASE(every_sample_round_trips_to_the_same_json_and_task_master_bytes) {
  temp_dir dir;
  for (auto sample : cohort::test::sample_names) {
    BOOST_TEST_INFO(sample);
    const auto file = cohort::test::copy_sample(dir, sample);
    const std::string original = read_text(file);
    const auto loaded = cohort::read_taskmaster(file).plan;
    const auto& first = loaded.tasks.at(0);
    const auto other = first.status == task_status::blocked ? task_status::review : task_status::blocked;
    BOOST_TEST(cohort::set_taskmaster_status(file, loaded.tag, {{first.id, other}}) == 1u);
    BOOST_TEST(read_text(file) != original);
    // Back to the status as written ("completed" would print as "done": none of the firsts is).
    BOOST_TEST(cohort::set_taskmaster_status(file, loaded.tag, {{first.id, first.status}}) == 1u);
    const std::string written = read_text(file);
    BOOST_TEST(json::parse(written) == json::parse(original));
    BOOST_TEST(written == original);  // every byte, whoever wrote the file
  }
}

BOOST_AUTO_TEST_CASE(line_endings_spacing_and_number_spellings_are_kept_byte_for_byte) {
  // A file edited on Windows (BOM, CRLF), hand-spaced, with a number no double holds, a
  // subtask without a status and a task with two (a parser keeps the last: both are set).
  const std::string original =
      "\xEF\xBB\xBF{\r\n\t\"master\" : {\"tasks\":[\r\n"
      "\t\t{ \"id\":1 ,\"big\":18446744073709551616, \"status\":\"pending\",\"status\" : \"review\",\r\n"
      "\t\t  \"subtasks\": [ {\"id\": 1,\r\n\t\t\t\"title\": \"a\\u0041\"} ] }\r\n"
      "\t]}}";
  temp_dir dir;
  const auto file = dir.write("tasks.json", original);
  BOOST_TEST(cohort::set_taskmaster_status(file, "master", {{"1", task_status::done},
                                                            {"1.1", task_status::in_progress}}) == 2u);
  const std::string expected =
      "\xEF\xBB\xBF{\r\n\t\"master\" : {\"tasks\":[\r\n"
      "\t\t{ \"id\":1 ,\"big\":18446744073709551616, \"status\":\"done\",\"status\" : \"done\",\r\n"
      "\t\t  \"subtasks\": [ {\"id\": 1,\r\n\t\t\t\"title\": \"a\\u0041\",\"status\": \"in-progress\"} ] }\r\n"
      "\t]}}";
  BOOST_TEST(read_text(file) == expected);
  // And the loader reads what was written.
  const auto plan = cohort::read_taskmaster(file).plan;
  BOOST_TEST((plan.tasks.at(0).status == task_status::done));
  BOOST_TEST((plan.tasks.at(1).status == task_status::in_progress));
}

BOOST_AUTO_TEST_SUITE_END()
