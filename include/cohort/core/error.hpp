// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_ERROR_HPP
#define COHORT_CORE_ERROR_HPP

#include <cohort/core/config.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <type_traits>

namespace cohort {

using boost::system::error_code;
using boost::system::system_error;

/// The errors cohort reports, in the category named "cohort".
/**
 * Anything cohort throws is a `boost::system::system_error` carrying one of these codes (or a
 * system or Asio code, such as `boost::asio::error::operation_aborted` for cancellation), with
 * a message that says what was being done, so a catch site can test the code.
 */
enum class errc {
  // tag::outline[]
  scope_closed = 1,   ///< spawn() into a scope that was cancelled or has finished
  exceeds_capacity,   ///< a semaphore request larger than the semaphore can ever grant
  invalid_argument,   ///< a caller passed a value outside the documented domain
  plan_invalid,       ///< a plan was refused; the message lists every problem
  journal_corrupt,    ///< a journal cannot be read back
  file_refused,       ///< an input file is not a regular file, or larger than cohort reads
  children_failed,    ///< a scope ended with failures (`scope_error` carries every one)
  scope_ended,        ///< a `scope&` was used after its scope ended
  wrong_executor,     ///< a call that must run on an object's strand came from elsewhere
  git_failed,         ///< a git command cohort ran exited with an error (the message quotes it)
  merge_conflict,     ///< a job's work does not merge into its target branch
  cluster_failed,     ///< a cluster's command (squeue) could not answer
  // end::outline[]
};

/// The category of `errc`; its name is "cohort".
const boost::system::error_category& cohort_category() noexcept;

/// Makes an `error_code` of the "cohort" category (found by argument-dependent lookup).
error_code make_error_code(errc e) noexcept;

} // namespace cohort

template <>
struct boost::system::is_error_code_enum<cohort::errc> : std::true_type {};

#endif // COHORT_CORE_ERROR_HPP
