#include "common/tokenizers/unicode_data.h"

#include <algorithm>
#include <iterator>

#include "common/tokenizers/text_util.h"

namespace augsweep::unicode {
namespace {

struct Decomposition {
  uint32_t cp;
  uint16_t offset;  // into kDecompositionData
  uint8_t length;
  bool compat;  // a <tag>ged compatibility mapping, used by NFKD only
};

struct Composition {
  uint32_t first;
  uint32_t second;
  uint32_t composite;
};

struct LowerMapping {
  uint32_t cp;
  uint32_t lower;
  uint32_t second;  // 0 when the lower case is a single code point
};

#include "common/tokenizers/unicode_tables.inc"

constexpr std::string_view kCategoryNames[] = {
    "Cc", "Cf", "Cn", "Co", "Cs", "Ll", "Lm", "Lo", "Lt", "Lu", "Mc", "Me", "Mn", "Nd", "Nl",
    "No", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "Sc", "Sk", "Sm", "So", "Zl", "Zp", "Zs"};

constexpr int32_t kMaxCodePoint = 0x10FFFF;

// Hangul syllables decompose and compose algorithmically (Unicode 3.12).
constexpr int32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr int32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr int32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

// The value of the range holding `cp` in a table of (first << shift) | value entries.
uint32_t RangeValue(const uint32_t* begin, const uint32_t* end, int shift, int32_t cp) {
  const uint32_t key = (static_cast<uint32_t>(cp) << shift) | ((1u << shift) - 1);
  const uint32_t* it = std::upper_bound(begin, end, key);
  return *(it - 1) & ((1u << shift) - 1);
}

const Decomposition* FindDecomposition(int32_t cp) {
  const auto* it = std::lower_bound(
      std::begin(kDecompositions), std::end(kDecompositions), static_cast<uint32_t>(cp),
      [](const Decomposition& d, uint32_t value) { return d.cp < value; });
  return it != std::end(kDecompositions) && it->cp == static_cast<uint32_t>(cp) ? it : nullptr;
}

void Decompose(int32_t cp, bool compat, std::u32string* out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    const int32_t s = cp - kSBase;
    out->push_back(kLBase + s / kNCount);
    out->push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) out->push_back(kTBase + s % kTCount);
    return;
  }
  const Decomposition* d = FindDecomposition(cp);
  if (d == nullptr || (d->compat && !compat)) {
    out->push_back(cp);
    return;
  }
  for (int i = 0; i < d->length; ++i) Decompose(kDecompositionData[d->offset + i], compat, out);
}

// Full decomposition followed by the canonical ordering of combining marks (a stable sort of
// each run of non-starters by combining class).
std::u32string DecomposeAndOrder(std::u32string_view text, bool compat) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) Decompose(static_cast<int32_t>(c), compat, &out);
  for (size_t i = 0; i < out.size();) {
    if (CombiningClass(out[i]) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < out.size() && CombiningClass(out[j]) != 0) ++j;
    std::stable_sort(out.begin() + i, out.begin() + j,
                     [](char32_t a, char32_t b) { return CombiningClass(a) < CombiningClass(b); });
    i = j;
  }
  return out;
}

// The primary composite of (first, second), or -1.
int32_t Compose(int32_t first, int32_t second) {
  if (first >= kLBase && first < kLBase + kLCount && second >= kVBase &&
      second < kVBase + kVCount) {
    return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
  }
  if (first >= kSBase && first < kSBase + kSCount && (first - kSBase) % kTCount == 0 &&
      second > kTBase && second < kTBase + kTCount) {
    return first + (second - kTBase);
  }
  const Composition key{static_cast<uint32_t>(first), static_cast<uint32_t>(second), 0};
  const auto* it =
      std::lower_bound(std::begin(kCompositions), std::end(kCompositions), key,
                       [](const Composition& a, const Composition& b) {
                         return a.first != b.first ? a.first < b.first : a.second < b.second;
                       });
  if (it != std::end(kCompositions) && it->first == key.first && it->second == key.second) {
    return static_cast<int32_t>(it->composite);
  }
  return -1;
}

}  // namespace

std::string_view GeneralCategory(int32_t cp) {
  if (cp < 0 || cp > kMaxCodePoint) return "Cn";
  return kCategoryNames[RangeValue(std::begin(kCategoryRanges), std::end(kCategoryRanges), 5, cp)];
}

int CombiningClass(int32_t cp) {
  if (cp < 0 || cp > kMaxCodePoint) return 0;
  return static_cast<int>(
      RangeValue(std::begin(kCombiningClassRanges), std::end(kCombiningClassRanges), 8, cp));
}

std::u32string Nfd(std::u32string_view text) { return DecomposeAndOrder(text, false); }

std::u32string Nfkd(std::u32string_view text) { return DecomposeAndOrder(text, true); }

std::u32string Nfc(std::u32string_view text) {
  // The canonical composition algorithm (UAX #15): a character combines with the last starter
  // when no character between them blocks it (a starter, or one of equal or higher class).
  std::u32string out = Nfd(text);
  size_t starter = std::u32string::npos;
  int last_class = -1;
  size_t write = 0;
  for (size_t read = 0; read < out.size(); ++read) {
    const int32_t c = static_cast<int32_t>(out[read]);
    const int cc = CombiningClass(c);
    if (starter != std::u32string::npos) {
      const bool blocked = last_class != -1 && (last_class == 0 || last_class >= cc);
      if (!blocked) {
        const int32_t composite = Compose(static_cast<int32_t>(out[starter]), c);
        if (composite >= 0) {
          out[starter] = static_cast<char32_t>(composite);
          continue;
        }
      }
    }
    if (cc == 0) {
      starter = write;
      last_class = -1;
    } else {
      last_class = cc;
    }
    out[write++] = static_cast<char32_t>(c);
  }
  out.resize(write);
  return out;
}

void AppendLower(int32_t cp, std::u32string* out) {
  const auto* it = std::lower_bound(
      std::begin(kLowerMappings), std::end(kLowerMappings), static_cast<uint32_t>(cp),
      [](const LowerMapping& m, uint32_t value) { return m.cp < value; });
  if (it == std::end(kLowerMappings) || it->cp != static_cast<uint32_t>(cp)) {
    out->push_back(static_cast<char32_t>(cp));
    return;
  }
  out->push_back(it->lower);
  if (it->second != 0) out->push_back(it->second);
}

bool IsPythonSpace(int32_t cp) {
  return std::binary_search(std::begin(kPythonSpaces), std::end(kPythonSpaces),
                            static_cast<uint32_t>(cp));
}

bool IsPythonDigit(int32_t cp) {
  if (cp < 0 || cp > kMaxCodePoint) return false;
  return RangeValue(std::begin(kPythonDigitRanges), std::end(kPythonDigitRanges), 1, cp) != 0;
}

std::u32string DecodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    size_t len = 1;
    const int32_t cp = tokenizer_text::DecodeCodePoint(text, pos, &len);
    out.push_back(cp < 0 ? U'\uFFFD' : static_cast<char32_t>(cp));
    pos += len;
  }
  return out;
}

std::string EncodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) tokenizer_text::AppendCodePoint(c, &out);
  return out;
}

}  // namespace augsweep::unicode
