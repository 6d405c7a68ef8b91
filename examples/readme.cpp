#include <cohort/cohort.hpp>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;

// One agent: a place under the cap, its turn in the stagger, then the process (an argv, no shell).
asio::awaitable<void> agent(std::string task, cohort::semaphore& cap, cohort::pacer& stagger) {
  auto place = co_await cap.async_acquire(1, asio::use_awaitable);
  co_await stagger.async_wait(asio::use_awaitable);
  cohort::process_options agent{.argv = {"sh", "-c", "sleep 0.1"}};  // (g++ 12: a statement of its own)
  auto r = co_await cohort::run_process(std::move(agent));
  if (!r.success()) throw std::runtime_error(task + ": " + cohort::describe(r));
  std::printf("%s: %s\n", task.c_str(), cohort::describe(r).c_str());
}

int main() {
  asio::io_context ctx;
  cohort::semaphore cap(ctx.get_executor(), 2);     // two agents at most at once
  cohort::pacer stagger(ctx.get_executor(), 50ms);  // launches 50 ms apart
  asio::co_spawn(ctx, cohort::with_scope([&](cohort::scope& s) -> asio::awaitable<void> {
    for (const char* task : {"parser", "lexer", "codegen"}) s.spawn(agent(task, cap, stagger));
    co_return;  // with_scope completes when every agent has finished; a failure throws them all
  }), [](std::exception_ptr e, cohort::scope_result) {
    if (e) std::rethrow_exception(e);
    std::puts("all agents finished");
  });
  ctx.run();
}
