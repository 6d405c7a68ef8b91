// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_BOXED_HPP
#define COHORT_CORE_BOXED_HPP

#include <cohort/core/config.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace cohort {

/// A `T` kept on the heap and made only when it is first written: one pointer in the object that
/// holds it, for a member most objects never set (a task's environment, a report's branch).
/**
 * A value type, like `T` itself: copies are deep, moves steal, `==` compares the values. An
 * empty box reads as a default `T`, and reading never allocates; `edit()` makes the value when
 * it is first needed.
 *
 * ```
 * boxed<std::map<std::string, std::string>> env;
 * if (env->empty()) ...                  // a default map, nothing allocated
 * env.edit()["MODEL"] = "opus";          // allocated here
 * for (const auto& [k, v] : *env) ...
 * ```
 *
 * Not synchronised, like `T`: a box written on one thread is read on another only after the
 * usual hand-over.
 */
template <class T>
class boxed {
  static_assert(std::is_default_constructible_v<T> && std::is_copy_constructible_v<T>);

public:
  using value_type = T;

  boxed() noexcept = default;
  /// A box holding `value` (allocated even if `value` is a default `T`).
  // NOLINTNEXTLINE(google-explicit-constructor): a value converts, as T itself does
  boxed(T value) : value_(std::make_unique<T>(std::move(value))) {}
  boxed(const boxed& other) : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  boxed(boxed&&) noexcept = default;
  boxed& operator=(const boxed& other) {
    if (this != &other) value_ = other.value_ ? std::make_unique<T>(*other.value_) : nullptr;
    return *this;
  }
  boxed& operator=(boxed&&) noexcept = default;
  boxed& operator=(T value) {
    edit() = std::move(value);
    return *this;
  }
  ~boxed() = default;

  /// The value; a default `T` (shared, never written) when the box is empty.
  const T& operator*() const noexcept { return value_ ? *value_ : empty_value(); }
  const T* operator->() const noexcept { return &**this; }
  /// The value to write, made now if the box is empty.
  T& edit() {
    if (!value_) value_ = std::make_unique<T>();
    return *value_;
  }
  /// True once a value was made (by `edit()`, construction or assignment), even a default one.
  bool has_value() const noexcept { return value_ != nullptr; }
  /// Empties the box (it reads as a default `T` again).
  void reset() noexcept { value_.reset(); }

  friend bool operator==(const boxed& a, const boxed& b) { return *a == *b; }

private:
  static const T& empty_value() noexcept {
    static const T empty{};
    return empty;
  }

  std::unique_ptr<T> value_;
};

} // namespace cohort

#endif
