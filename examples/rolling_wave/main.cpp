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
  // Blocks under 32 MiB (glibc's own ceiling for its moving threshold) come from the heap, and
  // only larger ones (a million tasks' array) are mapped on their own. A big plan's analysis
  // frees and makes 4-20 MB arrays pass after pass: from the heap, a freed array's pages serve
  // the next one, while a mapping of its own is returned when freed and the next one faults in
  // fresh pages, which the kernel must clear (on this virtual machine ~1 ms a MB, a sixth of
  // `rolling-wave plan` on a million tasks). There, 8 alternating rounds against the 1 MiB
  // threshold of before: page faults 22,600 -> 7,800, median 3.37 -> 2.76 s, peak RSS 441 -> 457
  // MB (the arrays of successive passes now share the heap). Fixed, not glibc's moving default,
  // so that the first large blocks are placed as the later ones. The library itself leaves the
  // allocator to the application.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
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
