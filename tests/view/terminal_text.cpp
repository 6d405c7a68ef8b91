// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/view/terminal_text.hpp>

#include "support/co_test.hpp"
#include "support/plans.hpp"

#include <cohort/analysis/plan_analysis.hpp>
#include <cohort/run/executor.hpp>
#include <cohort/view/render.hpp>
#include <cohort/view/report.hpp>

#include <string>
#include <string_view>

using cohort::terminal_safe;
using cohort::test::plan_builder;
using namespace std::chrono_literals;

namespace {

// A title an attacker would put in a cloned tasks.json: set the window title (OSC), clear the
// screen (CSI), an 8-bit CSI (C1), a right-to-left override, a bell, a stray byte.
const std::string hostile = "Fix \x1b]0;pwned\x07 \x1b[2J\xc2\x9b" "31m \xe2\x80\xae" "cod.exe \x07\xff";

// No byte that a terminal acts on: ESC, C0 but newline, DEL, C1, bidi controls, invalid UTF-8.
bool inert(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f || c == 0xff) return false;
    if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xa0) return false;
    if (text.substr(i, 3) == "\xe2\x80\xae" || text.substr(i, 3) == "\xe2\x81\xa6") return false;
  }
  return true;
}

} // namespace

BOOST_AUTO_TEST_SUITE(terminal_text)

BOOST_AUTO_TEST_CASE(controls_and_reordering_become_visible_escapes) {
  BOOST_TEST(terminal_safe("\x1b[2J") == "\\e[2J");
  BOOST_TEST(terminal_safe("\x1b]0;pwned\x07") == "\\e]0;pwned\\x07");
  BOOST_TEST(terminal_safe("a\x7f" "b") == "a\\x7Fb");
  BOOST_TEST(terminal_safe("\xc2\x9b" "31m") == "\\u009B31m");
  BOOST_TEST(terminal_safe("abc\xe2\x80\xae" "def") == "abc\\u202Edef");
  BOOST_TEST(terminal_safe("\xe2\x81\xa6x") == "\\u2066x");
  BOOST_TEST(terminal_safe("tab\there\nnext") == "tab here next");
  BOOST_TEST(terminal_safe("line\n\x1b[2Jline", true) == "line\n\\e[2Jline");
  BOOST_TEST(inert(terminal_safe(hostile)));
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_become_hex_and_text_stays_as_it_is) {
  BOOST_TEST(terminal_safe("\xff") == "\\xFF");
  BOOST_TEST(terminal_safe("\xc0\xaf") == "\\xC0\\xAF");           // overlong '/'
  BOOST_TEST(terminal_safe("\xed\xa0\x80") == "\\xED\\xA0\\x80");  // a surrogate
  BOOST_TEST(terminal_safe("\xe4\xb8") == "\\xE4\\xB8");           // cut short
  for (const std::string kept : {"plain ASCII, {braces} \\ and \"quotes\"", "中文 タスク", "e\xcc\x81",
                                 "\xf0\x9f\x9a\x80 launch", "\xc2\xa0non-breaking"}) {
    BOOST_TEST(terminal_safe(kept) == kept);
  }
  BOOST_TEST(terminal_safe(terminal_safe(hostile)) == terminal_safe(hostile));  // idempotent
}

BOOST_AUTO_TEST_CASE(a_hostile_id_and_title_reach_no_plan_or_run_view_raw) {
  plan_builder b;
  const auto p = b.parent("1");
  b.p.tasks[p].title = hostile;
  const auto t = b.sub(p, "\x1b[2J", {}, 1s);
  b.p.tasks[t].title = hostile;
  const auto analysis = cohort::analyze(b.p);
  for (const auto& text : {cohort::render_text(b.p, analysis), cohort::render_dot(b.p, analysis),
                           cohort::render_mermaid(b.p, analysis)}) {
    BOOST_TEST(inert(text), text);
    BOOST_TEST(text.find("e[2J") != std::string::npos, text);  // the subtask's id, escaped
  }
  cohort::run_report r;
  r.tasks.resize(b.p.size());
  r.tasks[t].outcome = cohort::task_outcome::failed;
  r.tasks[t].attempts = 1;
  r.tasks[t].reason = "agent said \x1b[2J" + hostile;
  const auto report = cohort::render_text(b.p, r);
  BOOST_TEST(inert(report), report);
  BOOST_TEST(report.find("\\e[2J") != std::string::npos, report);
}

BOOST_AUTO_TEST_SUITE_END()
