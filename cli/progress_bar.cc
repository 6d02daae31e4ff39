#include "cli/progress_bar.h"

#include <algorithm>
#include <cstdint>

namespace augsweep::cli {

std::string RenderProgressBar(int done, int total, int width, std::string_view label) {
  total = std::max(total, 0);
  done = std::clamp(done, 0, total);
  width = std::max(width, 0);
  // Rounded down, so the bar is full only when every job is done. 64-bit: done * width may
  // overflow int for large sweeps on wide terminals.
  const int filled = total == 0 ? 0 : static_cast<int>(static_cast<int64_t>(done) * width / total);

  std::string out;
  if (width > 0) {
    out = "[" + std::string(filled, '#') + std::string(width - filled, '-') + "] ";
  }
  const std::string total_text = std::to_string(total);
  std::string done_text = std::to_string(done);
  done_text.insert(0, total_text.size() - done_text.size(), ' ');
  out += done_text + "/" + total_text + " jobs";
  if (!label.empty()) out += "  " + std::string(label);
  return out;
}

}  // namespace augsweep::cli
