// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_PROCESS_HPP
#define COHORT_PROCESS_HPP

// The process layer: one agent process, the token usage and errors it reports.
// Every public header of the layer; no code of its own.

#include <cohort/process/open_files.hpp>
#include <cohort/process/process.hpp>
#include <cohort/process/subreaper.hpp>
#include <cohort/process/usage.hpp>

#endif // COHORT_PROCESS_HPP
