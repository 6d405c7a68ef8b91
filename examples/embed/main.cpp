// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// An application that embeds cohort: its own io_context runs a heartbeat timer and a small TCP
// echo server on 127.0.0.1 (with a client talking to it), and beside them a cohort plan of agent
// processes. One thread, one loop: cohort owns no thread and never calls run(). When the plan
// is done the application closes its server and its timer, and run() returns by itself.
//
//   cohort_example_embed [path/to/cohort-sim-agent]   (without it, the agents are in-process fakes)
#include <cohort/run/executor.hpp>
#include <cohort/testing/fake_launcher.hpp>
#include <cohort/run/process_launcher.hpp>
#include <cohort/view/report.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <fmt/core.h>

#include <memory>
#include <string>
#include <thread>

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

struct app_state {
  int ticks = 0;
  int echoes = 0;
  bool plan_done = false;
  std::thread::id loop_thread = std::this_thread::get_id();
  bool event_off_loop = false;  // an event delivered on another thread (never happens)
};

// The application's own work: a heartbeat until the plan is done.
asio::awaitable<void> heartbeat(app_state& s) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  while (!s.plan_done) {
    t.expires_after(20ms);
    co_await t.async_wait(asio::use_awaitable);
    ++s.ticks;
  }
}

asio::awaitable<void> echo_session(tcp::socket peer) {
  asio::streambuf buf;
  for (;;) {
    const std::size_t n = co_await asio::async_read_until(peer, buf, '\n', asio::use_awaitable);
    co_await asio::async_write(peer, buf.data(), asio::transfer_exactly(n), asio::use_awaitable);
    buf.consume(n);
  }
}

asio::awaitable<void> echo_server(tcp::acceptor& acceptor) {
  for (;;) {
    tcp::socket peer = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(acceptor.get_executor(), echo_session(std::move(peer)), asio::detached);
  }
}

// A client of the echo server, talking to it while the agents run.
asio::awaitable<void> echo_client(tcp::endpoint server, app_state& s) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(server, asio::use_awaitable);
  asio::steady_timer t(socket.get_executor());
  asio::streambuf buf;
  while (!s.plan_done) {
    const std::string ping = "ping " + std::to_string(s.echoes) + "\n";
    co_await asio::async_write(socket, asio::buffer(ping), asio::use_awaitable);
    const std::size_t n = co_await asio::async_read_until(socket, buf, '\n', asio::use_awaitable);
    buf.consume(n);
    ++s.echoes;
    t.expires_after(10ms);
    co_await t.async_wait(asio::use_awaitable);
  }
}

// Checks on which thread cohort delivers its events.
struct thread_check final : cohort::observer {
  app_state& s;
  explicit thread_check(app_state& st) : s(st) {}
  void on_event(const cohort::event&) override {
    if (std::this_thread::get_id() != s.loop_thread) s.event_off_loop = true;
  }
};

cohort::plan make_plan() {
  cohort::plan p;
  for (const char* parent : {"1", "2"}) {
    cohort::task t;
    t.id = parent;
    t.title = std::string("feature ") + parent;
    const auto q = p.add_parent(std::move(t));
    for (const char* sub : {"1", "2", "3"}) {
      cohort::task s;
      s.id = sub;
      s.title = "step " + std::string(sub);
      s.duration = 150ms;
      s.tokens = 1000;
      p.add_subtask(q, std::move(s));
    }
  }
  p.add_dependency(*p.find("1.3"), *p.find("1.1"));  // a second wave in parent 1
  return p;
}

std::vector<cohort::observer*> observers(thread_check& c) { return {&c}; }

} // namespace

int main(int argc, char** argv) {
  asio::io_context ctx;  // the application's loop; cohort runs on it, on this thread
  app_state state;
  tcp::acceptor acceptor(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const tcp::endpoint server = acceptor.local_endpoint();

  const cohort::plan plan = make_plan();
  std::unique_ptr<cohort::launcher> agents;
  if (argc > 1) {
    cohort::process_launcher_options o;
    o.agent = {argv[1], "--sleep", "{duration_ms}", "--progress", "2"};
    agents = std::make_unique<cohort::process_launcher>(o);
  } else {
    agents = std::make_unique<cohort::fake_launcher>();
  }
  cohort::executor_options options;
  options.schedule.max_running = 3;
  options.schedule.mode = cohort::wave_mode::waves;
  thread_check check(state);

  asio::co_spawn(ctx, heartbeat(state), asio::detached);
  asio::co_spawn(ctx, echo_server(acceptor), asio::detached);
  asio::co_spawn(ctx, echo_client(server, state), asio::detached);
  std::optional<cohort::run_report> report;
  asio::co_spawn(ctx, cohort::run_plan(plan, *agents, options, observers(check)),
                 [&](std::exception_ptr e, cohort::run_report r) {
                   if (!e) report = std::move(r);
                   state.plan_done = true;  // the heartbeat and the client stop by themselves
                   acceptor.close();        // and the server stops accepting
                 });
  ctx.run();  // returns when everything above is over: nothing of cohort's keeps it alive

  const bool ok = report && report->all_done() && state.ticks > 0 && state.echoes > 0 && !state.event_off_loop;
  fmt::print("plan: {}; heartbeat ticks: {}; echoes on 127.0.0.1:{}: {}; every cohort event on the "
             "application's thread: {}\n",
             report && report->all_done() ? "all done" : "NOT done", state.ticks, server.port(),
             state.echoes, state.event_off_loop ? "no" : "yes");
  if (report) fmt::print("{}", cohort::render_text(plan, *report));
  return ok ? 0 : 1;
}
