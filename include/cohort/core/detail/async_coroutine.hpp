// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_DETAIL_ASYNC_COROUTINE_HPP
#define COHORT_CORE_DETAIL_ASYNC_COROUTINE_HPP

#include <cohort/core/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>

#include <exception>
#include <utility>

namespace cohort::detail {

/// An error code and a value: what a coroutine started by `initiate_coroutine` gives its handler.
template <class T>
struct code_and {
  error_code code;
  T value;
};

/// The initiation of an asynchronous operation implemented by a coroutine: for
/// `async_initiate<Token, void(error_code, T)>`. It is co_spawned on `executor`; its handler is
/// called on the handler's associated executor, and the handler's cancellation slot reaches the
/// coroutine (co_spawn forwards it as `terminal`). An exception other than the error code the
/// coroutine reports escapes from the handler's invocation, as from any handler.
struct initiate_coroutine {
  boost::asio::any_io_executor executor;

  template <class Handler, class Start>
  void operator()(Handler handler, Start start) const {
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    auto handler_executor = boost::asio::get_associated_executor(handler, executor);
    using result = typename decltype(start())::value_type;
    boost::asio::co_spawn(
        executor, start(),
        boost::asio::bind_cancellation_slot(
            slot, boost::asio::bind_executor(handler_executor,
                                             [h = std::move(handler)](std::exception_ptr e, result r) mutable {
                                               if (e) std::rethrow_exception(e);
                                               std::move(h)(r.code, std::move(r.value));
                                             })));
  }
};

} // namespace cohort::detail

#endif // COHORT_CORE_DETAIL_ASYNC_COROUTINE_HPP
