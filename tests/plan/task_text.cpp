// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/plan/task_text.hpp>

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <sys/mman.h>

BOOST_AUTO_TEST_SUITE(task_text)

using text = cohort::task_text;

BOOST_AUTO_TEST_CASE(empty_texts_hold_nothing) {
  text t;
  BOOST_TEST(t.empty());
  BOOST_TEST(t.description().empty());
  BOOST_TEST(t.extra().empty());
  t.set_priority("high");
  BOOST_TEST(!t.empty());
  t.set_priority("");
  BOOST_TEST(t.empty());  // every text empty again: the block is gone
  BOOST_TEST((text(text::texts{}) == text()));
  BOOST_TEST(text(text::texts{}).empty());
}

BOOST_AUTO_TEST_CASE(each_text_reads_back_as_set_whatever_its_neighbours) {
  text t(text::texts{"the description", "", "a strategy", "low", R"({"phase":2})"});
  BOOST_TEST(t.description() == "the description");
  BOOST_TEST(t.details().empty());
  BOOST_TEST(t.test_strategy() == "a strategy");
  BOOST_TEST(t.priority() == "low");
  BOOST_TEST(t.extra() == R"({"phase":2})");

  t.set_details(std::string(3000, 'd'));  // longer: the texts after it move
  BOOST_TEST(t.details() == std::string(3000, 'd'));
  BOOST_TEST(t.test_strategy() == "a strategy");
  BOOST_TEST(t.extra() == R"({"phase":2})");
  t.set_description("");  // shorter: those after it move back
  BOOST_TEST(t.description().empty());
  BOOST_TEST(t.details().size() == 3000u);
  BOOST_TEST(t.priority() == "low");

  const std::string with_nul("a\0b", 3);  // lengths, not terminators
  t.set_priority(with_nul);
  BOOST_TEST(t.priority() == with_nul);
  BOOST_TEST(t.extra() == R"({"phase":2})");
}

BOOST_AUTO_TEST_CASE(a_text_set_from_its_own_block_survives) {
  text t(text::texts{"one", "two", "", "", ""});
  t.set_test_strategy(t.description());  // a view into the block it replaces
  BOOST_TEST(t.test_strategy() == "one");
  t.set_description(t.details().substr(1));
  BOOST_TEST(t.description() == "wo");
  BOOST_TEST(t.details() == "two");
}

BOOST_AUTO_TEST_CASE(copies_are_deep_and_moves_leave_the_source_empty) {
  text a(text::texts{"d", "x", "t", "high", "{}"});
  text b = a;
  BOOST_TEST((a == b));
  b.set_details("changed");
  BOOST_TEST(a.details() == "x");
  BOOST_TEST((a != b));

  b = a;
  BOOST_TEST((b == a));
  b = b;  // self-assignment keeps it
  BOOST_TEST(b.priority() == "high");

  text c = std::move(a);
  BOOST_TEST(c.description() == "d");
  BOOST_TEST(a.empty());  // NOLINT(bugprone-use-after-move): a moved-from text is empty
  a = c;
  BOOST_TEST(a.extra() == "{}");
}

BOOST_AUTO_TEST_CASE(all_reads_every_text_in_field_order) {
  const text t(text::texts{"1", "22", "333", "4444", "55555"});
  const text::texts all = t.all();
  for (std::size_t i = 0; i < text::field_count; ++i) {
    BOOST_TEST(all[i].size() == i + 1);
    BOOST_TEST(t[static_cast<text::field>(i)] == all[i]);
  }
}

BOOST_AUTO_TEST_CASE(a_text_past_32_bits_of_length_is_refused_not_wrapped) {
  // A view of 4 GiB + 1 over pages that are mapped but never touched.
  const std::size_t size = text::max_length + 1;
  void* pages = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  BOOST_TEST_REQUIRE(pages != MAP_FAILED);
  const std::string_view huge(static_cast<const char*>(pages), size);
  BOOST_TEST(!text::make(text::texts{"d", "", "", "", huge}).has_value());
  BOOST_CHECK_THROW(text(text::texts{huge, "", "", "", ""}), std::length_error);
  BOOST_TEST(text::make(text::texts{"d", "", "", "", "{}"}).value().description() == "d");
  ::munmap(pages, size);
}

BOOST_AUTO_TEST_SUITE_END()
