// The merge loop shared by SentencePiece BPE and byte-level BPE: start from small symbols (one
// character, or one byte), then repeatedly merge the adjacent pair with the best priority, the
// leftmost one on ties, until no adjacent pair may merge. SentencePiece ranks a pair by the score
// of the merged piece (bpe_model.cc); Hugging Face by the rank of the merge rule (models/bpe). Both
// are the same algorithm: a heap of candidate pairs and a linked list of symbols, O(n log n).
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <string_view>
#include <vector>

namespace augsweep::bpe {

struct Symbol {
  int32_t prev = -1;    // index of the previous live symbol, -1 at the start
  int32_t next = -1;    // index of the next live symbol, -1 at the end
  uint32_t begin = 0;   // byte range in the text
  uint32_t size = 0;    // 0 once merged into its left neighbour
  int32_t id = -1;      // vocabulary id, -1 when unknown
  bool frozen = false;  // never merged (SentencePiece user-defined symbols)
};

struct Candidate {
  double priority = 0;  // larger merges first
  int32_t merged_id = -1;
};

// Links `symbols` (laid out in text order) into a list.
inline void LinkSymbols(std::vector<Symbol>& symbols) {
  const int32_t n = static_cast<int32_t>(symbols.size());
  for (int32_t i = 0; i < n; ++i) {
    symbols[i].prev = i - 1;
    symbols[i].next = i + 1 < n ? i + 1 : -1;
  }
}

// Runs the merge loop over linked `symbols` of `text`. `find` is called as
// find(const Symbol& left, const Symbol& right, std::string_view merged_text) and returns
// std::optional<Candidate>: nullopt when the pair may not merge. Afterwards the live symbols are
// those reachable from index 0 through `next`.
template <typename FindCandidate>
void MergeSymbols(std::string_view text, std::vector<Symbol>& symbols, FindCandidate&& find) {
  struct Pair {
    double priority;
    int32_t left;
    int32_t right;
    uint32_t size;  // combined size when pushed: tells whether the pair is stale
    int32_t merged_id;
  };
  struct Worse {
    bool operator()(const Pair& a, const Pair& b) const {
      return a.priority < b.priority || (a.priority == b.priority && a.left > b.left);
    }
  };
  std::priority_queue<Pair, std::vector<Pair>, Worse> agenda;

  auto consider = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = symbols[left];
    const Symbol& r = symbols[right];
    if (l.frozen || r.frozen) return;
    const std::string_view merged = text.substr(l.begin, l.size + r.size);
    const std::optional<Candidate> c = find(l, r, merged);
    if (!c) return;
    agenda.push(Pair{c->priority, left, right, l.size + r.size, c->merged_id});
  };

  for (size_t i = 1; i < symbols.size(); ++i) {
    consider(static_cast<int32_t>(i - 1), static_cast<int32_t>(i));
  }
  while (!agenda.empty()) {
    const Pair top = agenda.top();
    agenda.pop();
    Symbol& l = symbols[top.left];
    Symbol& r = symbols[top.right];
    // Symbols only grow, or shrink to 0 when merged away, so an unchanged combined size means
    // neither side has changed since the pair was pushed (SentencePiece's staleness test).
    if (l.size == 0 || r.size == 0 || l.size + r.size != top.size) continue;
    l.size += r.size;
    l.id = top.merged_id;
    l.next = r.next;
    if (r.next >= 0) symbols[r.next].prev = top.left;
    r.size = 0;
    consider(l.prev, top.left);
    consider(top.left, l.next);
  }
}

}  // namespace augsweep::bpe
