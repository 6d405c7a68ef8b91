// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/core/index_list.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

namespace {
using indexes = std::vector<std::uint32_t>;

indexes to_vector(const cohort::index_list& l) { return {l.begin(), l.end()}; }
} // namespace

BOOST_AUTO_TEST_SUITE(index_list)

BOOST_AUTO_TEST_CASE(an_empty_list_is_one_null_pointer) {
  const cohort::index_list empty;
  static_assert(sizeof(cohort::index_list) == sizeof(void*));
  BOOST_TEST(empty.empty());
  BOOST_TEST(empty.size() == 0u);
  BOOST_TEST(empty.capacity() == 0u);
  BOOST_TEST((empty.begin() == empty.end()));
  BOOST_TEST((empty == indexes{}));
  BOOST_TEST((cohort::index_list(std::span<const std::uint32_t>()) == empty));
  BOOST_CHECK_THROW(empty.at(0), std::out_of_range);
}

BOOST_AUTO_TEST_CASE(indexes_pushed_one_by_one_are_kept_in_order_through_each_growth) {
  cohort::index_list l;
  indexes want;
  for (std::uint32_t i = 0; i < 1000; ++i) {
    l.push_back(i * 7);
    want.push_back(i * 7);
    BOOST_TEST_REQUIRE(l.size() == want.size());
    BOOST_TEST_REQUIRE(l.capacity() >= l.size());
  }
  BOOST_TEST(to_vector(l) == want, boost::test_tools::per_element());
  BOOST_TEST(l.front() == 0u);
  BOOST_TEST(l.back() == 999u * 7);
  BOOST_TEST(l[500] == 3500u);
  BOOST_TEST(l.at(999) == 6993u);
  BOOST_CHECK_THROW(l.at(1000), std::out_of_range);
  l.pop_back();
  BOOST_TEST(l.size() == 999u);
}

BOOST_AUTO_TEST_CASE(reserve_allocates_once_to_the_size_asked_and_never_shrinks) {
  cohort::index_list l;
  l.reserve(6);
  BOOST_TEST(l.capacity() == 6u);
  BOOST_TEST(l.empty());
  const auto* block = l.data();
  for (std::uint32_t i = 0; i < 6; ++i) l.push_back(i);
  BOOST_TEST(l.data() == block);  // no growth within what was reserved
  l.reserve(2);
  BOOST_TEST(l.capacity() == 6u);
  l.reserve(10);
  BOOST_TEST(l.capacity() == 10u);
  BOOST_TEST((l == indexes{0, 1, 2, 3, 4, 5}));  // kept through the move to the larger block
}

BOOST_AUTO_TEST_CASE(erase_with_remove_takes_out_every_match_and_keeps_the_order) {
  cohort::index_list l{3, 7, 9, 7, 1, 7};
  l.erase(std::remove(l.begin(), l.end(), 7u), l.end());
  BOOST_TEST((l == indexes{3, 9, 1}));
  const auto at = l.erase(l.begin(), l.begin() + 1);
  BOOST_TEST(*at == 9u);
  BOOST_TEST((l == indexes{9, 1}));
  l.erase(l.end(), l.end());
  BOOST_TEST(l.size() == 2u);
  l.clear();
  BOOST_TEST(l.empty());
  BOOST_TEST(l.capacity() > 0u);  // the block stays for what comes next
  l.push_back(4);
  BOOST_TEST((l == indexes{4}));
}

BOOST_AUTO_TEST_CASE(copies_are_deep_moves_steal_and_equality_compares_the_indexes) {
  cohort::index_list a{1, 2, 3};
  cohort::index_list b = a;
  b[0] = 10;
  BOOST_TEST((a == indexes{1, 2, 3}));
  BOOST_TEST((b == indexes{10, 2, 3}));
  BOOST_TEST(!(a == b));
  b = a;
  BOOST_TEST((a == b));
  b = b;  // self-assignment keeps it
  BOOST_TEST((b == indexes{1, 2, 3}));
  cohort::index_list c = std::move(a);
  BOOST_TEST(a.empty());  // NOLINT(bugprone-use-after-move): a moved-from list is empty
  BOOST_TEST((c == indexes{1, 2, 3}));
  c = cohort::index_list{5};
  BOOST_TEST((c == indexes{5}));
  BOOST_TEST(!(c == indexes{5, 6}));
  BOOST_TEST((indexes{5} == c));
  cohort::index_list d{8, 9};
  c = std::move(d);
  BOOST_TEST(d.empty());  // NOLINT(bugprone-use-after-move): its block went to `c`, `c`'s was freed
  BOOST_TEST((c == indexes{8, 9}));
}

BOOST_AUTO_TEST_CASE(it_is_a_contiguous_range_a_span_reads) {
  const cohort::index_list l{4, 8, 15};
  const std::span<const std::uint32_t> s = l;
  BOOST_TEST(s.size() == 3u);
  BOOST_TEST(s.data() == l.data());
  BOOST_TEST(std::ranges::equal(s, indexes{4, 8, 15}));
}

BOOST_AUTO_TEST_SUITE_END()
