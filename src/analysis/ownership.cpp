// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/analysis/ownership.hpp>

#include <cohort/analysis/analysis.hpp>

#include "graph_passes.hpp"

#include <bitset>
#include <cstdint>
#include <deque>
#include <utility>

namespace cohort {
namespace {

using char_set = std::bitset<256>;

// A glob compiles to a sequence of tokens; the automaton's states are (token index, flag).
enum class op : std::uint8_t {
  one,       // one character of `set`
  many,      // any run of characters of `set` (`*`: non-slash; trailing `**`: all)
  segments,  // `**/`: any number of non-empty segments, each with its '/'
};

struct token {
  op kind;
  char_set set;
};

char_set all_chars() { return char_set().set(); }
char_set not_slash() { return all_chars().reset('/'); }
char_set only(unsigned char c) { return char_set().set(c); }

// Parses `[...]` at `glob[i]`; returns the class (never '/') and moves `i` past it, or nothing
// (an unclosed '[' is literal).
std::optional<char_set> parse_class(std::string_view glob, std::size_t& i) {
  std::size_t j = i + 1;
  const bool negate = j < glob.size() && (glob[j] == '!' || glob[j] == '^');
  if (negate) ++j;
  char_set set;
  for (bool first = true; j < glob.size() && (first || glob[j] != ']'); first = false) {
    const auto lo = static_cast<unsigned char>(glob[j]);
    if (j + 2 < glob.size() && glob[j + 1] == '-' && glob[j + 2] != ']') {
      for (unsigned c = lo; c <= static_cast<unsigned char>(glob[j + 2]); ++c) set.set(c);
      j += 3;
    } else {
      set.set(lo);
      ++j;
    }
  }
  if (j >= glob.size()) return std::nullopt;
  i = j + 1;
  if (negate) set.flip();
  return set & not_slash();
}

void compile_segment(std::string_view seg, std::vector<token>& out) {
  if (!seg.empty() && seg.find_first_not_of('*') == std::string_view::npos) {  // a name
    out.push_back({op::one, not_slash()});
    out.push_back({op::many, not_slash()});
    return;
  }
  for (std::size_t i = 0; i < seg.size();) {
    const char c = seg[i];
    if (c == '*') {
      if (out.empty() || out.back().kind != op::many) out.push_back({op::many, not_slash()});
      ++i;
    } else if (c == '?') {
      out.push_back({op::one, not_slash()});
      ++i;
    } else if (auto set = c == '[' ? parse_class(seg, i) : std::nullopt) {
      out.push_back({op::one, *set});
    } else {
      if (c == '\\' && i + 1 < seg.size()) ++i;
      out.push_back({op::one, only(static_cast<unsigned char>(seg[i]))});
      ++i;
    }
  }
}

std::vector<token> compile(std::string_view glob) {
  std::string text(glob);
  while (text.starts_with("./")) text.erase(0, 2);
  if (text.ends_with('/')) text += "**";
  std::vector<token> out;
  std::size_t begin = 0;
  for (bool more = true; more;) {
    const std::size_t end = text.find('/', begin);
    more = end != std::string::npos;
    const std::string_view seg = std::string_view(text).substr(begin, more ? end - begin : std::string::npos);
    begin = end + 1;
    if (seg == "**" && more) {
      out.push_back({op::segments, {}});
      continue;  // the '/' is part of it
    }
    if (seg == "**") {
      out.push_back({op::one, not_slash()});
      out.push_back({op::many, all_chars()});
    } else {
      compile_segment(seg, out);
    }
    if (more) out.push_back({op::one, only('/')});
  }
  return out;
}

using state = std::uint32_t;  // 2 * token index + flag (flag: inside a `**/` segment)

struct transition {
  char_set set;
  state to;
};

// The states reachable from `s` without reading a character (including `s`).
void closure(const std::vector<token>& g, state s, std::vector<state>& out) {
  out.push_back(s);
  for (std::size_t i = s / 2; s % 2 == 0 && i < g.size() && g[i].kind != op::one; ++i) {
    out.push_back(static_cast<state>(2 * (i + 1)));
  }
}

bool accepting(const std::vector<token>& g, state s) { return s == 2 * g.size(); }

// The transitions that read one character from `s` (at most two).
std::vector<transition> moves(const std::vector<token>& g, state s) {
  const std::size_t i = s / 2;
  if (i >= g.size()) return {};
  const token& t = g[i];
  const auto here = static_cast<state>(2 * i), next = static_cast<state>(2 * (i + 1));
  switch (t.kind) {
    case op::one: return {{t.set, next}};
    case op::many: return {{t.set, here}};
    case op::segments:
      if (s % 2 == 0) return {{not_slash(), here + 1}};
      return {{not_slash(), here + 1}, {only('/'), here}};
  }
  return {};
}

// A readable character of `set`: a lowercase letter or digit if there is one.
char pick(const char_set& set) {
  for (const char c : std::string_view("abcdefghijklmnopqrstuvwxyz0123456789._-")) {
    if (set.test(static_cast<unsigned char>(c))) return c;
  }
  for (std::size_t c = 0; c < 256; ++c) {
    if (set.test((c + 32) % 256)) return static_cast<char>((c + 32) % 256);  // printable first
  }
  return '\0';
}

// Breadth-first search of the product automaton; the path to the first accepting pair.
std::optional<std::string> shortest_common(const std::vector<token>& a, const std::vector<token>& b) {
  const std::size_t nb = 2 * b.size() + 2;
  struct visit {
    std::size_t from;
    char c;
  };
  std::vector<std::optional<visit>> seen((2 * a.size() + 2) * nb);
  std::deque<std::size_t> queue{0};
  seen[0] = visit{0, 0};
  std::vector<state> ca, cb;
  while (!queue.empty()) {
    const std::size_t at = queue.front();
    queue.pop_front();
    ca.clear();
    cb.clear();
    closure(a, static_cast<state>(at / nb), ca);
    closure(b, static_cast<state>(at % nb), cb);
    for (state x : ca) {
      for (state y : cb) {
        if (accepting(a, x) && accepting(b, y)) {
          std::string path;
          for (std::size_t v = at; v != 0; v = seen[v]->from) path.insert(path.begin(), seen[v]->c);
          return path;
        }
        for (const auto& mx : moves(a, x)) {
          for (const auto& my : moves(b, y)) {
            const char_set both = mx.set & my.set;
            const std::size_t to = mx.to * nb + my.to;
            if (both.none() || seen[to]) continue;
            seen[to] = visit{at, pick(both)};
            queue.push_back(to);
          }
        }
      }
    }
  }
  return std::nullopt;
}

// True if `to` is reachable from `from` over the graph and the extra edges.
bool ordered(const job_graph& g, const std::vector<std::vector<std::uint32_t>>& extra,
             std::uint32_t from, std::uint32_t to, std::vector<std::uint32_t>& stack,
             std::vector<std::uint8_t>& seen) {
  stack.assign(1, from);
  seen.assign(g.size(), 0);
  while (!stack.empty()) {
    const std::uint32_t v = stack.back();
    stack.pop_back();
    if (v == to) return true;
    if (seen[v]) continue;
    seen[v] = 1;
    for (std::uint32_t s : g.successors(v)) stack.push_back(s);
    for (std::uint32_t s : extra[v]) stack.push_back(s);
  }
  return false;
}

// Answers "does the DAG (plus the edges added so far) order these two tasks?".
class order_oracle {
public:
  order_oracle(const plan& p, const job_graph& g) : p_(p), g_(g), extra_(g_.size()) {}

  bool related(task_index a, task_index b) {
    if (p_.tasks[a].parent == b || p_.tasks[b].parent == a) return true;  // containment
    return ordered(g_, extra_, g_.end_node(a), g_.start_node(b), stack_, seen_) ||
           ordered(g_, extra_, g_.end_node(b), g_.start_node(a), stack_, seen_);
  }
  void order(task_index before, task_index after) {
    extra_[g_.end_node(before)].push_back(g_.start_node(after));
  }

private:
  const plan& p_;
  const job_graph& g_;
  std::vector<std::vector<std::uint32_t>> extra_;  // per node: the added edges
  std::vector<std::uint32_t> stack_;
  std::vector<std::uint8_t> seen_;
};

std::optional<ownership_conflict> overlap(const plan& p, task_index a, task_index b) {
  for (std::string_view ga : p.tasks[a].owns) {
    for (std::string_view gb : p.tasks[b].owns) {
      if (auto path = common_path(ga, gb)) return ownership_conflict{a, b, std::string(ga), std::string(gb), *path};
    }
  }
  return std::nullopt;
}

} // namespace

bool glob_match(std::string_view glob, std::string_view path) {
  return shortest_common(compile(glob), [&] {
    std::vector<token> literal;
    for (char c : path) literal.push_back({op::one, only(static_cast<unsigned char>(c))});
    return literal;
  }()).has_value();
}

std::optional<std::string> common_path(std::string_view a, std::string_view b) {
  return shortest_common(compile(a), compile(b));
}

bool globs_intersect(std::string_view a, std::string_view b) {
  return common_path(a, b).has_value();
}

std::vector<ownership_conflict> ownership_conflicts(const plan& p) {
  const auto g = flatten(p);
  (void)topological_nodes(p, g);  // refuse a cycle by name
  return detail::ownership_conflicts(p, g);
}

std::vector<ownership_conflict> detail::ownership_conflicts(const plan& p, const job_graph& g) {
  std::vector<task_index> owners;
  for (task_index t = 0; t < p.size(); ++t) {
    if (!g.finished[t] && !p.tasks[t].owns.empty()) owners.push_back(t);
  }
  if (owners.size() < 2) return {};
  order_oracle oracle(p, g);
  std::vector<ownership_conflict> out;
  for (std::size_t i = 0; i < owners.size(); ++i) {
    for (std::size_t j = i + 1; j < owners.size(); ++j) {
      if (oracle.related(owners[i], owners[j])) continue;
      if (auto c = overlap(p, owners[i], owners[j])) out.push_back(std::move(*c));
    }
  }
  return out;
}

std::vector<serialization_edge> serialization_edges(const plan& p,
                                                    const std::vector<ownership_conflict>& c) {
  if (c.empty()) return {};
  const auto g = flatten(p);
  order_oracle oracle(p, g);
  std::vector<serialization_edge> out;
  for (const auto& x : c) {
    if (oracle.related(x.first, x.second)) continue;
    oracle.order(x.first, x.second);
    out.push_back({x.first, x.second});
  }
  return out;
}

void add_serialization_edges(plan& p, const std::vector<serialization_edge>& edges) {
  for (const auto& e : edges) p.add_dependency(e.after, e.before);
}

} // namespace cohort
