// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_STRING_LIST_HPP
#define COHORT_CORE_STRING_LIST_HPP

#include <cohort/core/config.hpp>

#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {

/// A list of strings kept in one allocation: the words of a command, the globs a task owns.
/**
 * A `std::vector<std::string>` of three short words is four allocations' worth of memory (the
 * vector's array of 32-byte strings); a plan of a million tasks carries one per job. Here the
 * words and their lengths share one block, and an empty list holds nothing but a null pointer.
 * The list is written whole (made from a vector, a span or a braced list) and read as
 * `std::string_view`s, valid until it is next assigned. A value type: copies are deep, moves
 * steal, `==` compares the words.
 *
 * ```
 * string_list argv{"claude", "-p", "do 12"};
 * for (std::string_view word : argv) ...
 * std::vector<std::string> words = argv.to_vector();  // what a process is started from
 * ```
 */
class string_list {
public:
  class iterator;
  using value_type = std::string_view;
  using size_type = std::size_t;
  using const_iterator = iterator;
  /// The most a list may hold, in bytes of its words together: lengths are kept in 32 bits.
  static constexpr std::size_t max_bytes = 0xffff'ffff;

  string_list() noexcept = default;
  /// Throw `std::length_error` for words of `max_bytes` or more together.
  string_list(std::initializer_list<std::string_view> words);
  string_list(std::span<const std::string_view> words);
  string_list(std::span<const std::string> words);
  /// Implicit, as a list is most often made from the vector a parser or a caller has.
  string_list(const std::vector<std::string>& words) : string_list(std::span<const std::string>(words)) {}
  string_list(const string_list& other);
  string_list(string_list&&) noexcept = default;
  string_list& operator=(const string_list& other);
  string_list& operator=(string_list&&) noexcept = default;
  ~string_list() = default;

  size_type size() const noexcept;
  bool empty() const noexcept { return !block_; }
  std::string_view operator[](size_type i) const noexcept;
  std::string_view front() const noexcept { return (*this)[0]; }
  std::string_view back() const noexcept { return (*this)[size() - 1]; }
  iterator begin() const noexcept;
  iterator end() const noexcept;

  /// The words as strings of their own (what `process_options::argv` takes).
  std::vector<std::string> to_vector() const;
  void clear() noexcept { block_.reset(); }

  friend bool operator==(const string_list& a, const string_list& b) noexcept;
  friend bool operator==(const string_list& a, const std::vector<std::string>& b) noexcept;

private:
  // [count][the end of each word, from the start of the text][the words, no terminators], the
  // counts as std::uint32_t. Null when the list is empty.
  std::unique_ptr<char[]> block_;
};

/// A random-access iterator over a list's words, each read as a `std::string_view`.
class string_list::iterator {
public:
  using iterator_concept = std::random_access_iterator_tag;
  using iterator_category = std::input_iterator_tag;  // its reference is a value
  using value_type = std::string_view;
  using difference_type = std::ptrdiff_t;
  using reference = std::string_view;

  iterator() noexcept = default;
  std::string_view operator*() const noexcept { return (*list_)[i_]; }
  std::string_view operator[](difference_type n) const noexcept { return (*list_)[i_ + n]; }
  iterator& operator++() noexcept { return ++i_, *this; }
  iterator operator++(int) noexcept { auto old = *this; ++i_; return old; }
  iterator& operator--() noexcept { return --i_, *this; }
  iterator operator--(int) noexcept { auto old = *this; --i_; return old; }
  iterator& operator+=(difference_type n) noexcept { return i_ += n, *this; }
  iterator& operator-=(difference_type n) noexcept { return i_ -= n, *this; }
  friend iterator operator+(iterator it, difference_type n) noexcept { return it += n; }
  friend iterator operator+(difference_type n, iterator it) noexcept { return it += n; }
  friend iterator operator-(iterator it, difference_type n) noexcept { return it -= n; }
  friend difference_type operator-(const iterator& a, const iterator& b) noexcept {
    return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
  }
  friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.i_ == b.i_; }
  friend auto operator<=>(const iterator& a, const iterator& b) noexcept { return a.i_ <=> b.i_; }

private:
  friend class string_list;
  iterator(const string_list* list, std::size_t i) noexcept : list_(list), i_(i) {}
  const string_list* list_ = nullptr;
  std::size_t i_ = 0;
};

inline string_list::iterator string_list::begin() const noexcept { return {this, 0}; }
inline string_list::iterator string_list::end() const noexcept { return {this, size()}; }

static_assert(std::random_access_iterator<string_list::iterator>);

} // namespace cohort

#endif // COHORT_CORE_STRING_LIST_HPP
