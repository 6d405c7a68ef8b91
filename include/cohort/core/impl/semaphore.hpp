// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_IMPL_SEMAPHORE_HPP
#define COHORT_CORE_IMPL_SEMAPHORE_HPP

#include <utility>

namespace cohort {

template <class CompletionToken>
auto semaphore::async_acquire(std::size_t n, CompletionToken&& token) {
  return async_acquire(n, 0, std::forward<CompletionToken>(token));
}

template <class CompletionToken>
auto semaphore::async_acquire(std::size_t n, int priority, CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(error_code, permit)>(
      [this](auto handler, std::size_t units, int prio) {
        initiate(units, prio, handler_type(std::move(handler)));
      },
      token, n, priority);
}

} // namespace cohort

#endif // COHORT_CORE_IMPL_SEMAPHORE_HPP
