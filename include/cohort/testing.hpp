// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_TESTING_HPP
#define COHORT_TESTING_HPP

// The testing layer: test doubles for users: the fake launcher.
// Every public header of the layer; no code of its own.

#include <cohort/testing/fake_launcher.hpp>

#endif // COHORT_TESTING_HPP
