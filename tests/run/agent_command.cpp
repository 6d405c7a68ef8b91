// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/run/agent_command.hpp>

#include "support/plans.hpp"

#include <cohort/core/error.hpp>

#include <boost/test/unit_test.hpp>

using cohort::render_argv;

BOOST_AUTO_TEST_SUITE(agent_command)

BOOST_AUTO_TEST_CASE(placeholders_are_substituted_inside_whole_arguments) {
  const std::vector<std::string> tmpl{"claude", "-p", "--task={id}", "{prompt_file}", "{unknown}"};
  const auto argv = render_argv(tmpl, {{"id", "12.3"}, {"prompt_file", "/run/p.md"}});
  BOOST_TEST(argv == (std::vector<std::string>{"claude", "-p", "--task=12.3", "/run/p.md",
                                                "{unknown}"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(task_text_stays_one_argument_and_never_becomes_code) {
  const std::string hostile = "x\"; rm -rf / ; echo $(whoami) `id` 'y";
  const std::vector<std::string> tmpl{"agent", "{title}"};
  const auto argv = render_argv(tmpl, {{"title", hostile}});
  BOOST_REQUIRE(argv.size() == 2u);
  BOOST_TEST(argv[1] == hostile);
}

BOOST_AUTO_TEST_CASE(a_whole_placeholder_that_would_be_an_option_is_refused_unless_after_a_double_dash) {
  const cohort::placeholder_values values{{"title", "--output=/tmp/owned"}, {"id", "-"}};
  for (const auto& tmpl : {std::vector<std::string>{"sort", "{title}"},
                           std::vector<std::string>{"agent", "-p", "{id}"}}) {
    BOOST_CHECK_EXCEPTION((void)render_argv(tmpl, values), cohort::system_error,
                          [&](const cohort::system_error& x) {
                            const std::string what = x.what();
                            return x.code() == cohort::errc::invalid_argument &&
                                   what.find(tmpl.back()) != std::string::npos &&
                                   what.find("option") != std::string::npos;
                          });
  }
  // After "--", or inside an argument, the same text is only text.
  auto argv = render_argv({"sort", "--", "{title}"}, values);
  BOOST_TEST(argv.back() == "--output=/tmp/owned");
  argv = render_argv({"agent", "--title={title}"}, values);
  BOOST_TEST(argv.back() == "--title=--output=/tmp/owned");
  argv = render_argv({"agent", "{title}"}, {{"title", "a title - with dashes"}});
  BOOST_TEST(argv.back() == "a title - with dashes");
}

BOOST_AUTO_TEST_CASE(doubled_braces_are_literal) {
  const std::vector<std::string> tmpl{"{{id}}", "{id}}}"};
  const auto argv = render_argv(tmpl, {{"id", "7"}});
  BOOST_TEST(argv[0] == "{id}");
  BOOST_TEST(argv[1] == "7}");
}

BOOST_AUTO_TEST_CASE(a_subtask_prompt_carries_its_parent_and_its_owned_files) {
  cohort::test::plan_builder b;
  const auto p = b.parent("12");
  b.p.tasks[p].title = "Payments";
  b.p.tasks[p].text.set_description("Move billing to the new provider.");
  const auto s = b.sub(p, "3", {}, std::chrono::milliseconds(1));
  auto& t = b.p.tasks[s];
  t.title = "Webhook handler";
  t.text.set_details("Verify signatures.");
  t.text.set_test_strategy("Replay recorded webhooks.");
  t.owns = {"src/webhooks/**"};
  const std::string prompt = cohort::build_prompt(b.p, s);
  for (const char* part : {"# Task 12.3: Webhook handler", "subtask of task 12: Payments",
                           "Move billing to the new provider.", "Verify signatures.",
                           "Replay recorded webhooks.", "`src/webhooks/**`"}) {
    BOOST_TEST(prompt.find(part) != std::string::npos, part);
  }
  const auto values = cohort::task_placeholders(b.p, s);
  BOOST_TEST(values.at("parent") == "12");
  BOOST_TEST(values.at("id") == "12.3");
  BOOST_TEST(values.at("duration_ms") == "1");
}

BOOST_AUTO_TEST_CASE(duration_placeholder_is_the_estimate_in_milliseconds_or_empty) {
  cohort::test::plan_builder b;
  const auto p = b.parent("7");
  const auto s = b.sub(p, "1", {}, std::chrono::minutes(10));
  BOOST_TEST(cohort::task_placeholders(b.p, s).at("duration_ms") == "600000");
  BOOST_TEST(cohort::task_placeholders(b.p, p).at("duration_ms") == "");
  const auto argv = cohort::render_argv({"sim", "--sleep", "{duration_ms}"}, cohort::task_placeholders(b.p, s));
  BOOST_TEST(argv.back() == "600000");
}

BOOST_AUTO_TEST_SUITE_END()
