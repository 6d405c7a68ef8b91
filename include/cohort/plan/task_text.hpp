// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_PLAN_TASK_TEXT_HPP
#define COHORT_PLAN_TASK_TEXT_HPP

#include <cohort/core/config.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace cohort {

/// What a task says, as opposed to what it does: its prose, its priority and the members of its
/// source object cohort does not model. No pass of the scheduler reads it; a prompt, a report
/// and a write-back do.
/**
 * The five texts live in one allocation, made when they are set, so a task carries one pointer
 * for all of them (none when every text is empty) and a plan of a million tasks does not walk
 * 160 bytes of strings per task on every pass. Reading gives `std::string_view`s into that
 * block, valid until the next `set_*` or assignment. A value type: copies are deep, moves steal.
 *
 * ```
 * t.text.set_description("Move billing to the new provider.");
 * fmt::print("{}\n", t.text.description());
 * ```
 */
class task_text {
public:
  /// The texts, in the order they are stored.
  enum class field : std::uint8_t { description, details, test_strategy, priority, extra };
  static constexpr std::size_t field_count = 5;
  /// Every text, indexed by `field`.
  using texts = std::array<std::string_view, field_count>;
  /// The longest a text may be: its length is kept in 32 bits.
  static constexpr std::size_t max_length = 0xffff'ffff;
  /// `f`'s place in `all` (what a loader fills before it makes the block).
  static std::string_view& slot(texts& all, field f) noexcept { return all[static_cast<std::size_t>(f)]; }

  task_text() noexcept = default;
  /// All of them at once: one allocation (what a loader calls). Throws `std::length_error` for a
  /// text longer than `max_length`.
  explicit task_text(const texts& all);
  /// The same without throwing: empty when a text is longer than `max_length`.
  static std::optional<task_text> make(const texts& all);
  task_text(const task_text& other);
  task_text(task_text&&) noexcept = default;
  task_text& operator=(const task_text& other);
  task_text& operator=(task_text&&) noexcept = default;
  ~task_text() = default;

  /// Task Master's `description`.
  std::string_view description() const noexcept { return (*this)[field::description]; }
  /// Task Master's `details`.
  std::string_view details() const noexcept { return (*this)[field::details]; }
  /// Task Master's `testStrategy`.
  std::string_view test_strategy() const noexcept { return (*this)[field::test_strategy]; }
  /// "high", "medium", "low" or empty.
  std::string_view priority() const noexcept { return (*this)[field::priority]; }
  /// Every member of the source object cohort does not model, as the text of one JSON object
  /// (`{"assignee":"ana","phase":2}`; empty when there is none): kept for write-back and for
  /// whoever reads them, parsed by nobody on the way (`boost::json::parse(t.text.extra())`).
  std::string_view extra() const noexcept { return (*this)[field::extra]; }

  std::string_view operator[](field f) const noexcept;
  texts all() const noexcept;

  /// Replaces one text; the block is made again at its new size (the others are copied).
  void set(field f, std::string_view text);
  void set_description(std::string_view text) { set(field::description, text); }
  void set_details(std::string_view text) { set(field::details, text); }
  void set_test_strategy(std::string_view text) { set(field::test_strategy, text); }
  void set_priority(std::string_view text) { set(field::priority, text); }
  void set_extra(std::string_view text) { set(field::extra, text); }

  /// True when every text is empty (nothing is allocated).
  bool empty() const noexcept { return !block_; }

  friend bool operator==(const task_text& a, const task_text& b) noexcept {
    return a.all() == b.all();
  }

private:
  // [field_count lengths as std::uint32_t][the texts, one after another, no terminators]
  std::unique_ptr<char[]> block_;
};

} // namespace cohort

#endif
