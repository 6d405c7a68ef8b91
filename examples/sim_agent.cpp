// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// cohort-sim-agent: a program that behaves like an AI coding agent, for tests, the demo and
// benchmarks. Plain C++ and POSIX. With no option it exits 0 at once (a `true`).
//
//   --sleep MS             sleep MS milliseconds, times the time scale
//   --time-scale F         scale every sleep by F (default: $COHORT_TIME_SCALE, else 1)
//   --progress N           print N lines "progress i/N" to stdout, spread over the sleep
//   --interleave N         print "out i" to stdout and "err i" to stderr, alternately
//   --exit CODE            exit with CODE (default 0)
//   --signal SIG           die by signal SIG (a number) at the end
//   --ignore-sigterm       ignore SIGTERM
//   --ready                print "ready PID" once the grandchildren exist and SIGTERM is ignored
//   --grandchildren K      fork K processes that ignore SIGTERM and sleep (--grandchild-sleep MS,
//                          default 600000); their pids go to stdout as "grandchild PID"
//   --flood-stdout BYTES   write BYTES bytes to stdout, lines of 99 'x' and a newline
//   --flood-stderr BYTES   same on stderr
//   --long-line BYTES      write one line of BYTES 'y' to stdout
//   --tokens IN,OUT        the token counts to report (default 1000,200)
//   --cost USD             the cost to report (default 0.01)
//   --usage json|stream-json   print a Claude Code result object on stdout in that format
//   --usage-file           write the usage to $COHORT_USAGE_FILE
//   --rate-limit           report a rate limit: the Claude error shape (with --usage) and exit 75
//   --echo-stdin           copy stdin to stdout
//   --print-env NAME       print "NAME=value" (or "NAME unset"); may be repeated
//   --print-cwd            print the working directory
//   --print-fds            print the open file descriptors, e.g. "fds 0 1 2"
//
// Actions run in the order listed above the fold: grandchildren, then what prints, then the
// sleep, the floods, the usage, and last the exit or the signal.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <dirent.h>
#include <unistd.h>

namespace {

struct options {
  double sleep_ms = 0, scale = 1, grandchild_sleep_ms = 600000;
  long progress = 0, interleave = 0, exit_code = 0, signal = 0, grandchildren = 0;
  long long flood_out = 0, flood_err = 0, long_line = 0;
  long long in_tokens = 1000, out_tokens = 200;
  double cost = 0.01;
  std::string usage;
  std::vector<std::string> print_env;
  bool ignore_sigterm = false, usage_file = false, rate_limit = false, echo_stdin = false,
       print_cwd = false, print_fds = false, ready = false;
};

void write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void say(int fd, const std::string& s) { write_all(fd, s.data(), s.size()); }

void sleep_ms(double ms) {
  if (ms <= 0) return;
  timespec t{static_cast<time_t>(ms / 1000), static_cast<long>((ms - static_cast<double>(static_cast<long long>(ms / 1000)) * 1000) * 1e6)};
  while (::nanosleep(&t, &t) != 0 && errno == EINTR) {}
}

[[noreturn]] void usage_error(const char* what) {
  std::fprintf(stderr, "cohort-sim-agent: bad option %s\n", what);
  std::exit(2);
}

options parse(int argc, char** argv) {
  options o;
  if (const char* s = std::getenv("COHORT_TIME_SCALE")) o.scale = std::atof(s);
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : (usage_error(argv[i]), ""); };
    if (a == "--sleep") o.sleep_ms = std::atof(next());
    else if (a == "--time-scale") o.scale = std::atof(next());
    else if (a == "--progress") o.progress = std::atol(next());
    else if (a == "--interleave") o.interleave = std::atol(next());
    else if (a == "--exit") o.exit_code = std::atol(next());
    else if (a == "--signal") o.signal = std::atol(next());
    else if (a == "--ignore-sigterm") o.ignore_sigterm = true;
    else if (a == "--ready") o.ready = true;
    else if (a == "--grandchildren") o.grandchildren = std::atol(next());
    else if (a == "--grandchild-sleep") o.grandchild_sleep_ms = std::atof(next());
    else if (a == "--flood-stdout") o.flood_out = std::atoll(next());
    else if (a == "--flood-stderr") o.flood_err = std::atoll(next());
    else if (a == "--long-line") o.long_line = std::atoll(next());
    else if (a == "--tokens") {
      const char* t = next();
      o.in_tokens = std::atoll(t);
      if (const char* c = std::strchr(t, ',')) o.out_tokens = std::atoll(c + 1);
    } else if (a == "--cost") o.cost = std::atof(next());
    else if (a == "--usage") o.usage = next();
    else if (a == "--usage-file") o.usage_file = true;
    else if (a == "--rate-limit") o.rate_limit = true;
    else if (a == "--echo-stdin") o.echo_stdin = true;
    else if (a == "--print-env") o.print_env.emplace_back(next());
    else if (a == "--print-cwd") o.print_cwd = true;
    else if (a == "--print-fds") o.print_fds = true;
    else usage_error(argv[i]);
  }
  return o;
}

// Grandchildren inherit SIG_IGN from the fork itself: no moment in which SIGTERM would end them.
void fork_grandchildren(const options& o) {
  if (o.grandchildren > 0) ::signal(SIGTERM, SIG_IGN);
  for (long i = 0; i < o.grandchildren; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      sleep_ms(o.grandchild_sleep_ms * o.scale);
      ::_exit(0);
    }
    if (pid > 0) say(1, "grandchild " + std::to_string(pid) + "\n");
  }
  ::signal(SIGTERM, o.ignore_sigterm ? SIG_IGN : SIG_DFL);
}

void print_fds() {
  std::string line = "fds";
  DIR* d = ::opendir("/proc/self/fd");
  const int own = d ? ::dirfd(d) : -1;
  std::vector<int> fds;
  while (dirent* e = d ? ::readdir(d) : nullptr) {
    if (e->d_name[0] != '.' && std::atoi(e->d_name) != own) fds.push_back(std::atoi(e->d_name));
  }
  if (d) ::closedir(d);
  std::sort(fds.begin(), fds.end());
  for (int fd : fds) line += " " + std::to_string(fd);
  say(1, line + "\n");
}

void report_environment(const options& o) {
  if (o.print_cwd) {
    char buf[4096];
    say(1, std::string("cwd ") + (::getcwd(buf, sizeof buf) ? buf : "?") + "\n");
  }
  for (const auto& name : o.print_env) {
    const char* v = std::getenv(name.c_str());
    say(1, name + (v ? std::string("=") + v : std::string(" unset")) + "\n");
  }
  if (o.print_fds) print_fds();
  if (o.echo_stdin) {
    char buf[65536];
    for (ssize_t n; (n = ::read(0, buf, sizeof buf)) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      write_all(1, buf, static_cast<std::size_t>(n));
    }
  }
}

void progress_and_sleep(const options& o) {
  for (long i = 0; i < o.interleave; ++i) {
    say(1, "out " + std::to_string(i) + "\n");
    say(2, "err " + std::to_string(i) + "\n");
  }
  const double total = o.sleep_ms * o.scale;
  for (long i = 1; i <= o.progress; ++i) {
    sleep_ms(total / static_cast<double>(o.progress + 1));
    say(1, "progress " + std::to_string(i) + "/" + std::to_string(o.progress) + "\n");
  }
  sleep_ms(o.progress > 0 ? total / static_cast<double>(o.progress + 1) : total);
}

void flood(int fd, long long bytes, char c, bool lines) {
  std::string block(64000, c);  // whole lines of 100 bytes
  if (lines)
    for (std::size_t i = 99; i < block.size(); i += 100) block[i] = '\n';
  while (bytes > 0) {
    const auto n = static_cast<std::size_t>(std::min<long long>(bytes, static_cast<long long>(block.size())));
    write_all(fd, block.data(), n);
    bytes -= static_cast<long long>(n);
  }
}

std::string claude_result(const options& o) {
  const bool err = o.rate_limit;
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "{\"type\":\"result\",\"subtype\":\"%s\",\"is_error\":%s,\"duration_ms\":1234,"
                "\"num_turns\":3,\"result\":\"%s\",\"session_id\":\"sim-%d\","
                "\"total_cost_usd\":%.4f,\"usage\":{\"input_tokens\":%lld,"
                "\"cache_creation_input_tokens\":10,\"cache_read_input_tokens\":20,"
                "\"output_tokens\":%lld,\"service_tier\":\"standard\"}}",
                err ? "error_during_execution" : "success", err ? "true" : "false",
                err ? "API Error: 429 {\\\"type\\\":\\\"error\\\",\\\"error\\\":{\\\"type\\\":"
                      "\\\"rate_limit_error\\\",\\\"message\\\":\\\"Rate limited\\\"}}"
                    : "Done.",
                static_cast<int>(::getpid()), o.cost, o.in_tokens, o.out_tokens);
  return buf;
}

void report_usage(const options& o) {
  if (o.usage == "json") say(1, claude_result(o) + "\n");
  if (o.usage == "stream-json") {
    say(1, "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"sim\"}\n");
    say(1, "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}}\n");
    say(1, claude_result(o) + "\n");
  }
  const char* path = std::getenv("COHORT_USAGE_FILE");
  if (o.usage_file && path) {
    FILE* f = std::fopen(path, "w");
    if (!f) return;
    std::fprintf(f, "{\"input_tokens\":%lld,\"output_tokens\":%lld,\"cost_usd\":%.4f,"
                 "\"rate_limited\":%s}\n", o.in_tokens, o.out_tokens, o.cost,
                 o.rate_limit ? "true" : "false");
    std::fclose(f);
  }
}

} // namespace

int main(int argc, char** argv) {
  const options o = parse(argc, argv);
  fork_grandchildren(o);
  if (o.ready) say(1, "ready " + std::to_string(::getpid()) + "\n");
  report_environment(o);
  progress_and_sleep(o);
  flood(1, o.flood_out, 'x', true);
  flood(2, o.flood_err, 'e', true);
  if (o.long_line > 0) {
    flood(1, o.long_line, 'y', false);
    say(1, "\n");
  }
  report_usage(o);
  if (o.signal > 0) {
    ::signal(static_cast<int>(o.signal), SIG_DFL);
    ::raise(static_cast<int>(o.signal));
  }
  return o.rate_limit ? 75 : static_cast<int>(o.exit_code);
}
