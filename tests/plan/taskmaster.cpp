// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/plan/taskmaster.hpp>

#include "support/files.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

namespace {

using cohort::diagnostic;
using cohort::loaded_plan;
using cohort::severity;

loaded_plan parse(std::string_view text, cohort::taskmaster_options o = {}) {
  if (o.file_name.empty()) o.file_name = "tasks.json";
  return cohort::parse_taskmaster(text, o);
}

// The diagnostics of `l` with this severity and task whose message contains `part`.
std::size_t count(const loaded_plan& l, severity s, std::string_view task, std::string_view part) {
  return std::count_if(l.diagnostics.begin(), l.diagnostics.end(), [&](const diagnostic& d) {
    return d.severity == s && d.task == task && d.message.find(part) != std::string::npos;
  });
}

// The full ids of the dependencies of `id`.
std::vector<std::string> deps(const cohort::plan& p, std::string_view id) {
  std::vector<std::string> out;
  for (auto d : p.tasks.at(p.find(id).value()).dependencies) out.push_back(p.tasks[d].id);
  return out;
}

using strings = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_SUITE(taskmaster)

BOOST_AUTO_TEST_CASE(reads_fields_subtasks_and_keeps_unknown_fields_verbatim) {
  const auto l = parse(R"({"master": {"tasks": [
    {"id": 1, "title": "Setup", "description": "d", "details": "x", "testStrategy": "t",
     "status": "in-progress", "priority": "high", "dependencies": [], "phase": {"n": 2},
     "subtasks": [{"id": 1, "title": "Sub", "status": "done", "dependencies": [],
                   "parentId": "undefined", "acceptanceCriteria": "ok"}]}],
    "metadata": {}}})");
  BOOST_TEST_REQUIRE(l.ok());
  const auto& p = l.plan;
  BOOST_TEST(p.tag == "master");
  BOOST_TEST(p.size() == 2u);
  const auto& t = p.tasks[0];
  BOOST_TEST(t.title == "Setup");
  BOOST_TEST(t.text.details() == "x");
  BOOST_TEST(t.text.test_strategy() == "t");
  BOOST_TEST((t.status == cohort::task_status::in_progress));
  BOOST_TEST(t.text.priority() == "high");
  BOOST_TEST(t.text.extra() == R"({"phase":{"n":2}})");
  const auto& s = p.tasks[1];
  BOOST_TEST(s.id == "1.1");
  BOOST_TEST((s.parent == cohort::task_index{0}));
  BOOST_TEST((s.status == cohort::task_status::done));
  BOOST_TEST(s.text.extra() == R"({"parentId":"undefined","acceptanceCriteria":"ok"})");
}

BOOST_AUTO_TEST_CASE(without_texts_a_plan_keeps_what_the_passes_read_and_the_same_verdict) {
  const std::string_view text = R"({"master": {"tasks": [
    {"id": 1, "title": "Setup", "description": "d", "details": "x", "testStrategy": "t",
     "priority": "high", "dependencies": [9], "phase": {"n": 2}, "argv": ["make", "all"],
     "subtasks": [{"id": 1, "title": "Sub", "description": "s", "dependencies": [],
                   "acceptanceCriteria": "ok", "cohort": {"duration": "25m", "tokens": 900}}]}],
    "metadata": {}}})";
  cohort::taskmaster_options slim;
  slim.keep_texts = false;
  const auto full = parse(text), l = parse(text, slim);
  // The same diagnostics either way (here: the missing dependency 9).
  BOOST_TEST_REQUIRE(l.diagnostics.size() == full.diagnostics.size());
  BOOST_TEST(!l.ok());
  for (std::size_t i = 0; i < l.diagnostics.size(); ++i) {
    BOOST_TEST(l.diagnostics[i].message == full.diagnostics[i].message);
  }
  const auto& t = l.plan.tasks[0];
  BOOST_TEST(t.title == "Setup");
  BOOST_TEST(t.text.priority() == "high");  // the ready order reads it
  BOOST_TEST((t.argv == strings{"make", "all"}));
  BOOST_TEST(t.text.description().empty());
  BOOST_TEST(t.text.details().empty());
  BOOST_TEST(t.text.test_strategy().empty());
  BOOST_TEST(t.text.extra().empty());
  const auto& s = l.plan.tasks[1];
  BOOST_TEST(s.id == "1.1");
  BOOST_TEST(s.duration->count() == 25 * 60'000);
  BOOST_TEST(*s.tokens == 900u);
  BOOST_TEST(s.text.description().empty());
  BOOST_TEST(s.text.extra().empty());
  BOOST_TEST(full.plan.tasks[1].text.extra() == R"({"acceptanceCriteria":"ok"})");
}

BOOST_AUTO_TEST_CASE(every_id_form_gives_a_string_full_id) {
  const auto l = parse(R"({"master": {"tasks": [
    {"id": 7, "subtasks": [{"id": "7.1"}, {"id": 2}]},
    {"id": "8", "subtasks": [{"id": "3"}]},
    {"id": 31, "subtasks": [{"id": 31.1}, {"id": 31.2}]},
    {"id": "rust-core", "subtasks": [{"id": "cli-setup"}]}]}})");
  BOOST_TEST_REQUIRE(l.ok());
  strings ids;
  for (const auto& t : l.plan.tasks) ids.push_back(t.id);
  BOOST_TEST(ids == (strings{"7", "7.1", "7.2", "8", "8.3", "31", "31.1", "31.2", "rust-core",
                             "rust-core.cli-setup"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(dependency_forms_resolve_by_the_documented_rule) {
  const auto l = parse(R"({"master": {"tasks": [
    {"id": 5, "subtasks": [{"id": 1}, {"id": 2}]},
    {"id": 29, "dependencies": [5, "5.2"]},
    {"id": 30, "dependencies": ["29"], "subtasks": [
      {"id": 1}, {"id": 2, "dependencies": [1]}, {"id": 3, "dependencies": ["2", "5.1"]},
      {"id": 4, "dependencies": ["29", 5]}]}]}})");
  BOOST_TEST_REQUIRE(l.ok(), cohort::error_text(l.diagnostics));
  const auto& p = l.plan;
  BOOST_TEST(deps(p, "29") == (strings{"5", "5.2"}), boost::test_tools::per_element());
  BOOST_TEST(deps(p, "30") == (strings{"29"}), boost::test_tools::per_element());
  BOOST_TEST(deps(p, "30.2") == (strings{"30.1"}), boost::test_tools::per_element());  // sibling
  BOOST_TEST(deps(p, "30.3") == (strings{"30.2", "5.1"}), boost::test_tools::per_element());
  // No sibling 30.29 or 30.5: the top-level tasks 29 and 5 are meant, with a warning each.
  BOOST_TEST(deps(p, "30.4") == (strings{"29", "5"}), boost::test_tools::per_element());
  BOOST_TEST(count(l, severity::warning, "30.4", "read as task 29") == 1u);
  BOOST_TEST(count(l, severity::warning, "30.4", "read as task 5") == 1u);
}

// References to tasks read before and after the referring one (resolved at different times by
// the loader) keep the file's order, a sibling read later included, and a repeated one counts once.
BOOST_AUTO_TEST_CASE(dependencies_keep_the_file_order_whichever_task_is_read_first) {
  const auto l = parse(R"({"master": {"tasks": [
    {"id": 1},
    {"id": 2, "dependencies": [3, 1, 3], "subtasks": [
      {"id": 5, "dependencies": [7, "3.1", "1"]},
      {"id": 6, "dependencies": [7, 5]},
      {"id": 7}]},
    {"id": 3, "dependencies": [1], "subtasks": [{"id": 1}]}]}})");
  BOOST_TEST_REQUIRE(l.ok(), cohort::error_text(l.diagnostics));
  const auto& p = l.plan;
  BOOST_TEST(deps(p, "2") == (strings{"3", "1"}), boost::test_tools::per_element());
  BOOST_TEST(deps(p, "2.5") == (strings{"2.7", "3.1", "1"}), boost::test_tools::per_element());
  BOOST_TEST(deps(p, "2.6") == (strings{"2.7", "2.5"}), boost::test_tools::per_element());
  BOOST_TEST(deps(p, "3") == (strings{"1"}), boost::test_tools::per_element());
  BOOST_TEST(l.diagnostics.size() == 1u);  // "1" under task 2 (no 2.1): task 1, with a warning
  BOOST_TEST(count(l, severity::warning, "2.5", "read as task 1") == 1u);
}

BOOST_AUTO_TEST_CASE(legacy_layout_reads_as_master) {
  const auto l = parse(R"({"tasks": [{"id": 1, "status": "completed"}], "metadata": {"projectName": "x"}})");
  BOOST_TEST_REQUIRE(l.ok());
  BOOST_TEST(l.plan.tag == "master");
  BOOST_TEST(l.tag_reason.find("legacy") != std::string::npos);
  BOOST_TEST((l.plan.tasks[0].status == cohort::task_status::done));
}

BOOST_AUTO_TEST_CASE(tag_selection_follows_state_json_then_master_then_the_first_tag) {
  cohort::test::temp_dir dir;
  const auto file = dir.write(".taskmaster/tasks/tasks.json", R"({
    "alpha": {"tasks": [{"id": 1}]}, "master": {"tasks": [{"id": 2}]}, "beta": {"tasks": []}})");
  BOOST_TEST(cohort::read_taskmaster(file).plan.tag == "master");
  dir.write(".taskmaster/state.json", R"({"currentTag": "beta", "lastSwitched": "x"})");
  auto l = cohort::read_taskmaster(file);
  BOOST_TEST(l.plan.tag == "beta");
  BOOST_TEST(l.tag_reason.find("state.json") != std::string::npos);
  cohort::taskmaster_options o;
  o.tag = "alpha";
  BOOST_TEST(cohort::read_taskmaster(file, o).plan.tag == "alpha");
  dir.write(".taskmaster/state.json", R"({"currentTag": "gone"})");
  l = cohort::read_taskmaster(file);
  BOOST_TEST(l.plan.tag == "master");
  BOOST_TEST(count(l, severity::warning, "", "'gone'") == 1u);
  // No master: the only tag, else the first one (with a warning).
  BOOST_TEST(parse(R"({"workshops": {"tasks": []}})").tag_reason.find("only") != std::string::npos);
  l = parse(R"({"b": {"tasks": []}, "a": {"tasks": []}})");
  BOOST_TEST(l.plan.tag == "b");
  BOOST_TEST(count(l, severity::warning, "", "first tag 'b'") == 1u);
}

// A file over a megabyte: the id index is sized from the rate of the first megabyte (at most
// for the first guess), the task array may grow past that guess (tasks shorter than it) or stay
// below it (long texts); in each case every task is there, findable, and depends on what the
// file says.
BOOST_AUTO_TEST_CASE(a_file_of_many_tasks_is_read_whole_whether_its_tasks_are_short_or_long) {
  cohort::test::temp_dir dir;
  for (const std::size_t text : {std::size_t(0), std::size_t(2000)}) {
    const std::size_t parents = text == 0 ? 30'000 : 1'200;
    std::string json = R"({"other": {"tasks": [{"id": 1}]}, "master": {"tasks": [)";
    for (std::size_t p = 1; p <= parents; ++p) {
      json += std::string(p > 1 ? "," : "") + R"({"id":)" + std::to_string(p) + R"(,"details":")" +
              std::string(text, 'x') + R"(","dependencies":[)" +
              (p > 1 ? std::to_string(p - 1) : "") + R"(],"subtasks":[{"id":1},{"id":2,"dependencies":[1]}]})";
    }
    json += "]}}";
    BOOST_TEST_REQUIRE(json.size() > 2u * 1024 * 1024);
    const auto file = dir.write("tasks-" + std::to_string(text) + ".json", json);
    const loaded_plan l = cohort::read_taskmaster(file);
    BOOST_TEST_REQUIRE(l.ok());
    BOOST_TEST(l.plan.tag == "master");
    BOOST_TEST_REQUIRE(l.plan.size() == 3 * parents);
    BOOST_TEST(l.plan.parents.size() == parents);
    for (std::size_t p = 1; p <= parents; ++p) {
      const std::string id = std::to_string(p);
      const auto at = l.plan.find(id);
      BOOST_TEST_REQUIRE(at.has_value());
      const cohort::task& t = l.plan.tasks[*at];
      BOOST_TEST(t.id == id);
      BOOST_TEST(t.subtasks.size() == 2u);
      BOOST_TEST(t.dependencies.size() == (p > 1 ? 1u : 0u));
      if (p > 1) BOOST_TEST(l.plan.tasks[t.dependencies[0]].id == std::to_string(p - 1));
      const auto second = l.plan.find(id + ".2");
      BOOST_TEST_REQUIRE(second.has_value());
      BOOST_TEST_REQUIRE(l.plan.tasks[*second].dependencies.size() == 1u);
      BOOST_TEST(l.plan.tasks[l.plan.tasks[*second].dependencies[0]].id == id + ".1");
    }
    BOOST_TEST(!l.plan.find(std::to_string(parents + 1)).has_value());
  }
}

// The current tag is Task Master's whatever path names the file: relative from the project's
// top (which has no parent to go up to), from inside .taskmaster, or a file of another name in
// a project (the nearest folder above it with a .taskmaster).
BOOST_AUTO_TEST_CASE(the_current_tag_is_found_from_any_path_to_the_file) {
  cohort::test::temp_dir dir;
  const std::string text = R"({"master": {"tasks": [{"id": 1}]}, "feature": {"tasks": [{"id": 2}]}})";
  dir.write(".taskmaster/tasks/tasks.json", text);
  dir.write("plans/other.json", text);
  dir.write(".taskmaster/state.json", R"({"currentTag": "feature"})");
  const auto cwd = std::filesystem::current_path();
  struct back_to {
    std::filesystem::path to;
    ~back_to() { std::filesystem::current_path(to); }
  } restore{cwd};
  std::filesystem::current_path(dir.path());
  for (const char* path : {".taskmaster/tasks/tasks.json", "plans/other.json"}) {
    BOOST_TEST(cohort::read_taskmaster(path).plan.tag == "feature", path);
  }
  std::filesystem::current_path(dir.path() / ".taskmaster");
  BOOST_TEST(cohort::read_taskmaster("tasks/tasks.json").plan.tag == "feature");
}

BOOST_AUTO_TEST_CASE(a_tag_that_does_not_exist_is_refused_with_the_tags_there_are) {
  cohort::taskmaster_options o;
  o.tag = "nope";
  const auto l = parse(R"({"master": {"tasks": []}, "x": {"tasks": []}, "$schema": "s"})", o);
  BOOST_TEST(!l.ok());
  BOOST_TEST(count(l, severity::error, "", "no tag 'nope' in the file; its tags: master, x") == 1u);
}

BOOST_AUTO_TEST_CASE(every_problem_is_reported_at_once_naming_file_tag_task_and_reference) {
  const auto l = parse(R"({"feat": {"tasks": [
    {"id": 1, "dependencies": [99]},
    {"id": 2, "dependencies": [2]},
    {"id": 2},
    {"id": 3, "status": "todo"},
    {"id": 4, "dependencies": [5]}, {"id": 5, "dependencies": [4]}]}})");
  BOOST_TEST(!l.ok());
  const auto errors = std::count_if(l.diagnostics.begin(), l.diagnostics.end(),
                                    [](const diagnostic& d) { return d.severity == severity::error; });
  BOOST_TEST(errors == 5);
  for (const auto& d : l.diagnostics) {
    BOOST_TEST(d.file == "tasks.json");
    BOOST_TEST(d.tag == "feat");
  }
  BOOST_TEST(count(l, severity::error, "1", "missing dependency 99") == 1u);
  BOOST_TEST(count(l, severity::error, "2", "depends on itself") == 1u);
  BOOST_TEST(count(l, severity::error, "2", "duplicate id 2") == 1u);
  BOOST_TEST(count(l, severity::error, "3", "unknown status \"todo\"") == 1u);
  BOOST_TEST(count(l, severity::error, "5", "dependency cycle 4 -> 5 -> 4") == 1u);
  const auto& missing = *std::find_if(l.diagnostics.begin(), l.diagnostics.end(),
                                      [](const diagnostic& d) { return d.task == "1"; });
  BOOST_TEST(missing.reference == "99");
  BOOST_TEST(cohort::to_string(missing) ==
             "tasks.json: error: tag 'feat': task 1: missing dependency 99: no task 99");
}

BOOST_AUTO_TEST_CASE(a_cycle_between_finished_subtasks_is_a_warning_and_is_broken) {
  const auto l = parse(R"({"master": {"tasks": [{"id": 12, "status": "done", "subtasks": [
    {"id": 1, "status": "done", "dependencies": ["12.4"]}, {"id": 4, "status": "done",
     "dependencies": [1]}]}]}})");
  BOOST_TEST_REQUIRE(l.ok());
  BOOST_TEST_REQUIRE(l.diagnostics.size() == 1u);
  BOOST_TEST(l.diagnostics[0].reference == "12.1 -> 12.4 -> 12.1");
  BOOST_TEST(l.plan.tasks[1].dependencies.size() + l.plan.tasks[2].dependencies.size() == 1u);
}

BOOST_AUTO_TEST_CASE(drop_policy_leaves_broken_edges_out_with_warnings) {
  cohort::taskmaster_options o;
  o.on_broken = cohort::broken_edges::drop;
  const auto l = parse(R"({"master": {"tasks": [{"id": 1, "dependencies": [2, 9]},
                                                {"id": 2, "dependencies": [1]}]}})", o);
  BOOST_TEST(l.ok());
  BOOST_TEST(count(l, severity::warning, "1", "missing dependency 9") == 1u);
  BOOST_TEST(count(l, severity::warning, "2", "dropped the dependency of 2 on 1") == 1u);
  BOOST_TEST(deps(l.plan, "1") == (strings{"2"}), boost::test_tools::per_element());
  BOOST_TEST(deps(l.plan, "2").empty());
}

BOOST_AUTO_TEST_CASE(a_json_syntax_error_gives_line_and_column) {
  const auto l = parse("{\"master\": {\"tasks\": [\n  {\"id\": 1,, \"title\": \"x\"}]}}");
  BOOST_TEST_REQUIRE(l.diagnostics.size() == 1u);
  BOOST_TEST(l.diagnostics[0].line == 2u);
  BOOST_TEST(l.diagnostics[0].column == 12u);
  BOOST_TEST(cohort::to_string(l.diagnostics[0]).rfind("tasks.json:2:12: error: JSON syntax", 0) == 0);
  const auto cut = parse("{\"master\": {\"tasks\": [\n");
  BOOST_TEST_REQUIRE(cut.diagnostics.size() == 1u);
  BOOST_TEST(cut.diagnostics[0].line == 2u);
  BOOST_TEST(cut.diagnostics[0].column == 1u);
}

BOOST_AUTO_TEST_CASE(estimates_come_from_the_task_fields_then_the_sidecar) {
  cohort::test::temp_dir dir;
  const auto file = dir.write("tasks.json", R"({"master": {"tasks": [
    {"id": 1, "duration_ms": 5000, "argv": ["nap", "5"], "bench_id": "a",
     "cohort": {"duration": "1h30m", "tokens": 12000, "owns": ["src/x/**"]}},
    {"id": 2, "subtasks": [{"id": 1, "duration_ms": 25, "argv": ["nap", "25", "s/2.1"]}]}]}})");
  cohort::taskmaster_options o;
  o.sidecar = dir.write("cohort.json", R"({"2": {"duration": "90s", "owns": ["docs/*.md"]},
                                          "7": {"tokens": 1}})");
  const auto l = cohort::read_taskmaster(file, o);
  BOOST_TEST_REQUIRE(l.ok(), cohort::error_text(l.diagnostics));
  const auto& t1 = l.plan.tasks[0];
  BOOST_TEST(t1.duration->count() == 5'400'000);  // the cohort object wins over duration_ms
  BOOST_TEST(*t1.tokens == 12000u);
  BOOST_TEST(t1.owns == strings{"src/x/**"}, boost::test_tools::per_element());
  BOOST_TEST(t1.argv == (strings{"nap", "5"}), boost::test_tools::per_element());
  BOOST_TEST(t1.text.extra() == R"({"bench_id":"a"})");
  BOOST_TEST(l.plan.tasks[1].duration->count() == 90'000);
  BOOST_TEST(l.plan.tasks[2].duration->count() == 25);
  BOOST_TEST(l.plan.tasks[2].argv.size() == 3u);
  BOOST_TEST(count(l, severity::warning, "7", "sidecar names a task") == 1u);
}

BOOST_AUTO_TEST_CASE(a_tasks_environment_is_read_and_a_malformed_one_refused) {
  const auto l = parse(R"({"master": {"tasks": [
    {"id": 1, "cohort": {"env": {"MODEL": "opus", "EMPTY": ""}}},
    {"id": 2, "cohort": {"env": {"A=B": "x"}}},
    {"id": 3, "cohort": {"env": {"N": 1}}},
    {"id": 4, "cohort": {"env": ["N=1"]}}]}})");
  BOOST_TEST(l.plan.tasks.at(0).env->size() == 2u);
  BOOST_TEST(l.plan.tasks.at(0).env->at("MODEL") == "opus");
  for (const char* id : {"2", "3", "4"}) {
    BOOST_TEST_INFO(id);
    BOOST_TEST(count(l, severity::error, id, "invalid \"env\"") == 1u);
  }
}

BOOST_AUTO_TEST_CASE(a_malformed_estimate_is_refused) {
  const auto l = parse(R"({"master": {"tasks": [{"id": 1, "cohort": {"duration": "25 parsecs",
                                                "tokens": -3, "owns": "src"}}]}})");
  BOOST_TEST(count(l, severity::error, "1", "invalid \"duration\"") == 1u);
  BOOST_TEST(count(l, severity::error, "1", "invalid \"tokens\"") == 1u);
  BOOST_TEST(count(l, severity::error, "1", "invalid \"owns\"") == 1u);
}

BOOST_AUTO_TEST_CASE(nested_subtasks_are_kept_in_extra_with_a_warning) {
  const auto l = parse(R"({"master": {"tasks": [{"id": "a", "subtasks": [
    {"id": "b", "subtasks": [{"id": "c"}]}]}]}})");
  BOOST_TEST(l.ok());
  BOOST_TEST(l.plan.size() == 2u);
  BOOST_TEST(boost::json::parse(l.plan.tasks[1].text.extra()).as_object().contains("subtasks"));
  BOOST_TEST(count(l, severity::warning, "a.b", "nested subtasks") == 1u);
}

BOOST_AUTO_TEST_CASE(throwing_and_error_code_loaders_refuse_an_invalid_plan) {
  cohort::test::temp_dir dir;
  const auto file = dir.write("tasks.json", R"({"master": {"tasks": [{"id": 1, "dependencies": [8]},
                                                                    {"id": 2, "status": "x"}]}})");
  try {
    (void)cohort::load_taskmaster(file);
    BOOST_FAIL("an invalid plan was accepted");
  } catch (const cohort::system_error& e) {
    BOOST_TEST((e.code() == cohort::errc::plan_invalid));
    const std::string what = e.what();
    BOOST_TEST(what.find("task 1: missing dependency 8") != std::string::npos);
    BOOST_TEST(what.find("\n") != std::string::npos);
    BOOST_TEST(what.find("task 2: unknown status") != std::string::npos);
  }
  cohort::error_code ec;
  const auto p = cohort::load_taskmaster(file, {}, ec);
  BOOST_TEST((ec == cohort::errc::plan_invalid));
  BOOST_TEST(p.size() == 0u);
  (void)cohort::load_taskmaster(dir.path() / "absent.json", {}, ec);
  BOOST_TEST((ec == cohort::errc::plan_invalid));
}

BOOST_AUTO_TEST_SUITE_END()
