// A one-line text progress bar for `augsweep status --watch` and `augsweep run` on a terminal:
// "[########------------]  8/20 jobs  generate". A pure function, so the rendering is tested
// without a terminal; the caller decides when and where to redraw it.
#pragma once

#include <string>
#include <string_view>

namespace augsweep::cli {

// `width` is the number of cells between the brackets (0 or less: no bar, only the count).
// done is clamped to [0, total]; a total of 0 or less renders an empty bar and "0/0". The done
// count is padded to the width of total so the line does not shift as it grows. The label, when
// not empty, follows after two spaces. No trailing newline.
std::string RenderProgressBar(int done, int total, int width, std::string_view label);

}  // namespace augsweep::cli
