#include "worker/executors/prompt_template.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace augsweep {
namespace {

std::string_view Strip(std::string_view s) {
  const char* kSpace = " \t\r\n";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

size_t BoundaryOf(std::string_view completion) {
  // Leading newlines come before the item, not after it.
  const size_t start = completion.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return std::string_view::npos;
  return std::min(completion.find('\n', start), completion.find("###", start));
}

}  // namespace

std::string RenderPrompt(std::string_view prompt_template, std::string_view theme,
                         const std::vector<std::string>& examples) {
  std::string_view tpl = prompt_template;
  if (!tpl.empty() && tpl.back() == '\n') tpl.remove_suffix(1);
  if (!tpl.empty() && tpl.back() == '\r') tpl.remove_suffix(1);
  std::string lines;
  for (const std::string& e : examples) {
    std::string one_line(Strip(e));
    for (char& c : one_line) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    lines += (lines.empty() ? "- " : "\n- ") + one_line;
  }
  // One pass over the template, so braces inside a theme or an example are never expanded.
  std::string prompt;
  for (size_t i = 0; i < tpl.size();) {
    if (tpl.substr(i, 7) == "{theme}") {
      prompt += theme;
      i += 7;
    } else if (tpl.substr(i, 10) == "{examples}") {
      prompt += lines;
      i += 10;
    } else {
      prompt += tpl[i++];
    }
  }
  return prompt;
}

bool HasItemBoundary(std::string_view completion) {
  return BoundaryOf(completion) != std::string_view::npos;
}

std::string FirstItem(std::string_view completion) {
  const size_t boundary = BoundaryOf(completion);
  std::string_view item = Strip(completion.substr(0, boundary));
  if (item.substr(0, 2) == "- ") item = Strip(item.substr(2));
  return std::string(item);
}

std::string_view CutAtStop(std::string_view completion, const std::vector<std::string>& stops) {
  size_t cut = completion.size();
  for (const std::string& stop : stops) {
    if (!stop.empty()) cut = std::min(cut, completion.find(stop));
  }
  return completion.substr(0, cut);
}

namespace {

bool Has(const std::vector<std::string>& rules, const char* rule) {
  return std::find(rules.begin(), rules.end(), rule) != rules.end();
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A line that announces the answer instead of being it.
bool IsPreamble(std::string_view line) {
  if (!line.empty() && line.back() == ':') return true;
  const std::string lower = AsciiLower(line);
  for (const char* opener :
       {"sure", "certainly", "of course", "here is", "here's", "okay", "absolutely"}) {
    if (lower.rfind(opener, 0) == 0) return true;
  }
  return false;
}

std::string_view StripListMarker(std::string_view item) {
  for (std::string_view marker : {"- ", "* ", "\u2022 "}) {
    if (item.substr(0, marker.size()) == marker) return Strip(item.substr(marker.size()));
  }
  size_t digits = 0;
  while (digits < item.size() && std::isdigit(static_cast<unsigned char>(item[digits]))) ++digits;
  if (digits > 0 && digits + 1 < item.size() && (item[digits] == '.' || item[digits] == ')') &&
      item[digits + 1] == ' ') {
    return Strip(item.substr(digits + 2));
  }
  return item;
}

std::string_view StripQuotes(std::string_view item) {
  for (auto [open, close] : {std::pair<std::string_view, std::string_view>{"\"", "\""},
                             {"'", "'"},
                             {"\u201c", "\u201d"},
                             {"\u00ab", "\u00bb"}}) {
    if (item.size() >= open.size() + close.size() && item.substr(0, open.size()) == open &&
        item.substr(item.size() - close.size()) == close) {
      return Strip(item.substr(open.size(), item.size() - open.size() - close.size()));
    }
  }
  return item;
}

}  // namespace

std::string CleanChatReply(std::string_view reply, const std::vector<std::string>& rules) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= reply.size();) {
    const size_t nl = reply.find('\n', start);
    std::string_view line =
        Strip(reply.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (!line.empty()) lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  if (lines.empty()) return "";
  size_t first = 0;
  if (Has(rules, "preamble") && lines.size() > 1 && IsPreamble(lines[0])) first = 1;
  std::string_view item = lines[first];
  if (Has(rules, "list_markers")) item = StripListMarker(item);
  if (Has(rules, "quotes")) item = StripQuotes(item);
  return std::string(item);
}

bool HasStop(std::string_view completion, const std::vector<std::string>& stops) {
  return CutAtStop(completion, stops).size() < completion.size();
}

}  // namespace augsweep
