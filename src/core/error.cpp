// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/core/error.hpp>

#include <fmt/format.h>

#include <string>

namespace cohort {
namespace {

class category final : public boost::system::error_category {
public:
  const char* name() const noexcept override { return "cohort"; }

  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::scope_closed: return "the scope is closed to new children";
      case errc::exceeds_capacity: return "the request exceeds the capacity";
      case errc::invalid_argument: return "invalid argument";
      case errc::plan_invalid: return "the plan is invalid";
      case errc::journal_corrupt: return "the journal is corrupt";
      case errc::file_refused: return "not a regular file, or larger than 1 GiB";
      case errc::children_failed: return "children of the scope failed";
      case errc::scope_ended: return "the scope has ended; a scope& must not outlive it";
      case errc::wrong_executor: return "called from outside the object's strand";
      case errc::git_failed: return "a git command failed";
      case errc::merge_conflict: return "the work does not merge: conflicting changes";
      case errc::cluster_failed: return "the cluster's command could not answer";
    }
    return fmt::format("unknown cohort error {}", ev);
  }
};

} // namespace

const boost::system::error_category& cohort_category() noexcept {
  static const category instance;
  return instance;
}

error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), cohort_category()};
}

} // namespace cohort
