// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the (private) header is self-contained.
#include "common/json_stream.hpp"

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using cohort::detail::json_element_stream;

namespace {

struct seen {
  std::vector<std::string> offered;   // the paths offered, joined with '/'
  std::vector<std::string> elements;  // "path#position=value"
};

std::string joined(const json_element_stream::path& p) {
  std::string out;
  for (const auto& k : p) out += (out.empty() ? "" : "/") + k;
  return out;
}

// Feeds `text` in pieces of `piece` bytes; every array whose last key is "tasks" is chosen.
seen read(std::string_view text, std::size_t piece, cohort::detail::json_error* error = nullptr) {
  seen s;
  json_element_stream stream(
      [&s](const json_element_stream::path& p) {
        s.offered.push_back(joined(p));
        return p.back() == "tasks";
      },
      [&s](const json_element_stream::path& p, std::size_t position, const boost::json::value& v) {
        s.elements.push_back(joined(p) + "#" + std::to_string(position) + "=" + boost::json::serialize(v));
      });
  bool ok = true;
  for (std::size_t at = 0; ok && at < text.size(); at += piece) ok = stream.write(text.substr(at, piece));
  if (ok) ok = stream.finish();
  if (error) *error = stream.error();
  BOOST_TEST(ok == !stream.error().ec);
  return s;
}

const std::string document = R"({"master": {"tasks": [{"id": 1, "title": "a \"long\" title", "subtasks": [{"id": 1}]}, 2],
 "metadata": {"created": "x"}},
 "other": {"tasks": [], "deep": {"tasks": [true]}},
 "list": [{"tasks": [1]}],
 "tasks": [null, 0e400]})";

} // namespace

BOOST_AUTO_TEST_SUITE(json_stream)

BOOST_AUTO_TEST_CASE(the_chosen_arrays_elements_come_one_by_one_whatever_the_pieces) {
  const seen whole = read(document, document.size());
  const std::vector<std::string> expected{
      R"(master/tasks#0={"id":1,"title":"a \"long\" title","subtasks":[{"id":1}]})",
      "master/tasks#1=2",
      "other/deep/tasks#0=true",
      "tasks#0=null",
      "tasks#1=0E0",  // Boost 1.81 reads "0e400" as NaN: a zero, as parse_json makes it
  };
  BOOST_TEST(whole.elements == expected, boost::test_tools::per_element());
  // Only arrays with nothing but objects above them are offered ("list"'s inner one is not).
  const std::vector<std::string> offered{"master/tasks", "other/tasks", "other/deep/tasks", "list", "tasks"};
  BOOST_TEST(whole.offered == offered, boost::test_tools::per_element());
  for (std::size_t piece : {1U, 2U, 3U, 7U, 64U}) {
    const seen s = read(document, piece);
    BOOST_TEST(s.elements == whole.elements, boost::test_tools::per_element());
    BOOST_TEST(s.offered == whole.offered, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(an_error_has_the_line_and_column_parse_json_gives_whatever_the_pieces) {
  for (const std::string& bad : {std::string("{\"tasks\": [1,\n 2,,]}"), std::string("{\"a\": 1}\n x"),
                                std::string("{\"tasks\": [\"\xff\"]}"), std::string("{\"tasks\": ["),
                                std::string("\xEF\xBB\xBF{\"tasks\": [1,]}")}) {
    cohort::detail::json_error expected;
    (void)cohort::detail::parse_json(bad, expected);
    BOOST_REQUIRE(expected.ec);
    for (std::size_t piece : {1U, 4U, 100U}) {
      cohort::detail::json_error got;
      read(bad, piece, &got);
      BOOST_TEST(got.ec == expected.ec);
      BOOST_TEST(got.line == expected.line);
      BOOST_TEST(got.column == expected.column);
      BOOST_TEST(got.what == expected.what);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_document_that_is_not_an_object_is_told) {
  json_element_stream stream([](const auto&) { return true; }, [](const auto&, std::size_t, const auto&) {});
  BOOST_TEST(stream.write("[1, 2]"));
  BOOST_TEST(stream.finish());
  BOOST_TEST(!stream.root_is_object());
}

BOOST_AUTO_TEST_SUITE_END()
