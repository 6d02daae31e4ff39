#include "worker/executors/prompt_template.h"

#include <algorithm>

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

bool HasStop(std::string_view completion, const std::vector<std::string>& stops) {
  return CutAtStop(completion, stops).size() < completion.size();
}

}  // namespace augsweep
