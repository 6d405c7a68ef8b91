// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_PROCESS_OPEN_FILES_HPP
#define COHORT_PROCESS_OPEN_FILES_HPP

#include <cohort/core/config.hpp>

#include <cstddef>

namespace cohort {

// tag::outline[]
/// The file descriptors one running agent holds in this process at most: its pidfd, and with a
/// line callback its two pipes and two output files (`run_process`, process.hpp). A launch holds
/// three more for a moment (/dev/null, stdin, the pipes' other ends).
inline constexpr std::size_t descriptors_per_agent = 5;

/// Descriptors kept for everything but agents (the event loop, the journal, a launch's moment,
/// the host's own files) when `agents_within` counts.
inline constexpr std::size_t descriptors_reserved = 64;

/// Raises this process' soft limit on open files (`RLIMIT_NOFILE`) to its hard limit and
/// returns the soft limit in force afterwards. Process-wide, so a host opts in: the rolling-wave
/// driver calls it at start. Never throws; a limit it cannot change is returned as it is.
std::size_t raise_open_file_limit() noexcept;

/// How many agents can run at once within `limit` open files (0: not even one).
constexpr std::size_t agents_within(std::size_t limit) noexcept {
  return limit > descriptors_reserved ? (limit - descriptors_reserved) / descriptors_per_agent : 0;
}
// end::outline[]

} // namespace cohort

#endif // COHORT_PROCESS_OPEN_FILES_HPP
