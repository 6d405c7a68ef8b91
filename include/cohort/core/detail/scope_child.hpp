// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_DETAIL_SCOPE_CHILD_HPP
#define COHORT_CORE_DETAIL_SCOPE_CHILD_HPP

#include <boost/asio/cancellation_signal.hpp>

namespace cohort::detail {

// The scope's record of one child. It lives in a std::list, so its address is stable for as long
// as the child runs: the child's co_spawn is bound to `signal.slot()`.
struct scope_child {
  boost::asio::cancellation_signal signal;
  bool cancel_requested = false;  // the scope cancelled it (emitted on `signal` soon)
  bool is_body = false;           // the body of with_scope, not a spawned child
  bool started = false;           // its co_spawn ran: `signal` reaches it
  bool cancel_emitted = false;    // the scope emitted on `signal`
};

} // namespace cohort::detail

#endif // COHORT_CORE_DETAIL_SCOPE_CHILD_HPP
