// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_CONFIG_HPP
#define COHORT_CORE_CONFIG_HPP

/// The version of the cohort headers, as major * 10000 + minor * 100 + patch.
#define COHORT_VERSION 100

#include <cassert>

/// Checks a precondition of the caller (a contract violation, never a run-time error).
#define COHORT_ASSERT(expr) assert(expr)

#endif // COHORT_CORE_CONFIG_HPP
