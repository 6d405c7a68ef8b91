// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_CORE_INDEX_LIST_HPP
#define COHORT_CORE_INDEX_LIST_HPP

#include <cohort/core/config.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <utility>

namespace cohort {

/**
 * A list of 32-bit indexes held by one pointer: its count, its capacity and the indexes share one
 * block, and an empty list holds nothing but a null pointer. A plan's task carries two (its
 * subtasks, its dependencies): 16 bytes where two `std::vector`s took 48 (32 MB on a million
 * tasks, in the array every pass over the plan reads).
 *
 * Contiguous, like a vector (its iterators are pointers: a `std::span<const std::uint32_t>` is
 * made from it), with the part of a vector's interface a list of indexes needs. A value type:
 * copies are deep, moves steal, `==` compares the indexes. Iterators and references are valid
 * until the list grows or is assigned.
 *
 * ```
 * index_list deps{3, 7};
 * deps.push_back(9);
 * for (std::uint32_t d : deps) ...
 * deps.erase(std::remove(deps.begin(), deps.end(), 7u), deps.end());
 * ```
 */
class index_list {
public:
  using value_type = std::uint32_t;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = value_type&;
  using const_reference = const value_type&;
  using pointer = value_type*;
  using const_pointer = const value_type*;
  using iterator = value_type*;
  using const_iterator = const value_type*;
  /// The most indexes a list holds (its count is 32 bits).
  static constexpr size_type max_count = 0xffff'ffff;

  index_list() noexcept = default;
  index_list(std::initializer_list<value_type> values) : index_list(std::span<const value_type>(values)) {}
  explicit index_list(std::span<const value_type> values);
  index_list(const index_list& other) : index_list(std::span<const value_type>(other)) {}
  index_list(index_list&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  index_list& operator=(const index_list& other);
  index_list& operator=(index_list&& other) noexcept {
    if (this != &other) release(std::exchange(block_, std::exchange(other.block_, nullptr)));
    return *this;
  }
  ~index_list() { release(block_); }

  size_type size() const noexcept { return block_ ? block_->size : 0; }
  size_type capacity() const noexcept { return block_ ? block_->capacity : 0; }
  bool empty() const noexcept { return size() == 0; }

  value_type* data() noexcept { return block_ ? values(block_) : nullptr; }
  const value_type* data() const noexcept { return block_ ? values(block_) : nullptr; }
  iterator begin() noexcept { return data(); }
  iterator end() noexcept { return data() + size(); }
  const_iterator begin() const noexcept { return data(); }
  const_iterator end() const noexcept { return data() + size(); }
  const_iterator cbegin() const noexcept { return begin(); }
  const_iterator cend() const noexcept { return end(); }

  value_type& operator[](size_type i) noexcept {
    COHORT_ASSERT(i < size());
    return data()[i];
  }
  const value_type& operator[](size_type i) const noexcept {
    COHORT_ASSERT(i < size());
    return data()[i];
  }
  /// The index at `i`; throws `std::out_of_range` past the end.
  const value_type& at(size_type i) const;
  value_type& front() noexcept { return (*this)[0]; }
  const value_type& front() const noexcept { return (*this)[0]; }
  value_type& back() noexcept { return (*this)[size() - 1]; }
  const value_type& back() const noexcept { return (*this)[size() - 1]; }

  /// Room for `n` indexes in all, allocated at once (to exactly `n` when it grows).
  void reserve(size_type n);
  void push_back(value_type v) {
    if (size() == capacity()) grow();
    values(block_)[block_->size++] = v;
  }
  void pop_back() noexcept {
    COHORT_ASSERT(!empty());
    --block_->size;
  }
  /// Removes `[first, last)`; returns where the first index after them now is.
  iterator erase(const_iterator first, const_iterator last) noexcept;
  /// Empties the list; its block stays for what comes next.
  void clear() noexcept {
    if (block_) block_->size = 0;
  }

  friend bool operator==(const index_list& a, const index_list& b) noexcept { return equal(a, b); }
  friend bool operator==(const index_list& a, std::span<const value_type> b) noexcept { return equal(a, b); }

private:
  struct header {
    std::uint32_t size;
    std::uint32_t capacity;
  };
  static value_type* values(header* h) noexcept { return reinterpret_cast<value_type*>(h + 1); }
  static const value_type* values(const header* h) noexcept { return reinterpret_cast<const value_type*>(h + 1); }
  static header* allocate(size_type capacity);
  static void release(header* h) noexcept;
  static bool equal(std::span<const value_type> a, std::span<const value_type> b) noexcept;
  void grow();
  void reallocate(size_type capacity);

  header* block_ = nullptr;
};

} // namespace cohort

#endif // COHORT_CORE_INDEX_LIST_HPP
