// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// rolling-wave: runs AI coding agents over a Task Master plan with cohort, and shows it.
// `rolling-wave --help` and the README say how; with no argument it runs the built-in demo.
// Built on cohort's public API only.
#include "cli.hpp"
#include "isolation.hpp"
#include "run.hpp"

#include <cohort/core/config.hpp>
#include <cohort/view/terminal_text.hpp>

#include <fmt/core.h>

#include <malloc.h>

#include <exception>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  // Blocks of 1 MiB and more mapped on their own, returned to the system when freed. glibc's
  // default threshold rises to 32 MB as the first large blocks are freed, after which a big
  // plan's arrays (10 MB each on a million tasks) come from the heap, where a freed array's pages
  // stay with the process: the analysis' passes then add up instead of taking turns. Peak RSS of
  // `rolling-wave plan` on a million tasks: 523 -> 493 MB. Each such block being a mapping of its
  // own is also what lets huge_pages.cpp advise it alone. The library itself leaves the
  // allocator to the application.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  const std::vector<std::string> raw(argv + 1, argv + argc);
  try {
    rolling_wave::arguments a = rolling_wave::parse_arguments(raw);
    switch (a.cmd) {
      case rolling_wave::command::help: fmt::print("{}", rolling_wave::help_text()); return 0;
      case rolling_wave::command::version: fmt::print("rolling-wave (cohort {}.{}.{})\n", COHORT_VERSION / 10000, COHORT_VERSION / 100 % 100, COHORT_VERSION % 100); return 0;
      case rolling_wave::command::plan: return rolling_wave::plan_command(a);
      case rolling_wave::command::status: return rolling_wave::status_command(a);
      case rolling_wave::command::resume: return rolling_wave::resume_command(std::move(a), raw);
      case rolling_wave::command::clean: return rolling_wave::clean_command(a);
      default: return rolling_wave::run_command(std::move(a), raw);
    }
  } catch (const rolling_wave::usage_error& e) {
    fmt::print(stderr, "rolling-wave: {}\n", cohort::terminal_safe(e.what(), true));
    return rolling_wave::bad_input;
  } catch (const std::exception& e) {
    // Messages quote the plan (ids, references, file names): shown inert.
    fmt::print(stderr, "rolling-wave: {}\n", cohort::terminal_safe(e.what(), true));
    return rolling_wave::bad_input;
  }
}
