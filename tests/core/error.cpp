// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/core/error.hpp>

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

BOOST_AUTO_TEST_SUITE(error)

BOOST_AUTO_TEST_CASE(every_code_has_its_own_message_in_the_cohort_category) {
  std::set<std::string> messages;
  for (int i = 1; i <= static_cast<int>(cohort::errc::file_refused); ++i) {
    cohort::error_code ec = static_cast<cohort::errc>(i);
    BOOST_TEST(ec.category().name() == std::string("cohort"));
    BOOST_TEST(ec.message().find("unknown") == std::string::npos);
    messages.insert(ec.message());
  }
  BOOST_TEST(messages.size() == static_cast<std::size_t>(cohort::errc::file_refused));
}

BOOST_AUTO_TEST_CASE(codes_compare_with_the_enum_and_survive_system_error) {
  cohort::error_code ec = cohort::errc::scope_closed;
  BOOST_TEST((ec == cohort::errc::scope_closed));
  BOOST_TEST((ec != cohort::errc::exceeds_capacity));
  try {
    throw cohort::system_error(ec, "scope::spawn");
  } catch (const cohort::system_error& e) {
    BOOST_TEST((e.code() == cohort::errc::scope_closed));
    BOOST_TEST(std::string(e.what()).find("scope::spawn") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
