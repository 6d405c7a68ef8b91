// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the (private) header is self-contained.
#include "common/json_writer.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>

using cohort::detail::json_object_writer;

BOOST_AUTO_TEST_SUITE(json_writer)

// Every byte, alone and in text, as Boost.JSON's serializer writes it: the journal's lines
// read the same whichever wrote them.
BOOST_AUTO_TEST_CASE(a_string_is_escaped_byte_for_byte_as_the_serializer_escapes_it) {
  for (int b = 0; b < 256; ++b) {
    std::string s = "a";
    s += static_cast<char>(b);
    s += 'z';
    std::string mine;
    cohort::detail::append_json_string(mine, s);
    BOOST_TEST(mine == boost::json::serialize(boost::json::string_view(s)), "byte " << b);
  }
  const std::string mixed = "line 1\n\t\"quoted\" back\\slash \x01\x1f caf\xc3\xa9";
  std::string mine;
  cohort::detail::append_json_string(mine, mixed);
  BOOST_TEST(mine == boost::json::serialize(boost::json::string_view(mixed)));
  BOOST_TEST(boost::json::parse(mine).as_string() == mixed);
}

BOOST_AUTO_TEST_CASE(an_object_is_written_as_the_serializer_writes_the_same_object) {
  std::string line = "prefix ";
  json_object_writer w(line);
  w.string("e", "task_launched")
      .number("ms", std::int64_t{-5})
      .number("attempt", 2)
      .number("tokens", std::numeric_limits<std::uint64_t>::max())
      .number("cost_usd", 0.25)
      .boolean("usage_known", false)
      .string("message", "a \"quote\"\n");
  w.close();
  const boost::json::object same{{"e", "task_launched"},
                                 {"ms", -5},
                                 {"attempt", 2},
                                 {"tokens", std::numeric_limits<std::uint64_t>::max()},
                                 {"cost_usd", 0.25},
                                 {"usage_known", false},
                                 {"message", "a \"quote\"\n"}};
  BOOST_TEST(line == "prefix " + boost::json::serialize(same));
}

BOOST_AUTO_TEST_CASE(an_object_without_members_is_empty_braces) {
  std::string line;
  json_object_writer(line).close();
  BOOST_TEST(line == "{}");
}

BOOST_AUTO_TEST_SUITE_END()
