// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/run/plan_identity.hpp>

#include "support/co_test.hpp"
#include "support/plans.hpp"

BOOST_AUTO_TEST_SUITE(plan_identity)

BOOST_AUTO_TEST_CASE(statuses_do_not_change_the_plan_identity_content_does) {
  auto plan = cohort::test::seed_plan(2);
  const auto before = cohort::identify(plan);
  plan.tasks[1].status = cohort::task_status::done;
  BOOST_TEST(cohort::identify(plan).hash == before.hash);
  plan.tasks[1].title = "something else";
  const auto after = cohort::identify(plan);
  BOOST_TEST(after.hash != before.hash);
  for (const auto& [id, fp] : after.tasks) {
    BOOST_TEST_CONTEXT(id) BOOST_TEST((fp != before.tasks.at(id)) == (id == plan.tasks[1].id));
  }
}

BOOST_AUTO_TEST_CASE(the_json_form_reads_back_to_the_same_identity) {
  auto plan = cohort::test::seed_plan(3);
  plan.source = "tasks.json";
  plan.tag = "master";
  const auto id = cohort::identify(plan);
  const auto back = cohort::plan_identity_from_json(cohort::to_json(id));
  BOOST_TEST(back.path == id.path);
  BOOST_TEST(back.tag == id.tag);
  BOOST_TEST(back.hash == id.hash);
  BOOST_TEST((back.tasks == id.tasks));
}

BOOST_AUTO_TEST_CASE(a_hash_that_is_not_hexadecimal_is_refused) {
  auto o = cohort::to_json(cohort::identify(cohort::test::seed_plan(1)));
  o["hash"] = "12zz";
  BOOST_CHECK_THROW((void)cohort::plan_identity_from_json(o), std::exception);
}

BOOST_AUTO_TEST_SUITE_END()
