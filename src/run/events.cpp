// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/events.hpp>

namespace cohort {

std::string_view to_string(event_kind k) noexcept {
  switch (k) {
    case event_kind::run_started: return "run_started";
    case event_kind::run_finished: return "run_finished";
    case event_kind::parent_started: return "parent_started";
    case event_kind::parent_finished: return "parent_finished";
    case event_kind::wave_started: return "wave_started";
    case event_kind::wave_finished: return "wave_finished";
    case event_kind::task_ready: return "task_ready";
    case event_kind::task_waiting: return "task_waiting";
    case event_kind::task_launched: return "task_launched";
    case event_kind::task_output: return "task_output";
    case event_kind::task_usage: return "task_usage";
    case event_kind::task_retry: return "task_retry";
    case event_kind::task_succeeded: return "task_succeeded";
    case event_kind::task_failed: return "task_failed";
    case event_kind::task_skipped: return "task_skipped";
    case event_kind::task_cancelled: return "task_cancelled";
    case event_kind::task_merge: return "task_merge";
    case event_kind::task_queued: return "task_queued";
  }
  return "unknown";
}

std::string_view to_string(wait_reason r) noexcept {
  switch (r) {
    case wait_reason::dependency: return "dependency";
    case wait_reason::parent_cap: return "parent_cap";
    case wait_reason::slot: return "slot";
    case wait_reason::budget: return "budget";
    case wait_reason::stagger: return "stagger";
    case wait_reason::backoff: return "backoff";
    case wait_reason::rate_limit: return "rate_limit";
    case wait_reason::queued: return "queued";
  }
  return "unknown";
}

std::string_view to_string(merge_state s) noexcept {
  switch (s) {
    case merge_state::merging: return "merging";
    case merge_state::merged: return "merged";
    case merge_state::conflict: return "conflict";
    case merge_state::retrying: return "retrying";
    case merge_state::checked: return "checked";
    case merge_state::kept: return "kept";
  }
  return "unknown";
}

boost::asio::awaitable<void> observer::until_caught_up() { co_return; }

boost::asio::awaitable<void> observer::until_recorded() {
  before_launch();
  co_return;
}

} // namespace cohort
