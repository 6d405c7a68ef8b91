// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/plan/plan.hpp>

#include <boost/test/unit_test.hpp>

#include <initializer_list>
#include <string>

namespace {

cohort::task make(std::string id) {
  cohort::task t;
  t.id = std::move(id);
  return t;
}

} // namespace

BOOST_AUTO_TEST_SUITE(plan)

BOOST_AUTO_TEST_CASE(statuses_read_and_print_as_task_master_writes_them) {
  using cohort::task_status;
  for (auto s : {task_status::pending, task_status::in_progress, task_status::done,
                 task_status::review, task_status::deferred, task_status::cancelled,
                 task_status::blocked}) {
    BOOST_TEST((cohort::parse_task_status(cohort::to_string(s)) == s));
  }
  BOOST_TEST(cohort::to_string(task_status::in_progress) == "in-progress");
  BOOST_TEST((cohort::parse_task_status("completed") == task_status::done));
  BOOST_TEST(!cohort::parse_task_status("todo").has_value());
  BOOST_TEST(!cohort::parse_task_status("Done").has_value());
  // As Task Master counts them: done and cancelled are finished; pending and in-progress run;
  // review, deferred and blocked are neither.
  BOOST_TEST(cohort::is_finished(task_status::done));
  BOOST_TEST(cohort::is_finished(task_status::cancelled));
  for (auto s : {task_status::review, task_status::deferred, task_status::blocked}) {
    BOOST_TEST(!cohort::is_finished(s));
    BOOST_TEST(!cohort::is_runnable(s));
  }
  BOOST_TEST(cohort::is_runnable(task_status::pending));
  BOOST_TEST(cohort::is_runnable(task_status::in_progress));
}

BOOST_AUTO_TEST_CASE(subtasks_get_full_ids_and_their_parent) {
  cohort::plan p;
  const auto a = p.add_parent(make("12"));
  const auto s1 = p.add_subtask(a, make("1"));
  const auto s2 = p.add_subtask(a, make("12.2"));
  BOOST_TEST(p.tasks[s1].id == "12.1");
  BOOST_TEST(p.tasks[s2].id == "12.2");  // already dotted: kept
  BOOST_TEST((p.tasks[s1].parent == a));
  BOOST_TEST(p.tasks[a].is_parent());
  BOOST_TEST(!p.tasks[s1].is_parent());
  BOOST_TEST(p.tasks[a].subtasks == (std::vector<cohort::task_index>{s1, s2}),
             boost::test_tools::per_element());
  BOOST_TEST(p.parents == std::vector<cohort::task_index>{a}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(find_is_exact_and_dependencies_are_recorded_once) {
  cohort::plan p;
  const auto a = p.add_parent(make("1"));
  const auto b = p.add_parent(make("2"));
  const auto s = p.add_subtask(b, make("1"));
  BOOST_TEST((p.find("2.1") == s));
  BOOST_TEST(!p.find("2.").has_value());
  BOOST_TEST(!p.find("21").has_value());
  p.add_dependency(b, a);
  p.add_dependency(b, a);
  p.add_dependency(s, a);
  BOOST_TEST(p.tasks[b].dependencies == std::vector<cohort::task_index>{a},
             boost::test_tools::per_element());
  BOOST_TEST(p.tasks[s].dependencies.size() == 1u);
  BOOST_TEST(p.size() == 3u);
}

BOOST_AUTO_TEST_CASE(every_id_is_found_through_growth_and_copies_and_a_duplicate_keeps_the_first) {
  cohort::plan p;
  for (int i = 1; i <= 300; ++i) {  // past several rehashes of the id index
    const auto q = p.add_parent(make(std::to_string(i)));
    for (int j = 1; j <= 3; ++j) p.add_subtask(q, make(std::to_string(j)));
  }
  const auto dup = p.add_parent(make("17"));
  const cohort::plan copy = p;
  for (const cohort::plan* x : std::initializer_list<const cohort::plan*>{&p, &copy}) {
    for (cohort::task_index t = 0; t < dup; ++t) BOOST_TEST(x->find(x->tasks[t].id).value_or(dup) == t);
    BOOST_TEST(x->find("17").value_or(dup) == cohort::task_index(16 * 4));
    BOOST_TEST(!x->find("301").has_value());
    BOOST_TEST(!x->find("17.4").has_value());
    BOOST_TEST(!x->find("").has_value());
  }
  BOOST_TEST(!cohort::plan().find("1").has_value());
  cohort::plan reserved;
  reserved.reserve(1000);
  reserved.add_parent(make("a"));
  BOOST_TEST(reserved.find("a").value_or(1) == cohort::task_index(0));
}

BOOST_AUTO_TEST_CASE(a_task_is_plain_data_with_its_estimates_and_extra_fields) {
  cohort::task t = make("3");
  t.duration = std::chrono::minutes(25);
  t.tokens = 12000;
  t.owns = {"src/x/**"};
  t.argv = {"nap", "25"};
  t.text.set_extra(R"({"phase":2})");
  const cohort::task copy = t;
  BOOST_TEST(copy.duration->count() == 25 * 60 * 1000);
  BOOST_TEST(*copy.tokens == 12000u);
  BOOST_TEST(copy.owns.front() == "src/x/**");
  BOOST_TEST(copy.text.extra() == R"({"phase":2})");
}

BOOST_AUTO_TEST_SUITE_END()
