// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_COMMON_SYSTEM_ERRORS_HPP
#define COHORT_SRC_COMMON_SYSTEM_ERRORS_HPP

// Private to the library: the system's error numbers as `error_code`s.

#include <cohort/core/error.hpp>

#include <cerrno>

namespace cohort::detail {

/// The system's error number `e` (an errno value) as an `error_code`.
inline error_code system_error_code(int e) noexcept { return {e, boost::system::system_category()}; }

/// `errno` as an `error_code`: read it right after the call that failed.
inline error_code last_error() noexcept { return system_error_code(errno); }

} // namespace cohort::detail

#endif // COHORT_SRC_COMMON_SYSTEM_ERRORS_HPP
