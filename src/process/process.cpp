// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/process/process.hpp>
#include <cohort/process/subreaper.hpp>

#include "common/procfs.hpp"
#include "common/system_errors.hpp"

#include <cohort/core/scope.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace cohort {
namespace asio = boost::asio;
using clock_type = process_result::clock_type;

namespace {

// ---------------------------------------------------------------------------------------------
// File descriptors. Every fd cohort creates is O_CLOEXEC, so that no other launch (ours or the
// host's) inherits it; the child gets its copies through posix_spawn's dup2 actions only.

class unique_fd {
public:
  unique_fd() = default;
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  unique_fd& operator=(unique_fd&& o) noexcept {
    reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~unique_fd() { reset(); }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  explicit operator bool() const noexcept { return fd_ >= 0; }

private:
  int fd_ = -1;  // owned; -1 when empty
};

using detail::last_error;
using detail::system_error_code;

// A parent whose fd 0, 1 or 2 is closed gets them back from pipe2/open; dup2(fd, fd) in the
// child would then keep O_CLOEXEC. Move such fds above the standard three.
unique_fd above_stdio(int fd) {
  if (fd < 0 || fd > 2) return unique_fd(fd);
  unique_fd low(fd);
  return unique_fd(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
}

struct pipe_pair {
  unique_fd read, write;
};

pipe_pair make_pipe(error_code& ec) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ec = last_error();
    return {};
  }
  pipe_pair p{above_stdio(fds[0]), above_stdio(fds[1])};
  if (!p.read || !p.write) ec = last_error();
  return p;
}

// ---------------------------------------------------------------------------------------------
// Start errors: a system_error with the system's code, naming the program.

[[noreturn]] void start_failed(error_code ec, const process_options& o, std::string_view what) {
  throw system_error(ec, fmt::format("cohort::run_process: cannot start \"{}\": {}",
                                     o.argv.empty() ? std::string() : o.argv[0], what));
}

// The child's environment as execve takes it: pointers into the parent's own strings (no copy
// of every inherited variable per launch), then the set ones, which `owned` keeps alive.
struct child_environment {
  std::vector<std::string> owned;
  std::vector<char*> entries;  // nullptr-terminated
};

std::string value_of(const child_environment& env, std::string_view name) {
  for (const char* e : env.entries) {
    const std::string_view kv = e ? e : "";
    if (kv.size() > name.size() && kv.starts_with(name) && kv[name.size()] == '=')
      return std::string(kv.substr(name.size() + 1));
  }
  return {};
}

bool removed(std::string_view name, const process_options& o) {
  for (const auto& n : o.unset_environment)
    if (n == name) return true;
  return o.environment.find(name) != o.environment.end() ||
         (!o.usage_file.empty() && name == "COHORT_USAGE_FILE");
}

// The child's environment: inherited (minus unset and overridden names), then the set ones.
child_environment make_environment(const process_options& o) {
  child_environment env;
  for (char** e = o.inherit_environment ? environ : nullptr; e && *e; ++e) {
    std::string_view kv(*e);
    if (!removed(kv.substr(0, kv.find('=')), o)) env.entries.push_back(*e);
  }
  env.owned.reserve(o.environment.size() + 1);  // no reallocation: entries point into it
  for (const auto& [name, value] : o.environment) env.owned.push_back(name + "=" + value);
  if (!o.usage_file.empty()) env.owned.push_back("COHORT_USAGE_FILE=" + o.usage_file.string());
  for (auto& kv : env.owned) env.entries.push_back(kv.data());
  env.entries.push_back(nullptr);
  return env;
}

// 0 when `p` is an executable regular file; else the errno that execve would give.
int executable(const char* p) {
  struct stat st {};
  if (::stat(p, &st) != 0) return errno;
  if (!S_ISREG(st.st_mode)) return EACCES;
  return ::access(p, X_OK) == 0 ? 0 : errno;
}

// argv[0] resolved the way execvp would, but with the child's PATH and cwd, and with errors
// that say which.
// Plain strings, not filesystem paths: this runs for every launch.
std::string resolve_program(const process_options& o, const child_environment& env) {
  const std::string& name = o.argv[0];
  if (name.find('/') != std::string::npos) {
    const std::string p = name[0] == '/' || o.cwd.empty() ? name : (o.cwd / name).string();
    if (int e = executable(p.c_str())) start_failed(system_error_code(e), o, p);
    return name;
  }
  std::string path = value_of(env, "PATH");
  if (path.empty()) path = "/usr/local/bin:/usr/bin:/bin";
  int found_but = 0;  // errno of a match that could not be run
  std::string p;
  for (std::size_t b = 0, e; b <= path.size(); b = e + 1) {
    e = std::min(path.find(':', b), path.size());
    p.assign(e == b ? std::string_view(".") : std::string_view(path).substr(b, e - b));
    p += '/';
    p += name;
    int err = executable(p.c_str());
    if (err == 0) return p;
    if (err != ENOENT && err != ENOTDIR) found_but = err;
  }
  if (found_but) start_failed(system_error_code(found_but), o, "not executable");
  start_failed(system_error_code(ENOENT), o, "not found in PATH");
}

void check_cwd(const process_options& o) {
  if (o.cwd.empty()) return;
  struct stat st {};
  int e = ::stat(o.cwd.c_str(), &st) != 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
  if (e) start_failed(system_error_code(e), o, "working directory " + o.cwd.string());
}

// ---------------------------------------------------------------------------------------------
// The descriptors the child starts with, opened in the parent so that errors are clear.

// cohort reads a child's output only when someone wants its lines (`on_line`). Otherwise the
// child writes its output files itself, or /dev/null: no pipe, no reader, no copy, nothing to
// drain, and the output is complete even if cohort dies first.
bool reads_output(const process_options& o) { return static_cast<bool>(o.on_line); }

// stdout and stderr go to one file (one open file description: one offset for both).
bool shares_file(const process_options& o) {
  return !o.stderr_file.empty() && o.stderr_file == o.stdout_file;
}

struct child_stdio {
  // /dev/null, for every standard stream that has nothing else (dup2 in the child is cheaper
  // than open, and the parent waits for the child until it execs). Held until the pidfd is
  // open, so that running out of descriptors fails the launch before a child exists.
  unique_fd null;
  unique_fd in;                  // the child's stdin; empty: /dev/null
  pipe_pair out, err;            // when cohort reads: the child writes, cohort reads
  unique_fd out_file, err_file;  // the output files (written by cohort or by the child); empty: discarded
};

unique_fd open_input(const process_options& o) {
  if (o.input && !o.input_file.empty())
    start_failed(errc::invalid_argument, o, "both input and input_file are set");
  if (!o.input_file.empty()) {
    unique_fd fd = above_stdio(::open(o.input_file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) start_failed(last_error(), o, "stdin file " + o.input_file.string());
    return fd;
  }
  if (!o.input) return {};
  // A memfd, not a pipe: any size, no writer coroutine, no SIGPIPE when the child never reads.
  unique_fd fd = above_stdio(::memfd_create("cohort-stdin", MFD_CLOEXEC));
  if (!fd) start_failed(last_error(), o, "stdin buffer");
  for (std::size_t done = 0; done < o.input->size();) {
    ssize_t n = ::write(fd.get(), o.input->data() + done, o.input->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) start_failed(last_error(), o, "stdin buffer");
    done += static_cast<std::size_t>(n);
  }
  ::lseek(fd.get(), 0, SEEK_SET);
  return fd;
}

unique_fd open_output(const process_options& o, const std::filesystem::path& p) {
  if (p.empty()) return {};
  // Never through a link planted in the file's place; readable by this user only.
  unique_fd fd = above_stdio(::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) start_failed(last_error(), o, "output file " + p.string());
  return fd;
}

child_stdio open_stdio(const process_options& o) {
  child_stdio s;
  s.null = above_stdio(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!s.null) start_failed(last_error(), o, "/dev/null");
  s.in = open_input(o);
  if (reads_output(o)) {
    error_code ec;
    s.out = make_pipe(ec);
    if (!ec) s.err = make_pipe(ec);
    if (ec) start_failed(ec, o, "output pipes");
  }
  s.out_file = open_output(o, o.stdout_file);
  if (shares_file(o)) {
    s.err_file = above_stdio(::fcntl(s.out_file.get(), F_DUPFD_CLOEXEC, 3));
    if (!s.err_file) start_failed(last_error(), o, "output file " + o.stderr_file.string());
  } else {
    s.err_file = open_output(o, o.stderr_file);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// posix_spawn: own process group, empty mask, default dispositions, only fds 0-2, cwd.

struct spawn_setup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  spawn_setup() {
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawnattr_init(&attr);
  }
  ~spawn_setup() {
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attr);
  }
  spawn_setup(const spawn_setup&) = delete;
  spawn_setup& operator=(const spawn_setup&) = delete;
};

void prepare(spawn_setup& s, const process_options& o, const child_stdio& io) {
  ::posix_spawn_file_actions_adddup2(&s.actions, io.in ? io.in.get() : io.null.get(), 0);
  auto output = [&](const pipe_pair& pipe, const unique_fd& file, int to) {
    if (pipe.write) ::posix_spawn_file_actions_adddup2(&s.actions, pipe.write.get(), to);
    else if (file) ::posix_spawn_file_actions_adddup2(&s.actions, file.get(), to);
    else ::posix_spawn_file_actions_adddup2(&s.actions, io.null.get(), to);
  };
  output(io.out, io.out_file, 1);
  output(io.err, io.err_file, 2);
  if (!o.cwd.empty()) ::posix_spawn_file_actions_addchdir_np(&s.actions, o.cwd.c_str());
  ::posix_spawn_file_actions_addclosefrom_np(&s.actions, 3);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  // A session of its own (setsid): it leads its process group too, and has no controlling
  // terminal, so reading /dev/tty fails at once instead of stopping it (SIGTTIN) forever, and a
  // closed terminal's SIGHUP reaches the driver, which ends it, not the agent directly.
  ::posix_spawnattr_setsigmask(&s.attr, &none);
  ::posix_spawnattr_setsigdefault(&s.attr, &all);
  ::posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                          POSIX_SPAWN_SETSIGDEF);
}

// execve's argv. It takes `char* const[]` but never writes through them.
std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Ends a child that was started but cannot be supervised: it must not outlive the launch.
void kill_and_reap(pid_t pid) noexcept {
  ::kill(-pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
}

// ---------------------------------------------------------------------------------------------
// The state one run shares with its two reader coroutines and its exit handler. Shared, so
// that whichever of them is destroyed last (an io_context torn down mid-run) frees it.

struct reader {
  output_stream which;
  asio::readable_pipe pipe;
  unique_fd file;
  std::uint64_t bytes = 0;  // read so far; for a file the child writes, its size at the end
  std::string line;      // the current partial line; invariant: size() <= max_line_bytes
  bool skipping = false; // inside a line already delivered as truncated: drop up to '\n'
  bool open = false;     // from the start until EOF or close, when cohort reads this stream

  reader(asio::any_io_executor ex, output_stream w) : which(w), pipe(std::move(ex)) {}
};

struct child_state {
  child_state(asio::any_io_executor ex, process_options o)
      : options(std::move(o)), pidfd(ex), wake(ex), out(ex, output_stream::out),
        err(ex, output_stream::err) {}
  ~child_state() {
    if (!reaped && pid > 0) kill_and_reap(pid);  // abandoned (executor destroyed): no orphan
  }

  process_options options;
  pid_t pid = -1;
  bool reaped = false;        // set by the exit handler; the pid must not be used after it
  std::optional<int> status;  // waitpid's status; empty if it could not be read (ECHILD)
  // The pidfd: readable once the child has exited. Not Boost.Process v2's process handle: its
  // async_wait calls a blocking waitpid on any readiness, and Asio can report a stale one (an
  // event of the previous descriptor whose reactor state was recycled), which freezes the io
  // thread while the child blocks on a full pipe. Here readiness is only a hint: WNOHANG.
  asio::posix::stream_descriptor pidfd;
  // Without a pidfd (no pidfd_open here): the exit is polled for with this timer instead.
  std::optional<asio::steady_timer> poll;
  // A timer used as an event: whoever changes `reaped`, a reader's `open` or the cancellation
  // cancels it, and the supervising coroutine re-checks its condition.
  asio::steady_timer wake;
  reader out, err;
  std::exception_ptr callback_error;  // the first exception from on_line; no calls after it
  error_code output_error;            // the first failed write to an output file
};

void notify(child_state& st) { st.wake.cancel(); }

// ---------------------------------------------------------------------------------------------
// Output: written to the file as read, and split into lines for the callback, memory bounded.

void write_file(reader& r, const char* p, std::size_t n, error_code& out_error) {
  while (r.file && n > 0) {
    ssize_t w = ::write(r.file.get(), p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      if (!out_error) out_error = last_error();
      r.file.reset();  // keep draining the pipe; stop writing
      break;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void deliver(child_state& st, reader& r, std::string_view text, bool truncated) {
  if (!st.options.on_line || st.callback_error) return;
  try {
    st.options.on_line(output_line{r.which, text, truncated});
  } catch (...) {
    st.callback_error = std::current_exception();
  }
}

void split_lines(child_state& st, reader& r, std::string_view chunk) {
  const std::size_t max = std::max<std::size_t>(st.options.max_line_bytes, 1);
  while (!chunk.empty()) {
    const auto nl = chunk.find('\n');
    const auto piece = chunk.substr(0, nl);
    if (!r.skipping) {
      const auto room = max - r.line.size();
      r.line.append(piece.substr(0, room));
      if (piece.size() > room) {
        deliver(st, r, r.line, true);
        r.line.clear();
        r.skipping = true;
      }
    }
    if (nl == std::string_view::npos) return;
    if (!r.skipping) deliver(st, r, r.line, false);
    r.line.clear();
    r.skipping = false;
    chunk.remove_prefix(nl + 1);
  }
}

// Reads one stream to EOF (or until the supervisor cancels the pipe's reads: drain()). Deaf to
// the scope's cancellation: the output after a cancellation is read until the group is ended.
asio::awaitable<void> pump(std::shared_ptr<child_state> st, reader& r) {
  co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
  constexpr std::size_t buffer_bytes = 32 * 1024;
  // Not zeroed: clearing 2 x 32 KiB per launch is the top cost of short agents.
  auto buffer = std::make_unique_for_overwrite<char[]>(buffer_bytes);
  for (;;) {
    auto [ec, n] = co_await r.pipe.async_read_some(asio::buffer(buffer.get(), buffer_bytes),
                                                   asio::as_tuple(asio::use_awaitable));
    r.bytes += n;
    write_file(r, buffer.get(), n, st->output_error);
    if (st->options.on_line) split_lines(*st, r, std::string_view(buffer.get(), n));
    if (ec) break;
  }
  if (!r.line.empty() && !r.skipping) deliver(*st, r, r.line, false);
  error_code ignored;
  r.pipe.close(ignored);
  r.open = false;
  notify(*st);
}

// ---------------------------------------------------------------------------------------------
// Launch: everything that can fail with a clear error happens before posix_spawn.

pid_t spawn_child(const process_options& o, child_stdio& io) {
  auto env = make_environment(o);
  const auto program = resolve_program(o, env);
  check_cwd(o);
  spawn_setup setup;
  prepare(setup, o, io);
  const auto argv = c_strings(o.argv);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, program.c_str(), &setup.actions, &setup.attr, argv.data(), env.entries.data());
  if (rc != 0) start_failed(system_error_code(rc), o, program);
  return pid;
}

void on_pidfd_ready(const std::shared_ptr<child_state>& st, error_code ec);

// The child is gone: `r` is waitpid's answer (also ECHILD, when the host reaped it: the pid is
// gone either way).
void exited(child_state& st, pid_t r, int status) {
  st.reaped = true;
  if (r == st.pid) st.status = status;
  notify(st);
}

void start_exit_wait(const std::shared_ptr<child_state>& st) {
  st->pidfd.async_wait(asio::posix::descriptor_base::wait_read,
                       [st](error_code ec) { on_pidfd_ready(st, ec); });
}

// Without a pidfd: asks again after `every`, each time twice as long up to 50 ms.
void poll_exit(const std::shared_ptr<child_state>& st, std::chrono::milliseconds every) {
  st->poll->expires_after(every);
  st->poll->async_wait([st, every](error_code ec) {
    if (ec == asio::error::operation_aborted) return;  // shutting down: ~child_state reaps
    int status = 0;
    pid_t r;
    while ((r = ::waitpid(st->pid, &status, WNOHANG)) < 0 && errno == EINTR) {}
    if (r == 0) return poll_exit(st, std::min(2 * every, std::chrono::milliseconds(50)));
    exited(*st, r, status);
  });
}

void await_exit(const std::shared_ptr<child_state>& st) {
  if (st->poll) poll_exit(st, std::chrono::milliseconds(1));
  else start_exit_wait(st);
}

// The kernel has no pidfd_open, or a seccomp filter refuses it: the exit is polled for.
bool no_pidfds(int error) noexcept { return error == ENOSYS || error == EPERM || error == EACCES; }

void on_pidfd_ready(const std::shared_ptr<child_state>& st, error_code ec) {
  if (ec == asio::error::operation_aborted) return;  // shutting down: ~child_state reaps
  int status = 0;
  pid_t r;
  while ((r = ::waitpid(st->pid, &status, WNOHANG)) < 0 && errno == EINTR) {}
  if (r == 0 && !ec) return start_exit_wait(st);  // not exited yet: a spurious readiness
  if (r == 0) {  // the pidfd itself failed: end the child rather than lose it
    ::kill(-st->pid, SIGKILL);
    while ((r = ::waitpid(st->pid, &status, 0)) < 0 && errno == EINTR) {}
  }
  exited(*st, r, status);
}

std::shared_ptr<child_state> launch(asio::any_io_executor ex, process_options o, process_result& r) {
  if (o.argv.empty()) throw system_error(errc::invalid_argument, "cohort::run_process: empty argv");
  if (!o.usage_file.empty()) ::unlink(o.usage_file.c_str());
  child_stdio io = open_stdio(o);
  auto st = std::make_shared<child_state>(ex, std::move(o));
  st->pid = spawn_child(st->options, io);
  r.started = clock_type::now();
  io.null.reset();  // its slot is the pidfd's
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, st->pid, 0));  // always O_CLOEXEC
  if (pidfd < 0 && no_pidfds(errno)) {
    st->poll.emplace(ex);
  } else if (pidfd < 0) {
    error_code ec = last_error();
    kill_and_reap(std::exchange(st->pid, -1));
    start_failed(ec, st->options, "pidfd_open");
  } else {
    unique_fd owned_pidfd(pidfd);
    st->pidfd.assign(pidfd);  // if this throws, owned_pidfd closes it and ~child_state reaps
    owned_pidfd.release();
  }
  for (auto [stream, pipe] : {std::pair{&st->out, &io.out}, std::pair{&st->err, &io.err}}) {
    if (!pipe->read) continue;  // the child writes this stream itself
    stream->pipe.assign(pipe->read.get());
    pipe->read.release();
    stream->open = true;
  }
  st->out.file = std::move(io.out_file);
  st->err.file = std::move(io.err_file);
  return st;  // io's write ends and stdin close here: the child holds its own copies
}

// ---------------------------------------------------------------------------------------------
// Supervision.

// Once the leader is reaped, the members it left are the host's children if the host is a
// child subreaper (subreaper.hpp): those that exited are reaped here, or they would stay
// zombies (and keep the group "alive"). Never before: that could take the leader's status.
void reap_members(const child_state& st) {
  if (st.reaped) {
    while (::waitpid(-st.pid, nullptr, WNOHANG) > 0) {
    }
  }
}

bool group_alive(const child_state& st) {
  reap_members(st);
  return ::kill(-st.pid, 0) == 0;
}

bool cancelled(const asio::cancellation_state& cs) {
  return cs.cancelled() != asio::cancellation_type::none;
}

// Waits until `done()` or `until`. Every wake-up (exit, EOF, the caller's cancellation, a
// spurious one) re-checks; the caller's cancellation aborts a wait but never this loop.
template <class Condition>
asio::awaitable<void> wait_until(child_state& st, clock_type::time_point until, Condition done) {
  while (!done() && clock_type::now() < until) {
    st.wake.expires_at(until);
    (void)co_await st.wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

clock_type::time_point after(clock_type::duration d) {
  return d > clock_type::duration::zero() ? clock_type::now() + d : clock_type::time_point::max();
}

// The kill ladder: SIGTERM to the group, the grace, SIGKILL to whatever is left, reap.
asio::awaitable<void> end_group(child_state& st) {
  const pid_t pgid = st.pid;
  ::kill(-pgid, SIGTERM);
  ::kill(-pgid, SIGCONT);  // a stopped member could not act on SIGTERM
  co_await wait_until(st, after(st.options.grace),
                      [&st] { return st.reaped && !st.out.open && !st.err.open; });
  if (group_alive(st)) ::kill(-pgid, SIGKILL);
  co_await wait_until(st, clock_type::time_point::max(), [&st] { return st.reaped; });
  // In a subreaper the members are ours once the leader is gone: reaped as SIGKILL ends them
  // (at most a second: one may be stuck in the kernel). Elsewhere their zombies are init's, and
  // an init that does not reap (a container's) would keep the group "alive": not waited for.
  if (!is_child_subreaper()) co_return;
  const auto until = after(std::chrono::seconds(1));
  while (group_alive(st) && clock_type::now() < until)
    co_await wait_until(st, std::min(until, after(std::chrono::milliseconds(5))), [] { return false; });
}

// Output is complete at EOF; a holder outside the group gets one grace period, then is cut off.
asio::awaitable<void> drain(child_state& st) {
  auto eof = [&st] { return !st.out.open && !st.err.open; };
  co_await wait_until(st, after(st.options.grace), eof);
  error_code ignored;
  st.out.pipe.cancel(ignored);
  st.err.pipe.cancel(ignored);
  co_await wait_until(st, clock_type::time_point::max(), eof);
}

asio::awaitable<void> supervise(child_state& st, process_result& r) {
  auto cs = co_await asio::this_coro::cancellation_state;
  co_await wait_until(st, after(st.options.deadline),
                      [&] { return st.reaped || cancelled(cs); });
  if (!st.reaped) {
    r.ended_by = cancelled(cs) ? end_reason::cancellation : end_reason::deadline;
    co_await end_group(st);
  } else if (st.options.end_group_on_exit && group_alive(st)) {
    co_await end_group(st);  // the leader is gone; its background jobs are not
  }
  co_await drain(st);
}

// The size of an output file the child wrote itself (0 for a discarded stream).
std::uint64_t written(const unique_fd& file) {
  struct stat s {};
  return file && ::fstat(file.get(), &s) == 0 ? static_cast<std::uint64_t>(s.st_size) : 0;
}

void fill_result(const child_state& st, process_result& r) {
  if (st.status && WIFEXITED(*st.status)) r.exit_code = WEXITSTATUS(*st.status);
  if (st.status && WIFSIGNALED(*st.status)) r.signal = WTERMSIG(*st.status);
  r.output_error = st.output_error;
  r.ended = clock_type::now();
  if (reads_output(st.options)) {
    r.stdout_bytes = st.out.bytes;
    r.stderr_bytes = st.err.bytes;
  } else {  // one shared file: both streams' bytes are counted as stdout's
    r.stdout_bytes = written(st.out.file);
    r.stderr_bytes = shares_file(st.options) ? 0 : written(st.err.file);
  }
  r.pid = r.pgid = st.pid;
  r.stdout_file = st.options.stdout_file;
  r.stderr_file = st.options.stderr_file;
  r.usage_file = st.options.usage_file;
}

} // namespace

// tag::run_process[]
asio::awaitable<process_result> run_process(process_options options) {
  auto cs = co_await asio::this_coro::cancellation_state;
  if (cancelled(cs)) throw system_error(asio::error::operation_aborted, "cohort::run_process");
  auto ex = co_await asio::this_coro::executor;
  if (!detail::is_scope_strand(ex)) {
    // The process's state, its readers and on_line live on one strand (co_spawn forwards the
    // caller's cancellation to it).
    co_return co_await asio::co_spawn(detail::make_scope_strand(ex), run_process(std::move(options)),
                                      asio::use_awaitable);
  }
  process_result r;
  auto st = launch(ex, std::move(options), r);
  await_exit(st);
  if (st->options.on_start) st->options.on_start(st->pid);  // before any wait: no output yet
  // The readers are children of a scope, the supervisor its body: the caller's cancellation
  // reaches the supervisor (which ends the group, then drains) and never cuts the readers short.
  try {
    (void)co_await with_scope(scope_policy::isolate, [&st, &r](scope& s) -> asio::awaitable<void> {
      if (reads_output(st->options)) {
        s.spawn(pump(st, st->out));
        s.spawn(pump(st, st->err));
      }
      co_await asio::this_coro::throw_if_cancelled(false);  // the kill ladder must not be cut short
      co_await supervise(*st, r);
    });
  } catch (const system_error& e) {
    if (e.code() != asio::error::operation_aborted) throw;
  }
  fill_result(*st, r);
  if (r.ended_by == end_reason::cancellation) throw process_cancelled(std::move(r));
  if (st->callback_error) std::rethrow_exception(st->callback_error);
  co_return r;
}
// end::run_process[]

asio::awaitable<detail::code_and<process_result>> detail::run_process_outcome(process_options options) {
  // No co_await inside the initializer of the returned aggregate: g++ 12 miscompiles it.
  detail::code_and<process_result> outcome;
  try {
    outcome.value = co_await run_process(std::move(options));
  } catch (const process_cancelled& e) {
    outcome = {e.code(), e.result()};
  } catch (const system_error& e) {
    outcome.code = e.code();
  }
  co_return outcome;
}

process_cancelled::process_cancelled(process_result r)
    : system_error(asio::error::operation_aborted,
                   fmt::format("cohort::run_process: pid {} cancelled", r.pid)),
      result_(std::move(r)) {}

std::string describe(const process_result& r) {
  std::string s = r.exit_code ? fmt::format("exit {}", *r.exit_code)
                  : r.signal  ? fmt::format("signal {} ({})", *r.signal, ::strsignal(*r.signal))
                              : std::string("unknown status");
  if (r.ended_by == end_reason::deadline) s += ", deadline";
  if (r.ended_by == end_reason::cancellation) s += ", cancelled";
  return s;
}

std::uint64_t process_start_time(int pid) {
  if (pid <= 0) return 0;
  const auto s = detail::read_proc_stat(pid);
  return s ? s->start_time : 0;  // a zombie too: its pid is not free until it is reaped
}

} // namespace cohort
