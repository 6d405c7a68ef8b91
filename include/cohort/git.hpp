// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_GIT_HPP
#define COHORT_GIT_HPP

// The git layer: git commands as child processes, and the repository operations of isolation.
#include <cohort/git/git.hpp>
#include <cohort/git/repository.hpp>

#endif // COHORT_GIT_HPP
