// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/core/string_list.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {
using strings = std::vector<std::string>;
} // namespace

BOOST_AUTO_TEST_SUITE(string_list)

BOOST_AUTO_TEST_CASE(an_empty_list_holds_nothing) {
  const cohort::string_list empty;
  BOOST_TEST(empty.empty());
  BOOST_TEST(empty.size() == 0u);
  BOOST_TEST((empty.begin() == empty.end()));
  BOOST_TEST(empty.to_vector().empty());
  BOOST_TEST((cohort::string_list(strings{}) == empty));
  BOOST_TEST((cohort::string_list{} == strings{}));
  static_assert(sizeof(cohort::string_list) == sizeof(void*));
}

BOOST_AUTO_TEST_CASE(each_word_reads_back_whatever_its_neighbours) {
  // Empty words, a word with a NUL inside, and a long one: lengths, not terminators.
  const strings words{"claude", "", std::string("a\0b", 3), "", std::string(300, 'x'), "-p"};
  const cohort::string_list list(words);
  BOOST_TEST(list.size() == words.size());
  for (std::size_t i = 0; i < words.size(); ++i) BOOST_TEST(list[i] == words[i]);
  BOOST_TEST(list.front() == "claude");
  BOOST_TEST(list.back() == "-p");
  BOOST_TEST(list.to_vector() == words, boost::test_tools::per_element());
  BOOST_TEST((list == words));
  BOOST_TEST(std::equal(list.begin(), list.end(), words.begin(), words.end()));
  BOOST_TEST((list.end() - list.begin() == 6));
  BOOST_TEST(list.begin()[2].size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_list_made_from_views_of_a_braced_list_or_a_span_is_the_same) {
  const std::vector<std::string_view> views{"nap", "25", "s/2.1"};
  const cohort::string_list a{"nap", "25", "s/2.1"};
  const cohort::string_list b{std::span<const std::string_view>(views)};
  BOOST_TEST((a == b));
  BOOST_TEST((a == strings{"nap", "25", "s/2.1"}));
  BOOST_TEST(!(a == strings{"nap", "25"}));
  BOOST_TEST(!(a == strings{"nap", "25", "s/2.2"}));
  BOOST_TEST(!(a == cohort::string_list{"nap", "2", "5s/2.1"}));  // the same text, other words
}

BOOST_AUTO_TEST_CASE(copies_are_deep_and_moves_steal) {
  cohort::string_list a{"make", "-j4"};
  cohort::string_list copy = a;
  BOOST_TEST((copy == a));
  // Compared as addresses (BOOST_TEST reads two char pointers as C strings).
  BOOST_TEST((copy[0].data() != a[0].data()));  // its own block
  a = cohort::string_list{"ninja"};
  BOOST_TEST((copy == strings{"make", "-j4"}));
  const char* block = copy[0].data();
  cohort::string_list moved = std::move(copy);
  BOOST_TEST((moved[0].data() == block));
  copy = moved;  // a moved-from list takes a copy
  BOOST_TEST((copy == moved));
  const cohort::string_list& self = copy;
  copy = self;  // and itself
  BOOST_TEST((copy == strings{"make", "-j4"}));
  copy.clear();
  BOOST_TEST(copy.empty());
  BOOST_TEST((moved == strings{"make", "-j4"}));
}

BOOST_AUTO_TEST_SUITE_END()
