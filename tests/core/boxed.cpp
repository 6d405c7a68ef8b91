// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/core/boxed.hpp>

#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <utility>

namespace {
using names = std::map<std::string, std::string>;
} // namespace

BOOST_AUTO_TEST_SUITE(boxed)

BOOST_AUTO_TEST_CASE(an_empty_box_reads_as_a_default_value_without_allocating) {
  const cohort::boxed<names> b;
  BOOST_TEST(!b.has_value());
  BOOST_TEST(b->empty());
  BOOST_TEST((*b).size() == 0u);
  BOOST_TEST(!b.has_value());  // reading made nothing
  static_assert(sizeof(cohort::boxed<names>) == sizeof(void*));
}

BOOST_AUTO_TEST_CASE(editing_makes_the_value_once) {
  cohort::boxed<names> b;
  b.edit()["MODEL"] = "opus";
  BOOST_TEST(b.has_value());
  const names* first = &*b;
  b.edit()["SHARED"] = "x";
  BOOST_TEST(&*b == first);  // the same value, not a new one
  BOOST_TEST(b->size() == 2u);
  BOOST_TEST(b->at("MODEL") == "opus");
  b.reset();
  BOOST_TEST(!b.has_value());
  BOOST_TEST(b->empty());
}

BOOST_AUTO_TEST_CASE(copies_are_deep_moves_steal_and_equality_compares_values) {
  cohort::boxed<names> a = names{{"A", "1"}};
  cohort::boxed<names> b = a;
  BOOST_TEST((a == b));
  b.edit()["A"] = "2";
  BOOST_TEST(a->at("A") == "1");
  BOOST_TEST(!(a == b));

  BOOST_TEST((cohort::boxed<names>() == cohort::boxed<names>(names{})));  // values, not presence

  b = a;
  BOOST_TEST(b->at("A") == "1");
  b = cohort::boxed<names>();  // an empty box copies as empty
  BOOST_TEST(!b.has_value());

  cohort::boxed<names> c = std::move(a);
  BOOST_TEST(c->at("A") == "1");
  BOOST_TEST(!a.has_value());  // NOLINT(bugprone-use-after-move): a moved-from box is empty

  c = {{"B", "2"}, {"C", "3"}};  // assigned from a value
  BOOST_TEST(c->size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
