// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/analysis/analysis.hpp>

#include "support/plan_shapes.hpp"

#include <cohort/core/error.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using cohort::task_index;
using cohort::shapes::ms;
using cohort::shapes::parent;
using cohort::shapes::sub;

namespace {

std::vector<std::string> ids(const cohort::plan& p, const std::vector<task_index>& ts) {
  std::vector<std::string> out;
  for (task_index t : ts) out.push_back(p.tasks[t].id);
  return out;
}

using strings = std::vector<std::string>;

// The message of the system_error `fn` throws, up to the category's text (empty if none).
template <class Fn>
std::string error_of(Fn fn) {
  try {
    fn();
  } catch (const cohort::system_error& e) {
    BOOST_TEST((e.code() == cohort::make_error_code(cohort::errc::plan_invalid)));
    const std::string what = e.what();
    return what.substr(0, what.find(": the plan is invalid"));
  }
  return {};
}

} // namespace

BOOST_AUTO_TEST_SUITE(analysis)

BOOST_AUTO_TEST_CASE(seed_projections_match_the_research_note) {
  const cohort::plan p = cohort::shapes::seed_plan();
  const auto pr = cohort::project(p);
  // Hand sums over parents 3..17 (1 and 2 are done): sizes x minutes, and the wave maxima.
  BOOST_TEST(pr.sequential.count() == ms(980min).count());
  BOOST_TEST(pr.waves_only.count() == ms(445min).count());  // the note's "current strategy"
  BOOST_TEST(pr.hierarchical.count() == ms(385min).count()); // the note's "enhanced strategy"
  BOOST_TEST(pr.critical_path.count() == ms(385min).count());
  BOOST_TEST(pr.tokens == 93u * 10'000u);
}

BOOST_AUTO_TEST_CASE(seed_parallel_group_is_12_13_14_on_11) {
  const cohort::plan p = cohort::shapes::seed_plan();
  const auto groups = cohort::parallel_groups(p);
  const auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
    return p.tasks[g.tasks.front()].is_parent();
  });
  BOOST_REQUIRE(it != groups.end());
  BOOST_TEST(ids(p, it->tasks) == (strings{"12", "13", "14"}), boost::test_tools::per_element());
  BOOST_TEST(ids(p, it->dependencies) == strings{"11"}, boost::test_tools::per_element());
  // The other groups are siblings sharing a dependency set (wave 1 of a parent, for instance).
  for (const auto& g : groups) {
    if (&g == &*it) continue;
    BOOST_TEST(!p.tasks[g.tasks.front()].is_parent());
  }
  const auto l = cohort::layers(p);
  BOOST_REQUIRE(l.parents.size() == 13u);  // 3..11, {12,13,14}, 15, 16, 17
  BOOST_TEST(ids(p, l.parents[9]) == (strings{"12", "13", "14"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_dependency_set_is_one_whatever_order_it_is_written_in) {
  cohort::plan p;
  std::vector<task_index> t;
  for (const char* id : {"1", "2", "3", "4", "5", "6"}) {
    cohort::task k;
    k.id = id;
    t.push_back(p.add_parent(std::move(k)));
  }
  p.add_dependency(t[2], t[1]);  // 3 waits for 2 and 1, written in that order
  p.add_dependency(t[2], t[0]);
  p.add_dependency(t[3], t[0]);  // 4 for 1 and 2
  p.add_dependency(t[3], t[1]);
  p.add_dependency(t[4], t[1]);  // 5 for 2 alone, 6 for 1 alone: groups of one are none
  p.add_dependency(t[5], t[0]);
  const auto groups = cohort::parallel_groups(p);
  BOOST_REQUIRE(groups.size() == 2u);
  BOOST_TEST(ids(p, groups[0].tasks) == (strings{"1", "2"}), boost::test_tools::per_element());
  BOOST_TEST(groups[0].dependencies.empty());
  BOOST_TEST(ids(p, groups[1].tasks) == (strings{"3", "4"}), boost::test_tools::per_element());
  BOOST_TEST(ids(p, groups[1].dependencies) == (strings{"1", "2"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(topological_order_puts_every_task_after_what_it_waits_for) {
  for (std::uint32_t seed = 1; seed <= 5; ++seed) {
    const cohort::plan p = cohort::shapes::random_plan(seed, 40);
    const auto order = cohort::topological_order(p);
    BOOST_REQUIRE(order.size() == p.size());
    std::vector<std::size_t> pos(p.size());
    for (std::size_t i = 0; i < order.size(); ++i) pos[order[i]] = i;
    for (task_index t = 0; t < p.size(); ++t) {
      if (p.tasks[t].parent) BOOST_TEST(pos[*p.tasks[t].parent] < pos[t]);
      for (task_index d : p.tasks[t].dependencies) {
        const auto& subs = p.tasks[d].subtasks;
        if (subs.empty()) BOOST_TEST(pos[d] < pos[t]);
        for (task_index s : subs) BOOST_TEST(pos[s] < pos[t]);  // on a parent: on all of it
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_cycle_is_named_as_a_path) {
  cohort::plan p;
  const task_index a = parent(p, "12");
  const task_index s1 = sub(p, a, "1", 1ms);
  const task_index s4 = sub(p, a, "4", 1ms, {s1});
  p.add_dependency(s1, s4);
  BOOST_TEST(ids(p, cohort::find_cycle(p)) == (strings{"12.1", "12.4", "12.1"}),
             boost::test_tools::per_element());
  BOOST_TEST(error_of([&] { cohort::topological_order(p); }) ==
             "dependency cycle: 12.1 -> 12.4 -> 12.1");
  BOOST_TEST(error_of([&] { cohort::waves(p); }) == "dependency cycle: 12.1 -> 12.4 -> 12.1");

  cohort::plan q;  // parents: 1 waits for 2, 2 waits for 1
  const task_index one = parent(q, "1", {}, 5ms);
  const task_index two = parent(q, "2", {one}, 5ms);
  q.add_dependency(one, two);
  BOOST_TEST(ids(q, cohort::find_cycle(q)) == (strings{"1", "2", "1"}), boost::test_tools::per_element());
  BOOST_TEST(error_of([&] { cohort::critical_path(q); }) == "dependency cycle: 1 -> 2 -> 1");
}

BOOST_AUTO_TEST_CASE(a_cycle_through_a_parents_start_reads_as_the_parent) {
  cohort::plan p;  // 12 waits for 13, 13 waits for 12.1, and 12.1 waits for 12 to start
  const task_index a = parent(p, "12");
  const task_index a1 = sub(p, a, "1", 1ms);
  const task_index b = parent(p, "13");
  sub(p, b, "1", 1ms);
  p.add_dependency(a, b);
  p.add_dependency(b, a1);
  BOOST_TEST(ids(p, cohort::find_cycle(p)) == (strings{"12", "13", "12.1", "12"}),
             boost::test_tools::per_element());
  cohort::plan q;  // a subtask waiting for its own parent
  const task_index c = parent(q, "3");
  q.add_dependency(sub(q, c, "1", 1ms), c);
  BOOST_TEST(ids(q, cohort::find_cycle(q)) == (strings{"3", "3.1", "3"}), boost::test_tools::per_element());
  BOOST_TEST(cohort::find_cycle(cohort::shapes::seed_plan()).empty());
}

BOOST_AUTO_TEST_CASE(waves_count_sibling_dependencies_only) {
  cohort::plan p;
  const task_index a = parent(p, "1");
  const task_index b = parent(p, "2");
  const task_index b1 = sub(p, b, "1", 1ms);
  const task_index b2 = sub(p, b, "2", 1ms, {b1});
  const task_index a1 = sub(p, a, "1", 1ms, {b2});  // cross-parent: still wave 0
  const task_index a2 = sub(p, a, "2", 1ms, {a1});
  const task_index a3 = sub(p, a, "3", 1ms, {a1, a2});
  const task_index a4 = sub(p, a, "4", 1ms);
  const auto w = cohort::waves(p);
  BOOST_TEST(w[a] == 0u);
  BOOST_TEST(w[a1] == 0u);
  BOOST_TEST(w[a2] == 1u);
  BOOST_TEST(w[a3] == 2u);
  BOOST_TEST(w[a4] == 0u);
  BOOST_TEST(w[b2] == 1u);
}

// The waved graph is built from the rolling one in place (its edge lists shifted up to make
// room): it must be the rolling graph, node for node and edge for edge in the same order, plus
// the wave barriers of the definition in job_graph's comment, and nothing else.
BOOST_AUTO_TEST_CASE(the_waved_graph_is_the_rolling_graph_plus_the_wave_barriers) {
  using edge = std::pair<std::uint32_t, std::uint32_t>;  // (node, node it waits for)
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    const cohort::plan p = cohort::shapes::random_plan(seed, 12, 3);
    const auto rolling = cohort::flatten(p);
    const auto waved = cohort::flatten(p, {}, cohort::wave_mode::waves);
    const auto fin = cohort::finished_tasks(p);
    const auto wave = cohort::waves(p);
    // The barriers by the definition, numbered after the gates, parent by parent.
    std::vector<edge> barriers;
    std::uint32_t next = static_cast<std::uint32_t>(rolling.size());
    for (task_index q : p.parents) {
      if (fin[q] || p.tasks[q].subtasks.empty()) continue;
      std::size_t count = 0;
      for (task_index s : p.tasks[q].subtasks) count = std::max(count, wave[s] + 1);
      const std::uint32_t base = next;  // the barrier before wave w is base + w - 1
      next += static_cast<std::uint32_t>(count - 1);
      for (std::size_t w = 2; w < count; ++w) barriers.push_back({base + w - 1, base + w - 2});
      for (task_index s : p.tasks[q].subtasks) {
        const auto ws = static_cast<std::uint32_t>(wave[s]);
        if (ws + 1 < count) barriers.push_back({base + ws, static_cast<std::uint32_t>(s)});
        if (ws > 0 && !fin[s]) barriers.push_back({static_cast<std::uint32_t>(s), base + ws - 1});
      }
    }
    BOOST_TEST_REQUIRE(waved.size() == std::size_t(next));
    std::vector<edge> added;
    for (std::uint32_t v = 0; v < waved.size(); ++v) {
      const auto preds = waved.predecessors(v);
      std::size_t kept = 0;
      if (v < rolling.size()) {  // its rolling predecessors first, in their order
        const auto old = rolling.predecessors(v);
        BOOST_TEST_REQUIRE(preds.size() >= old.size());
        BOOST_TEST(std::equal(old.begin(), old.end(), preds.begin()));
        BOOST_TEST((waved.kinds[v] == rolling.kinds[v]));
        kept = old.size();
      } else {
        BOOST_TEST((waved.kinds[v] == cohort::job_graph::kind::wave));
        BOOST_TEST(waved.duration(v) == 0);
      }
      for (std::size_t i = kept; i < preds.size(); ++i) added.push_back({v, preds[i]});
      for (std::uint32_t d : preds) {  // every edge in both directions
        const auto succs = waved.successors(d);
        BOOST_TEST(std::count(succs.begin(), succs.end(), v) == std::count(preds.begin(), preds.end(), d));
      }
    }
    std::sort(added.begin(), added.end());
    std::sort(barriers.begin(), barriers.end());
    BOOST_TEST((added == barriers), "seed " << seed);
    BOOST_TEST(waved.succs.size() == waved.preds.size());
  }
}

BOOST_AUTO_TEST_CASE(critical_path_and_slack_by_hand) {
  cohort::plan p;  // A: a1 10, a2 30 side by side; B after A: b1 5; C alone: 20
  const task_index a = parent(p, "A");
  const task_index a1 = sub(p, a, "1", 10ms);
  const task_index a2 = sub(p, a, "2", 30ms);
  const task_index b = parent(p, "B", {a});
  const task_index b1 = sub(p, b, "1", 5ms);
  const task_index c = parent(p, "C", {}, 20ms);
  const auto cp = cohort::critical_path(p);
  BOOST_TEST(cp.length.count() == 35);
  BOOST_TEST(ids(p, cp.critical_path) == (strings{"A.2", "B.1"}), boost::test_tools::per_element());
  BOOST_TEST(cp.tasks[a1].slack().count() == 20);
  BOOST_TEST(cp.tasks[a2].slack().count() == 0);
  BOOST_TEST(cp.tasks[c].slack().count() == 15);
  BOOST_TEST(cp.tasks[b1].earliest_start.count() == 30);
  BOOST_TEST(cp.tasks[b].earliest_start.count() == 30);
  BOOST_TEST(cp.tasks[b].earliest_finish.count() == 35);
  BOOST_TEST(cp.tasks[a].latest_finish.count() == 30);
}

BOOST_AUTO_TEST_CASE(done_tasks_take_no_time_and_missing_estimates_take_the_default) {
  cohort::plan p;
  const task_index a = parent(p, "1", {}, 50ms);
  const task_index b = parent(p, "2", {a});  // no estimate
  const task_index b1 = sub(p, b, "1", 7ms);
  sub(p, b, "2", 9ms, {b1});
  p.tasks[a].status = cohort::task_status::done;
  p.tasks[b1].status = cohort::task_status::done;
  const cohort::estimate_defaults d{3ms, 11};
  BOOST_TEST(cohort::project(p, d).sequential.count() == 9);
  p.tasks[p.find("2.2").value()].duration.reset();
  const auto pr = cohort::project(p, d);
  BOOST_TEST(pr.sequential.count() == 3);
  BOOST_TEST(pr.tokens == 11u);
  BOOST_TEST(cohort::critical_path(p, d).tasks[b].earliest_start.count() == 0);
}

BOOST_AUTO_TEST_CASE(projections_by_hand) {
  cohort::plan p;  // P1: waves [1.1 10, 1.2 20] then [1.3 5 after 1.1]; P2: one 7 ms job
  const task_index p1 = parent(p, "1");
  const task_index s1 = sub(p, p1, "1", 10ms);
  sub(p, p1, "2", 20ms);
  sub(p, p1, "3", 5ms, {s1});
  parent(p, "2", {}, 7ms);
  const auto pr = cohort::project(p);
  BOOST_TEST(pr.sequential.count() == 42);
  BOOST_TEST(pr.waves_only.count() == 32);    // (20 + 5) + 7
  BOOST_TEST(pr.hierarchical.count() == 25);  // P1's waves; P2 alongside
  BOOST_TEST(pr.critical_path.count() == 20); // rolling: 1.3 need not wait for 1.2
}

BOOST_AUTO_TEST_CASE(a_parents_own_command_runs_after_its_subtasks) {
  cohort::plan p;  // P1: [1.1 10, 1.2 20] then its own command, 8; P2 after P1: 4; P3: subtasks done, own 6
  const task_index p1 = parent(p, "1", {}, 8ms);
  sub(p, p1, "1", 10ms);
  sub(p, p1, "2", 20ms);
  p.tasks[p1].argv = {"link"};
  const task_index p2 = parent(p, "2", {p1}, 4ms);
  const task_index p3 = parent(p, "3", {}, 6ms);
  const task_index s3 = sub(p, p3, "1", 1ms);
  p.tasks[s3].status = cohort::task_status::done;
  p.tasks[p3].argv = {"link"};
  BOOST_TEST(p.tasks[p1].is_job());
  const auto fin = cohort::finished_tasks(p);
  BOOST_TEST(!fin[p3]);  // its subtasks are done, its own command is not
  const auto cp = cohort::critical_path(p);
  BOOST_TEST(cp.length.count() == 32);  // 20, then 1's own 8, then 2's 4
  BOOST_TEST(ids(p, cp.critical_path) == (strings{"1.2", "1", "2"}), boost::test_tools::per_element());
  BOOST_TEST(cp.tasks[p1].earliest_finish.count() == 28);
  BOOST_TEST(cp.tasks[p2].earliest_start.count() == 28);
  BOOST_TEST(cp.tasks[p3].earliest_finish.count() == 6);
  const auto pr = cohort::project(p);
  BOOST_TEST(pr.sequential.count() == 10 + 20 + 8 + 4 + 6);
  BOOST_TEST(pr.waves_only.count() == 20 + 8 + 4 + 6);
  BOOST_TEST(pr.critical_path.count() == 32);
  const auto l = cohort::layers(p);
  BOOST_REQUIRE(l.parents.size() == 2u);  // 1 and 3 first, then 2
  BOOST_TEST(l.parents[1] == (std::vector<task_index>{p2}), boost::test_tools::per_element());
  BOOST_REQUIRE(l.jobs.size() == 3u);  // 1.1 1.2 3 | 1 | 2
  BOOST_TEST(l.jobs[1] == (std::vector<task_index>{p1}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_cross_parent_subtask_dependency_does_not_order_the_parents) {
  cohort::plan p;
  const task_index two = parent(p, "2");
  const task_index two1 = sub(p, two, "1", 1ms);
  sub(p, two, "2", 1ms, {two1});
  const task_index three = parent(p, "3");
  sub(p, three, "1", 1ms, {two1});
  const task_index four = parent(p, "4", {three});
  const auto l = cohort::layers(p);
  BOOST_REQUIRE(l.parents.size() == 2u);
  BOOST_TEST(ids(p, l.parents[0]) == (strings{"2", "3"}), boost::test_tools::per_element());
  BOOST_TEST(ids(p, l.parents[1]) == strings{"4"}, boost::test_tools::per_element());
  (void)four;
  BOOST_REQUIRE(l.jobs.size() == 3u);
  BOOST_TEST(ids(p, l.jobs[0]) == strings{"2.1"}, boost::test_tools::per_element());
  BOOST_TEST(ids(p, l.jobs[1]) == (strings{"2.2", "3.1"}), boost::test_tools::per_element());
  BOOST_TEST(ids(p, l.jobs[2]) == strings{"4"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(budget_split_never_oversubscribes) {
  const cohort::plan seed = cohort::shapes::seed_plan();
  const std::vector<task_index> trio{*seed.find("12"), *seed.find("13"), *seed.find("14")};
  // The note's rule, total / n * (1 + subtasks / all subtasks), hands out more than there is.
  double naive = 0;
  for (task_index q : trio) naive += 200'000.0 / 3 * (1 + seed.tasks[q].subtasks.size() / 19.0);
  BOOST_TEST(naive > 200'000.0);
  const auto shares = cohort::split_budget(seed, 200'000, 5'000, trio);
  BOOST_REQUIRE(shares.size() == 3u);
  BOOST_TEST(shares[0].tokens == 61'579u);  // 195,000 x 6/19, rounded by largest remainder
  BOOST_TEST(shares[1].tokens == 71'842u);
  BOOST_TEST(shares[2].tokens == 61'579u);

  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    const cohort::plan p = cohort::shapes::random_plan(static_cast<std::uint32_t>(round), 12);
    const std::uint64_t total = rng() % 5'000'000, reserve = rng() % 1'000'000;
    const auto s = cohort::split_budget(p, total, reserve);
    std::uint64_t sum = 0, size = 0;
    for (const auto& x : s) sum += x.tokens, size += x.size;
    const std::uint64_t avail = total > reserve ? total - reserve : 0;
    BOOST_TEST(sum <= avail);
    if (size > 0) BOOST_TEST(sum == avail);
    for (const auto& x : s) {  // proportional, within one token
      const double exact = size ? double(avail) * double(x.size) / double(size) : 0.0;
      BOOST_TEST(std::abs(double(x.tokens) - exact) < 1.0);
    }
  }
  BOOST_TEST(cohort::split_budget(seed, 100, 200).front().tokens == 0u);
}

BOOST_AUTO_TEST_CASE(ready_order_is_longest_path_then_priority_then_plan_order) {
  cohort::plan p;
  const task_index a = parent(p, "1", {}, 10ms);
  const task_index b = parent(p, "2", {}, 10ms);
  const task_index c = parent(p, "3", {}, 5ms);
  const task_index d = parent(p, "4", {c}, 10ms);  // 3 has 15 ms ahead of it
  p.tasks[b].text.set_priority("high");
  const auto keys = cohort::ready_keys(p);
  std::vector<task_index> order{a, b, c, d};
  std::sort(order.begin(), order.end(),
            [&](task_index x, task_index y) { return cohort::launches_before(keys[x], keys[y]); });
  BOOST_TEST(ids(p, order) == (strings{"3", "2", "1", "4"}), boost::test_tools::per_element());
  BOOST_TEST(keys[c].remaining.count() == 15);
}

BOOST_AUTO_TEST_SUITE_END()
