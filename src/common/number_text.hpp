// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_COMMON_NUMBER_TEXT_HPP
#define COHORT_SRC_COMMON_NUMBER_TEXT_HPP

// Private to the library: counts written for people (the dashboard, the run report).

#include <cstdint>
#include <string>

namespace cohort::detail {

/// `n` in digits grouped by three with commas, whatever the locale: "1,234,567".
std::string thousands(std::uint64_t n);

} // namespace cohort::detail

#endif // COHORT_SRC_COMMON_NUMBER_TEXT_HPP
