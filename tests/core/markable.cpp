// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/core/markable.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <optional>

namespace {
using namespace std::chrono_literals;
using duration = cohort::markable<std::chrono::milliseconds>;
using count = cohort::markable<std::uint64_t>;
} // namespace

BOOST_AUTO_TEST_SUITE(markable)

BOOST_AUTO_TEST_CASE(it_is_the_size_of_its_value_and_starts_empty) {
  static_assert(sizeof(duration) == sizeof(std::chrono::milliseconds));
  static_assert(sizeof(count) == sizeof(std::uint64_t));
  static_assert(sizeof(cohort::markable<std::uint32_t>) == sizeof(std::uint32_t));
  static_assert(cohort::markable<std::uint32_t>::none == 0xffff'ffffu);  // any unsigned width
  const duration d;
  const count n;
  BOOST_TEST(!d.has_value());
  BOOST_TEST(!n);
  BOOST_TEST((d == std::nullopt));
  BOOST_TEST(d.value_or(7ms).count() == 7);
  BOOST_CHECK_THROW((void)n.value(), std::bad_optional_access);
  BOOST_TEST(!std::optional<std::uint64_t>(n).has_value());
}

BOOST_AUTO_TEST_CASE(it_reads_and_writes_as_the_optional_it_replaces) {
  duration d = 25min;  // converted, as std::optional converts it
  BOOST_TEST(d.has_value());
  BOOST_TEST(d->count() == 25 * 60'000);
  BOOST_TEST((*d == 1500s));
  BOOST_TEST((d == std::chrono::milliseconds(1'500'000)));
  BOOST_TEST(!(d == std::chrono::milliseconds(1)));
  d = 0ms;  // zero is a value, not "none"
  BOOST_TEST(d.has_value());
  BOOST_TEST(d.value().count() == 0);
  d = std::nullopt;
  BOOST_TEST(!d);
  const std::optional<std::chrono::milliseconds> some = 5ms;
  d = some;
  BOOST_TEST((std::optional<std::chrono::milliseconds>(d) == some));
  d.reset();
  BOOST_TEST((d == duration{}));
  count n = 0;
  BOOST_TEST(n.has_value());
  n = 18'000'000'000'000'000'000u;  // the largest a plan may give
  BOOST_TEST(*n == 18'000'000'000'000'000'000u);
  BOOST_TEST(!(n == count{}));
}

BOOST_AUTO_TEST_SUITE_END()
