// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the (private) header is self-contained.
#include "common/json_text.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>

BOOST_AUTO_TEST_SUITE(json_text)

// The kept fields of a task (`task::extra`) are the text Boost.JSON's serializer gives the same
// members, whatever their kinds: written without it, byte for byte.
BOOST_AUTO_TEST_CASE(members_appended_read_as_the_serializer_writes_them) {
  const boost::json::object members{
      {"s", "tab\there \"q\" \\ \x01 caf\xc3\xa9"},
      {"neg", -42},
      {"big", std::numeric_limits<std::uint64_t>::max()},
      {"d", 31.1},
      {"t", true},
      {"f", false},
      {"n", nullptr},
      {"a", boost::json::parse(R"([1,"x",{"k":[]}])")},
      {"o", boost::json::parse(R"({"n":2,"e":{}})")},
      {"key \"quoted\"\n", 0}};
  std::string text;
  for (const auto& kv : members) cohort::detail::append_member(text, kv.key(), kv.value());
  BOOST_TEST(text == boost::json::serialize(members));
  BOOST_TEST(boost::json::parse(text).as_object() == members);
}

BOOST_AUTO_TEST_SUITE_END()
