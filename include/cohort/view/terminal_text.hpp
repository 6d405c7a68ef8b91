// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_VIEW_TERMINAL_TEXT_HPP
#define COHORT_VIEW_TERMINAL_TEXT_HPP

#include <cohort/core/config.hpp>

#include <string>
#include <string_view>

namespace cohort {

// tag::outline[]
/// Text from a plan or an agent made safe to show on a terminal: it cannot move the cursor,
/// clear the screen, set the window title, hide text or reorder it.
/**
 * ESC as `\e`, the other C0 controls and DEL as `\xNN` (a tab as one space, a newline as one
 * space too unless `keep_newlines`), the
 * C1 controls U+0080–U+009F and the bidirectional embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069) as `\u202E`, and every byte that is not part of valid UTF-8 as
 * `\xNN`. Everything else, wide and combining characters included, is kept as it is. Every view
 * that prints plan text (ids, titles, tags, reasons) goes through it.
 */
std::string terminal_safe(std::string_view text, bool keep_newlines = false);
// end::outline[]

} // namespace cohort

#endif // COHORT_VIEW_TERMINAL_TEXT_HPP
