// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the (private) header is self-contained.
#include "common/text_width.hpp"

#include <boost/test/unit_test.hpp>

using cohort::detail::display_width;
using cohort::detail::fit_columns;

BOOST_AUTO_TEST_SUITE(text_width)

BOOST_AUTO_TEST_CASE(columns_as_a_terminal_draws_them) {
  BOOST_TEST(display_width("") == 0u);
  BOOST_TEST(display_width("Lexer 1.2") == 9u);
  BOOST_TEST(display_width("Caf\u00e9") == 4u);           // é: two bytes, one column
  BOOST_TEST(display_width("Cafe\u0301") == 4u);          // e + combining acute: one column
  BOOST_TEST(display_width("\u8a2d\u8a08") == 4u);        // 設計: CJK, two columns each
  BOOST_TEST(display_width("\ud55c\uae00") == 4u);        // 한글: Hangul syllables
  BOOST_TEST(display_width("\uff21\uff22") == 4u);        // ＡＢ: fullwidth Latin
  BOOST_TEST(display_width("\U0001F680 ship") == 7u);     // 🚀: emoji, two columns
  BOOST_TEST(display_width("a\u200db") == 2u);            // zero-width joiner
  BOOST_TEST(display_width("\u2026") == 1u);              // …
  BOOST_TEST(display_width("\u2502 \u250c\u2500") == 4u); // box drawing: one column each
}

BOOST_AUTO_TEST_CASE(invalid_utf8_counts_one_column_a_byte) {
  BOOST_TEST(display_width("\xff\xfe") == 2u);
  BOOST_TEST(display_width("a\xe3\x81") == 3u);  // a truncated three-byte sequence
  BOOST_TEST(display_width("\xc3") == 1u);
}

BOOST_AUTO_TEST_CASE(fitting_cuts_whole_characters_and_marks_the_cut) {
  BOOST_TEST(fit_columns("short", 10, "~") == "short");
  BOOST_TEST(fit_columns("exactly10!", 10, "~") == "exactly10!");
  BOOST_TEST(fit_columns("eleven cols", 10, "~") == "eleven co~");
  // 設計書を書く (12 columns) in 6: two wide characters and the mark, one column left empty.
  const auto cut = fit_columns("\u8a2d\u8a08\u66f8\u3092\u66f8\u304f", 6, "\u2026");
  BOOST_TEST(cut == "\u8a2d\u8a08\u2026");
  BOOST_TEST(display_width(cut) == 5u);
  BOOST_TEST(fit_columns("\U0001F680\U0001F680", 3, "~") == "\U0001F680~");
  BOOST_TEST(fit_columns("anything", 0, "~").empty());
  BOOST_TEST(fit_columns("ab", 1, "~") == "~");
}

BOOST_AUTO_TEST_SUITE_END()
