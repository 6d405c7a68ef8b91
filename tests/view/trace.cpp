// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/view/trace.hpp>

#include "support/co_test.hpp"
#include "support/files.hpp"
#include "support/plans.hpp"

#include <cohort/run/executor.hpp>
#include <cohort/testing/fake_launcher.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

using namespace std::chrono_literals;
using cohort::test::plan_builder;

namespace {

// Two parents side by side, each with two waves.
cohort::plan two_parents() {
  plan_builder b;
  for (const char* id : {"1", "2"}) {
    const auto p = b.parent(id);
    const std::string pid(id);
    b.sub(p, "1", {}, 10ms);
    b.sub(p, "2", {}, 10ms);
    b.sub(p, "3", {pid + ".1"}, 10ms);
  }
  return std::move(b.p);
}

struct slice {
  std::string name;
  double from = 0, to = 0;
};

// The complete ("X") events of process `pid`, by track.
std::map<std::int64_t, std::vector<slice>> slices(const boost::json::value& trace, int pid) {
  std::map<std::int64_t, std::vector<slice>> out;
  for (const auto& v : trace.at("traceEvents").as_array()) {
    const auto& e = v.as_object();
    if (e.at("ph").as_string() != "X" || e.at("pid").as_int64() != pid) continue;
    const double ts = e.at("ts").to_number<double>();
    out[e.at("tid").to_number<std::int64_t>()].push_back(
        {std::string(e.at("name").as_string()), ts, ts + e.at("dur").to_number<double>()});
  }
  return out;
}

std::vector<cohort::observer*> observed_by(cohort::trace_writer& t) { return {&t}; }

} // namespace

BOOST_AUTO_TEST_SUITE(trace)

CO_TEST_CASE(one_track_per_slot_and_parents_enclose_their_waves) {
  const auto plan = two_parents();
  cohort::fake_launcher agents;
  cohort::executor_options o;
  o.schedule.max_running = 3;
  o.schedule.mode = cohort::wave_mode::waves;
  cohort::test::temp_dir dir;
  cohort::trace_writer trace(plan, dir.path() / "run.trace.json");
  (void)co_await cohort::run_plan(plan, agents, o, observed_by(trace));
  BOOST_TEST(!trace.write_error().has_value());
  // The file written at run_finished parses, and is the same trace.
  const auto parsed = boost::json::parse(cohort::test::read_text(dir.path() / "run.trace.json"));
  BOOST_TEST(parsed == trace.json());

  const auto agent_tracks = slices(parsed, 1);
  BOOST_TEST(agent_tracks.size() <= 3u);  // never more tracks than slots
  std::size_t launches = 0;
  for (const auto& [tid, list] : agent_tracks) {
    launches += list.size();
    auto sorted = list;
    std::sort(sorted.begin(), sorted.end(), [](const slice& a, const slice& b) { return a.from < b.from; });
    for (std::size_t i = 1; i < sorted.size(); ++i) BOOST_TEST(sorted[i].from >= sorted[i - 1].to);
  }
  BOOST_TEST(launches == 6u);

  // Each parent is a slice on its lane; its two waves are slices inside it on the same lane.
  std::size_t parents = 0, waves = 0;
  for (const auto& [lane, list] : slices(parsed, 2)) {
    for (const auto& p : list) {
      if (p.name.rfind("wave", 0) == 0) continue;
      ++parents;
      for (const auto& w : list) {
        if (w.name.rfind("wave", 0) != 0 || w.from < p.from || w.to > p.to) continue;
        ++waves;
      }
    }
  }
  BOOST_TEST(parents == 2u);
  BOOST_TEST(waves == 4u);
}

CO_TEST_CASE(failures_and_retries_are_marked) {
  plan_builder b;
  const auto p = b.parent("1");
  b.sub(p, "1", {}, 1ms);
  cohort::fake_launcher agents;
  agents.set("1.1", cohort::fake_behavior::failing(-1));
  cohort::executor_options o;
  o.retry.retries = 1;
  o.retry.base_delay = 1ms;
  cohort::trace_writer trace(b.p);
  (void)co_await cohort::run_plan(b.p, agents, o, observed_by(trace));
  std::multiset<std::string> instants;
  std::size_t attempts = 0;
  const auto json = trace.json();  // a temporary would die before the loop
  for (const auto& v : json.at("traceEvents").as_array()) {
    const auto& e = v.as_object();
    if (e.at("ph").as_string() == "i") instants.insert(std::string(e.at("name").as_string()));
    if (e.at("ph").as_string() == "X" && e.at("pid").as_int64() == 1) {
      ++attempts;
      const auto outcome = e.at("args").at("outcome").as_string();
      BOOST_TEST((outcome == "retry" || outcome == "failed"));
    }
  }
  BOOST_TEST(attempts == 2u);
  BOOST_TEST(instants.count("retry 1.1") == 1u);
  BOOST_TEST(instants.count("failed 1.1") == 1u);
}

// An isolating launcher's merge is a slice inside its attempt's, on the same track.
BOOST_AUTO_TEST_CASE(a_merge_is_a_slice_inside_its_attempt) {
  plan_builder b;
  const auto p = b.parent("1");
  const auto t = b.sub(p, "1", {}, 1ms);
  cohort::trace_writer trace(b.p);
  const auto start = cohort::event::clock_type::now();
  auto at = [&](int ms, cohort::event_kind k) {
    cohort::event e;
    e.kind = k;
    e.at = start + std::chrono::milliseconds(ms);
    if (k != cohort::event_kind::run_started && k != cohort::event_kind::run_finished) e.task = t;
    e.attempt = 1;
    return e;
  };
  trace.on_event(at(0, cohort::event_kind::run_started));
  trace.on_event(at(1, cohort::event_kind::task_launched));
  auto merging = at(5, cohort::event_kind::task_merge);
  merging.merge = cohort::merge_state::merging;
  trace.on_event(merging);
  auto merged = at(8, cohort::event_kind::task_merge);
  merged.merge = cohort::merge_state::merged;
  merged.branch = "cohort-work/r/p/1";
  trace.on_event(merged);
  trace.on_event(at(9, cohort::event_kind::task_usage));
  trace.on_event(at(9, cohort::event_kind::task_succeeded));
  trace.on_event(at(10, cohort::event_kind::run_finished));
  const auto tracks = slices(trace.json(), 1);
  BOOST_REQUIRE(tracks.size() == 1u);
  const auto& list = tracks.begin()->second;
  const auto merge = std::find_if(list.begin(), list.end(), [](const slice& x) { return x.name == "merge 1.1"; });
  const auto agent = std::find_if(list.begin(), list.end(), [](const slice& x) { return x.name != "merge 1.1"; });
  BOOST_REQUIRE(merge != list.end());
  BOOST_REQUIRE(agent != list.end());
  BOOST_TEST(merge->to - merge->from == 3000.0);  // microseconds
  BOOST_TEST((agent->from <= merge->from && merge->to <= agent->to));
}

BOOST_AUTO_TEST_SUITE_END()
