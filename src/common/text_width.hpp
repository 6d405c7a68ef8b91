// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_COMMON_TEXT_WIDTH_HPP
#define COHORT_SRC_COMMON_TEXT_WIDTH_HPP

// Private to the library: how many terminal columns UTF-8 text takes, for the dashboard and the
// plan tables. Locale-free (a library must not call setlocale, and wcwidth answers -1 for every
// non-ASCII character in the "C" locale): East Asian wide and fullwidth characters and most emoji
// take two columns, combining marks, joiners and variation selectors none, everything else one.
// A byte that is not valid UTF-8 counts as one column.

#include <cstddef>
#include <string>
#include <string_view>

namespace cohort::detail {

/// The columns `text` takes on a terminal.
std::size_t display_width(std::string_view text);

/// `text` cut to at most `columns` columns, `mark` (one column, e.g. "…") ending a cut text;
/// whole characters only, so a wide one that does not fit leaves its column empty.
std::string fit_columns(std::string_view text, std::size_t columns, std::string_view mark);

} // namespace cohort::detail

#endif // COHORT_SRC_COMMON_TEXT_WIDTH_HPP
