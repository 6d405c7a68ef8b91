// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/analysis/ownership.hpp>

#include "support/plan_shapes.hpp"

#include <cohort/analysis/analysis.hpp>

#include <boost/test/unit_test.hpp>

#include <fnmatch.h>

#include <string>
#include <vector>

using namespace std::chrono_literals;
using cohort::common_path;
using cohort::globs_intersect;
using cohort::task_index;
using cohort::shapes::parent;
using cohort::shapes::sub;

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out{""};
  for (char c : s) {
    if (c == '/') out.emplace_back();
    else out.back().push_back(c);
  }
  return out;
}

// An independent reference for the documented syntax: segments by hand, each one by fnmatch(3).
bool segment_match(const std::string& glob, const std::string& name) {
  if (glob.find_first_not_of('*') == std::string::npos) return !name.empty();
  return ::fnmatch(glob.c_str(), name.c_str(), 0) == 0;
}

bool reference(const std::vector<std::string>& g, std::size_t gi, const std::vector<std::string>& p,
               std::size_t pi) {
  if (gi == g.size()) return pi == p.size();
  if (g[gi] != "**") {
    return pi < p.size() && segment_match(g[gi], p[pi]) && reference(g, gi + 1, p, pi + 1);
  }
  if (gi + 1 == g.size()) return pi < p.size() && !p[pi].empty();  // everything below
  for (std::size_t k = pi; k <= p.size(); ++k) {  // zero or more non-empty segments
    if (reference(g, gi + 1, p, k)) return true;
    if (k < p.size() && p[k].empty()) break;
  }
  return false;
}

bool reference(const std::string& glob, const std::string& path) {
  return reference(split(glob), 0, split(path), 0);
}

// Every string over {a, b, /, .} up to `n` characters.
std::vector<std::string> all_paths(std::size_t n) {
  std::vector<std::string> out{""};
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i].size() == n) continue;
    for (char c : std::string("ab/.")) out.push_back(out[i] + c);
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ownership)

BOOST_AUTO_TEST_CASE(literal_star_and_question_mark) {
  BOOST_TEST(globs_intersect("a/b.ts", "a/b.ts"));
  BOOST_TEST(!globs_intersect("a/b.ts", "a/c.ts"));
  BOOST_TEST(*common_path("src/*.ts", "src/foo.*") == "src/foo.ts");
  BOOST_TEST(!globs_intersect("src/*.ts", "src/*.js"));
  BOOST_TEST(!globs_intersect("src/*", "src/a/b"));  // `*` stays in its segment
  BOOST_TEST(!common_path("src/*", "src/*/x"));
  BOOST_TEST(globs_intersect("a?c", "abc"));
  BOOST_TEST(!globs_intersect("a?c", "ac"));
  BOOST_TEST(!globs_intersect("a?b", "a/b"));  // `?` is never '/'
  BOOST_TEST(!globs_intersect("src/*", "src"));
  BOOST_TEST(!globs_intersect("a/*/b", "a//b"));  // a `*` segment is a non-empty name
}

BOOST_AUTO_TEST_CASE(double_star_spans_segments) {
  BOOST_TEST(globs_intersect("src/**", "src/a/b/c.ts"));
  BOOST_TEST(!globs_intersect("src/**", "src"));
  BOOST_TEST(*common_path("src/**/*.ts", "src/x.ts") == "src/x.ts");  // zero segments
  BOOST_TEST(!globs_intersect("**/*.ts", "lib/a.js"));
  BOOST_TEST(globs_intersect("a/**/b", "a/b"));
  BOOST_TEST(globs_intersect("a/**/b", "a/x/y/b"));
  BOOST_TEST(!globs_intersect("a/**/b", "a/xb"));
  BOOST_TEST(globs_intersect("**", "any/thing/at/all"));
  BOOST_TEST(*common_path("a/**/z", "**/b/**") == "a/b/z");
  BOOST_TEST(globs_intersect("a**b", "axxb"));  // inside a segment, `**` is `*`
  BOOST_TEST(!globs_intersect("a**b", "a/b"));
  BOOST_TEST(globs_intersect("docs/", "docs/guide/intro.md"));  // trailing '/': below
  BOOST_TEST(globs_intersect("./src/a.ts", "src/*.ts"));
  // The seed's parent-level ownership: no overlap between 12, 13 and 14.
  BOOST_TEST(!globs_intersect("client/src/components/files/*", "client/src/components/git/*"));
  BOOST_TEST(!globs_intersect("client/src/hooks/useFiles.ts", "client/src/hooks/useGit.ts"));
  BOOST_TEST(globs_intersect("client/src/**", "client/src/components/git/*"));
}

BOOST_AUTO_TEST_CASE(classes_and_escapes) {
  BOOST_TEST(globs_intersect("[abc].ts", "b.ts"));
  BOOST_TEST(!globs_intersect("[abc].ts", "d.ts"));
  BOOST_TEST(*common_path("[a-c]x", "[c-e]x") == "cx");
  BOOST_TEST(!globs_intersect("[a-b]x", "[c-d]x"));
  BOOST_TEST(!globs_intersect("[!a]", "a"));
  BOOST_TEST(*common_path("[!a]", "[ab]") == "b");
  BOOST_TEST(!globs_intersect("[^a-z]", "[a-z]"));
  BOOST_TEST(globs_intersect("[]]", "]"));
  BOOST_TEST(!globs_intersect("a[/]b", "a/b"));   // a class never matches '/'
  BOOST_TEST(globs_intersect("a[b", "a[b"));      // an unclosed '[' is literal
  BOOST_TEST(!globs_intersect("a\\*b", "axb"));   // an escaped `*` is a star character
  BOOST_TEST(globs_intersect("a\\*b", "a*b"));
  BOOST_TEST(globs_intersect("a\\*b", "a?b"));
}

BOOST_AUTO_TEST_CASE(agrees_with_a_reference_on_every_short_path) {
  const std::vector<std::string> globs{
      "a",    "b",    "*",      "a*",   "*a",   "?",     "a?",     "[ab]",   "[!a]",  "*/*",
      "a/*",  "*/b",  "**",     "a/**", "**/b", "a/**/b", "*.a",   "a.*",    "[^b]*", "?/?",
      "a/b",  ".*",   "*/**/a", "a*b*", "**/*", "[a-b]/[.]", "a/**/**/b"};
  const auto paths = all_paths(5);
  std::vector<std::vector<bool>> match(globs.size());
  for (std::size_t i = 0; i < globs.size(); ++i) {
    for (const auto& path : paths) {
      match[i].push_back(reference(globs[i], path));
      BOOST_TEST(cohort::glob_match(globs[i], path) == match[i].back(),
                 globs[i] << " on '" << path << "'");
    }
  }
  for (std::size_t i = 0; i < globs.size(); ++i) {
    for (std::size_t j = 0; j < globs.size(); ++j) {
      bool witness = false;
      for (std::size_t k = 0; k < paths.size() && !witness; ++k) witness = match[i][k] && match[j][k];
      const auto common = common_path(globs[i], globs[j]);
      BOOST_TEST_CONTEXT(globs[i] << " and " << globs[j]) {
        BOOST_TEST(common.has_value() == common_path(globs[j], globs[i]).has_value());
        if (witness) BOOST_TEST(common.has_value());
        if (!common) continue;
        BOOST_TEST(reference(globs[i], *common));
        BOOST_TEST(reference(globs[j], *common));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(conflicts_are_between_tasks_the_dag_does_not_order) {
  cohort::plan p;
  const task_index eleven = parent(p, "11", {}, 1ms);
  p.tasks[eleven].owns = {"client/src/**"};  // before 12..14: no conflict
  const task_index twelve = parent(p, "12", {eleven});
  p.tasks[twelve].owns = {"client/src/components/files/*", "client/src/hooks/useFiles.ts"};
  const task_index tree = sub(p, twelve, "1", 1ms);
  p.tasks[tree].owns = {"client/src/components/files/Tree.tsx"};  // inside its parent: fine
  const task_index thirteen = parent(p, "13", {eleven});
  p.tasks[thirteen].owns = {"client/src/components/git/*", "client/src/hooks/useGit.ts"};
  sub(p, thirteen, "1", 1ms);
  const task_index fourteen = parent(p, "14", {eleven}, 1ms);
  p.tasks[fourteen].owns = {"client/src/components/mcp/*", "client/src/hooks/*"};
  const auto c = cohort::ownership_conflicts(p);
  BOOST_REQUIRE(c.size() == 2u);
  BOOST_TEST(c[0].first == twelve);
  BOOST_TEST(c[0].second == fourteen);
  BOOST_TEST(c[0].example == "client/src/hooks/useFiles.ts");
  BOOST_TEST(c[1].first == thirteen);
  BOOST_TEST(c[1].second == fourteen);
  BOOST_TEST(c[1].first_glob == "client/src/hooks/useGit.ts");
  BOOST_TEST(c[1].second_glob == "client/src/hooks/*");
  p.tasks[fourteen].status = cohort::task_status::done;  // finished work conflicts with nothing
  BOOST_TEST(cohort::ownership_conflicts(p).empty());
}

BOOST_AUTO_TEST_CASE(serialization_edges_order_every_pair_without_a_cycle) {
  cohort::plan p;  // 1 waits for 3; 1, 2 and 3 all own x/*
  const task_index one = parent(p, "1", {}, 1ms);
  const task_index two = parent(p, "2", {}, 1ms);
  const task_index three = parent(p, "3", {}, 1ms);
  p.add_dependency(one, three);
  for (task_index t : {one, two, three}) p.tasks[t].owns = {"x/*"};
  const auto c = cohort::ownership_conflicts(p);
  BOOST_REQUIRE(c.size() == 2u);  // (1, 2) and (2, 3); 3 -> 1 is ordered already
  const auto edges = cohort::serialization_edges(p, c);
  BOOST_REQUIRE(edges.size() == 1u);  // 2 after 1; then 3 -> 1 -> 2 orders (2, 3) too
  BOOST_TEST(edges[0].before == one);
  BOOST_TEST(edges[0].after == two);
  cohort::add_serialization_edges(p, edges);
  BOOST_TEST(cohort::find_cycle(p).empty());
  BOOST_TEST(cohort::ownership_conflicts(p).empty());

  cohort::plan q;  // three unordered subtasks of different parents: a chain in plan order
  std::vector<task_index> subs;
  for (int i = 1; i <= 3; ++i) {
    subs.push_back(sub(q, parent(q, std::to_string(i)), "1", 1ms));
    q.tasks[subs.back()].owns = {"shared/**"};
  }
  const auto e = cohort::serialization_edges(q, cohort::ownership_conflicts(q));
  BOOST_TEST(e.size() == 3u);  // (1,2), (1,3), (2,3): after 1 -> 2 and 1 -> 3, 2 and 3 still free
  cohort::add_serialization_edges(q, e);
  BOOST_TEST(cohort::ownership_conflicts(q).empty());
  BOOST_TEST(cohort::topological_order(q).size() == q.size());
}

BOOST_AUTO_TEST_SUITE_END()
