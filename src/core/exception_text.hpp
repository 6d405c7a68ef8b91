// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_CORE_EXCEPTION_TEXT_HPP
#define COHORT_SRC_CORE_EXCEPTION_TEXT_HPP

// What an exception_ptr holds, for the library's own sources (not installed).

#include <cohort/core/error.hpp>

#include <boost/asio/error.hpp>

#include <exception>
#include <string>

namespace cohort::detail {

/// True when `e` is the `operation_aborted` a cancellation turns into.
inline bool is_cancellation(const std::exception_ptr& e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const system_error& se) {
    return se.code() == boost::asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}

/// The message of `e`, for people.
inline std::string describe(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown exception";
  }
}

} // namespace cohort::detail

#endif // COHORT_SRC_CORE_EXCEPTION_TEXT_HPP
