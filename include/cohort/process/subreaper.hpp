// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_PROCESS_SUBREAPER_HPP
#define COHORT_PROCESS_SUBREAPER_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/error.hpp>

#include <chrono>
#include <cstddef>

namespace cohort {

/// Makes the calling process a child subreaper (Linux's `PR_SET_CHILD_SUBREAPER`).
/**
 * An agent's daemon that leaves its process group (`setsid`, a double fork) is orphaned when
 * its parent exits. Normally init adopts it and nothing of the run can tell it from any other
 * process; in a subreaper, it is adopted by the subreaper instead, so it stays the host's child:
 * `run_process` reaps the members of an agent's group it adopts, the process launcher ends and
 * reaps the processes an agent left running (process_launcher.hpp), and `end_adopted_children`
 * ends whatever is left when the host is done.
 *
 * The setting belongs to the whole process and is inherited by none of its children, so the
 * library never sets it: a host opts in (the rolling-wave driver does, at start). A host that
 * becomes a subreaper must reap only the children it knows by pid (`waitpid(pid, ...)`), never
 * `waitpid(-1, ...)`, or it takes the agents' exit statuses from under the runs.
 *
 * (1) throws `system_error`; (2) sets `ec` (`function_not_supported` off Linux).
 */
void become_child_subreaper();
void become_child_subreaper(error_code& ec);

/// Whether the calling process is a child subreaper.
bool is_child_subreaper() noexcept;

/// Ends every child of the calling process and reaps it: SIGTERM to each, SIGKILL after
/// `grace` to those left; returns how many there were.
/**
 * For a subreaper host at its end, once every child it started itself has been waited for:
 * what is left are processes it adopted (daemons its agents left, including ones that cleared
 * their environment). Blocks for at most `grace` plus a second: not on an event loop.
 */
std::size_t end_adopted_children(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

} // namespace cohort

#endif // COHORT_PROCESS_SUBREAPER_HPP
