// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// A consumer of cohort: the program every consumer project under tests/cmake/ builds and runs.
#include <cohort/cohort.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/io_service.hpp>  // deprecated, and still usable beside cohort
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <exception>

namespace asio = boost::asio;

namespace {

asio::awaitable<void> take_a_slot(cohort::semaphore& sem, int& done) {
  auto permit = co_await sem.async_acquire(1, asio::use_awaitable);
  ++done;
}

asio::awaitable<bool> run(int& done) {
  cohort::semaphore sem(co_await asio::this_coro::executor, 2);
  auto result = co_await cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    for (int i = 0; i < 4; ++i) s.spawn(take_a_slot(sem, done));
    co_return;
  });
  co_return result.stats.succeeded == 4;
}

} // namespace

int main() {
  // An application that still uses Asio's deprecated names (io_service) compiles with cohort:
  // cohort configures Asio for its own sources only, never for its users.
  asio::io_service ctx;
  int done = 0;
  bool ok = false;
  asio::co_spawn(ctx, run(done), [&](std::exception_ptr e, bool r) {
    if (e) std::rethrow_exception(e);
    ok = r;
  });
  ctx.run();
  std::printf("consumer: %d children done\n", done);
  return ok && done == 4 ? 0 : 1;
}
