// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_PLAN_TASKMASTER_WRITEBACK_HPP
#define COHORT_PLAN_TASKMASTER_WRITEBACK_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/error.hpp>
#include <cohort/plan/plan.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

/// One status to write: `id` is a full id as in `plan` ("12", "12.3", a slug).
struct status_change {
  std::string id;
  task_status status = task_status::pending;
};

/// How long to wait for Task Master's lock.
struct writeback_options {
  // tag::outline[]
  /// Attempts after the first; attempt n waits 100 ms * 2^n, at most 1 s (Task Master's values).
  int lock_retries = 5;
  /// A lock older than this is abandoned and taken over (Task Master's `stale: 10000`).
  std::chrono::milliseconds lock_stale{10'000};
  // end::outline[]
};

/// Writes task and subtask statuses into a Task Master file, as its `set-status` does.
/**
 * In order: takes the lock `<file>.lock` (a directory made with `mkdir`, so that both of Task
 * Master's lock styles exclude it and it excludes them; cohort's carries `cohort-owner`, its
 * pid and start time, so that the lock of a cohort killed with -9 is taken over at once, while
 * Task Master's are taken over once older than `lock_stale`); re-reads and parses the file; in tag
 * `tag` only (for a legacy file without tags, `master` or empty), sets the `status` member of
 * each task or subtask named (ids matched as the loader matches them; an object with two
 * `status` members gets both, one without gets one after its last member, spaced like its
 * first); writes the file to a temporary file beside it and renames it over the file (a
 * symbolic link is written through: its target is replaced, the link kept); removes the lock.
 * Every byte but the changed status values is kept as it was: line endings (CRLF), a byte
 * order mark, spacing, key order, other tags, unknown fields, number spellings
 * (`18446744073709551616` and `2.0` stay as written). Nothing else changes: no `updatedAt`, no
 * parent adjustment, no id normalisation. When no status differs the file is not written at
 * all. All or nothing: an unknown id changes nothing.
 *
 * @returns the number of tasks whose status changed.
 *
 * @par Errors
 * `errc::invalid_argument`: the tag or an id is not in the file.
 * `errc::plan_invalid`: the file is not JSON (the message gives line and column).
 * `boost::system::errc::device_or_resource_busy`: the lock stayed taken.
 * A system error code when the file cannot be read or written.
 * (1) throws `system_error` with a message naming the file; (2) sets `ec` and returns 0.
 */
std::size_t set_taskmaster_status(const std::filesystem::path& file, std::string_view tag,
                                  const std::vector<status_change>& changes,
                                  const writeback_options& options = {});
std::size_t set_taskmaster_status(const std::filesystem::path& file, std::string_view tag,
                                  const std::vector<status_change>& changes,
                                  const writeback_options& options, error_code& ec);

} // namespace cohort

#endif // COHORT_PLAN_TASKMASTER_WRITEBACK_HPP
