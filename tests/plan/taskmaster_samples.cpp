// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// The Task Master loader on the five real files of tests/data/taskmaster, copied first.
#include <cohort/plan/taskmaster.hpp>

#include "support/files.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

namespace {

using cohort::diagnostic;
using cohort::loaded_plan;
using cohort::severity;
using cohort::test::copy_sample;
using cohort::test::temp_dir;

loaded_plan read_sample(const temp_dir& dir, std::string_view sample, std::string tag = {}) {
  cohort::taskmaster_options o;
  o.tag = std::move(tag);
  return cohort::read_taskmaster(copy_sample(dir, sample), o);
}

std::vector<const diagnostic*> matching(const loaded_plan& l, severity s, std::string_view part) {
  std::vector<const diagnostic*> out;
  for (const auto& d : l.diagnostics)
    if (d.severity == s && d.message.find(part) != std::string::npos) out.push_back(&d);
  return out;
}

std::size_t subtask_count(const cohort::plan& p) { return p.size() - p.parents.size(); }

// The tags of a sample, in file order.
std::vector<std::string> tags_of(std::string_view sample) {
  const auto v = boost::json::parse(cohort::test::read_text(cohort::test::sample_dir() / sample));
  std::vector<std::string> out;
  for (const auto& kv : v.as_object())
    if (kv.value().is_object() && kv.value().as_object().contains("tasks")) out.emplace_back(kv.key());
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(taskmaster_samples)

BOOST_AUTO_TEST_CASE(every_tag_of_every_sample_loads_and_keeps_the_plan_invariants) {
  temp_dir dir;
  std::size_t parents = 0, subtasks = 0;
  for (auto sample : cohort::test::sample_names) {
    const auto tags = tags_of(sample);
    for (const auto& tag : tags.empty() ? std::vector<std::string>{""} : tags) {
      const auto l = read_sample(dir, sample, tag);
      BOOST_TEST_INFO(sample << " tag " << tag);
      BOOST_TEST(l.plan.size() > 0u);
      for (const auto& t : l.plan.tasks) {
        for (auto d : t.dependencies) BOOST_TEST(d < l.plan.size());
        if (t.parent) BOOST_TEST(l.plan.tasks[*t.parent].is_parent());
      }
      if (std::string_view(sample).find("claude") != std::string_view::npos) {
        parents += l.plan.parents.size();
        subtasks += subtask_count(l.plan);
      }
    }
  }
  // 182 tasks and 914 subtasks, less the 7 duplicate subtask ids of master task 42.
  BOOST_TEST(parents == 182u);
  BOOST_TEST(subtasks == 914u - 7u);
}

BOOST_AUTO_TEST_CASE(claude_master_warns_of_the_done_cycle_and_refuses_duplicate_subtask_ids) {
  temp_dir dir;
  const auto l = read_sample(dir, "eyaltoledano__claude-task-master.json");
  BOOST_TEST(l.plan.tag == "master");
  const auto cycles = matching(l, severity::warning, "dependency cycle");
  BOOST_TEST_REQUIRE(cycles.size() == 1u);
  BOOST_TEST(cycles[0]->reference == "12.1 -> 12.4 -> 12.1");
  BOOST_TEST(cycles[0]->tag == "master");
  // Task 42's eight subtasks all have id 42: seven duplicates, the only errors of the tag.
  const auto dups = matching(l, severity::error, "duplicate id 42.42");
  BOOST_TEST(dups.size() == 7u);
  BOOST_TEST(std::count_if(l.diagnostics.begin(), l.diagnostics.end(), [](const diagnostic& d) {
               return d.severity == severity::error;
             }) == 7);
  // Bare strings "1", "2" in 97.3 are its siblings, as tm-core reads them.
  const auto& p = l.plan;
  const auto& s = p.tasks[p.find("97.3").value()];
  BOOST_TEST_REQUIRE(s.dependencies.size() == 2u);
  BOOST_TEST(p.tasks[s.dependencies[0]].id == "97.1");
}

BOOST_AUTO_TEST_CASE(claude_test_tag_names_its_missing_dependency) {
  temp_dir dir;
  const auto l = read_sample(dir, "eyaltoledano__claude-task-master.json", "test-tag");
  const auto missing = matching(l, severity::error, "missing dependency");
  BOOST_TEST_REQUIRE(missing.size() == 1u);
  BOOST_TEST(missing[0]->tag == "test-tag");
  BOOST_TEST(missing[0]->task == "1");
  BOOST_TEST(missing[0]->reference == "16");
  BOOST_TEST(missing[0]->file.find("tasks.json") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(claude_tags_with_string_ids_and_sibling_numbers_resolve) {
  temp_dir dir;
  for (const char* tag : {"loop", "autonomous-tdd-git-workflow", "tdd-phase-1-core-rails"}) {
    const auto l = read_sample(dir, "eyaltoledano__claude-task-master.json", tag);
    BOOST_TEST(l.ok(), tag << ": " << cohort::error_text(l.diagnostics));
  }
}

BOOST_AUTO_TEST_CASE(oraclepack_reads_subtask_numbers_meant_as_tasks_with_a_warning) {
  temp_dir dir;
  const auto l = read_sample(dir, "AcidicSoil__oraclepack.json", "chore-overview");
  BOOST_TEST(l.ok());
  const auto fallbacks = matching(l, severity::warning, "read as task 7");
  BOOST_TEST(fallbacks.size() == 2u);
  const auto& p = l.plan;
  BOOST_TEST(p.tasks[p.tasks[p.find("8.1").value()].dependencies.at(0)].id == "7");
  // Parents done while their subtasks are pending: statuses are kept as written.
  const auto b = read_sample(dir, "AcidicSoil__oraclepack.json", "bugfix-tui");
  BOOST_TEST(std::all_of(b.plan.parents.begin(), b.plan.parents.end(), [&](auto i) {
    return b.plan.tasks[i].status == cohort::task_status::done;
  }));
}

BOOST_AUTO_TEST_CASE(veritas_is_legacy_with_completed_and_dotted_subtask_ids) {
  temp_dir dir;
  const auto l = read_sample(dir, "AJ-Davis__veritas_logos.json");
  BOOST_TEST_REQUIRE(l.ok(), cohort::error_text(l.diagnostics));
  BOOST_TEST(l.tag_reason.find("legacy") != std::string::npos);
  const auto& p = l.plan;
  BOOST_TEST(p.find("7.1").has_value());
  BOOST_TEST(!p.find("7.7.1").has_value());
  BOOST_TEST((p.tasks[p.find("10.1").value()].status == cohort::task_status::done));  // completed
  BOOST_TEST(boost::json::parse(p.tasks[p.find("10.1").value()].text.extra()).as_object().contains("parentTaskId"));
}

BOOST_AUTO_TEST_CASE(taskmaster_sync_resolves_slug_ids_and_keeps_nested_subtasks) {
  temp_dir dir;
  const auto l = read_sample(dir, "5dlabs__taskmaster-sync.json");
  BOOST_TEST_REQUIRE(l.ok(), cohort::error_text(l.diagnostics));
  const auto& p = l.plan;
  const auto& s = p.tasks[p.find("rust-real-issues.enhanced-subtasks").value()];
  BOOST_TEST_REQUIRE(s.dependencies.size() == 1u);
  BOOST_TEST(p.tasks[s.dependencies[0]].id == "rust-real-issues.repo-issue-creation");
  BOOST_TEST(matching(l, severity::warning, "nested subtasks").size() == 1u);
  BOOST_TEST(boost::json::parse(p.tasks[p.find("rust-data-models").value()].text.extra()).as_object().contains("assignee"));
}

BOOST_AUTO_TEST_CASE(custodian_reads_its_only_tag) {
  temp_dir dir;
  const auto l = read_sample(dir, "Acurioustractor__custodian-economy-platform.json");
  BOOST_TEST_REQUIRE(l.ok());
  BOOST_TEST(l.plan.tag == "workshops");
  BOOST_TEST(l.tag_reason.find("only tag") != std::string::npos);
  BOOST_TEST(l.plan.size() == 4u);
  BOOST_TEST(l.plan.tasks[1].dependencies == std::vector<cohort::task_index>{0},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
