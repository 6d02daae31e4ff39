#include "cli/report/svg_charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cli/text_fields.h"

namespace augsweep::cli {
namespace {

// Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
constexpr const char* kPalette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                    "#D55E00", "#56B4E9", "#000000", "#F0E442"};
constexpr const char* kDashes[] = {"", "6 3", "2 2", "8 3 2 3"};
constexpr int kMarkers = 4;  // circle, square, triangle, diamond

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

std::string Text(double x, double y, const std::string& text, const std::string& attributes) {
  return "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" " + attributes + ">" + HtmlEscape(text) +
         "</text>\n";
}

std::string Line(double x1, double y1, double x2, double y2, const std::string& attributes) {
  return "<line x1=\"" + Num(x1) + "\" y1=\"" + Num(y1) + "\" x2=\"" + Num(x2) + "\" y2=\"" +
         Num(y2) + "\" " + attributes + "/>\n";
}

std::string Marker(int kind, double x, double y, const char* colour) {
  const std::string fill = std::string("fill=\"") + colour + "\"";
  switch (kind % kMarkers) {
    case 0:
      return "<circle cx=\"" + Num(x) + "\" cy=\"" + Num(y) + "\" r=\"4.5\" " + fill + "/>\n";
    case 1:
      return "<rect x=\"" + Num(x - 4) + "\" y=\"" + Num(y - 4) + "\" width=\"8\" height=\"8\" " +
             fill + "/>\n";
    case 2:
      return "<path d=\"M" + Num(x) + " " + Num(y - 5) + "L" + Num(x + 5) + " " + Num(y + 4) + "L" +
             Num(x - 5) + " " + Num(y + 4) + "Z\" " + fill + "/>\n";
    default:
      return "<path d=\"M" + Num(x) + " " + Num(y - 5.5) + "L" + Num(x + 5.5) + " " + Num(y) + "L" +
             Num(x) + " " + Num(y + 5.5) + "L" + Num(x - 5.5) + " " + Num(y) + "Z\" " + fill +
             "/>\n";
  }
}

std::string SvgOpen(const std::string& id, const std::string& title, double width, double height,
                    const std::string& classes) {
  return "<svg id=\"" + HtmlEscape(id) + "\" class=\"" + classes +
         "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + Num(width) + " " + Num(height) +
         "\" width=\"" + Num(width) + "\" height=\"" + Num(height) +
         "\" role=\"img\" aria-label=\"" + HtmlEscape(title) + "\">\n<title>" + HtmlEscape(title) +
         "</title>\n";
}

// Round tick steps (1, 2, 5 × 10^k) giving about `count` ticks over [low, high].
std::vector<double> Ticks(double low, double high, int count) {
  const double span = std::max(high - low, 1e-9);
  const double raw = span / count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  for (double t = std::ceil(low / step) * step; t <= high + step * 1e-6; t += step)
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

// PuOr: orange (-1) to near white (0) to purple (+1), by linear steps between three anchors.
std::string DivergingColour(double v) {
  v = std::clamp(v, -1.0, 1.0);
  const double neg[3] = {179, 88, 6}, mid[3] = {247, 247, 247}, pos[3] = {84, 39, 136};
  const double* end = v < 0 ? neg : pos;
  const double t = std::abs(v);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "#%02X%02X%02X",
                static_cast<int>(std::lround(mid[0] + (end[0] - mid[0]) * t)),
                static_cast<int>(std::lround(mid[1] + (end[1] - mid[1]) * t)),
                static_cast<int>(std::lround(mid[2] + (end[2] - mid[2]) * t)));
  return buf;
}

constexpr const char* kFont = "font-family=\"DejaVu Sans, Arial, sans-serif\"";

}  // namespace

std::string RenderLineChart(const LineChart& chart) {
  const double left = 64, right = 16, top = 36, plot_h = 240, bottom = 52;
  const double legend_row = 18;
  const size_t legend_entries = chart.series.size() + (chart.reference ? 1 : 0);
  const double plot_w = std::max<double>(260, 90.0 * static_cast<double>(chart.x_labels.size()));
  size_t legend_chars = chart.reference_name.size();
  for (const ChartSeries& s : chart.series) legend_chars = std::max(legend_chars, s.name.size());
  const double width =
      std::max(left + plot_w + right, left + 36 + 6.8 * static_cast<double>(legend_chars) + 8);
  const double height =
      top + plot_h + bottom + legend_row * static_cast<double>(legend_entries) + 8;
  // The y range covers every interval and the reference band.
  double low = 1, high = 0;
  for (const ChartSeries& s : chart.series) {
    for (const ChartPoint& p : s.points) {
      for (double v : {p.low, p.high, p.y}) {
        if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
      }
    }
  }
  if (chart.reference) {
    for (double v : {chart.reference_low, chart.reference_high, *chart.reference}) {
      if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
    }
  }
  if (low > high) low = 0.5, high = 1;
  const double pad = std::max((high - low) * 0.08, 0.01);
  low = std::max(0.0, low - pad);
  high = std::min(1.0, high + pad);
  auto y_of = [&](double v) { return top + plot_h * (1 - (v - low) / (high - low)); };
  const size_t n = std::max<size_t>(chart.x_labels.size(), 1);
  auto x_of = [&](double i) { return left + plot_w * (i + 0.5) / static_cast<double>(n); };

  std::string svg = SvgOpen(chart.id, chart.title, width, height, "plot line-chart");
  svg += Text(left, 20, chart.title, std::string(kFont) + " font-size=\"14\" font-weight=\"bold\"");
  // Axes, grid and ticks.
  for (double t : Ticks(low, high, 5)) {
    svg += Line(left, y_of(t), left + plot_w, y_of(t), "stroke=\"#dddddd\"");
    svg += Text(left - 6, y_of(t) + 4, FormatNumber(t, "%.2f"),
                std::string(kFont) + " font-size=\"11\" text-anchor=\"end\"");
  }
  svg += Line(left, top, left, top + plot_h, "stroke=\"#333333\"");
  svg += Line(left, top + plot_h, left + plot_w, top + plot_h, "stroke=\"#333333\"");
  for (size_t i = 0; i < chart.x_labels.size(); ++i) {
    svg += Line(x_of(static_cast<double>(i)), top + plot_h, x_of(static_cast<double>(i)),
                top + plot_h + 5, "stroke=\"#333333\"");
    svg += Text(x_of(static_cast<double>(i)), top + plot_h + 18, chart.x_labels[i],
                std::string(kFont) + " font-size=\"11\" text-anchor=\"middle\"");
  }
  svg += Text(left + plot_w / 2, top + plot_h + 38, chart.x_label,
              std::string(kFont) + " font-size=\"12\" text-anchor=\"middle\"");
  svg += "<text transform=\"translate(16 " + Num(top + plot_h / 2) + ") rotate(-90)\" " + kFont +
         " font-size=\"12\" text-anchor=\"middle\">" + HtmlEscape(chart.y_label) + "</text>\n";
  // The reference: its band, then its line.
  if (chart.reference) {
    if (std::isfinite(chart.reference_low) && std::isfinite(chart.reference_high)) {
      svg += "<rect class=\"reference-band\" x=\"" + Num(left) + "\" y=\"" +
             Num(y_of(chart.reference_high)) + "\" width=\"" + Num(plot_w) + "\" height=\"" +
             Num(std::max(0.0, y_of(chart.reference_low) - y_of(chart.reference_high))) +
             "\" fill=\"#999999\" fill-opacity=\"0.18\"/>\n";
    }
    svg += Line(left, y_of(*chart.reference), left + plot_w, y_of(*chart.reference),
                "class=\"reference\" stroke=\"#555555\" stroke-width=\"1.5\" "
                "stroke-dasharray=\"4 4\"");
  }
  // The series, each slightly offset so that their error bars do not hide each other.
  const double spread = std::min(24.0, plot_w / static_cast<double>(n) * 0.5);
  for (size_t s = 0; s < chart.series.size(); ++s) {
    const ChartSeries& series = chart.series[s];
    const char* colour = kPalette[s % std::size(kPalette)];
    const double offset =
        chart.series.size() < 2
            ? 0
            : spread *
                  (static_cast<double>(s) / static_cast<double>(chart.series.size() - 1) - 0.5);
    std::string path;
    svg += "<g class=\"series\" data-series=\"" + HtmlEscape(series.name) + "\">\n";
    for (const ChartPoint& p : series.points) {
      const double x = x_of(p.x) + offset;
      if (std::isfinite(p.low) && std::isfinite(p.high)) {
        svg += Line(x, y_of(p.low), x, y_of(p.high),
                    std::string("stroke=\"") + colour + "\" stroke-width=\"1.5\"");
        svg += Line(x - 4, y_of(p.low), x + 4, y_of(p.low),
                    std::string("stroke=\"") + colour + "\" stroke-width=\"1.5\"");
        svg += Line(x - 4, y_of(p.high), x + 4, y_of(p.high),
                    std::string("stroke=\"") + colour + "\" stroke-width=\"1.5\"");
      }
      path += (path.empty() ? "M" : "L") + Num(x) + " " + Num(y_of(p.y));
    }
    const std::string dash = kDashes[s % std::size(kDashes)];
    if (!path.empty()) {
      svg += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\"" +
             (dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"") + "/>\n";
    }
    for (const ChartPoint& p : series.points)
      svg += Marker(static_cast<int>(s), x_of(p.x) + offset, y_of(p.y), colour);
    svg += "</g>\n";
  }
  // Legend under the plot.
  double y = top + plot_h + bottom + 8;
  for (size_t s = 0; s < chart.series.size(); ++s, y += legend_row) {
    const char* colour = kPalette[s % std::size(kPalette)];
    const std::string dash = kDashes[s % std::size(kDashes)];
    svg += Line(left, y, left + 28, y,
                std::string("stroke=\"") + colour + "\" stroke-width=\"2\"" +
                    (dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\""));
    svg += Marker(static_cast<int>(s), left + 14, y, colour);
    svg += Text(left + 36, y + 4, chart.series[s].name, std::string(kFont) + " font-size=\"12\"");
  }
  if (chart.reference) {
    svg += Line(left, y, left + 28, y,
                "stroke=\"#555555\" stroke-width=\"1.5\" stroke-dasharray=\"4 4\"");
    svg += Text(left + 36, y + 4, chart.reference_name, std::string(kFont) + " font-size=\"12\"");
  }
  return svg + "</svg>\n";
}

std::string RenderHeatmap(const Heatmap& map) {
  const double cell_w = 78, cell_h = 24, top = 64;
  size_t label_chars = 8;
  for (const std::string& l : map.row_labels) label_chars = std::max(label_chars, l.size());
  const double left = std::min(360.0, 7.0 * static_cast<double>(label_chars) + 12);
  const double width = left + cell_w * static_cast<double>(map.column_labels.size()) + 16;
  const double height = top + cell_h * static_cast<double>(map.row_labels.size()) + 60;
  double extent = 0;  // the scale is symmetric around 0, to the largest |value|
  for (const auto& row : map.values) {
    for (const auto& v : row) {
      if (v && std::isfinite(*v)) extent = std::max(extent, std::abs(*v));
    }
  }
  if (extent == 0) extent = 0.01;
  std::string svg = SvgOpen(map.id, map.title, width, height, "plot heatmap");
  svg += Text(8, 20, map.title, std::string(kFont) + " font-size=\"14\" font-weight=\"bold\"");
  for (size_t c = 0; c < map.column_labels.size(); ++c) {
    svg += Text(left + cell_w * (static_cast<double>(c) + 0.5), top - 8, map.column_labels[c],
                std::string(kFont) + " font-size=\"11\" text-anchor=\"middle\"");
  }
  for (size_t r = 0; r < map.row_labels.size(); ++r) {
    const double y = top + cell_h * static_cast<double>(r);
    svg += Text(left - 6, y + cell_h / 2 + 4, map.row_labels[r],
                std::string(kFont) + " font-size=\"11\" text-anchor=\"end\"");
    for (size_t c = 0; c < map.column_labels.size(); ++c) {
      const double x = left + cell_w * static_cast<double>(c);
      const std::optional<double> cell =
          r < map.values.size() && c < map.values[r].size() ? map.values[r][c] : std::nullopt;
      const double v = cell.value_or(std::nan(""));
      const bool has = std::isfinite(v);
      const double scaled = has ? v / extent : 0;
      svg += "<rect class=\"cell\" x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" +
             Num(cell_w - 2) + "\" height=\"" + Num(cell_h - 2) + "\" fill=\"" +
             (has ? DivergingColour(scaled) : std::string("#ffffff")) + "\" stroke=\"#cccccc\"/>\n";
      svg += Text(x + cell_w / 2 - 1, y + cell_h / 2 + 3, has ? FormatNumber(v, "%+.3f") : "n/a",
                  std::string(kFont) + " font-size=\"11\" text-anchor=\"middle\" fill=\"" +
                      (std::abs(scaled) > 0.6 ? "#ffffff" : "#111111") + "\"");
    }
  }
  // The scale: five swatches from -extent to +extent.
  const double legend_y = top + cell_h * static_cast<double>(map.row_labels.size()) + 16;
  svg += Text(8, legend_y + 13, map.value_label, std::string(kFont) + " font-size=\"11\"");
  for (int i = 0; i < 5; ++i) {
    const double v = extent * (i - 2) / 2.0;
    const double x = left + 70.0 * i;
    svg += "<rect x=\"" + Num(x) + "\" y=\"" + Num(legend_y) +
           "\" width=\"18\" height=\"18\" fill=\"" + DivergingColour(v / extent) +
           "\" stroke=\"#cccccc\"/>\n";
    svg += Text(x + 22, legend_y + 13, FormatNumber(v, "%+.3f"),
                std::string(kFont) + " font-size=\"11\"");
  }
  return svg + "</svg>\n";
}

std::string RenderStackedBars(const StackedBars& bars) {
  const double bar_h = 20, gap = 8, top = 40, plot_w = 420;
  size_t label_chars = 8;
  for (const std::string& c : bars.categories) label_chars = std::max(label_chars, c.size());
  const double left = std::min(300.0, 7.0 * static_cast<double>(label_chars) + 12);
  const double height = top + (bar_h + gap) * static_cast<double>(bars.categories.size()) + 40 + 20;
  const double width = left + plot_w + 80;
  double max_total = 0;
  for (const auto& row : bars.values) {
    double total = 0;
    for (double v : row) total += std::max(0.0, v);
    max_total = std::max(max_total, total);
  }
  if (max_total <= 0) max_total = 1;
  const char* colours[] = {"#0072B2", "#E69F00", "#CC79A7", "#009E73"};
  std::string svg = SvgOpen(bars.id, bars.title, width, height, "plot stacked-bars");
  svg += Text(8, 20, bars.title, std::string(kFont) + " font-size=\"14\" font-weight=\"bold\"");
  for (size_t c = 0; c < bars.categories.size(); ++c) {
    const double y = top + (bar_h + gap) * static_cast<double>(c);
    svg += Text(left - 6, y + bar_h / 2 + 4, bars.categories[c],
                std::string(kFont) + " font-size=\"11\" text-anchor=\"end\"");
    double x = left, total = 0;
    for (size_t p = 0; p < bars.parts.size() && c < bars.values.size(); ++p) {
      const double v = p < bars.values[c].size() ? std::max(0.0, bars.values[c][p]) : 0;
      total += v;
      const double w = plot_w * v / max_total;
      if (w > 0) {
        svg += "<rect class=\"bar\" x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" + Num(w) +
               "\" height=\"" + Num(bar_h) + "\" fill=\"" + colours[p % std::size(colours)] +
               "\"><title>" + HtmlEscape(bars.parts[p]) + ": " + FormatNumber(v, "%.0f") +
               "</title></rect>\n";
      }
      x += w;
    }
    svg += Text(x + 6, y + bar_h / 2 + 4, FormatNumber(total, "%.0f"),
                std::string(kFont) + " font-size=\"11\"");
  }
  double lx = left;
  const double ly = top + (bar_h + gap) * static_cast<double>(bars.categories.size()) + 12;
  for (size_t p = 0; p < bars.parts.size(); ++p) {
    svg += "<rect x=\"" + Num(lx) + "\" y=\"" + Num(ly) + "\" width=\"14\" height=\"14\" fill=\"" +
           colours[p % std::size(colours)] + "\"/>\n";
    svg += Text(lx + 18, ly + 11, bars.parts[p], std::string(kFont) + " font-size=\"11\"");
    lx += 30 + 7.0 * static_cast<double>(bars.parts[p].size());
  }
  svg += Text(left, ly + 34, bars.value_label, std::string(kFont) + " font-size=\"11\"");
  return svg + "</svg>\n";
}

}  // namespace augsweep::cli
