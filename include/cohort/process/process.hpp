// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_PROCESS_PROCESS_HPP
#define COHORT_PROCESS_PROCESS_HPP

#include <cohort/core/config.hpp>
#include <cohort/core/detail/async_coroutine.hpp>
#include <cohort/core/error.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

/// Which output stream of a child a line came from.
enum class output_stream { out = 1, err = 2 };

/// One line of a child's output, as given to `process_options::on_line`.
struct output_line {
  output_stream stream = output_stream::out;
  std::string_view text;   ///< without its newline; valid only during the call
  bool truncated = false;  ///< the line was longer than `max_line_bytes`: this is its head only
};

/// Why a child ended.
enum class end_reason {
  none,          ///< it exited (or died of a signal) by itself
  deadline,      ///< `process_options::deadline` passed and cohort ended it
  cancellation,  ///< the awaiting coroutine was cancelled and cohort ended it
};

/// How to start one agent process. Plain data; every field has a usable default but `argv`.
/**
 * With g++ 12 (Debian 12's compiler), make it in a statement of its own, not inside the
 * `co_await` expression: that compiler rejects `co_await run_process({.argv = {"make", "-j4"}})`
 * ("array used as initializer", a brace list's array inside a co_await), where clang accepts
 * it. `process_options o{.argv = {"make", "-j4"}}; co_await run_process(std::move(o));` works
 * with both.
 */
struct process_options {
  using duration = std::chrono::steady_clock::duration;

  // tag::outline[]
  /// The program and its arguments; never passed through a shell. An `argv[0]` without a slash
  /// is looked up in `PATH` (the child's `PATH` when `environment` sets one); one with a slash is
  /// taken relative to `cwd`, as `execve` after `chdir` would.
  std::vector<std::string> argv{};
  std::filesystem::path cwd{};  ///< empty: the parent's working directory

  bool inherit_environment = true;  ///< start from the parent's environment
  std::map<std::string, std::string, std::less<>> environment{};///< set (overrides inherited)
  std::vector<std::string> unset_environment{};                 ///< removed from the inherited

  std::optional<std::string> input{};///< stdin contents (any size; the child sees a file)
  std::filesystem::path input_file{};///< stdin from this file; with neither: /dev/null

  /// Truncated, then written. Without `on_line` the child writes it directly (no pipe, nothing
  /// for cohort to copy); with `on_line` cohort reads a pipe, writes the file and splits lines.
  /// Empty: discarded (/dev/null without `on_line`).
  std::filesystem::path stdout_file{};
  std::filesystem::path stderr_file{};///< same for stderr; may equal `stdout_file` (interleaved)
  /// Called on the executor for every complete line (and a last unterminated one). Setting it
  /// makes cohort read both streams through pipes.
  std::function<void(const output_line&)> on_line{};
  std::size_t max_line_bytes = 16 * 1024;  ///< longer lines are cut and marked `truncated`

  duration deadline{};                      ///< from the start; zero: none
  duration grace = std::chrono::seconds(5); ///< between SIGTERM and SIGKILL
  /// Passed to the child as `COHORT_USAGE_FILE` (see usage.hpp); removed before the start so
  /// that a stale file is never read as this launch's usage. Empty: not set.
  std::filesystem::path usage_file{};
  /// When the child exits but members of its process group live on (background jobs it
  /// started), end them with the same SIGTERM, grace, SIGKILL ladder.
  bool end_group_on_exit = true;
  /// Called once the child runs, with its pid (which is also its process group id), before
  /// any output is read: a journal records it so that a resumed run can end a leftover group.
  std::function<void(int pid)> on_start{};
  // end::outline[]
};

/// What became of one agent process. A non-zero exit is a result, not an error.
struct process_result {
  using clock_type = std::chrono::steady_clock;

  // tag::outline[]
  std::optional<int> exit_code;  ///< set when the child exited
  std::optional<int> signal;     ///< set when a signal ended it (SIGKILL after the grace: 9)
  end_reason ended_by = end_reason::none;
  clock_type::time_point started;
  clock_type::time_point ended;  ///< when the child was reaped and its output drained
  /// Bytes the child wrote per stream: read by cohort (with `on_line`), else the size of the
  /// output file (0 when discarded; both streams counted as stdout when they share a file).
  std::uint64_t stdout_bytes = 0;
  std::uint64_t stderr_bytes = 0;
  /// The first error cohort met writing an output file (with `on_line`); the pipe was drained.
  error_code output_error;
  int pid = -1;
  int pgid = -1;  ///< equals `pid`: the child leads its own process group
  std::filesystem::path stdout_file, stderr_file, usage_file;  ///< copied from the options

  bool success() const noexcept { return exit_code == 0; }
  clock_type::duration elapsed() const noexcept { return ended - started; }
  // end::outline[]
};

/// "exit 3", "signal 9 (Killed)", with ", deadline" or ", cancelled" appended when cohort ended it.
std::string describe(const process_result& r);

/// `/proc/<pid>/stat` field 22 of a live (or zombie) process, in clock ticks after boot; 0 when
/// there is none. With the pid it names one process: a pid reused later has another start time.
std::uint64_t process_start_time(int pid);

/// Thrown by `run_process` when the awaiting coroutine was cancelled, after the child was ended
/// and reaped. Its code is `boost::asio::error::operation_aborted`, so scopes count it as a
/// cancellation; `result()` tells what became of the child.
class process_cancelled : public system_error {
public:
  explicit process_cancelled(process_result r);
  const process_result& result() const noexcept { return result_; }

private:
  process_result result_;
};

/// Runs one agent process to its end, on a strand of the caller's executor.
/**
 * The child starts through `posix_spawn` in a session of its own (so in its own process group,
 * without a controlling terminal: a read of /dev/tty fails), with an empty signal mask,
 * default signal dispositions and no file descriptor but 0, 1 and 2. Without `on_line` it writes
 * its stdout and stderr to the output files itself (or to /dev/null); with `on_line`, cohort
 * reads both through pipes, concurrently, into the files and the callback, in memory that stays
 * bounded whatever the child prints. Its exit is awaited through a pidfd: no SIGCHLD handler, no thread.
 * Where there is no `pidfd_open` (a kernel before 5.3, a container's seccomp profile that refuses
 * it, valgrind 3.19), a timer on the same strand asks `waitpid(WNOHANG)` instead: every 1 ms at
 * first, then twice as long each time up to 50 ms.
 *
 * When the deadline passes or the awaiting coroutine is cancelled, the whole process group gets
 * SIGTERM, then SIGKILL after `grace`; the coroutine resumes only after the child was reaped and
 * its output drained. That cleanup is shielded: a further cancellation does not cut it short,
 * and the caller's cancellation state is left as it was (still cancelled).
 *
 * @par Errors
 * Start errors throw `system_error` with the system's code and a message naming the program:
 * `no_such_file_or_directory` (program or cwd not found), `permission_denied` (not
 * executable), `not_a_directory` (bad cwd), `too_many_files_open` (out of fds: this launch
 * fails, nothing leaks). `errc::invalid_argument` for an empty `argv` or both `input` and
 * `input_file`. Cancellation throws `process_cancelled` once the child is gone. An exception
 * thrown by `on_line` stops further calls and is rethrown once the child has ended by itself.
 *
 * @par Per-operation cancellation
 * Whatever cancellation the caller's filter lets through (by default `terminal`) ends the child
 * as described above.
 *
 * @par Host requirements
 * The host must not set SIGCHLD to SIG_IGN and must not reap with `waitpid(-1)`.
 *
 * @par Thread safety
 * The process's state, its two pipe readers (children of a scope) and the calls of `on_start`
 * and `on_line` live on one strand: the caller's if it runs on one, else a new strand made from
 * the caller's executor. So the callbacks are never called concurrently, on any executor.
 */
[[nodiscard]] boost::asio::awaitable<process_result> run_process(process_options options);

namespace detail {
/// `run_process` with its errors as codes: a cancellation gives `operation_aborted` and the
/// result; `system_error`s give their code. Anything else (from `on_line`) is thrown.
boost::asio::awaitable<code_and<process_result>> run_process_outcome(process_options options);
} // namespace detail

/// Runs one agent process to its end, as `run_process` does, with any completion token.
/**
 * @par Completion signature
 * `void(error_code, process_result)`. A start error gives its code (the result is empty); a
 * cancellation gives `operation_aborted` with the result of the ended child. An exception
 * thrown by `on_line` escapes from the handler's invocation (from `run()`), as from a handler.
 *
 * @par Per-operation cancellation
 * `terminal`: the child's group is ended (SIGTERM, the grace, SIGKILL), reaped and drained
 * before the handler is called.
 *
 * @par Thread safety
 * The process's state lives on a strand made from `ex`; `on_start` and `on_line` are called
 * there, never concurrently, whatever `ex` is (a multi-threaded `io_context`, a `thread_pool`).
 *
 * @par Example
 * @code
 * cohort::async_run_process(ctx.get_executor(), {.argv = {"make", "-j4"}},
 *     [](cohort::error_code ec, cohort::process_result r) { ... });
 * auto [ec, r] = co_await cohort::async_run_process(ex, options, asio::as_tuple(asio::use_awaitable));
 * @endcode
 */
template <class CompletionToken>
auto async_run_process(const boost::asio::any_io_executor& ex, process_options options,
                       CompletionToken&& token) {
  return boost::asio::async_initiate<CompletionToken, void(error_code, process_result)>(
      detail::initiate_coroutine{ex}, token,
      [o = std::move(options)]() mutable { return detail::run_process_outcome(std::move(o)); });
}

} // namespace cohort

#endif // COHORT_PROCESS_PROCESS_HPP
