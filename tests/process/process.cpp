// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/process/process.hpp>

#include "support/co_test.hpp"
#include "support/sim_agent.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <array>
#include <atomic>
#include <future>
#include <csignal>
#include <string>
#include <vector>

#include <cstddef>

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

namespace asio = boost::asio;
using cohort::test::read_text;
using cohort::test::sim;
using cohort::test::temp_dir;

namespace {

cohort::process_options with_argv(std::vector<std::string> argv) {
  cohort::process_options o;
  o.argv = std::move(argv);
  return o;
}

// Expects `run_process(o)` to fail to start with `code`, naming `name` in the message.
asio::awaitable<void> expect_start_error(cohort::process_options o, int code, std::string name) {
  try {
    (void)co_await cohort::run_process(std::move(o));
    BOOST_FAIL("the launch should have failed");
  } catch (const cohort::system_error& e) {
    BOOST_TEST(e.code().value() == code);
    BOOST_TEST(std::string(e.what()).find(name) != std::string::npos, e.what());
  }
}

// Makes this process's pidfd_open fail with ENOSYS, as an old kernel or valgrind 3.19 does (a
// seccomp filter: for this process and its children only).
bool refuse_pidfd_open() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_open, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0 &&
         ::syscall(SYS_pidfd_open, ::getpid(), 0) == -1 && errno == ENOSYS;
}

// In a child without pidfd_open: an agent's exit code and output, and a deadline's kill ladder.
// The exit code says what went wrong (0: all as expected).
int run_without_pidfds() {
  if (!refuse_pidfd_open()) return 2;
  asio::io_context ctx;
  std::string line;
  auto said = with_argv({"sh", "-c", "echo hello; exit 3"});
  said.on_line = [&line](const cohort::output_line& l) { line = std::string(l.text); };
  auto slow = with_argv({"sleep", "10"});
  slow.deadline = std::chrono::milliseconds(200);
  auto first = asio::co_spawn(ctx, cohort::run_process(said), asio::use_future);
  auto second = asio::co_spawn(ctx, cohort::run_process(slow), asio::use_future);
  ctx.run();
  const auto r = first.get();
  const auto s = second.get();
  if (r.exit_code.value_or(-1) != 3 || line != "hello") return 3;
  if (s.ended_by != cohort::end_reason::deadline || s.signal.value_or(-1) != SIGTERM) return 4;
  return 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(process)

// Where pidfd_open is missing or refused (a kernel before 5.3, a container's seccomp profile,
// valgrind 3.19), agents still run: their exit is polled for. In a forked child of the test, so
// that the filter stays there.
BOOST_AUTO_TEST_CASE(without_pidfd_open_the_exit_is_polled_for) {
  const pid_t child = ::fork();
  BOOST_TEST_REQUIRE(child >= 0);
  if (child == 0) {
    int code = 5;
    try {
      code = run_without_pidfds();
    } catch (...) {
    }
    ::_exit(code);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  BOOST_TEST_REQUIRE(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0, "2: no filter, 3: exit code or output, 4: deadline, 5: an exception");
}

CO_TEST_CASE(exit_code_is_a_result_not_an_error) {
  auto exit3 = with_argv(sim({"--exit", "3"}));  // a named local: no braced list in co_await (P1)
  auto r = co_await cohort::run_process(exit3);
  BOOST_TEST(r.exit_code.value_or(-1) == 3);
  BOOST_TEST(!r.signal);
  BOOST_TEST(!r.success());
  BOOST_TEST((r.ended_by == cohort::end_reason::none));
  BOOST_TEST(r.pid > 0);
  BOOST_TEST(r.pgid == r.pid);
  BOOST_TEST((r.ended >= r.started));
  auto nothing = with_argv(sim({}));
  auto ok = co_await cohort::run_process(nothing);
  BOOST_TEST(ok.success());
  BOOST_TEST(cohort::describe(r) == "exit 3");
}

CO_TEST_CASE(the_child_leads_a_session_of_its_own_without_a_controlling_terminal) {
  // Field 6 of /proc/self/stat is the session, field 7 the controlling terminal (0: none).
  std::vector<std::string> argv{"sh", "-c", "read -r _ _ _ _ _ sid tty _ < /proc/self/stat; echo \"$sid $tty $$\""};
  auto o = with_argv(argv);
  std::string line;
  o.on_line = [&line](const cohort::output_line& l) { line = std::string(l.text); };
  auto r = co_await cohort::run_process(o);
  BOOST_TEST(r.success());
  const std::string pid = std::to_string(r.pid);
  BOOST_TEST(line == pid + " 0 " + pid);
}

CO_TEST_CASE(death_by_signal_reports_the_signal_not_an_exit_code) {
  const std::array<int, 3> signals{SIGKILL, SIGTERM, SIGSEGV};  // not a braced list (P1)
  for (int sig : signals) {
    auto o = with_argv(sim({"--signal", std::to_string(sig)}));
    auto r = co_await cohort::run_process(o);
    BOOST_TEST(r.signal.value_or(-1) == sig);
    BOOST_TEST(!r.exit_code);  // Boost.Process v2 would report "exit code 9" here
  }
}

CO_TEST_CASE(program_without_a_slash_is_found_in_path) {
  std::vector<std::string> argv{"false"};
  auto r = co_await cohort::run_process(with_argv(argv));
  BOOST_TEST(r.exit_code.value_or(-1) == 1);
}

CO_TEST_CASE(stdin_from_a_string_or_a_file_reaches_the_child) {
  temp_dir dir;
  auto o = with_argv(sim({"--echo-stdin"}));
  o.input = std::string("hello\nworld\n") + std::string(300000, 'z');  // beyond a pipe's buffer
  o.stdout_file = dir / "a.out";
  auto r = co_await cohort::run_process(o);
  BOOST_TEST(read_text(dir / "a.out") == *o.input);
  BOOST_TEST(r.stdout_bytes == o.input->size());

  o.input.reset();
  o.input_file = dir / "a.out";
  o.stdout_file = dir / "b.out";
  (void)co_await cohort::run_process(o);
  BOOST_TEST(read_text(dir / "b.out") == read_text(dir / "a.out"));

  o.input_file.clear();  // nothing: the child reads an empty stdin
  auto none = co_await cohort::run_process(o);
  BOOST_TEST(none.stdout_bytes == 0u);
}

CO_TEST_CASE(environment_is_inherited_set_and_unset) {
  temp_dir dir;
  ::setenv("COHORT_TEST_INHERITED", "from-parent", 1);
  auto o = with_argv(sim({"--print-env", "COHORT_TEST_INHERITED", "--print-env", "COHORT_TEST_SET",
                          "--print-env", "HOME"}));
  o.environment["COHORT_TEST_SET"] = "a=b c";
  o.unset_environment.push_back("HOME");
  o.stdout_file = dir / "env";
  (void)co_await cohort::run_process(o);
  BOOST_TEST(read_text(dir / "env") ==
             "COHORT_TEST_INHERITED=from-parent\nCOHORT_TEST_SET=a=b c\nHOME unset\n");

  o.inherit_environment = false;
  (void)co_await cohort::run_process(o);
  BOOST_TEST(read_text(dir / "env") == "COHORT_TEST_INHERITED unset\nCOHORT_TEST_SET=a=b c\nHOME unset\n");
  ::unsetenv("COHORT_TEST_INHERITED");
}

CO_TEST_CASE(cwd_reaches_the_child) {
  temp_dir dir;
  auto o = with_argv(sim({"--print-cwd"}));
  o.cwd = dir.path();
  o.stdout_file = dir / "cwd";
  (void)co_await cohort::run_process(o);
  BOOST_TEST(read_text(dir / "cwd") == "cwd " + std::filesystem::canonical(dir.path()).string() + "\n");
}

CO_TEST_CASE(child_inherits_no_descriptor_but_the_standard_three) {
  temp_dir dir;
  const int leaky = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  auto o = with_argv(sim({"--print-fds"}));
  o.stdout_file = dir / "fds";
  (void)co_await cohort::run_process(o);
  ::close(leaky);
  BOOST_TEST(read_text(dir / "fds") == "fds 0 1 2\n");
}

CO_TEST_CASE(output_files_are_complete_and_in_order) {
  temp_dir dir;
  auto o = with_argv(sim({"--interleave", "2000", "--progress", "20"}));
  o.stdout_file = dir / "out";
  o.stderr_file = dir / "err";
  auto r = co_await cohort::run_process(o);
  std::string out, err;
  for (int i = 0; i < 2000; ++i) out += "out " + std::to_string(i) + "\n";
  for (int i = 0; i < 2000; ++i) err += "err " + std::to_string(i) + "\n";
  for (int i = 1; i <= 20; ++i) out += "progress " + std::to_string(i) + "/20\n";
  BOOST_TEST(read_text(dir / "out") == out);
  BOOST_TEST(read_text(dir / "err") == err);
  BOOST_TEST(r.stdout_bytes == out.size());
  BOOST_TEST(r.stderr_bytes == err.size());
  BOOST_TEST(!r.output_error);
}

CO_TEST_CASE(both_streams_may_share_one_file) {
  temp_dir dir;
  auto o = with_argv(sim({"--interleave", "3"}));
  o.stdout_file = o.stderr_file = dir / "both";
  auto r = co_await cohort::run_process(o);
  BOOST_TEST(read_text(dir / "both").size() == r.stdout_bytes + r.stderr_bytes);
}

CO_TEST_CASE(output_read_for_its_lines_is_counted_even_when_discarded) {
  auto o = with_argv(sim({"--flood-stdout", "1000000", "--flood-stderr", "12345"}));
  o.on_line = [](const cohort::output_line&) {};
  auto r = co_await cohort::run_process(o);
  BOOST_TEST(r.stdout_bytes == 1000000u);
  BOOST_TEST(r.stderr_bytes == 12345u);
}

CO_TEST_CASE(without_a_line_callback_the_child_writes_its_files_itself) {
  // readlink names what the child's own fds 1 and 2 are: the files, /dev/null, or pipes.
  temp_dir dir;
  auto o = with_argv({"readlink", "/proc/self/fd/1", "/proc/self/fd/2"});
  o.stdout_file = dir / "out";
  o.stderr_file = dir / "err";
  auto r = co_await cohort::run_process(o);
  const auto out = read_text(dir / "out");
  BOOST_TEST(out == (dir / "out").string() + "\n" + (dir / "err").string() + "\n");
  BOOST_TEST(r.stdout_bytes == out.size());
  BOOST_TEST(r.stderr_bytes == 0u);

  o.stderr_file.clear();  // discarded: the child writes to /dev/null
  r = co_await cohort::run_process(o);
  BOOST_TEST(read_text(dir / "out") == (dir / "out").string() + "\n/dev/null\n");

  std::vector<std::string> lines;  // with a callback, cohort reads pipes and writes the file
  o.on_line = [&lines](const cohort::output_line& l) { lines.emplace_back(l.text); };
  r = co_await cohort::run_process(o);
  BOOST_REQUIRE(lines.size() == 2u);
  BOOST_TEST(lines[0].starts_with("pipe:["));
  BOOST_TEST(lines[1].starts_with("pipe:["));
  BOOST_TEST(read_text(dir / "out") == lines[0] + "\n" + lines[1] + "\n");
}

CO_TEST_CASE(line_callback_sees_every_line_and_long_lines_cut_and_marked) {
  std::vector<std::string> out, err;
  std::vector<bool> cut;
  auto o = with_argv(sim({"--interleave", "100", "--long-line", "100000"}));
  o.max_line_bytes = 1024;
  o.on_line = [&](const cohort::output_line& l) {
    (l.stream == cohort::output_stream::out ? out : err).emplace_back(l.text);
    if (l.stream == cohort::output_stream::out) cut.push_back(l.truncated);
  };
  (void)co_await cohort::run_process(o);
  BOOST_REQUIRE(out.size() == 101u);
  BOOST_REQUIRE(err.size() == 100u);
  for (int i = 0; i < 100; ++i) {
    BOOST_TEST(out[i] == "out " + std::to_string(i));
    BOOST_TEST(err[i] == "err " + std::to_string(i));
    BOOST_TEST(!cut[i]);
  }
  BOOST_TEST(out[100] == std::string(1024, 'y'));  // the head only, marked
  BOOST_TEST(cut[100]);
}

CO_TEST_CASE(start_errors_name_the_program) {
  temp_dir dir;
  std::vector<std::string> missing{"cohort-no-such-program"};
  co_await expect_start_error(with_argv(missing), ENOENT, "cohort-no-such-program");

  const auto plain = (dir / "not-executable").string();
  { std::ofstream(plain) << "#!/bin/sh\n"; }
  std::vector<std::string> argv{plain};
  co_await expect_start_error(with_argv(argv), EACCES, plain);

  auto bad_cwd = with_argv(sim({}));
  bad_cwd.cwd = dir / "no-such-dir";
  co_await expect_start_error(bad_cwd, ENOENT, "working directory");
  bad_cwd.cwd = plain;
  co_await expect_start_error(bad_cwd, ENOTDIR, "working directory");

  auto bad_input = with_argv(sim({}));
  bad_input.input_file = dir / "no-such-input";
  co_await expect_start_error(bad_input, ENOENT, "stdin file");

  cohort::process_options empty;
  co_await expect_start_error(empty, static_cast<int>(cohort::errc::invalid_argument), "argv");
}

CO_TEST_CASE(running_out_of_descriptors_fails_that_launch_only) {
  temp_dir dir;
  auto o = with_argv(sim({}));
  (void)co_await cohort::run_process(o);  // the reactor has made its own descriptors by now
  const int before = cohort::test::open_fd_count();
  rlimit saved{};
  ::getrlimit(RLIMIT_NOFILE, &saved);
  int lowest_free = 0;
  while (::fcntl(lowest_free, F_GETFD) != -1) ++lowest_free;
  // With room for 0, 1, ... new descriptors: every launch that needs one more fails with EMFILE
  // and leaks nothing, whichever descriptor it ran out at; with enough room it runs. Both
  // output paths: files the child writes itself, and pipes cohort reads.
  for (const bool read_lines : {false, true}) {
    o.stdout_file = dir / "out";
    o.stderr_file = dir / "err";
    o.on_line = nullptr;
    if (read_lines) o.on_line = [](const cohort::output_line&) {};
    int failed = 0;
    bool ran = false;
    for (int room = 0; room < 12 && !ran; ++room) {
      rlimit tight = saved;
      tight.rlim_cur = static_cast<rlim_t>(lowest_free + room);
      ::setrlimit(RLIMIT_NOFILE, &tight);
      int code = 0;
      std::string what;
      try {
        ran = (co_await cohort::run_process(o)).success();
      } catch (const cohort::system_error& e) {
        code = e.code().value();
        what = e.what();
      }
      ::setrlimit(RLIMIT_NOFILE, &saved);
      if (!ran) {
        ++failed;
        BOOST_TEST(code == EMFILE, "room " << room << ": " << what);
      }
      BOOST_TEST(cohort::test::open_fd_count() == before, "room " << room);
    }
    BOOST_TEST(ran);
    BOOST_TEST(failed >= 1);
    BOOST_TEST_MESSAGE((read_lines ? "pipes" : "files") << ": a launch needs " << failed
                                                        << " free descriptors");
  }
  auto after = co_await cohort::run_process(o);  // and the next launch works
  BOOST_TEST(after.success());
}

// On a thread pool with no strand of the caller's, both streams' readers deliver to on_line one
// line at a time: never two calls at once, none lost.
BOOST_AUTO_TEST_CASE(on_line_on_a_thread_pool_is_never_called_concurrently) {
  asio::thread_pool pool(4);
  std::atomic<bool> inside{false};
  std::atomic<int> overlaps{0};
  std::size_t out_lines = 0, err_lines = 0;  // written only inside on_line
  std::promise<cohort::process_result> done;
  cohort::process_options o;
  o.argv = {"/bin/sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done"};
  o.on_line = [&](const cohort::output_line& line) {
    if (inside.exchange(true)) ++overlaps;
    (line.stream == cohort::output_stream::out ? out_lines : err_lines)++;
    inside = false;
  };
  asio::co_spawn(pool, cohort::run_process(o), [&](std::exception_ptr e, cohort::process_result r) {
    if (e) done.set_exception(e);
    else done.set_value(std::move(r));
  });
  auto result = done.get_future().get();
  pool.join();
  BOOST_TEST((result.exit_code == 0));
  BOOST_TEST(overlaps == 0);
  BOOST_TEST(out_lines == 2000u);
  BOOST_TEST(err_lines == 2000u);
}

// async_run_process with each kind of completion token: a callback, use_future, deferred and
// as_tuple(use_awaitable); a start error and a cancellation as codes.
BOOST_AUTO_TEST_CASE(async_run_process_takes_any_completion_token) {
  cohort::process_options exit3;
  exit3.argv = {"/bin/sh", "-c", "exit 3"};
  {  // a callback
    asio::io_context ctx;
    std::optional<int> code;
    cohort::async_run_process(ctx.get_executor(), exit3, [&](cohort::error_code ec, cohort::process_result r) {
      BOOST_TEST(!ec);
      code = r.exit_code;
    });
    ctx.run();
    BOOST_TEST((code == 3));
  }
  {  // use_future, on a thread pool
    asio::thread_pool pool(2);
    auto r = cohort::async_run_process(pool.get_executor(), exit3, asio::use_future);
    BOOST_TEST((r.get().exit_code == 3));
    pool.join();
  }
  {  // deferred: nothing starts until it is launched
    asio::io_context ctx;
    bool started = false;
    auto o = exit3;
    o.on_start = [&](int) { started = true; };
    auto op = cohort::async_run_process(ctx.get_executor(), o, asio::deferred);
    ctx.poll();
    ctx.restart();  // poll() ran out of work, which stops the io_context
    BOOST_TEST(!started);
    std::optional<int> code;
    std::move(op)([&](cohort::error_code, cohort::process_result r) { code = r.exit_code; });
    ctx.run();
    BOOST_TEST(started);
    BOOST_TEST((code == 3));
  }
  cohort::test::run_coroutine([&]() -> asio::awaitable<void> {  // as_tuple(use_awaitable)
    auto [ec, r] = co_await cohort::async_run_process(co_await asio::this_coro::executor, exit3,
                                                      asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(!ec);
    BOOST_TEST((r.exit_code == 3));
  });
  {  // a start error is a code
    asio::io_context ctx;
    cohort::process_options missing;
    missing.argv = {"/nonexistent/agent"};
    cohort::error_code code;
    cohort::async_run_process(ctx.get_executor(), missing,
                              [&](cohort::error_code ec, cohort::process_result) { code = ec; });
    ctx.run();
    BOOST_TEST((code == std::errc::no_such_file_or_directory));
  }
  {  // a cancellation ends the child and gives operation_aborted with its result
    asio::io_context ctx;
    asio::cancellation_signal stop;
    cohort::process_options sleeper;
    sleeper.argv = {"/bin/sleep", "30"};
    sleeper.on_start = [&](int) { asio::post(ctx, [&] { stop.emit(asio::cancellation_type::terminal); }); };
    std::optional<std::pair<cohort::error_code, cohort::process_result>> outcome;
    cohort::async_run_process(ctx.get_executor(), sleeper,
                              asio::bind_cancellation_slot(stop.slot(), [&](cohort::error_code ec, cohort::process_result r) {
                                outcome.emplace(ec, std::move(r));
                              }));
    ctx.run_for(cohort::test::hang_limit);
    BOOST_REQUIRE(outcome.has_value());
    BOOST_TEST((outcome->first == asio::error::operation_aborted));
    BOOST_TEST((outcome->second.ended_by == cohort::end_reason::cancellation));
    BOOST_TEST((outcome->second.signal == SIGTERM));
  }
}

BOOST_AUTO_TEST_SUITE_END()
