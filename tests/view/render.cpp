// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/view/render.hpp>

#include "support/plan_shapes.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using namespace std::chrono_literals;
using cohort::plan;
using cohort::task_index;
namespace json = boost::json;

namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

cohort::plan_analysis seed_report(const plan& p) {
  cohort::plan_analysis_options o;
  o.simulate = cohort::schedule_options{};
  o.simulate->mode = cohort::wave_mode::waves;
  o.budget = 200'000;
  o.reserve = 5'000;
  return cohort::analyze(p, o);
}

} // namespace

BOOST_AUTO_TEST_SUITE(render)

BOOST_AUTO_TEST_CASE(durations_read_at_a_glance) {
  BOOST_TEST(cohort::format_duration(850ms) == "850 ms");
  BOOST_TEST(cohort::format_duration(12'500ms) == "12.5 s");
  BOOST_TEST(cohort::format_duration(385min) == "385 min");
  BOOST_TEST(cohort::format_duration(390s) == "6.5 min");
}

BOOST_AUTO_TEST_CASE(text_shows_the_seed_tables) {
  const plan p = cohort::shapes::seed_plan();
  const std::string text = cohort::render_text(p, seed_report(p));
  BOOST_TEST_MESSAGE(text);
  BOOST_TEST(occurrences(text, "│ sequential (one job at a time)") == 1u);
  BOOST_TEST(occurrences(text, "980 min") == 1u);
  BOOST_TEST(occurrences(text, "│ waves only (parents one after another)    │ 445 min │    2.2x │") == 1u);
  BOOST_TEST(occurrences(text, "385 min") >= 2u);  // hierarchical, critical path (and its line)
  BOOST_TEST(occurrences(text, "simulated: K=8, waves") == 1u);
  BOOST_TEST(occurrences(text, "│ 11                  │ 12, 13, 14 │ 3 │") == 1u);
  BOOST_TEST(occurrences(text, "Critical path: 3.1 -> ") == 1u);
  BOOST_TEST(occurrences(text, "Token budget split") == 1u);
  BOOST_TEST(occurrences(text, "Ownership conflicts: none") == 1u);
  // Five tables: projections, groups, layers, slack, budget (conflicts: one line).
  std::size_t lines = 0;
  for (std::size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1) {
    lines += text.compare(at, 3, "┌") == 0;
  }
  BOOST_TEST(lines == 5u);
}

BOOST_AUTO_TEST_CASE(an_empty_table_is_one_line_saying_none) {
  plan p;  // one chain: no parents share their dependencies
  const auto a = cohort::shapes::parent(p, "1", {}, 5ms);
  cohort::shapes::parent(p, "2", {a}, 5ms);
  const std::string text = cohort::render_text(p, cohort::analyze(p));
  BOOST_TEST(occurrences(text, "Parallel groups (parents sharing their dependencies; 0 more among siblings): none\n\n") == 1u);
  BOOST_TEST(occurrences(text, "│ shared dependencies") == 0u);
}

BOOST_AUTO_TEST_CASE(a_simulation_the_budget_cuts_short_says_so) {
  plan p;  // three 10 ms jobs of 100 tokens each; a budget for two
  const auto a = cohort::shapes::parent(p, "1");
  for (const char* id : {"1", "2", "3"}) cohort::shapes::sub(p, a, id, 10ms, {}, 100);
  cohort::plan_analysis_options o;
  o.simulate = cohort::schedule_options{};
  o.simulate->token_budget = 250;
  const std::string text = cohort::render_text(p, cohort::analyze(p, o));
  BOOST_TEST(occurrences(text, "The simulated run leaves 1 job unfinished: the token budget is spent before they start.") == 1u, text);
  BOOST_TEST(occurrences(text, "budget 250       │ 10 ms │       - │") == 1u, text);  // no speedup for part of a plan
  o.simulate->token_budget = 300;
  BOOST_TEST(occurrences(cohort::render_text(p, cohort::analyze(p, o)), "unfinished") == 0u);
}

BOOST_AUTO_TEST_CASE(json_carries_the_numbers) {
  const plan p = cohort::shapes::seed_plan();
  const auto r = seed_report(p);
  const json::value v = cohort::render_json(p, r);
  BOOST_TEST(json::parse(json::serialize(v)) == v);
  BOOST_TEST(v.at("projections").at("hierarchical_ms").as_int64() == 385 * 60'000);
  BOOST_TEST(v.at("projections").at("waves_only_ms").as_int64() == 445 * 60'000);
  const json::value group = json::parse(R"({"dependencies":["11"],"tasks":["12","13","14"]})");
  const auto& groups = v.at("parallel_groups").as_array();
  BOOST_TEST(std::count(groups.begin(), groups.end(), group) == 1);
  BOOST_TEST(v.at("tasks").as_array().size() == p.size());
  BOOST_TEST(v.at("simulation").at("max_running").as_uint64() == 8u);
  BOOST_TEST(v.at("simulation").at("makespan_ms").as_int64() == r.simulated->makespan.count());
  std::uint64_t shares = 0;
  for (const auto& s : v.at("budget").as_array()) shares += s.at("tokens").as_uint64();
  BOOST_TEST(shares == 195'000u);
}

BOOST_AUTO_TEST_CASE(dot_has_clusters_waves_and_the_critical_path) {
  plan p = cohort::shapes::seed_plan();
  p.tasks[0].title = "say \"hi\"";
  const auto r = cohort::analyze(p);
  const std::string dot = cohort::render_dot(p, r);
  BOOST_TEST(dot.starts_with("digraph plan {"));
  BOOST_TEST(occurrences(dot, "{") == occurrences(dot, "}"));
  BOOST_TEST(occurrences(dot, "subgraph cluster_") == 17u + 17u * 3u);  // a parent and its 3 waves
  BOOST_TEST(occurrences(dot, "color=red") >= r.schedule.critical_path.size());
  BOOST_TEST(occurrences(dot, "say \\\"hi\\\"") == 1u);
  BOOST_TEST(occurrences(dot, "lhead=cluster_") > 0u);
}

BOOST_AUTO_TEST_CASE(mermaid_has_subgraphs_and_the_critical_class) {
  plan p = cohort::shapes::seed_plan();
  p.tasks[0].title = "say \"hi\"";
  const task_index leaf = cohort::shapes::parent(p, "18", {*p.find("17")}, 5min);
  const auto r = cohort::analyze(p);
  const std::string m = cohort::render_mermaid(p, r);
  BOOST_TEST(m.starts_with("flowchart LR\n"));
  BOOST_TEST(occurrences(m, "subgraph ") == 17u * 4u);
  BOOST_TEST(occurrences(m, "    end\n") + occurrences(m, "  end\n") >= 17u * 4u);
  BOOST_TEST(occurrences(m, "say #quot;hi#quot;") == 1u);
  BOOST_TEST(occurrences(m, "p" + std::to_string(*p.find("17")) + " --> t" + std::to_string(leaf)) == 1u);
  BOOST_TEST(occurrences(m, "class t") == 1u);
  BOOST_TEST(occurrences(m, "t" + std::to_string(leaf) + " critical") == 1u);  // last on the path
}

BOOST_AUTO_TEST_CASE(conflicts_are_listed) {
  plan p;
  const task_index a = cohort::shapes::parent(p, "1", {}, 1ms);
  const task_index b = cohort::shapes::parent(p, "2", {}, 1ms);
  p.tasks[a].owns = {"src/*.ts"};
  p.tasks[b].owns = {"src/api.*"};
  const std::string text = cohort::render_text(p, cohort::analyze(p));
  BOOST_TEST(occurrences(text, "│ 1 / 2 │ src/*.ts  ~  src/api.* │ src/api.ts │") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
