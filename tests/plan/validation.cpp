// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/plan/validation.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

using cohort::severity;

// A plan with parents "1".."n", each with `subs` subtasks, all pending.
cohort::plan make_plan(std::size_t n, std::size_t subs = 0) {
  cohort::plan p;
  for (std::size_t i = 1; i <= n; ++i) {
    cohort::task t;
    t.id = std::to_string(i);
    const auto parent = p.add_parent(std::move(t));
    for (std::size_t k = 1; k <= subs; ++k) {
      cohort::task s;
      s.id = std::to_string(k);
      p.add_subtask(parent, std::move(s));
    }
  }
  return p;
}

cohort::task_index at(const cohort::plan& p, std::string_view id) { return p.find(id).value(); }

cohort::diagnostic context() {
  return {cohort::severity::error, std::string("f.json"), std::string("t"), {}, {}, {}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(validation)

BOOST_AUTO_TEST_CASE(an_acyclic_plan_is_left_as_it_is) {
  auto p = make_plan(3, 2);
  p.add_dependency(at(p, "2"), at(p, "1"));
  p.add_dependency(at(p, "3.2"), at(p, "2.1"));
  p.add_dependency(at(p, "3.2"), at(p, "3.1"));
  std::vector<cohort::diagnostic> out;
  BOOST_TEST(cohort::break_cycles(p, cohort::broken_edges::refuse, context(), out) == 0u);
  BOOST_TEST(out.empty());
  BOOST_TEST(p.tasks[at(p, "3.2")].dependencies.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_cycle_is_an_error_given_as_a_path_and_its_closing_edge_removed) {
  auto p = make_plan(3);
  p.add_dependency(at(p, "1"), at(p, "2"));
  p.add_dependency(at(p, "2"), at(p, "3"));
  p.add_dependency(at(p, "3"), at(p, "1"));
  std::vector<cohort::diagnostic> out;
  BOOST_TEST(cohort::break_cycles(p, cohort::broken_edges::refuse, context(), out) == 1u);
  BOOST_TEST_REQUIRE(out.size() == 1u);
  BOOST_TEST((out[0].severity == severity::error));
  BOOST_TEST(out[0].reference == "1 -> 2 -> 3 -> 1");
  BOOST_TEST(out[0].task == "3");
  BOOST_TEST(out[0].file == "f.json");
  BOOST_TEST(out[0].tag == "t");
  BOOST_TEST(p.tasks[at(p, "3")].dependencies.empty());
  BOOST_TEST(cohort::has_errors(out));
}

BOOST_AUTO_TEST_CASE(hierarchy_cycles_are_found_too) {
  // A subtask waits for its parent's start; a dependency on a parent waits for its end.
  auto p = make_plan(2, 1);
  p.add_dependency(at(p, "1.1"), at(p, "1"));  // on its own parent
  p.add_dependency(at(p, "2"), at(p, "2.1"));  // a parent on its own subtask
  std::vector<cohort::diagnostic> out;
  BOOST_TEST(cohort::break_cycles(p, cohort::broken_edges::refuse, context(), out) == 2u);
  BOOST_TEST_REQUIRE(out.size() == 2u);
  BOOST_TEST(out[0].reference == "1 -> 1.1 -> 1");
  BOOST_TEST(out[1].reference == "2 -> 2.1 -> 2");
}

BOOST_AUTO_TEST_CASE(finished_cycles_warn_and_drop_policy_warns) {
  auto p = make_plan(1, 4);
  p.add_dependency(at(p, "1.1"), at(p, "1.4"));
  p.add_dependency(at(p, "1.4"), at(p, "1.1"));
  p.add_dependency(at(p, "1.2"), at(p, "1.3"));
  p.add_dependency(at(p, "1.3"), at(p, "1.2"));
  p.tasks[at(p, "1.1")].status = cohort::task_status::done;
  p.tasks[at(p, "1.4")].status = cohort::task_status::done;
  std::vector<cohort::diagnostic> out;
  cohort::break_cycles(p, cohort::broken_edges::refuse, context(), out);
  BOOST_TEST_REQUIRE(out.size() == 2u);
  BOOST_TEST((out[0].severity == severity::warning));  // 1.1 <-> 1.4, both done
  BOOST_TEST(out[0].reference == "1.1 -> 1.4 -> 1.1");
  BOOST_TEST((out[1].severity == severity::error));
  auto q = make_plan(1, 2);
  q.add_dependency(at(q, "1.1"), at(q, "1.2"));
  q.add_dependency(at(q, "1.2"), at(q, "1.1"));
  out.clear();
  cohort::break_cycles(q, cohort::broken_edges::drop, context(), out);
  BOOST_TEST_REQUIRE(out.size() == 1u);
  BOOST_TEST((out[0].severity == severity::warning));
  BOOST_TEST(out[0].message.find("dropped the dependency of 1.2 on 1.1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_independent_cycle_is_reported_once) {
  auto p = make_plan(6);
  for (auto [a, b] : {std::pair{"1", "2"}, {"2", "1"}, {"3", "4"}, {"4", "5"}, {"5", "3"},
                      {"6", "6"}})
    p.add_dependency(at(p, a), at(p, b));
  std::vector<cohort::diagnostic> out;
  BOOST_TEST(cohort::break_cycles(p, cohort::broken_edges::refuse, context(), out) == 3u);
  BOOST_TEST_REQUIRE(out.size() == 3u);
  BOOST_TEST(out[0].reference == "1 -> 2 -> 1");
  BOOST_TEST(out[1].reference == "3 -> 4 -> 5 -> 3");
  BOOST_TEST(out[2].reference == "6 -> 6");
}

BOOST_AUTO_TEST_CASE(a_long_chain_is_searched_without_recursion) {
  auto p = make_plan(200'000);
  for (std::size_t i = 1; i < p.size(); ++i) p.add_dependency(i, i - 1);
  p.add_dependency(0, p.size() - 1);
  std::vector<cohort::diagnostic> out;
  BOOST_TEST(cohort::break_cycles(p, cohort::broken_edges::refuse, context(), out) == 1u);
}

BOOST_AUTO_TEST_CASE(errors_are_thrown_one_per_line_and_warnings_are_not) {
  std::vector<cohort::diagnostic> ds(3, context());
  ds[0].message = "first";
  ds[1].message = "only a warning";
  ds[1].severity = severity::warning;
  ds[2].task = "4.2";
  ds[2].message = "second";
  ds[2].line = 3;
  ds[2].column = 7;
  BOOST_TEST(cohort::error_text(ds) ==
             "f.json: error: tag 't': first\nf.json:3:7: error: tag 't': task 4.2: second");
  BOOST_CHECK_EXCEPTION(cohort::throw_if_errors(ds), cohort::system_error,
                        [](const cohort::system_error& e) {
                          return e.code() == cohort::errc::plan_invalid &&
                                 std::string(e.what()).find("second") != std::string::npos;
                        });
  ds.erase(ds.begin());
  ds.pop_back();
  BOOST_CHECK_NO_THROW(cohort::throw_if_errors(ds));
}

BOOST_AUTO_TEST_CASE(a_long_cycle_is_shown_shortened_with_its_length) {
  BOOST_TEST(cohort::describe_cycle({"12.1", "12.4"}) == "12.1 -> 12.4 -> 12.1");
  std::vector<std::string> names;
  for (int i = 1; i <= 100000; ++i) names.push_back(std::to_string(i));
  const std::vector<std::string_view> ids(names.begin(), names.end());
  const std::string text = cohort::describe_cycle(ids);
  BOOST_TEST(text == "1 -> 2 -> 3 -> 4 -> 5 -> ... -> 99999 -> 100000 -> 1 (a cycle of 100000 tasks)");
  const std::vector<std::string_view> twelve(ids.begin(), ids.begin() + 12);
  BOOST_TEST(cohort::describe_cycle(twelve).find("...") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
