// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_HPP
#define COHORT_CORE_HPP

// The core layer: async primitives over any Asio executor: errors, scopes, the semaphore, the pacer.
// Every public header of the layer; no code of its own.

#include <cohort/core/boxed.hpp>
#include <cohort/core/config.hpp>
#include <cohort/core/error.hpp>
#include <cohort/core/markable.hpp>
#include <cohort/core/pacer.hpp>
#include <cohort/core/scope.hpp>
#include <cohort/core/semaphore.hpp>
#include <cohort/core/index_list.hpp>
#include <cohort/core/string_list.hpp>

#endif // COHORT_CORE_HPP
