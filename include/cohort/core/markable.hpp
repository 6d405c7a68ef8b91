// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_MARKABLE_HPP
#define COHORT_CORE_MARKABLE_HPP

#include <cohort/core/config.hpp>

#include <chrono>
#include <limits>
#include <optional>
#include <type_traits>

namespace cohort {

/// The value of `T` that marks "no value" in a `markable<T>`: one no caller means as a value.
template <class T>
struct markable_none;

/// A count or an index (tokens, a task's parent): the largest, which nothing counts up to.
template <class T>
  requires std::is_integral_v<T> && std::is_unsigned_v<T>
struct markable_none<T> {
  static constexpr T value = std::numeric_limits<T>::max();
};

/// A duration or a time from a start: the most negative, which no estimate or schedule holds.
template <class Rep, class Period>
struct markable_none<std::chrono::duration<Rep, Period>> {
  static constexpr std::chrono::duration<Rep, Period> value = std::chrono::duration<Rep, Period>::min();
};

/// An optional `T` the size of a `T`: one value of `T` (`markable_none<T>::value`) marks "none".
/**
 * `std::optional<std::chrono::milliseconds>` is 16 bytes for 8 of value; a plan of a million
 * tasks holds a few per task. A `markable` reads and writes as the optional it replaces
 * (`if (d)`, `*d`, `d->count()`, `d.value_or(x)`, `d = x`, `d = std::nullopt`) and converts to
 * and from one. Storing the marking value itself is a precondition violation (asserted): the
 * loaders never produce it (durations are not negative, token counts stay below 1.8e19).
 *
 * ```
 * markable<std::chrono::milliseconds> d;    // none
 * d = std::chrono::minutes(25);
 * if (d) fmt::print("{} ms\n", d->count());
 * ```
 */
template <class T>
class markable {
public:
  using value_type = T;
  static constexpr T none = markable_none<T>::value;

  constexpr markable() noexcept = default;
  constexpr markable(std::nullopt_t) noexcept {}
  constexpr markable(T v) noexcept : v_(v) { COHORT_ASSERT(!(v == none)); }
  /// What converts to a `T` implicitly (minutes to milliseconds, an int to a count).
  template <class U>
    requires std::is_convertible_v<const U&, T> && (!std::is_same_v<U, T>)
  constexpr markable(const U& v) noexcept : markable(T(v)) {}
  constexpr markable(const std::optional<T>& o) noexcept : v_(o ? *o : none) { COHORT_ASSERT(!o || !(*o == none)); }

  constexpr bool has_value() const noexcept { return !(v_ == none); }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  constexpr const T& operator*() const noexcept { return COHORT_ASSERT(has_value()), v_; }
  constexpr const T* operator->() const noexcept { return COHORT_ASSERT(has_value()), &v_; }
  constexpr const T& value() const {
    if (!has_value()) throw std::bad_optional_access();
    return v_;
  }
  constexpr T value_or(T other) const noexcept { return has_value() ? v_ : other; }
  constexpr void reset() noexcept { v_ = none; }
  constexpr operator std::optional<T>() const noexcept {
    return has_value() ? std::optional<T>(v_) : std::nullopt;
  }

  friend constexpr bool operator==(const markable& a, const markable& b) noexcept { return a.v_ == b.v_; }
  friend constexpr bool operator==(const markable& a, const T& b) noexcept { return a.has_value() && a.v_ == b; }
  friend constexpr bool operator==(const markable& a, std::nullopt_t) noexcept { return !a.has_value(); }

private:
  T v_ = none;
};

} // namespace cohort

#endif // COHORT_CORE_MARKABLE_HPP
