// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/plan/plan_json.hpp>

#include "support/files.hpp"

#include <cohort/plan/taskmaster.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace {

using cohort::severity;
using strings = std::vector<std::string>;

cohort::plan full_plan() {
  cohort::plan p;
  p.source = "tasks.json";
  p.tag = "feat";
  cohort::task a;
  a.id = "11";
  a.status = cohort::task_status::done;
  const auto i11 = p.add_parent(std::move(a));
  cohort::task b;
  b.id = "12";
  b.title = "Net \"layer\"";
  b.text.set_description("d");
  b.text.set_details("line 1\nline 2");
  b.text.set_test_strategy("t");
  b.text.set_priority("high");
  b.duration = std::chrono::minutes(25);
  b.tokens = 12000;
  b.owns = {"src/net/**"};
  b.argv = {"claude", "-p", "do 12"};
  b.text.set_extra(R"({"phase":2.5})");
  const auto i12 = p.add_parent(std::move(b));
  cohort::task s1, s2;
  s1.id = "1";
  s2.id = "2";
  s2.status = cohort::task_status::in_progress;
  const auto i121 = p.add_subtask(i12, std::move(s1));
  const auto i122 = p.add_subtask(i12, std::move(s2));
  p.add_dependency(i12, i11);
  p.add_dependency(i121, i122);
  p.add_dependency(i121, i11);
  return p;
}

} // namespace

BOOST_AUTO_TEST_SUITE(plan_json)

BOOST_AUTO_TEST_CASE(save_then_load_gives_the_same_plan) {
  cohort::test::temp_dir dir;
  const auto p = full_plan();
  const auto file = dir.path() / "plan.json";
  cohort::save_plan(p, file);
  const auto q = cohort::load_plan(file);
  BOOST_TEST(cohort::format_plan(q) == cohort::format_plan(p));
  BOOST_TEST(q.source == "tasks.json");
  BOOST_TEST(q.tag == "feat");
  BOOST_TEST_REQUIRE(q.size() == 4u);
  const auto& b = q.tasks[1];
  BOOST_TEST(b.title == "Net \"layer\"");
  BOOST_TEST(b.text.details() == "line 1\nline 2");
  BOOST_TEST(b.duration->count() == 25 * 60'000);
  BOOST_TEST(*b.tokens == 12000u);
  BOOST_TEST(b.owns == strings{"src/net/**"}, boost::test_tools::per_element());
  BOOST_TEST(b.argv == (strings{"claude", "-p", "do 12"}), boost::test_tools::per_element());
  BOOST_TEST(boost::json::parse(b.text.extra()).at("phase").as_double() == 2.5);
  BOOST_TEST(q.tasks[2].id == "12.1");
  BOOST_TEST(q.tasks[2].dependencies == (std::vector<cohort::task_index>{3, 0}),
             boost::test_tools::per_element());
  BOOST_TEST((q.tasks[3].status == cohort::task_status::in_progress));
}

BOOST_AUTO_TEST_CASE(extra_text_that_is_not_a_json_object_is_refused_on_writing) {
  for (const char* text : {"[1]", "{\"a\":", "2"}) {
    cohort::plan p;
    cohort::task t;
    t.id = "1";
    t.text.set_extra(text);
    p.add_parent(std::move(t));
    BOOST_CHECK_EXCEPTION(cohort::to_json(p), cohort::system_error, [](const cohort::system_error& e) {
      return e.code() == cohort::errc::invalid_argument && std::string(e.what()).find("task 1: extra") != std::string::npos;
    });
  }
}

BOOST_AUTO_TEST_CASE(every_sample_tag_round_trips_through_the_cohort_format) {
  cohort::test::temp_dir dir;
  for (auto sample : cohort::test::sample_names) {
    const auto l = cohort::read_taskmaster(cohort::test::copy_sample(dir, sample));
    const std::string text = cohort::format_plan(l.plan);
    const auto back = cohort::parse_plan(text);
    BOOST_TEST(back.ok(), sample << ": " << cohort::error_text(back.diagnostics));
    BOOST_TEST(cohort::format_plan(back.plan) == text, sample);
    BOOST_TEST(back.plan.size() == l.plan.size());
  }
}

BOOST_AUTO_TEST_CASE(hand_written_plans_are_checked_like_task_master_files) {
  const auto l = cohort::parse_plan(R"({"cohort_plan": 1, "tasks": [
    {"id": "a", "duration": "1h", "dependencies": ["b"], "colour": "red"},
    {"id": "b", "status": "later", "dependencies": ["zz", "a"], "subtasks": [{"id": "1"}, {"id": "b.1"}]}]})",
                                   cohort::broken_edges::refuse, "plan.json");
  BOOST_TEST(l.plan.tasks[0].duration->count() == 3'600'000);
  auto has = [&](severity s, std::string_view task, std::string_view part) {
    return std::any_of(l.diagnostics.begin(), l.diagnostics.end(), [&](const cohort::diagnostic& d) {
      return d.severity == s && d.task == task && d.message.find(part) != std::string::npos &&
             d.file == "plan.json";
    });
  };
  BOOST_TEST(has(severity::warning, "a", "unknown member \"colour\""));
  BOOST_TEST(has(severity::error, "b", "unknown status \"later\""));
  BOOST_TEST(has(severity::error, "b", "missing dependency \"zz\""));
  BOOST_TEST(has(severity::error, "b.1", "duplicate id b.1"));
  BOOST_TEST(has(severity::error, "b", "dependency cycle a -> b -> a"));
}

BOOST_AUTO_TEST_CASE(what_is_not_a_cohort_plan_is_refused) {
  BOOST_TEST(!cohort::parse_plan(R"({"master": {"tasks": []}})").ok());
  BOOST_TEST(!cohort::parse_plan(R"({"cohort_plan": 2, "tasks": []})").ok());
  const auto l = cohort::parse_plan("{\"cohort_plan\": 1,\n \"tasks\": [}");
  BOOST_TEST_REQUIRE(l.diagnostics.size() == 1u);
  BOOST_TEST(l.diagnostics[0].line == 2u);
  cohort::error_code ec;
  cohort::test::temp_dir dir;
  (void)cohort::load_plan(dir.write("p.json", "[]"), ec);
  BOOST_TEST((ec == cohort::errc::plan_invalid));
  cohort::save_plan(full_plan(), dir.path() / "missing" / "p.json", ec);
  BOOST_TEST(ec.failed());
}

BOOST_AUTO_TEST_SUITE_END()
