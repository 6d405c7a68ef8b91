// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#define BOOST_TEST_MODULE cohort
#include <boost/test/unit_test.hpp>
